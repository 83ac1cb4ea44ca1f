"""``read_score_values`` with the sieve's terms: the database returns only the scores that may pass the sieve,
and never drops one the sieve keeps, on SQLite and PostgreSQL, with merged organisations, missing scores,
unknown bands and values exactly on a threshold; without terms it reads the same scores as
``read_score_changes`` (the later row of a merged group wins)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from alerts.rules import BANDS, parse_rules
from alerts.score_sieve import score_sieve, sieve_terms
from store.alert_facts import canonical_lookup, our_cpvs, read_score_changes, read_score_values
from store.db import Store
from store.schema import Organisation, RiskScore, ScoringRun
from store.schema.own_data import OrganisationMerge

AS_OF = date(2026, 11, 2)
KINDS = ("failure", "combined", "dependency", "geopolitical")
VALUES = (0.0, 0.1, 0.15, 0.3, 0.35, 0.5, 0.51, 0.65, 0.9, 1.0)
RULES = parse_rules({"rules": [
    {"id": "up", "type": "score_band", "score": "failure", "direction": "up", "severity": "warning"},
    {"id": "down", "type": "score_band", "score": "dependency", "direction": "down", "severity": "info"},
    {"id": "above", "type": "score_threshold", "score": "combined", "threshold": 0.5, "severity": "info"},
    {"id": "below", "type": "score_threshold", "score": "combined", "threshold": 0.3, "direction": "down",
     "severity": "info"},
    {"id": "rise", "type": "score_rise", "score": "failure", "min_increase": 0.15, "severity": "warning"},
    {"id": "geo-rise", "type": "score_rise", "score": "geopolitical", "min_increase": 0.35, "severity": "info"},
]}, where="rules.yaml", known_categories=["72"])


def _fill(store: Store, *, runs: int, seed: int) -> set[int]:
    """Organisations (a tenth merged into others), ``runs`` finished scoring runs of random scores; our canonical ids."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with store.sessions.begin() as session:
        orgs = [Organisation(org_key=f"NL:id:{n:08d}", name=f"Org {n}", first_seen=now, updated_at=now) for n in range(80)]
        session.add_all(orgs)
        session.flush()
        ids = [org.id for org in orgs]
        canonical, merged = ids[:70], ids[70:]
        for org_id in merged:
            session.add(OrganisationMerge(organisation_id=org_id, canonical_id=rng.choice(canonical[:8]), method="auto",
                                          score=0.9, merged_at=now))
        for day in range(runs):
            run = ScoringRun(started_at=now, finished_at=now, as_of=date(2026, 11, 1 + day), model_version="test",
                             status="ok")
            session.add(run)
            session.flush()
            for org_id in ids:
                for kind in KINDS:
                    for category in ("", "72"):
                        if rng.random() < 0.15:
                            continue  # not scored in this run
                        band = rng.choice([*BANDS, "unknown"]) if rng.random() < 0.4 else "medium"
                        session.add(RiskScore(run_id=run.id, organisation_id=org_id, category=category, kind=kind,
                                              value=rng.choice(VALUES), band=band, confidence=0.5, coverage=1.0,
                                              reasons=[], inputs=[], scored_at=now))
    return set(canonical[:60])


@pytest.mark.parametrize("runs", [2, 1])
def test_the_read_keeps_every_score_the_sieve_keeps(store: Store, runs: int) -> None:
    ours = _fill(store, runs=runs, seed=runs)
    may_alert = score_sieve(RULES)
    with store.session() as session:
        canonical = canonical_lookup(session)
        every = read_score_values(session, as_of=AS_OF, canonical=canonical, ours=ours)
        sieved = read_score_values(session, as_of=AS_OF, canonical=canonical, ours=ours, terms=sieve_terms(RULES))
        changes = read_score_changes(session, as_of=AS_OF, canonical=canonical, cpvs=our_cpvs(session, canonical),
                                     documents=False, ours=ours)
    kept = {key for key, (current, previous) in every.items() if may_alert(key[2], current, previous)}
    assert kept and len(sieved) < len(every) / (2 if runs > 1 else 1)  # the database does drop scores (most of two runs')
    assert kept <= sieved.keys()  # but never one the sieve keeps
    assert all(every[key] == values for key, values in sieved.items())
    assert {(c.subject.organisation_id, c.category, c.kind): (
        (c.current.value, c.current.band), (c.previous.value, c.previous.band) if c.previous else None
    ) for c in changes} == every  # the same scores as the full read, merged groups included
    assert {org for org, _category, _kind in every} <= ours


def test_no_finished_run_reads_nothing(store: Store) -> None:
    ours = _fill(store, runs=0, seed=3)
    with store.session() as session:
        assert read_score_values(session, as_of=AS_OF, canonical=canonical_lookup(session), ours=ours,
                                 terms=sieve_terms(RULES)) == {}
