"""From the store to people's inboxes: evaluate the rules, fill the outbox, send, digest, check sources.

Plain functions that the ``send-alerts`` and ``send-digest`` flows and the CLI call. The order
is what makes it safe: facts are read, candidates are written to the outbox (with their
deliveries) in one transaction, and only then is anything sent. Each message is recorded as
"sending" before it goes out and as "sent" right after the channel accepted it: delivery is
at least once (a crash between the two sends it again after ``send_lease_seconds``), and visibly
once, because every attempt carries the same Message-ID and, on channels that honour one, the same
idempotency key (``alerts.delivery``; elsewhere a copy may arrive twice). A failing channel
is retried with backoff without holding up the others.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from alerts.deliver import notify
from alerts.delivery import set_pause, stable_identity
from alerts.evaluate import (
    Candidate,
    MarketFact,
    SourceFact,
    alerting_organisations,
    delivery_failure_candidate,
    event_candidates,
    horizon_candidates,
    score_candidates,
    source_candidates,
)
from alerts.file_outbox import register_file_scheme, set_outbox_dir
from alerts.render import render_alert, render_digest
from alerts.routing import Routing, build_apprise, language_for, load_routing
from alerts.rules import RuleSet, load_rules
from alerts.score_sieve import score_sieve, sieve_terms
from config.settings import Settings
from models.collector_pause import collector_paused
from pipelines.prepared_alert_facts import PreparedReads
from pipelines.run_awards import RunAwards
from store.alert_facts import (
    canonical_lookup,
    current_suppliers,
    our_cpvs,
    read_contracts,
    read_events,
    read_score_changes,
    read_score_values,
)
from store.alerts import (
    add_alert_facts,
    alerts_by_id,
    due_deliveries,
    end_snoozes,
    ensure_utc,
    expire_alerts,
    mark_failed,
    mark_sending,
    mark_sent,
    record_candidate,
)
from store.bookkeeping import SYNTHETIC_MARKER, get_meta
from store.db import Store
from store.schema.alerts import AlertRow
from store.web import languages_of

log = logging.getLogger(__name__)

_FORMATS = {"markdown": "markdown", "html": "html", "text": "text"}


@dataclass(frozen=True, slots=True)
class AlertConfig:
    rules: RuleSet
    routing: Routing


def load_config(settings: Settings) -> AlertConfig:
    """Routing first (its categories are the ones rules may name), then the rules; both validated."""
    routing = load_routing(settings.alerts.routing_file)
    rules = load_rules(settings.alerts.rules_file, known_categories=routing.categories)
    set_outbox_dir(settings.alerts.outbox_dir or settings.data_dir / "outbox")
    return AlertConfig(rules=rules, routing=routing)


@dataclass(slots=True)
class RunSummary:
    """What one run did: the run-summary artifact and the CLI print it.

    Three units, each named in ``as_row``: alerts (the rules' outcomes, expired, snoozes ended); messages (what a
    channel accepted: one per alert sent at once, one per digest); deliveries (one alert to one person over one
    channel: a digest carries several in one message, and a failed message leaves each of them to retry or failed).
    """

    outcomes: Counter[str] = field(default_factory=Counter)
    #: messages the channels accepted
    sent: int = 0
    #: deliveries given up after ``alerts.max_attempts``
    failed: int = 0
    #: deliveries whose message was not accepted, to be tried again
    retry_later: int = 0
    #: alerts past their expiry (their undelivered deliveries with them)
    expired: int = 0
    #: alerts whose snooze ended
    woken: int = 0
    failures: list[str] = field(default_factory=list)
    #: CPU seconds of this process per step ("facts", "alternatives prepared", "per alert": all alerts together,
    #: of which "divisions read": the award history of the CPV divisions the alerts' alternatives asked about,
    #: each read by the first alert that needs it), for the alert benchmark.
    cpu: Counter[str] = field(default_factory=Counter)
    #: the facts kept ahead that the run used ("market", "division") or could not ("... missed")
    prepared: Counter[str] = field(default_factory=Counter)

    def as_row(self) -> dict[str, Any]:
        return {
            "created": self.outcomes["created"], "escalated": self.outcomes["escalated"],
            "renotified": self.outcomes["renotified"], "grouped": self.outcomes["grouped"],
            "unchanged": self.outcomes["unchanged"], "messages sent": self.sent,
            "deliveries to retry": self.retry_later, "deliveries failed": self.failed, "alerts expired": self.expired,
            "snoozes ended": self.woken,
        }


# --------------------------------------------------------------------------------------------
# Reading the facts
# --------------------------------------------------------------------------------------------


def read_markets(session: Session, categories: Iterable[str], *, as_of: date, years: int, language: str,
                 awards: RunAwards | None = None, prepared: PreparedReads | None = None) -> dict[str, MarketFact]:
    """The concentration of each category's award market over the last ``years`` (models.market).

    Kept ahead by the score-suppliers flow (``prepared``, when given and still true); otherwise only the
    window's awards of each category are read (by prefix, from the notices' index on the code, and by date),
    and only the window's concentration is worked out (``models.market.window_concentration``: the figures
    of a whole scan's window, without its periods, entrants and regions): the run reads what its contracts'
    markets hold, not every award of the store. The figures are those of all the category's history
    (repeats of an award are within one notice, so the window's own awards are the same). ``awards``: the
    run's reads by division, shared with its alternatives.
    """
    from models.dates import years_before
    from models.market import window_concentration
    from reference.cpv import prefix_label
    from store.queries import award_facts

    out: dict[str, MarketFact] = {}
    start = years_before(as_of, years)
    for category in sorted(set(categories)):
        label = prefix_label(category, language)
        if prepared is not None and (kept := prepared.market(category, years=years, label=label)) is not None:
            out[category] = kept
            continue
        facts = (awards.under(category, since=start) if awards is not None and awards.as_of == as_of
                 else award_facts(session, category, until=as_of, since=start))
        c, awards_total = window_concentration(facts, cpv_prefix=category, start=start, end=as_of)
        out[category] = MarketFact(
            category=category, label=label, hhi=c.hhi, band=c.band, cr4=c.cr4,
            basis=c.basis, awards=c.awards_used, since=start, until=as_of, awards_total=awards_total,
        )
    return out


def market_years(rules: RuleSet) -> int | None:
    """The window of the markets the contract-horizon rules name (the longest); None without such rules."""
    horizon_rules = rules.of_type("contract_horizon")
    return max(r.market_years for r in horizon_rules) if horizon_rules else None


def read_sources(session: Session, settings: Settings, *, now: datetime) -> list[SourceFact]:
    from pipelines.source_health import NEEDS_ATTENTION, expected_intervals, source_status

    return [
        SourceFact(source=s.source, verdict=s.verdict, reason=s.reason, last_success=s.last_success)
        for s in source_status(session, now, expected_intervals(settings, around=now))
        if s.verdict in NEEDS_ATTENTION
    ]


def evaluate(session: Session, settings: Settings, config: AlertConfig, *, as_of: date, now: datetime,
             sources: bool = True, awards: RunAwards | None = None, prepared: PreparedReads | None = None,
             ) -> list[Candidate]:
    """Every candidate alert the rules call for on the store's facts as of ``as_of`` (``awards``: the run's reads
    by CPV division, shared with ``record``; ``prepared``: the facts kept ahead for the run)."""
    rules, routing = config.rules, config.routing
    canonical = canonical_lookup(session)
    cpvs = our_cpvs(session, canonical)
    categories_of = routing.categories_of
    candidates: list[Candidate] = []
    event_rules = rules.of_type("event")
    if event_rules:
        max_age = max(r.max_age_days for r in event_rules)
        events = read_events(session, as_of=as_of, max_age_days=max_age, canonical=canonical, cpvs=cpvs)
        candidates += event_candidates(events, rules, as_of=as_of, categories_of=categories_of)
    if rules.of_type("score_band") or rules.of_type("score_threshold") or rules.of_type("score_rise"):
        # Three passes, each over fewer suppliers: every score of ours as a plain value and band, through a sieve
        # that drops those no rule could alert on; the scores (without reasons) of the suppliers left, through the
        # rules; the scores with their reasons and inputs of the suppliers that alert (all of a supplier's scores:
        # a per-category score hides its supplier-level one). At demo scale 54 building all 20,000 changes of
        # ours to make 3 candidates was half of the run.
        ours = current_suppliers(session, as_of=as_of, canonical=canonical)  # read once for the passes
        may_alert = score_sieve(rules)
        values = read_score_values(session, as_of=as_of, canonical=canonical, ours=ours, terms=sieve_terms(rules))
        maybe = {org for (org, _category, kind), (current, previous) in values.items()
                 if may_alert(kind, current, previous)}
        changes = read_score_changes(session, as_of=as_of, canonical=canonical, cpvs=cpvs, documents=False,
                                     organisations=maybe, ours=ours) if maybe else []
        alerting = alerting_organisations(score_candidates(changes, rules, categories_of=categories_of))
        if alerting:
            changes = read_score_changes(session, as_of=as_of, canonical=canonical, cpvs=cpvs, organisations=alerting,
                                         ours=ours)
            candidates += score_candidates(changes, rules, categories_of=categories_of)
    horizon_rules = rules.of_type("contract_horizon")
    if horizon_rules:
        months = max(r.months for r in horizon_rules)
        contracts = read_contracts(session, as_of=as_of, months=months, canonical=canonical, cpvs=cpvs)
        markets = read_markets(
            session, {c for contract in contracts if (c := routing.category_of(contract.cpv))}, as_of=as_of,
            years=market_years(rules), language=settings.language, awards=awards, prepared=prepared,
        )
        candidates += horizon_candidates(contracts, markets, rules, as_of=as_of, categories_of=categories_of)
    if sources and rules.of_type("source_health"):
        candidates += source_candidates(read_sources(session, settings, now=now), rules)
    return candidates


# --------------------------------------------------------------------------------------------
# Filling the outbox
# --------------------------------------------------------------------------------------------


def delivery_plan(routing: Routing):  # store.alerts.DeliveryPlan
    """Who gets an alert row, over which channels, and when: critical at once, the rest in the digest."""

    def plan(row: AlertRow) -> list[tuple[str, str, str]]:
        return routing.deliveries(row.severity, row.categories, ops=row.ops)

    return plan


def record(session: Session, settings: Settings, config: AlertConfig, candidates: Sequence[Candidate], *,
           as_of: date, now: datetime, summary: RunSummary, awards: RunAwards | None = None,
           prepared: PreparedReads | None = None) -> None:
    """Write candidates to the outbox; new rounds of alerts that ask for them get alternative suppliers
    (the ranker and our buyer read once per run, each CPV division's history when an alert first needs it:
    kept ahead in ``prepared`` when still true, else read)."""
    from pipelines.alternatives import prepare_for_alerts, suggest_for, suggestions_facts

    plan = delivery_plan(config.routing)
    context = None  # the stored ranker loaded once per run, when an alert needs it
    for candidate in candidates:
        started = time.process_time()
        outcome, alert_id = record_candidate(session, candidate, now=now, plan=plan)
        summary.outcomes[outcome] += 1
        if outcome in ("created", "escalated", "renotified") and candidate.alternatives_for:
            organisation_id, cpv = candidate.alternatives_for
            if context is None:
                context = prepare_for_alerts(session, settings, as_of=as_of, awards=awards, prepared=prepared)
                summary.cpu["alternatives prepared"] += time.process_time() - started
                started = time.process_time()
            suggestions = suggest_for(session, settings, organisation_id=organisation_id, cpv=cpv, as_of=as_of,
                                      context=context)
            add_alert_facts(session, alert_id, {"alternatives": suggestions_facts(suggestions, settings.language)})
        summary.cpu["per alert"] += time.process_time() - started
    if context is not None:
        summary.cpu["divisions read"] += context.read_cpu


# --------------------------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------------------------


def send_due(store: Store, settings: Settings, config: AlertConfig, *, now: datetime, modes: Sequence[str],
             summary: RunSummary, period: str | None = None) -> None:
    """Send the pending deliveries of ``modes`` that are due: one message per alert, or one digest per channel."""
    routing = config.routing
    with store.session() as session, session.begin():
        summary.expired += expire_alerts(session, now=now)
        summary.woken += len(end_snoozes(session, now=now, plan=delivery_plan(routing)))
    with store.session() as session:
        due = due_deliveries(session, now=now, modes=modes)
        alerts = alerts_by_id(session, {d.alert_id for d in due})
        synthetic = get_meta(session, SYNTHETIC_MARKER) is not None
        chosen = languages_of(session, sorted({d.recipient for d in due}))
    if not due:
        return
    register_file_scheme()
    apobj = build_apprise(routing, {d.recipient for d in due})
    set_pause(apobj, settings.alerts.channel_pause_seconds)
    batches: dict[tuple[str, str], list] = defaultdict(list)
    for delivery in due:
        batches[(delivery.recipient, delivery.channel)].append(delivery)
    exhausted_all: list[tuple[str, str, str, list[AlertRow]]] = []
    for (person_key, channel_name), deliveries in batches.items():
        person = routing.people.get(person_key)
        channel = next((c for c in person.channels if c.name == channel_name), None) if person else None
        if channel is None:
            error = "the person or channel is no longer in the routing"
            messages = [([d.delivery_id for d in deliveries], None)]
        else:
            language = language_for(person_key, account=chosen.get(person_key),
                                    routing={person_key: person.language or ""}, default=settings.language)
            if period:
                digest = render_digest([alerts[d.alert_id] for d in deliveries], period=period,
                                       fmt=_FORMATS[channel.format], language=language, synthetic=synthetic)
                messages = [([d.delivery_id for d in deliveries], digest)]
            else:
                messages = [([d.delivery_id], render_alert(alerts[d.alert_id], fmt=_FORMATS[channel.format],
                                                           language=language, synthetic=synthetic,
                                                           link=settings.web.alert_url(d.alert_id)))
                            for d in deliveries]
        for ids, message in messages:
            with store.session() as session, session.begin():
                mark_sending(session, ids, now=now, lease_seconds=settings.alerts.send_lease_seconds)
            if message:
                with stable_identity(apobj, Routing.tag(person_key, channel_name), ids):
                    error = notify(apobj, Routing.tag(person_key, channel_name), message)
            with store.session() as session, session.begin():
                if error is None:
                    mark_sent(session, ids, now=now)
                    summary.sent += 1
                    log.info("sent %d alert(s) to %s over %s", len(ids), person_key, channel_name)
                    continue
                exhausted = mark_failed(
                    session, ids, now=now, error=error, max_attempts=settings.alerts.max_attempts,
                    base_seconds=settings.alerts.retry_base_seconds, max_seconds=settings.alerts.retry_max_seconds,
                )
            log.warning("could not send to %s over %s: %s", person_key, channel_name, error)
            summary.failed += len(exhausted)
            summary.retry_later += len(ids) - len(exhausted)
            summary.failures.append(f"{person_key}/{channel_name}: {error}")
            failed_alerts = [alerts[d.alert_id] for d in deliveries if d.delivery_id in exhausted]
            if failed_alerts:
                exhausted_all.append((person_key, channel_name, error, failed_alerts))
    _report_failures(store, config, exhausted_all, now=now, summary=summary)


def _report_failures(store: Store, config: AlertConfig, failures: list[tuple[str, str, str, list[AlertRow]]], *,
                     now: datetime, summary: RunSummary) -> None:
    """Channels that used up their attempts become an ops alert (never about the ops alert's own failures)."""
    if not failures:
        return
    plan = delivery_plan(config.routing)
    with store.session() as session, session.begin():
        for person, channel, error, failed_alerts in failures:
            if all(a.rule_type == "delivery_failed" for a in failed_alerts):
                log.error("channel %s/%s could not deliver a delivery-failure alert either: %s", person, channel, error)
                continue
            title = failed_alerts[0].title
            outcome, _ = record_candidate(session, delivery_failure_candidate(person, channel, error, title, now=now),
                                          now=now, plan=plan)
            summary.outcomes[outcome] += 1


# --------------------------------------------------------------------------------------------
# The runs the flows and the CLI make
# --------------------------------------------------------------------------------------------


def run_send_alerts(store: Store, settings: Settings, *, as_of: date | None = None, now: datetime | None = None,
                    config: AlertConfig | None = None, sources: bool = True, send: bool = True) -> RunSummary:
    """After a scoring run: evaluate the rules, fill the outbox, send what is critical, retry what is due."""
    now = ensure_utc(now or datetime.now(UTC))
    as_of = as_of or now.date()
    config = config or load_config(settings)
    summary = RunSummary()
    with store.session() as session, session.begin(), collector_paused():
        started = time.process_time()
        awards, prepared = RunAwards(session, as_of=as_of), PreparedReads(session, settings, as_of)
        candidates = evaluate(session, settings, config, as_of=as_of, now=now, sources=sources, awards=awards,
                              prepared=prepared)
        summary.cpu["facts"] += time.process_time() - started
        record(session, settings, config, candidates, as_of=as_of, now=now, summary=summary, awards=awards,
               prepared=prepared)
        summary.prepared.update(prepared.used)
    if send:
        send_due(store, settings, config, now=now, modes=("immediate",), summary=summary)
    return summary


def run_check_sources(store: Store, settings: Settings, *, now: datetime | None = None,
                      config: AlertConfig | None = None) -> RunSummary:
    """Ops alerts for sources that are late or failing, sent at once when critical."""
    now = ensure_utc(now or datetime.now(UTC))
    config = config or load_config(settings)
    summary = RunSummary()
    with store.session() as session, session.begin():
        candidates = source_candidates(read_sources(session, settings, now=now), config.rules)
        record(session, settings, config, candidates, as_of=now.date(), now=now, summary=summary)
    send_due(store, settings, config, now=now, modes=("immediate",), summary=summary)
    return summary


def run_send_digest(store: Store, settings: Settings, *, period: str, now: datetime | None = None,
                    config: AlertConfig | None = None) -> RunSummary:
    """One digest per person and channel with everything pending in their ``period`` rhythm."""
    if period not in ("daily", "weekly"):
        raise ValueError(f"period must be daily or weekly, got {period!r}")
    now = ensure_utc(now or datetime.now(UTC))
    config = config or load_config(settings)
    summary = RunSummary()
    send_due(store, settings, config, now=now, modes=(period,), summary=summary, period=period)
    if summary.woken:  # a critical alert back from its snooze goes out now, not at the next send-alerts run
        send_due(store, settings, config, now=now, modes=("immediate",), summary=summary)
    return summary
