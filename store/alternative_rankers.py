"""The alternatives ranker learned once (after a scoring run) and kept for the alert runs that use it.

``pipelines.alternatives.learn_ranker`` learns the ranker (``models.alternative_ranker``) and saves it
here; an alert run loads it instead of learning it again (``pipelines.alternatives.stored_ranker``
decides whether it still fits). It is kept as one JSON document in ``store_meta`` (key ``RANKER_KEY``):
the ranker's fields (coefficients, training centre and spread, the day it was learned before, the
number of cases and winners, the regularisation, the features left out), the feature names in matrix
order, the settings it was learned under and when it was learned. JSON floats round-trip exactly, so
the loaded ranker scores exactly as the learned one did.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from models.alternative_ranker import Ranker
from store.bookkeeping import get_meta, set_meta

#: The store_meta key of the saved ranker.
RANKER_KEY = "alternatives.ranker"


@dataclass(frozen=True)
class StoredRanker:
    """A saved ranker with what it was learned on and under."""

    ranker: Ranker
    learned_on: date  # the reference day: it was learned from the awards before it
    features: tuple[str, ...]  # the feature names of its columns, in order
    settings: dict[str, Any]  # the alternatives settings it was learned under
    learned_at: datetime  # when it was saved


def _encode(value: object) -> object:
    if isinstance(value, np.ndarray):
        return {"array": [float(x) for x in value]}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, tuple):
        return {"tuple": list(value)}
    return value


def _decode(value: object) -> object:
    if isinstance(value, dict):
        if "array" in value:
            return np.array(value["array"], dtype=np.float64)
        if "date" in value:
            return date.fromisoformat(value["date"])
        if "tuple" in value:
            return tuple(value["tuple"])
    return value


def save_ranker(session: Session, ranker: Ranker, *, learned_on: date, features: tuple[str, ...], settings: dict[str, Any],
                learned_at: datetime) -> None:
    """Keep ``ranker`` as the store's ranker (replacing the one before)."""
    document = {
        "ranker": {f.name: _encode(getattr(ranker, f.name)) for f in dataclasses.fields(Ranker)},
        "learned_on": learned_on.isoformat(), "features": list(features), "settings": settings, "learned_at": learned_at.isoformat(),
    }
    set_meta(session, RANKER_KEY, json.dumps(document))


def load_ranker(session: Session) -> StoredRanker | None:
    """The saved ranker; None when none was saved or it cannot be read back (e.g. saved by another version)."""
    text = get_meta(session, RANKER_KEY)
    if text is None:
        return None
    try:
        document = json.loads(text)
        known = {f.name for f in dataclasses.fields(Ranker)}
        ranker = Ranker(**{k: _decode(v) for k, v in document["ranker"].items() if k in known})
        return StoredRanker(ranker, date.fromisoformat(document["learned_on"]), tuple(document["features"]), dict(document["settings"]),
                            datetime.fromisoformat(document["learned_at"]))
    except (ValueError, KeyError, TypeError):
        return None
