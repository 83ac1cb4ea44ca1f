"""Facts an alert run reads, kept ahead of it: written after scoring, read by the run when still true.

An alert run on a national store spent most of its time reading the award history of the few CPV
divisions and categories its alerts ask about (seconds, against milliseconds for the alerts
themselves). The score-suppliers flow, which runs just before it and has read that history anyway,
keeps the results here (``pipelines.prepared_alert_facts``); the run reads them in one indexed query
each. A kept fact is used only when it is still what the run would work out: the same reference day,
the same settings, and the store's award data unchanged since (``data_stamp``); otherwise the run reads
the history itself, as before, so a stale fact can cost time but never change an alert.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from store.schema import Notice, Organisation
from store.schema.alerts import PreparedAlertFact


@dataclass(frozen=True, slots=True)
class PreparedFact:
    """One kept fact: its JSON part and, for a division, its arrays."""

    meta: dict[str, Any]
    arrays: Mapping[str, np.ndarray]


def data_stamp(session: Session) -> str:
    """What the award history is now: the newest notice and organisation, and their newest change.

    Every write of a notice (new or changed, with its awards, bids and duplicate links) sets its
    ``collected_at``, every change of an organisation its ``updated_at``; all four are read from indexes.
    supplyradar never deletes a notice or an organisation (a count would read every row): one removed by hand
    is still in the facts kept before, until the next scoring run keeps them anew."""
    newest = [select(func.max(column)).scalar_subquery()  # one maximum per (sub)query: SQLite reads it off the index
              for column in (Notice.id, Notice.collected_at, Organisation.id, Organisation.updated_at)]
    return "|".join(str(value) for value in session.execute(select(*newest)).one())


def settings_key(settings: Mapping[str, Any]) -> str:
    """The settings a fact depends on, as one comparable string."""
    return json.dumps(settings, sort_keys=True, default=str)


def _pack(arrays: Mapping[str, np.ndarray]) -> tuple[bytes, dict[str, list]]:
    """The arrays as one buffer, each at an offset aligned to 8 bytes, and their layout (dtype, shape, offset).

    Not ``np.savez``: reading a dozen members back out of a zip file cost more than the alert a division
    serves; ``_unpack`` maps the buffer without copying. Plain dtypes only: nothing here is ever a pickle."""
    parts, layout, offset = [], {}, 0
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        if array.dtype.hasobject:
            raise TypeError(f"{name}: an array of Python objects cannot be kept (dtype {array.dtype})")
        data = array.tobytes()
        layout[name] = [array.dtype.str, list(array.shape), offset]
        padding = -len(data) % 8
        parts += [data, b"\0" * padding]
        offset += len(data) + padding
    return b"".join(parts), layout


def _unpack(blob: bytes, layout: Mapping[str, list]) -> dict[str, np.ndarray]:
    """The arrays ``_pack`` laid out, as read-only views of ``blob``."""
    arrays = {}
    for name, (dtype, shape, offset) in layout.items():
        kind = np.dtype(dtype)
        if kind.hasobject:
            raise TypeError(f"{name}: refusing to read an array of Python objects (dtype {dtype})")
        arrays[name] = np.frombuffer(blob, dtype=kind, count=int(np.prod(shape, dtype=np.int64)), offset=offset).reshape(shape)
    return arrays


def replace_prepared(session: Session, kind: str, facts: Mapping[str, tuple[dict[str, Any], Mapping[str, np.ndarray] | None]],
                     *, as_of: date, stamp: str, settings: Mapping[str, Any], computed_at: datetime) -> int:
    """Keep ``facts`` (key -> (meta, arrays)) as the facts of ``kind``, dropping the kind's earlier ones."""
    session.execute(delete(PreparedAlertFact).where(PreparedAlertFact.kind == kind))
    rows = []
    for key, (meta, arrays) in facts.items():
        blob, layout = _pack(arrays) if arrays is not None else (None, None)
        rows.append({"kind": kind, "key": key, "as_of": as_of, "stamp": stamp, "settings": settings_key(settings),
                     "meta": {**meta, "layout": layout} if layout is not None else meta, "arrays": blob,
                     "computed_at": computed_at})
    if rows:
        session.execute(PreparedAlertFact.__table__.insert(), rows)
    return len(rows)


def load_prepared(session: Session, kind: str, key: str, *, as_of: date, stamp: str,
                  settings: Mapping[str, Any]) -> PreparedFact | None:
    """The kept fact of ``kind`` and ``key`` when it was worked out for ``as_of`` under ``settings`` on the store
    as ``stamp`` says it is now; None otherwise (the caller works it out itself)."""
    row = session.execute(
        select(PreparedAlertFact.meta, PreparedAlertFact.arrays).where(
            PreparedAlertFact.kind == kind, PreparedAlertFact.key == key, PreparedAlertFact.as_of == as_of,
            PreparedAlertFact.stamp == stamp, PreparedAlertFact.settings == settings_key(settings))
    ).one_or_none()
    if row is None:
        return None
    meta, blob = row
    return PreparedFact(meta=meta, arrays=_unpack(blob, meta["layout"]) if blob is not None else {})
