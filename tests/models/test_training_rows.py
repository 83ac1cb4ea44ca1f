"""Training rows kept as columns (models.training_rows) read as the rows they stand for, and training on them
gives the same outcome as training on the same rows as a list."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from models.failure import FEATURES, BaselineModel, MatrixRow, TrainingRow, train_and_select
from models.training_rows import TrainingRows, dates_of, row_columns

SNAPSHOTS = [date(2019 + year, month, 1) for year in range(6) for month in (1, 4, 7, 10)]


def _columns(organisations: int = 40, seed: int = 7) -> TrainingRows:
    """Every organisation at every snapshot; a few fail (label 1 in the year before their failure)."""
    rng = np.random.default_rng(seed)
    orgs, days, labels, values = [], [], [], []
    failing = set(range(0, organisations, 5))
    for index in range(len(SNAPSHOTS)):
        for org in range(organisations):
            orgs.append(1000 + org)
            days.append(index)
            label = int(org in failing and rng.random() < 0.5)
            labels.append(label)
            row = rng.normal(size=len(FEATURES)) + 2.0 * label
            row[rng.random(len(FEATURES)) < 0.1] = np.nan  # some inputs missing
            values.append(row)
    flat = np.concatenate(values)
    return TrainingRows(np.array(orgs, dtype=np.int64), np.array(days, dtype=np.int32),
                        np.array(labels, dtype=np.int64), SNAPSHOTS, flat)


def _as_list(rows: TrainingRows) -> list[TrainingRow]:
    flat = [float(v) for v in rows.flat]
    return [TrainingRow(int(rows.organisations[i]), SNAPSHOTS[int(rows.days[i])], MatrixRow(flat, i),
                        int(rows.labels[i])) for i in range(len(rows))]


def test_a_row_is_made_from_its_columns() -> None:
    rows = _columns()
    listed = _as_list(rows)
    assert len(rows) == len(listed) == 40 * len(SNAPSHOTS)
    for i in (0, 1, 41, len(rows) - 1, -1, -len(rows)):
        made, expected = rows[i], listed[i]
        assert (made.organisation_id, made.snapshot, made.label) == (
            expected.organisation_id, expected.snapshot, expected.label)
        assert dict(made.values) == dict(expected.values)
        assert type(made.organisation_id) is int and type(made.label) is int
    assert [r.organisation_id for r in rows[3:9:2]] == [r.organisation_id for r in listed[3:9:2]]
    with pytest.raises(IndexError):
        rows[len(rows)]
    assert any(v is None for r in rows[:40] for v in r.values.values())  # NaN reads as missing


def test_columns_of_rows_or_of_a_list_are_the_same() -> None:
    rows = _columns()
    for got, expected in zip(row_columns(rows), row_columns(_as_list(rows)), strict=True):
        assert got.tolist() == expected.tolist()
    ordinals = row_columns(rows)[1]
    assert dates_of(ordinals[:3]) == [SNAPSHOTS[0]] * 3
    assert dates_of(ordinals) == [SNAPSHOTS[int(d)] for d in rows.days]


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        TrainingRows(np.zeros(2, dtype=np.int64), np.zeros(3, dtype=np.int32), np.zeros(2, dtype=np.int64),
                     SNAPSHOTS, np.zeros(2 * len(FEATURES)))


def test_training_on_columns_or_on_a_list_gives_the_same_outcome() -> None:
    rows = _columns()
    baseline = BaselineModel(weights={name: 1.0 for name in FEATURES}, intercept=-3.0)
    options = {"baseline": baseline, "horizon_days": 365, "eval_months": 12, "calibration_months": 12,
               "min_positive_train": 1, "min_positive_calibration": 1, "min_positive_eval": 1,
               "first_failure": {1000: date(2024, 6, 1)}}
    x = np.asarray(rows.flat, dtype=float).reshape(len(rows), len(FEATURES))
    on_columns = train_and_select(rows, date(2025, 1, 1), x=x, **options)
    on_list = train_and_select(_as_list(rows), date(2025, 1, 1), **options)
    assert on_columns.counts == on_list.counts
    assert sum(part["rows"] for part in on_columns.counts.values()) > 0
    assert on_columns.chosen == on_list.chosen
    assert on_columns.reason == on_list.reason and on_columns.notes == on_list.notes
    assert on_columns.refit_rows == on_list.refit_rows > 0  # the model won and was refitted on the closed rows
    assert on_columns.warnings == on_list.warnings
    assert on_columns.intervals == on_list.intervals
    for name in ("model", "baseline"):
        got, expected = getattr(on_columns, name), getattr(on_list, name)
        assert (got is None) == (expected is None)
        if got is not None:
            assert got.version == expected.version


def test_a_subset_of_columns_is_the_same_rows() -> None:
    from pipelines.train_models import _subset

    rows = _columns()
    keep = np.array([0, 5, 41, 200, len(rows) - 1])
    subset = _subset(rows, keep, np.asarray(rows.flat).reshape(len(rows), len(FEATURES))[keep])
    assert isinstance(subset, TrainingRows) and len(subset) == len(keep)
    for got, i in zip(subset, keep.tolist(), strict=True):
        expected = rows[i]
        assert (got.organisation_id, got.snapshot, got.label) == (expected.organisation_id, expected.snapshot,
                                                                   expected.label)
        assert dict(got.values) == dict(expected.values)
    assert [r.label for r in _subset(_as_list(rows), keep, None)] == [rows[i].label for i in keep.tolist()]


def test_the_parts_of_columns_are_the_split_of_each_snapshot() -> None:
    """Training splits rows on arrays (``_parts``); each row lands where ``TemporalSplit.part`` puts its snapshot."""
    from models.failure_training import _parts, temporal_split

    days = [date(2018, 1, 1) + timedelta(days=d) for d in range(0, 9 * 366, 5)]
    split = temporal_split(date(2026, 11, 1), horizon_days=365, eval_months=12, calibration_months=12)
    positions = _parts(split, np.array([d.toordinal() for d in days], dtype=np.int64))
    placed = {int(i): name for name, at in positions.items() for i in at}
    assert len(placed) == sum(len(at) for at in positions.values())  # no row in two parts
    assert [placed.get(i) for i in range(len(days))] == [split.part(d) for d in days]
    assert {"fit", "calibration", "evaluation", None} == set(placed.get(i) for i in range(len(days)))
