"""The alternatives ranker is learned once after scoring, kept in the store, and loaded by the alert runs.

An alert run never learns it: it ranks with the stored one when that one fits the run's day, settings and
features, and otherwise by fixed weights, saying why in the suggestions' notes (never silently).
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from config.settings import Settings
from models.alternative_history import FEATURES
from models.alternative_ranker import Ranker
from pipelines.alternatives import learn_ranker, ranker_settings, stored_ranker
from pipelines.send_alerts import run_send_alerts
from store.alternative_rankers import load_ranker, save_ranker
from store.db import Store
from store.schema.alerts import AlertRow
from tests.pipelines.test_outbox import AS_OF, NOW, Inbox, _config, horizon_world, inbox, settings  # noqa: F401  (fixtures)

#: A learned ranker as ``fit_ranker`` makes one (the numbers are arbitrary, the round trip must keep them exactly).
LEARNED = Ranker(
    "learned", weights=np.linspace(0.9, -0.3, len(FEATURES)) / 3, center=np.linspace(0.1, 1.3, len(FEATURES)) / 7,
    scale=np.linspace(1.0, 2.0, len(FEATURES)) / 3, trained_until=AS_OF, queries=412, positives=433,
    regularisation=0.03, without=("same_buyer_wins", "peer_buyer_wins"),
)


def _keep(store: Store, settings: Settings, ranker: Ranker = LEARNED, *, learned_on: date = AS_OF, **changed) -> None:
    with store.session() as session, session.begin():
        save_ranker(session, ranker, learned_on=learned_on, features=changed.pop("features", FEATURES),
                    settings={**ranker_settings(settings), **changed}, learned_at=NOW)


def _same(a: Ranker, b: Ranker) -> bool:
    return all(np.array_equal(getattr(a, f.name), getattr(b, f.name)) if isinstance(getattr(a, f.name), np.ndarray)
               else getattr(a, f.name) == getattr(b, f.name) for f in fields(Ranker))


def test_the_stored_ranker_comes_back_exactly(store: Store, settings: Settings) -> None:
    with store.session() as session:
        assert load_ranker(session) is None
    _keep(store, settings)
    with store.session() as session:
        kept = load_ranker(session)
        used = stored_ranker(session, settings, as_of=AS_OF + timedelta(days=3))
    assert kept is not None and kept.learned_on == AS_OF and kept.features == FEATURES and kept.learned_at == NOW
    assert _same(kept.ranker, LEARNED) and _same(used, LEARNED)
    assert used.describe() == LEARNED.describe()


@pytest.mark.parametrize(("as_of", "changed", "why"), [
    (AS_OF + timedelta(days=32), {}, "the stored model, learned on 2026-11-01, is more than 31 days old"),
    (AS_OF - timedelta(days=1), {}, "the stored model was learned on data up to 2026-11-01, after 2026-10-31"),
    (AS_OF, {"cpv_depth": 5}, "the stored model was learned under other alternatives settings"),
    (AS_OF, {"features": FEATURES[:-1]}, "the stored model was learned on other features than this version's"),
])
def test_a_stored_ranker_that_does_not_fit_gives_fixed_weights_and_says_why(
    store: Store, settings: Settings, as_of: date, changed: dict, why: str,
) -> None:
    _keep(store, settings, **changed)
    with store.session() as session:
        used = stored_ranker(session, settings, as_of=as_of)
    assert used.kind == "transparent" and used.why_fallback == why
    assert why in used.describe()


def test_the_age_a_stored_ranker_may_have_is_a_setting(store: Store, settings: Settings) -> None:
    _keep(store, settings)
    strict = settings.model_copy(update={"alerts": settings.alerts.model_copy(update={
        "alternatives": settings.alerts.alternatives.model_copy(update={"ranker_max_age_days": 0})})})
    with store.session() as session:
        assert stored_ranker(session, strict, as_of=AS_OF).kind == "learned"
        assert stored_ranker(session, strict, as_of=AS_OF + timedelta(days=1)).kind == "transparent"


def _notes(store: Store) -> list[str]:
    with store.session() as session:
        alert = session.scalars(select(AlertRow)).one()
    return alert.facts["alternatives"]["notes"]


def test_an_alert_run_ranks_with_the_stored_ranker(store: Store, settings: Settings, inbox: Inbox) -> None:
    horizon_world(store)
    _keep(store, settings)
    run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=_config(inbox), sources=False, send=False)
    assert _notes(store)[0] == ("Ranked by a model learned from 412 awards before 2026-11-01 (433 winners among the "
                                "candidates); reasons name its largest contributions.")


def test_an_alert_run_without_a_stored_ranker_says_so(store: Store, settings: Settings, inbox: Inbox) -> None:
    horizon_world(store)
    run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=_config(inbox), sources=False, send=False)
    assert _notes(store)[0] == ("Ranked by fixed weights (no learned model is stored; the score-suppliers flow learns "
                                "one after scoring); reasons name the largest contributions.")


def test_learning_keeps_what_the_alert_run_then_uses(store: Store, settings: Settings, inbox: Inbox) -> None:
    """Four awards are too few to learn from: the kept ranker is the fixed weights with that reason, used as is."""
    horizon_world(store)
    with store.session() as session, session.begin():
        learned = learn_ranker(session, settings, as_of=AS_OF, now=datetime(2026, 11, 1, 3, tzinfo=UTC))
    assert learned.kind == "transparent" and learned.why_fallback.startswith("too little history before 2026-11-01")
    with store.session() as session:
        kept = load_ranker(session)
    assert kept is not None and kept.learned_on == AS_OF and _same(kept.ranker, learned)
    run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=_config(inbox), sources=False, send=False)
    assert _notes(store)[0] == learned.describe()[0].upper() + learned.describe()[1:] + "."
