"""The failure model's training rows: one per supplier and snapshot, with its feature values and its label.

Why a column store: at issue 20's size training has about 900,000 rows. As two Python objects each (the row and
its values) they took about 1 CPU-s to make and 120 MiB to keep, and every pass over them in training (the
temporal split, the counts, the refit's closed rows) walked them one by one. :class:`TrainingRows` keeps the
rows as columns (organisation, snapshot, label, and the feature matrix they were built into) that training reads
as arrays (:func:`row_columns`); a row is made only when someone asks for it. A plain list of
:class:`TrainingRow` works everywhere too (the tests build them by hand).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import overload

import numpy as np

from models.features import FEATURES


@dataclass(frozen=True, slots=True)
class TrainingRow:
    organisation_id: int
    snapshot: date
    values: Mapping[str, float | None]
    label: int


class MatrixRow(Mapping[str, float | None]):
    """One row of a feature matrix (:data:`FEATURES` columns, NaN for missing), stored flat and row by row, read
    as a row's values.

    Why: training keeps hundreds of thousands of rows; a dict of values per row took four times the memory
    of the matrix the fit needs anyway (issue 20), so the rows' values are read from that matrix instead.
    """

    __slots__ = ("_matrix", "_row")

    def __init__(self, flat: Sequence[float], row: int) -> None:
        self._matrix, self._row = flat, row

    def __getitem__(self, name: str) -> float | None:
        value = float(self._matrix[self._row * len(FEATURES) + _COLUMN[name]])
        return None if value != value else value  # NaN: missing

    def __iter__(self) -> Iterator[str]:
        return iter(FEATURES)

    def __len__(self) -> int:
        return len(FEATURES)


_COLUMN = {name: j for j, name in enumerate(FEATURES)}


class TrainingRows(Sequence[TrainingRow]):
    """Rows as columns: ``organisations`` and ``labels`` per row, ``days`` the snapshot of each row as an index
    into ``snapshots``, and ``flat`` the feature matrix row by row (:data:`FEATURES` order, NaN: missing).

    State: the columns are fixed once made; ``rows[i]`` makes that row's :class:`TrainingRow` (its values read
    from ``flat``)."""

    __slots__ = ("organisations", "days", "labels", "snapshots", "flat")

    def __init__(self, organisations: np.ndarray, days: np.ndarray, labels: np.ndarray,
                 snapshots: Sequence[date], flat: Sequence[float]) -> None:
        if not len(organisations) == len(days) == len(labels):
            raise ValueError(f"columns of different lengths: {len(organisations)} organisations, {len(days)} days, "
                             f"{len(labels)} labels")
        self.organisations, self.days, self.labels = organisations, days, labels
        self.snapshots, self.flat = tuple(snapshots), flat

    def __len__(self) -> int:
        return len(self.labels)

    @overload
    def __getitem__(self, index: int) -> TrainingRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[TrainingRow]: ...

    def __getitem__(self, index: int | slice) -> TrainingRow | list[TrainingRow]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = range(len(self))[index]  # a negative index counted from the end; IndexError past either end
        return TrainingRow(int(self.organisations[i]), self.snapshots[int(self.days[i])], MatrixRow(self.flat, i),
                           int(self.labels[i]))

    def ordinals(self) -> np.ndarray:
        """Each row's snapshot as a proleptic Gregorian ordinal (``date.toordinal``)."""
        return np.array([day.toordinal() for day in self.snapshots], dtype=np.int64)[self.days]


def row_columns(rows: Sequence[TrainingRow]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows' organisations, snapshots (as ordinals) and labels as arrays, in row order: read off the columns
    of :class:`TrainingRows`, or gathered from any other sequence of rows."""
    if isinstance(rows, TrainingRows):
        return rows.organisations, rows.ordinals(), rows.labels
    return (np.array([r.organisation_id for r in rows], dtype=np.int64),
            np.array([r.snapshot.toordinal() for r in rows], dtype=np.int64),
            np.array([r.label for r in rows], dtype=np.int64))


def dates_of(ordinals: np.ndarray) -> list[date]:
    """The dates of ordinals (few distinct ones: each converted once)."""
    distinct, where = np.unique(ordinals, return_inverse=True)
    days = [date.fromordinal(int(o)) for o in distinct.tolist()]
    return [days[i] for i in where.tolist()]
