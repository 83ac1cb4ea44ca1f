"""``score_sieve``: the alert run's first, cheap test of each score of ours must never drop a score that
``score_candidates`` would alert on (it may keep ones it would not: the rules decide after it)."""

from __future__ import annotations

import itertools
import random
from datetime import date

from alerts.evaluate import ScoreChange, ScorePoint, Subject, score_candidates
from alerts.rules import BANDS, parse_rules
from alerts.score_sieve import score_sieve

KNOWN = ["72", "9091"]
SUBJECT = Subject(1, "NL:id:10000001", "Byte Works B.V.", ("72500000",))
KINDS = ("failure", "combined", "dependency", "geopolitical")


def categories_of(cpvs):
    return sorted({p for c in cpvs for p in KNOWN if c.startswith(p)})


def _rules(*rules: dict):
    return parse_rules({"rules": list(rules)}, where="rules.yaml", known_categories=KNOWN)


RULE_SETS = {
    "bands": _rules({"id": "up", "type": "score_band", "score": "failure", "direction": "up", "severity": "warning"},
                    {"id": "down", "type": "score_band", "score": "dependency", "direction": "down", "severity": "info"}),
    "thresholds": _rules({"id": "above", "type": "score_threshold", "score": "combined", "threshold": 0.5, "severity": "info"},
                         {"id": "below", "type": "score_threshold", "score": "combined", "threshold": 0.3,
                          "direction": "down", "severity": "info"}),
    "rises": _rules({"id": "rise", "type": "score_rise", "score": "failure", "min_increase": 0.15, "severity": "warning"},
                    {"id": "any-rise", "type": "score_rise", "score": "geopolitical", "min_increase": 0.0001, "severity": "info"}),
    "scoped": _rules({"id": "it", "type": "score_band", "score": "failure", "categories": ["72"], "severity": "warning"}),
}


def _change(kind: str, current: tuple[float, str], previous: tuple[float, str] | None) -> ScoreChange:
    point = ScorePoint(2, date(2026, 11, 1), current[0], current[1])
    before = ScorePoint(1, date(2026, 10, 1), previous[0], previous[1]) if previous else None
    return ScoreChange(SUBJECT, kind, "", point, before)


def test_the_sieve_keeps_every_score_the_rules_alert_on() -> None:
    rng = random.Random(20)
    values = [0.0, 0.1, 0.15, 0.3, 0.35, 0.5, 0.51, 0.9, 1.0] + [rng.random() for _ in range(6)]
    bands = [*BANDS, "unknown"]
    checked = kept_only = 0
    for name, rules in RULE_SETS.items():
        may_alert = score_sieve(rules)
        for kind, value, band in itertools.product(KINDS, values, bands):
            for previous in [None, *itertools.product(values[::2], bands)]:
                alerts = score_candidates([_change(kind, (value, band), previous)], rules, categories_of=categories_of)
                kept = may_alert(kind, (value, band), previous)
                assert kept or not alerts, (name, kind, value, band, previous, [c.rule_id for c in alerts])
                checked += 1
                kept_only += kept and not alerts
    assert checked > 10_000
    assert kept_only < checked / 2  # and it does drop most: that is what it is for


def test_unknown_bands_and_unwatched_kinds_are_dropped() -> None:
    may_alert = score_sieve(RULE_SETS["bands"])
    assert may_alert("failure", (0.9, "high"), None)
    assert may_alert("failure", (0.9, "high"), (0.1, "low"))
    assert not may_alert("failure", (0.9, "high"), (0.8, "high"))  # no move
    assert not may_alert("failure", (0.9, "unknown"), (0.1, "low"))
    assert not may_alert("failure", (0.9, "high"), (0.1, "unknown"))
    assert not may_alert("combined", (0.9, "high"), None)  # no rule watches it
    assert may_alert("dependency", (0.1, "low"), (0.9, "high"))  # watched going down only
    assert not may_alert("dependency", (0.9, "high"), (0.1, "low"))
