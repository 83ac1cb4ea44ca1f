"""Rules applied to facts (pure): first match decides, ignore silences, scopes by category and supplier,
event age, score bands up and down, sharp rises, contract horizons in concentrated markets, and the
cooldown / grouping / escalation decisions of the outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from alerts.evaluate import (
    ContractFact,
    EventFact,
    MarketFact,
    ScoreChange,
    ScorePoint,
    SourceFact,
    Subject,
    event_candidates,
    horizon_candidates,
    score_candidates,
    source_candidates,
)
from alerts.lifecycle import AlertState, decide, retry_delay
from alerts.rules import parse_rules

AS_OF = date(2026, 11, 1)
KNOWN = ["72", "9091", "48"]


def categories_of(cpvs):  # a stand-in for Routing.categories_of
    return sorted({p for c in cpvs for p in KNOWN if c.startswith(p)})


OURS = Subject(1, "NL:id:10000001", "Byte Works B.V.", ("72500000",))
CLEANER = Subject(2, "NL:id:10000002", "Schoon B.V.", ("90911200",))
STRANGER = Subject(3, "NL:id:10000003", "Stranger B.V.", ())


def _event(subject: Subject, kind: str, day: date = date(2026, 10, 20), confidence: float = 1.0, ref: str = "r") -> EventFact:
    return EventFact(1, subject, kind, day, "test", ref, None, "title", confidence)


def _rules(*rules: dict):
    return parse_rules({"rules": list(rules)}, where="rules.yaml", known_categories=KNOWN)


def test_first_matching_rule_decides_and_ignore_silences() -> None:
    rules = _rules(
        {"id": "known-cleaner", "type": "event", "kinds": ["news.*"], "suppliers": ["10000002"], "severity": "ignore"},
        {"id": "news", "type": "event", "kinds": ["news.*"], "severity": "info", "min_confidence": 0.6},
    )
    found = event_candidates(
        [_event(OURS, "news.cyber"), _event(CLEANER, "news.cyber"), _event(OURS, "news.strike", confidence=0.5),
         _event(STRANGER, "news.cyber")],
        rules, as_of=AS_OF, categories_of=categories_of,
    )
    assert [(c.rule_id, c.subject, c.categories) for c in found] == [("news", "organisation:NL:id:10000001", ("72",))]
    assert found[0].dedup_key == "news|organisation:NL:id:10000001|news.cyber"


def test_event_age_category_scope_and_watched_suppliers() -> None:
    rules = _rules(
        {"id": "it-only", "type": "event", "kinds": ["kvk.dissolved"], "categories": ["72"], "severity": "warning",
         "max_age_days": 30},
        {"id": "watched", "type": "event", "kinds": ["kvk.address_moved"], "suppliers": ["NL:id:10000003"], "severity": "info"},
    )
    events = [
        _event(OURS, "kvk.dissolved"), _event(CLEANER, "kvk.dissolved"),
        _event(OURS, "kvk.dissolved", day=date(2026, 9, 1), ref="old"), _event(STRANGER, "kvk.address_moved"),
    ]
    found = event_candidates(events, rules, as_of=AS_OF, categories_of=categories_of)
    assert [(c.rule_id, c.occurrence, c.categories) for c in found] == [
        ("it-only", "event:test:r", ("72",)),
        ("watched", "event:test:r", ()),  # no category of ours: the routing's fallback gets it
    ]


def _change(subject: Subject, previous: tuple[str, float] | None, current: tuple[str, float]) -> ScoreChange:
    prev = ScorePoint(1, date(2026, 10, 1), previous[1], previous[0]) if previous else None
    return ScoreChange(subject, "failure", "", ScorePoint(2, AS_OF, current[1], current[0],
                                                          reasons=({"text": "staff fell"},)), prev)


def test_score_bands_up_and_down_and_sharp_rises() -> None:
    rules = _rules(
        {"id": "up", "type": "score_band", "score": "failure", "direction": "up", "severity": {"medium": "warning", "high": "critical"}},
        {"id": "down", "type": "score_band", "score": "failure", "direction": "down", "severity": "info"},
        {"id": "rise", "type": "score_rise", "score": "failure", "min_increase": 0.15, "severity": "warning"},
        {"id": "above", "type": "score_threshold", "score": "failure", "threshold": 0.35, "severity": "info"},
        {"id": "below", "type": "score_threshold", "score": "failure", "threshold": 0.35, "direction": "down",
         "severity": "info"},
    )
    found = score_candidates(
        [_change(OURS, ("low", 0.05), ("high", 0.4)), _change(CLEANER, ("high", 0.4), ("medium", 0.3)),
         _change(STRANGER, ("low", 0.05), ("high", 0.5)), _change(OURS, None, ("low", 0.02))],
        rules, categories_of=categories_of,
    )
    assert [(c.rule_id, c.severity, c.cause, c.occurrence) for c in found] == [
        ("up", "critical", "failure-band-up", "runs:1-2"),
        ("above", "info", "failure-above-0.35", "runs:1-2"),
        ("rise", "warning", "failure-rise", "runs:1-2"),
        ("down", "info", "failure-band-down", "runs:1-2"),
        ("below", "info", "failure-below-0.35", "runs:1-2"),
    ]
    assert found[0].facts["score"]["previous_band"] == "low" and found[0].facts["score"]["reasons"] == [{"text": "staff fell"}]


def _contract(ref: str, end: date, cpv: str = "48400000", subject: Subject = OURS) -> ContractFact:
    return ContractFact(1, ref, "Licences", subject, subject.name, cpv, end, None, "Sanne", 100000.0)


def _market(category: str, hhi: float) -> MarketFact:
    return MarketFact(category, "Software", hhi, "highly concentrated" if hhi > 2000 else "unconcentrated", 0.9,
                      "value", 100, date(2023, 11, 1), AS_OF)


def test_contract_horizon_only_in_concentrated_markets_and_critical_when_close() -> None:
    rules = _rules({"id": "horizon", "type": "contract_horizon", "months": 12, "min_hhi": 2000,
                    "critical_within_months": 6, "severity": "warning"})
    contracts = [
        _contract("C-near", date(2027, 3, 31)), _contract("C-later", date(2027, 9, 30)),
        _contract("C-far", date(2028, 6, 30)), _contract("C-past", date(2026, 6, 30)),
        _contract("C-open-market", date(2027, 3, 31), cpv="72500000"),
    ]
    found = horizon_candidates(contracts, {"48": _market("48", 4235), "72": _market("72", 800)}, rules,
                               as_of=AS_OF, categories_of=categories_of)
    assert [(c.subject, c.severity) for c in found] == [("contract:C-near", "critical"), ("contract:C-later", "warning")]
    assert found[0].facts["market"]["hhi"] == 4235 and found[0].alternatives_for == (1, "48400000")
    assert "prepare-consultation" in found[0].facts["actions"]


def test_source_health_candidates_are_ops_alerts() -> None:
    rules = _rules({"id": "silent", "type": "source_health", "verdicts": ["failing"], "severity": "critical"})
    found = source_candidates(
        [SourceFact("ted", "failing", "HTTP 503", None), SourceFact("tenderned", "late", "3 d", None)], rules
    )
    assert [(c.subject, c.ops, c.occurrence) for c in found] == [("source:ted", True, "failing:never")]


NOW = datetime(2026, 11, 1, tzinfo=UTC)


def test_cooldown_grouping_escalation_decisions() -> None:
    week = timedelta(days=7)
    state = AlertState("warning", "open", NOW, None)
    assert decide(None, severity="info", new_occurrence=True, now=NOW, cooldown=week) == "created"
    assert decide(state, severity="warning", new_occurrence=False, now=NOW, cooldown=week) == "unchanged"
    assert decide(state, severity="warning", new_occurrence=True, now=NOW + timedelta(days=1), cooldown=week) == "grouped"
    assert decide(state, severity="warning", new_occurrence=True, now=NOW + timedelta(days=8), cooldown=week) == "renotified"
    assert decide(state, severity="critical", new_occurrence=False, now=NOW, cooldown=week) == "escalated"
    assert decide(state, severity="info", new_occurrence=True, now=NOW + timedelta(days=8), cooldown=week) == "renotified"
    dismissed = AlertState("warning", "dismissed", NOW, None)
    assert decide(dismissed, severity="warning", new_occurrence=True, now=NOW + timedelta(days=30), cooldown=week) == "grouped"
    snoozed = AlertState("warning", "snoozed", NOW, NOW + timedelta(days=20))
    assert decide(snoozed, severity="warning", new_occurrence=True, now=NOW + timedelta(days=10), cooldown=week) == "grouped"
    assert decide(snoozed, severity="warning", new_occurrence=True, now=NOW + timedelta(days=21), cooldown=week) == "renotified"


def test_retry_backoff_doubles_up_to_a_cap() -> None:
    delays = [retry_delay(n, base_seconds=60, max_seconds=600).total_seconds() for n in range(1, 6)]
    assert delays == [60, 120, 240, 480, 600]


def test_a_supplier_scored_per_category_is_alerted_once_on_the_category_score() -> None:
    from alerts.evaluate import ScoreChange, ScorePoint, Subject, score_candidates
    from alerts.rules import parse_rules

    rules = parse_rules({"rules": [{"id": "dependency-up", "type": "score_band", "description": "d",
                                    "score": "dependency", "direction": "up", "severity": {"high": "warning"}}]},
                        where="rules.yaml", known_categories={"09310000"})
    subject = Subject(7, "NL:id:12345678", "Stroom B.V.", ("09310000",))
    point = ScorePoint(run_id=2, as_of=date(2026, 11, 1), value=0.8, band="high", confidence=0.9, coverage=1.0,
                       reasons=(), inputs=())
    changes = [ScoreChange(subject, "dependency", "", point, None),
               ScoreChange(subject, "dependency", "09310000", point, None)]
    (candidate,) = score_candidates(changes, rules, categories_of=lambda cpvs: ("09310000",))
    assert candidate.subject.endswith("@09310000")


def test_the_alerting_organisations_are_those_whose_scores_make_the_candidates_again() -> None:
    """An alert run decides on values and bands, then reads the reasons for the alerting suppliers only
    (``alerting_organisations``): their changes alone must give exactly the candidates all changes gave."""
    from alerts.evaluate import alerting_organisations

    rules = _rules(
        {"id": "up", "type": "score_band", "score": "failure", "direction": "up", "severity": {"high": "critical"}},
        {"id": "dependency-up", "type": "score_band", "score": "dependency", "direction": "up",
         "severity": {"high": "warning"}},
    )
    point = ScorePoint(2, AS_OF, 0.8, "high")
    changes = [_change(OURS, ("low", 0.05), ("high", 0.4)), _change(CLEANER, ("low", 0.05), ("low", 0.06)),
               ScoreChange(CLEANER, "dependency", "", point, None),  # hidden by its per-category score
               ScoreChange(CLEANER, "dependency", "9091", point, None), _change(STRANGER, ("low", 0.05), ("low", 0.1))]
    found = score_candidates(changes, rules, categories_of=categories_of)
    alerting = alerting_organisations(found)
    assert alerting == {OURS.organisation_id, CLEANER.organisation_id}
    again = score_candidates([c for c in changes if c.subject.organisation_id in alerting], rules, categories_of=categories_of)
    assert again == found and [c.subject for c in found] == ["organisation:NL:id:10000001",
                                                            "organisation:NL:id:10000002@9091"]
