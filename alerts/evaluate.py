"""Rules applied to facts: which alerts the store's events, scores, contracts and sources call for.

Pure: the facts come in as small dataclasses (``pipelines.send_alerts`` reads them from the
store), candidate alerts come out; the outbox (``store.alerts``) decides whether a candidate is
new, a repeat to group, or an escalation. Each candidate carries its identity
(rule, subject, cause), the occurrence that raised it (so re-evaluating the same facts changes
nothing) and the facts its message is rendered from: reasons, sources with dates and links,
the score breakdown, what the manager can do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from alerts.rules import BAND_RANK, IGNORE, Rule, RuleSet


@dataclass(frozen=True, slots=True)
class Subject:
    """An organisation as alerts see it: its key, name and the CPV codes we buy from it under."""

    organisation_id: int
    org_key: str
    name: str
    cpvs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventFact:
    event_id: int
    subject: Subject
    kind: str
    occurred_on: date
    source: str
    source_ref: str
    source_url: str | None
    title: str
    confidence: float
    details: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ScorePoint:
    run_id: int
    as_of: date
    value: float
    band: str
    confidence: float = 0.0
    coverage: float = 0.0
    reasons: tuple[Mapping[str, Any], ...] = ()
    inputs: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class ScoreChange:
    """One organisation's score of one kind (and category) in the latest run, with the run before."""

    subject: Subject
    kind: str
    category: str  # "" for supplier-level scores
    current: ScorePoint
    previous: ScorePoint | None


@dataclass(frozen=True, slots=True)
class MarketFact:
    """How concentrated a category's award market is (models.market over the award history)."""

    category: str
    label: str
    hhi: float | None
    band: str | None
    cr4: float | None
    basis: str | None
    awards: int  # the awards the shares rest on (with an amount, on the value basis)
    since: date
    until: date
    awards_total: int | None = None  # every award in the window, with or without an amount


@dataclass(frozen=True, slots=True)
class ContractFact:
    contract_id: int
    ref: str
    title: str | None
    subject: Subject | None
    supplier_name: str | None
    cpv: str
    end_date: date
    extension_until: date | None
    owner: str | None
    value: float | None


@dataclass(frozen=True, slots=True)
class SourceFact:
    source: str
    verdict: str
    reason: str
    last_success: datetime | None


@dataclass(frozen=True, slots=True)
class Candidate:
    """An alert a rule calls for, before the outbox has seen it."""

    rule_id: str
    rule_type: str
    subject: str
    cause: str
    occurrence: str
    severity: str
    title: str
    categories: tuple[str, ...]
    ops: bool = False
    organisation_id: int | None = None
    contract_id: int | None = None
    cooldown: timedelta = timedelta(days=14)
    expires: timedelta = timedelta(days=30)
    facts: dict[str, Any] = field(default_factory=dict)
    #: (organisation_id, CPV) to suggest alternative suppliers for, when the rule asks for them.
    alternatives_for: tuple[int, str] | None = None

    @property
    def dedup_key(self) -> str:
        return f"{self.rule_id}|{self.subject}|{self.cause}"


#: What a manager can do, per cause family (keys into the render module's texts).
ACTIONS = {
    "insolvency": ("check-continuity", "contact-curator", "prepare-alternatives"),
    "dissolved": ("check-continuity", "prepare-alternatives"),
    "sanctions": ("verify-match", "suspend-payments-check", "legal"),
    "news": ("verify-news", "talk-to-supplier"),
    "score": ("review-score", "talk-to-supplier", "prepare-alternatives"),
    "horizon": ("prepare-consultation", "check-extension"),
    "source": ("check-source",),
}


def _action_family(kind: str) -> str:
    if kind.startswith("insolvency."):
        return "insolvency"
    if kind == "kvk.dissolved":
        return "dissolved"
    if kind.startswith("sanctions."):
        return "sanctions"
    return "news"


def _first_match(rules: Sequence[Rule], match) -> Rule | None:  # a predicate
    return next((r for r in rules if match(r)), None)


def _base(rule: Rule) -> dict[str, Any]:
    return {
        "rule_id": rule.id,
        "rule_type": rule.type,
        "cooldown": timedelta(days=rule.cooldown_days),
        "expires": timedelta(days=rule.expire_days),
    }


def _route(rule: Rule, subject: Subject, categories_of) -> tuple[str, ...] | None:
    """The routing categories of a subject under a rule; None when the rule does not cover it."""
    if not rule.in_scope(org_key=subject.org_key, cpvs=subject.cpvs):
        return None
    cpvs = rule.scoped_cpvs(subject.cpvs)
    categories = tuple(categories_of(cpvs))
    if not categories and not rule.suppliers:
        return None  # not a supplier of ours in any category: nobody to tell
    return categories


def event_candidates(
    events: Iterable[EventFact], rules: RuleSet, *, as_of: date, categories_of
) -> list[Candidate]:
    """Candidates for company events; ``categories_of`` maps CPV codes to routing categories."""
    out: list[Candidate] = []
    event_rules = rules.of_type("event")
    for event in events:
        rule = _first_match(
            event_rules,
            lambda r, e=event: r.matches_kind(e.kind)
            and e.confidence >= r.min_confidence
            and r.in_scope(org_key=e.subject.org_key, cpvs=e.subject.cpvs),
        )
        if rule is None or rule.severity_for() == IGNORE:
            continue
        if (as_of - event.occurred_on).days > rule.max_age_days or event.occurred_on > as_of:
            continue
        categories = _route(rule, event.subject, categories_of)
        if categories is None:
            continue
        source = {
            "source": event.source, "date": event.occurred_on.isoformat(), "title": event.title,
            "url": event.source_url, "ref": event.source_ref, "confidence": round(event.confidence, 2),
        }
        out.append(
            Candidate(
                **_base(rule),
                subject=f"organisation:{event.subject.org_key}",
                cause=event.kind,
                occurrence=f"event:{event.source}:{event.source_ref}",
                severity=rule.severity_for(),
                title=f"{event.subject.name}: {event.title}",
                categories=categories,
                organisation_id=event.subject.organisation_id,
                facts={
                    "kind": "event",
                    "event_kind": event.kind,
                    "supplier": event.subject.name,
                    "supplier_key": event.subject.org_key,
                    "source_name": _mentioned_name(event),
                    "occurred_on": event.occurred_on.isoformat(),
                    "confidence": round(event.confidence, 2),
                    "sources": [source],
                    "actions": list(ACTIONS[_action_family(event.kind)]),
                    "rule_description": rule.description,
                    "rule_description_nl": rule.description_nl,
                },
                alternatives_for=(event.subject.organisation_id, _main_cpv(event.subject.cpvs, rule))
                if rule.alternatives and event.subject.cpvs else None,
            )
        )
    return out


def _mentioned_name(event: EventFact) -> str:
    """The name the source used for the company (what a wrong-entity dismissal rejects)."""
    details = event.details or {}
    for key in ("matched_name", "source_name", "mention", "name"):
        if isinstance(details.get(key), str) and details[key]:
            return details[key]
    return event.subject.name


def _main_cpv(cpvs: Sequence[str], rule: Rule) -> str:
    scoped = rule.scoped_cpvs(cpvs)
    return (scoped or sorted(cpvs))[0]


#: The band of a score whose main inputs are missing (models.failure): never compared with a known band.
UNKNOWN_BAND = "unknown"


def score_candidates(changes: Iterable[ScoreChange], rules: RuleSet, *, categories_of) -> list[Candidate]:
    """Bands and thresholds crossed (up or down) and sharp rises between the last two scoring runs."""
    out: list[Candidate] = []
    band_rules = rules.of_type("score_band")
    rise_rules = rules.of_type("score_rise")
    threshold_rules = rules.of_type("score_threshold")
    changes = list(changes)
    # A supplier scored per category too (dependency, geopolitics) is alerted on the category's
    # score, which says where it matters; its supplier-level score would say the same thing twice.
    per_category = {(c.subject.organisation_id, c.kind) for c in changes if c.category}
    for change in changes:
        if not change.category and (change.subject.organisation_id, change.kind) in per_category:
            continue
        if UNKNOWN_BAND in (change.current.band, change.previous.band if change.previous else None):
            continue  # unknown is not low: no move into, out of or within an unknown score is a change in risk
        cpvs = (change.category,) if change.category else change.subject.cpvs
        subject = Subject(change.subject.organisation_id, change.subject.org_key, change.subject.name, tuple(cpvs))
        previous_band = change.previous.band if change.previous else "low"
        moved = BAND_RANK.get(change.current.band, 0) - BAND_RANK.get(previous_band, 0)
        if moved:
            direction = "up" if moved > 0 else "down"
            rule = next((r for r in band_rules if r.score == change.kind and r.direction == direction
                         and r.in_scope(org_key=subject.org_key, cpvs=subject.cpvs)), None)
            if rule is not None:
                severity = rule.severity_for(change.current.band if direction == "up" else previous_band)
                candidate = _score_candidate(rule, change, subject, severity, f"{change.kind}-band-{direction}", categories_of)
                if candidate:
                    out.append(candidate)
        previous_value = change.previous.value if change.previous else 0.0
        for rule in threshold_rules:
            crossed_up = previous_value < rule.threshold <= change.current.value
            crossed_down = change.current.value < rule.threshold <= previous_value
            if rule.score != change.kind or not (crossed_up if rule.direction == "up" else crossed_down):
                continue
            if not rule.in_scope(org_key=subject.org_key, cpvs=subject.cpvs):
                continue
            cause = f"{change.kind}-above-{rule.threshold:g}" if rule.direction == "up" else f"{change.kind}-below-{rule.threshold:g}"
            candidate = _score_candidate(rule, change, subject, rule.severity_for(), cause, categories_of)
            if candidate:
                out.append(candidate)
            break
        if change.previous is not None:
            increase = change.current.value - change.previous.value
            rule = next((r for r in rise_rules if r.score == change.kind and increase >= r.min_increase
                         and r.in_scope(org_key=subject.org_key, cpvs=subject.cpvs)), None)
            if rule is not None:
                candidate = _score_candidate(rule, change, subject, rule.severity_for(), f"{change.kind}-rise", categories_of)
                if candidate:
                    out.append(candidate)
    return out


def alerting_organisations(candidates: Iterable[Candidate]) -> set[int]:
    """The organisations ``candidates`` (``score_candidates`` of some changes) alert on: their scores are all
    ``score_candidates`` needs to make those candidates again (it weighs a supplier's scores together, never one
    supplier's with another's), so the reasons can be read for them alone."""
    return {c.organisation_id for c in candidates if c.organisation_id is not None}


def _score_candidate(rule: Rule, change: ScoreChange, subject: Subject, severity: str, cause: str,
                     categories_of) -> Candidate | None:
    if severity == IGNORE:
        return None
    categories = _route(rule, subject, categories_of)
    if categories is None:
        return None
    current, previous = change.current, change.previous
    scope = f" ({change.category})" if change.category else ""
    return Candidate(
        **_base(rule),
        subject=f"organisation:{subject.org_key}" + (f"@{change.category}" if change.category else ""),
        cause=cause,
        occurrence=f"runs:{previous.run_id if previous else 0}-{current.run_id}",
        severity=severity,
        title=f"{subject.name}: {change.kind} risk {previous.band if previous else 'new'} → {current.band}{scope}",
        categories=categories,
        organisation_id=subject.organisation_id,
        facts={
            "kind": "score",
            "supplier": subject.name,
            "supplier_key": subject.org_key,
            "score": {
                "kind": change.kind,
                "category": change.category,
                "value": round(current.value, 3),
                "band": current.band,
                "previous_value": round(previous.value, 3) if previous else None,
                "previous_band": previous.band if previous else None,
                "as_of": current.as_of.isoformat(),
                "previous_as_of": previous.as_of.isoformat() if previous else None,
                "confidence": round(current.confidence, 2),
                "coverage": round(current.coverage, 2),
                "reasons": [dict(r) for r in current.reasons[:6]],
            },
            "sources": [
                {"source": str(i.get("source", "")), "date": str(i.get("as_of", "")), "title": str(i.get("ref") or i.get("source") or ""),
                 "url": i.get("url"), "ref": str(i.get("ref") or "")}
                for i in current.inputs[:8]
            ],
            "actions": list(ACTIONS["score"]),
            "rule_description": rule.description,
            "rule_description_nl": rule.description_nl,
        },
        alternatives_for=(subject.organisation_id, _main_cpv(subject.cpvs, rule))
        if rule.alternatives and subject.cpvs else None,
    )


def _months_between(start: date, end: date) -> float:
    return (end - start).days / 30.4375


def horizon_candidates(
    contracts: Iterable[ContractFact],
    markets: Mapping[str, MarketFact],
    rules: RuleSet,
    *,
    as_of: date,
    categories_of,
) -> list[Candidate]:
    """Contracts ending within N months in a concentrated market: time to prepare the consultation."""
    out: list[Candidate] = []
    horizon_rules = rules.of_type("contract_horizon")
    for contract in contracts:
        if contract.end_date < as_of:
            continue
        categories = tuple(categories_of([contract.cpv]))
        market = markets.get(categories[0]) if categories else None
        left = _months_between(as_of, contract.end_date)
        org_key = contract.subject.org_key if contract.subject else None
        rule = next((
            r for r in horizon_rules
            if left <= r.months
            and r.in_scope(org_key=org_key, cpvs=[contract.cpv])
            and (r.severity_for() == IGNORE or (market is not None and market.hhi is not None and market.hhi >= r.min_hhi))
        ), None)
        if rule is None or rule.severity_for() == IGNORE or not categories:
            continue
        severity = rule.severity_for()
        if rule.critical_within_months is not None and left <= rule.critical_within_months:
            severity = "critical"
        supplier = contract.subject.name if contract.subject else (contract.supplier_name or "?")
        out.append(
            Candidate(
                **_base(rule),
                subject=f"contract:{contract.ref}",
                cause="horizon",
                occurrence=f"contract:{contract.ref}:{contract.end_date.isoformat()}",
                severity=severity,
                title=f"Contract {contract.ref} ({supplier}) ends {contract.end_date.isoformat()} in a concentrated market",
                categories=categories,
                organisation_id=contract.subject.organisation_id if contract.subject else None,
                contract_id=contract.contract_id,
                facts={
                    "kind": "horizon",
                    "supplier": supplier,
                    "supplier_key": org_key,
                    "source_name": contract.supplier_name or supplier,
                    "contract": {
                        "ref": contract.ref, "title": contract.title, "cpv": contract.cpv,
                        "end_date": contract.end_date.isoformat(),
                        "extension_until": contract.extension_until.isoformat() if contract.extension_until else None,
                        "owner": contract.owner, "value": contract.value, "months_left": round(left, 1),
                    },
                    "market": {
                        "category": market.category, "label": market.label, "hhi": round(market.hhi or 0),
                        "band": market.band, "cr4": round(market.cr4, 2) if market.cr4 is not None else None,
                        "basis": market.basis, "awards": market.awards, "awards_total": market.awards_total,
                        "since": market.since.isoformat(), "until": market.until.isoformat(),
                    } if market else None,
                    "sources": [],
                    "actions": list(ACTIONS["horizon"]),
                    "rule_description": rule.description,
                    "rule_description_nl": rule.description_nl,
                },
                alternatives_for=(contract.subject.organisation_id, contract.cpv) if contract.subject else None,
            )
        )
    return out


def source_candidates(sources: Iterable[SourceFact], rules: RuleSet) -> list[Candidate]:
    """Ops alerts for sources that are late or failing (pipelines.source_health's verdicts)."""
    out: list[Candidate] = []
    health_rules = rules.of_type("source_health")
    for fact in sources:
        rule = _first_match(health_rules, lambda r, f=fact: f.verdict in r.verdicts)
        if rule is None or rule.severity_for() == IGNORE:
            continue
        last = fact.last_success.isoformat(timespec="minutes") if fact.last_success else "never"
        out.append(
            Candidate(
                **_base(rule),
                subject=f"source:{fact.source}",
                cause=fact.verdict,
                occurrence=f"{fact.verdict}:{last}",
                severity=rule.severity_for(),
                title=f"Source {fact.source} is {fact.verdict}",
                categories=(),
                ops=True,
                facts={
                    "kind": "source",
                    "source": fact.source,
                    "verdict": fact.verdict,
                    "reason": fact.reason,
                    "last_success": last,
                    "sources": [],
                    "actions": list(ACTIONS["source"]),
                    "rule_description": rule.description,
                    "rule_description_nl": rule.description_nl,
                },
            )
        )
    return out


def delivery_failure_candidate(person: str, channel: str, error: str, alert_title: str, *, now: datetime) -> Candidate:
    """An ops alert for a channel that failed every attempt (the URL is never named, only the channel)."""
    return Candidate(
        rule_id="delivery-failed",
        rule_type="delivery_failed",
        subject=f"channel:{person}/{channel}",
        cause="delivery-failed",
        occurrence=f"failed:{now.date().isoformat()}",
        severity="warning",
        title=f"Alerts to {person} over {channel} could not be delivered",
        categories=(),
        ops=True,
        cooldown=timedelta(days=1),
        expires=timedelta(days=7),
        facts={
            "kind": "delivery",
            "person": person,
            "channel": channel,
            "error": error[:300],
            "alert": alert_title,
            "sources": [],
            "actions": ["check-channel"],
        },
    )
