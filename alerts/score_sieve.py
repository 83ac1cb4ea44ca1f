"""The alert run's first, cheap test of each score of ours: can any score rule alert on it at all?

An alert run at national size tests tens of thousands of scores of our suppliers and alerts on a handful;
``score_sieve`` lets ``pipelines.send_alerts`` build the full changes (subject, points, reasons) of only the
suppliers a rule could alert on. ``tests/alerts/test_score_sieve.py`` checks it never drops a score that
``alerts.evaluate.score_candidates`` alerts on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from alerts.evaluate import UNKNOWN_BAND
from alerts.rules import BAND_RANK, RuleSet

#: A score's (value, band) in one run, as ``score_sieve`` takes it.
ScoreValue = tuple[float, str]


@dataclass(frozen=True, slots=True)
class SieveTerms:
    """What ``score_sieve`` tests, as data: the score kinds a band rule watches and in which directions, each
    threshold rule's (kind, direction, threshold), and the smallest rise a rise rule of each kind asks for.

    A store read takes these to fetch only the scores that may pass the sieve (``store.alert_facts.
    read_score_values``); the sieve itself still decides on each score it fetched.
    """

    bands: dict[str, frozenset[str]]
    thresholds: tuple[tuple[str, str, float], ...]
    rises: dict[str, float]


def sieve_terms(rules: RuleSet) -> SieveTerms:
    """The terms of ``score_sieve(rules)``: one reading of the rules for the sieve and for the store's read."""
    bands: dict[str, set[str]] = {}
    for rule in rules.of_type("score_band"):
        bands.setdefault(rule.score, set()).add(rule.direction)
    rises: dict[str, float] = {}
    for rule in rules.of_type("score_rise"):
        rises[rule.score] = min(rule.min_increase, rises.get(rule.score, rule.min_increase))
    return SieveTerms(
        bands={kind: frozenset(directions) for kind, directions in bands.items()},
        thresholds=tuple((rule.score, rule.direction, rule.threshold) for rule in rules.of_type("score_threshold")),
        rises=rises,
    )


def score_sieve(rules: RuleSet) -> Callable[[str, ScoreValue, ScoreValue | None], bool]:
    """A cheap first test of one score between two runs: False when ``score_candidates`` could make no candidate of
    it, whatever its supplier (True does not mean it will: scope, per-category scores and the rest are its).

    An alert run tests tens of thousands of scores of our suppliers and alerts on a few; building the subject,
    points and change of each to learn that cost most of a run at national size. The test repeats, without the
    supplier, the conditions ``score_candidates`` starts from: no unknown band, and a band moved in a direction
    a rule of the kind watches, a threshold of the kind crossed, or a rise of at least a rule's minimum.
    """
    terms = sieve_terms(rules)
    bands, rises = terms.bands, terms.rises
    thresholds: dict[str, list[tuple[str, float]]] = {}
    for kind, direction, threshold in terms.thresholds:
        thresholds.setdefault(kind, []).append((direction, threshold))

    def may_alert(kind: str, current: ScoreValue, previous: ScoreValue | None) -> bool:
        value, band = current
        previous_value, previous_band = previous if previous is not None else (0.0, "low")
        if band == UNKNOWN_BAND or (previous is not None and previous_band == UNKNOWN_BAND):
            return False
        moved = BAND_RANK.get(band, 0) - BAND_RANK.get(previous_band, 0)
        if moved and ("up" if moved > 0 else "down") in bands.get(kind, ()):
            return True
        for direction, threshold in thresholds.get(kind, ()):
            if (previous_value < threshold <= value if direction == "up"
                    else value < threshold <= previous_value):
                return True
        return previous is not None and kind in rises and value - previous_value >= rises[kind]

    return may_alert
