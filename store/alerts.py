"""The alert outbox in the database: alerts, their occurrences, deliveries, feedback and audit.

Every alert is written here before anything is sent (``record_candidate``), every delivery is a
row per recipient, channel and round that is marked sent in the same transaction that learns of
its success, so a re-run sends nothing twice; failures are retried with backoff
(``mark_failed``), and an alert stays here until delivered or expired. The decisions (group,
escalate, re-notify) are the pure ``alerts.lifecycle.decide``; this module only reads and writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alerts.evaluate import Candidate
from alerts.lifecycle import AlertState, Outcome, decide, retry_delay
from models.intervals import wilson_interval
from store.schema.alerts import AlertAudit, AlertDelivery, AlertFeedback, AlertOccurrence, AlertRow

#: (recipient, channel, mode) for an alert of a given severity: from the routing.
DeliveryPlan = Callable[[AlertRow], Iterable[tuple[str, str, str]]]

STATES = ("open", "acknowledged", "snoozed", "dismissed", "expired")
DISMISS_REASONS = ("not-relevant", "wrong-entity", "known")
#: The longest snooze anyone may ask for: past it an alert would silently expire while asleep.
MAX_SNOOZE = timedelta(days=90)
_MAX_SOURCES = 10


class AlertNotFoundError(LookupError):
    """No alert has the id asked for."""


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for values stored in UTC; PostgreSQL aware ones."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _audit(session: Session, alert_id: int, change: str, old: str | None, new: str | None, actor: str, now: datetime,
           detail: str | None = None) -> None:
    session.add(AlertAudit(alert_id=alert_id, change=change, old_value=old, new_value=new, detail=detail, actor=actor, at=now))


def _merge_sources(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = {(s.get("source"), s.get("date"), s.get("title"), s.get("url")) for s in old}
    merged = list(old)
    for source in new:
        key = (source.get("source"), source.get("date"), source.get("title"), source.get("url"))
        if key not in seen:
            merged.append(source)
            seen.add(key)
    return sorted(merged, key=lambda s: str(s.get("date") or ""), reverse=True)[:_MAX_SOURCES]


def record_candidate(
    session: Session, candidate: Candidate, *, now: datetime, plan: DeliveryPlan, actor: str = "send-alerts"
) -> tuple[Outcome, int]:
    """Put a candidate into the outbox: a new alert, a grouped repeat, an escalation or a re-notice.

    New delivery rows (one per recipient and channel, for the new round) are added for created,
    escalated and re-notified alerts; ``plan`` says who and how.
    """
    row = session.scalars(select(AlertRow).where(AlertRow.dedup_key == candidate.dedup_key)).first()
    if row is None:
        row = AlertRow(
            dedup_key=candidate.dedup_key, rule_id=candidate.rule_id, rule_type=candidate.rule_type,
            subject=candidate.subject, cause=candidate.cause, organisation_id=candidate.organisation_id,
            contract_id=candidate.contract_id, categories=list(candidate.categories), ops=candidate.ops,
            severity=candidate.severity, state="open", title=candidate.title, facts=dict(candidate.facts),
            count=1, round=1, first_seen=now, last_seen=now, notified_at=now, snoozed_until=None,
            expires_at=now + candidate.expires, updated_at=now,
        )
        session.add(row)
        session.flush()
        session.add(AlertOccurrence(alert_id=row.id, ref=candidate.occurrence, seen_at=now))
        _audit(session, row.id, "created", None, candidate.severity, actor, now, candidate.occurrence)
        _add_deliveries(session, row, plan, now, fresh=True)
        return "created", row.id
    known = session.scalar(
        select(func.count()).select_from(AlertOccurrence).where(
            AlertOccurrence.alert_id == row.id, AlertOccurrence.ref == candidate.occurrence
        )
    )
    state = AlertState(row.severity, row.state, utc(row.notified_at), utc(row.snoozed_until))
    outcome = decide(state, severity=candidate.severity, new_occurrence=not known, now=now, cooldown=candidate.cooldown)
    if outcome == "unchanged":
        return outcome, row.id
    if not known:
        session.add(AlertOccurrence(alert_id=row.id, ref=candidate.occurrence, seen_at=now))
        row.count += 1
        row.last_seen = now
        row.facts = {**row.facts, **{k: v for k, v in candidate.facts.items() if k != "sources"},
                     "sources": _merge_sources(row.facts.get("sources", []), candidate.facts.get("sources", []))}
    row.updated_at = now
    if outcome == "grouped":
        _audit(session, row.id, "grouped", None, str(row.count), actor, now, candidate.occurrence)
        return outcome, row.id
    old_severity, old_state = row.severity, row.state
    if outcome == "escalated":
        row.severity = candidate.severity
        row.title = candidate.title
        _audit(session, row.id, "escalated", old_severity, candidate.severity, actor, now, candidate.occurrence)
    else:
        _audit(session, row.id, "renotified", None, str(row.round + 1), actor, now, candidate.occurrence)
    row.round += 1
    row.notified_at = now
    row.expires_at = now + candidate.expires
    if row.state in ("acknowledged", "expired", "snoozed") or (outcome == "escalated" and row.state == "dismissed"):
        row.state, row.snoozed_until = "open", None
        _audit(session, row.id, "state", old_state, "open", actor, now, outcome)
    session.flush()
    _add_deliveries(session, row, plan, now)
    return outcome, row.id


def _add_deliveries(session: Session, row: AlertRow, plan: DeliveryPlan, now: datetime, *, fresh: bool = False) -> None:
    """The deliveries of ``row``'s round that ``plan`` asks for and it has not got yet, older rounds' pending ones
    cancelled. ``fresh``: the row was created just now, so it has no deliveries to look up or cancel."""
    existing = set() if fresh else {
        (recipient, channel)
        for recipient, channel in session.execute(
            select(AlertDelivery.recipient, AlertDelivery.channel).where(
                AlertDelivery.alert_id == row.id, AlertDelivery.round == row.round
            )
        )
    }
    for recipient, channel, mode in plan(row):
        if (recipient, channel) in existing:
            continue
        existing.add((recipient, channel))
        session.add(
            AlertDelivery(
                alert_id=row.id, recipient=recipient, channel=channel, round=row.round, mode=mode,
                severity=row.severity, status="pending", attempts=0, next_attempt_at=now, created_at=now,
            )
        )
    if fresh:
        return
    # An older round not yet sent is superseded by this one: the new message says everything.
    session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.alert_id == row.id, AlertDelivery.round < row.round, AlertDelivery.status == "pending")
        .values(status="cancelled", last_error="superseded by a later round")
    )


@dataclass(frozen=True, slots=True)
class DueDelivery:
    delivery_id: int
    alert_id: int
    recipient: str
    channel: str
    mode: str
    attempts: int


def due_deliveries(session: Session, *, now: datetime, modes: Sequence[str]) -> list[DueDelivery]:
    """Pending deliveries of ``modes`` whose next attempt is due, of alerts still live."""
    query = (
        select(AlertDelivery)
        .join(AlertRow, AlertRow.id == AlertDelivery.alert_id)
        .where(
            # "sending" past its lease: the run that sent it died before it could say "sent"
            AlertDelivery.status.in_(("pending", "sending")),
            AlertDelivery.mode.in_(list(modes)),
            AlertDelivery.next_attempt_at <= now,
            AlertRow.state.in_(("open", "acknowledged")),
        )
        .order_by(AlertDelivery.recipient, AlertDelivery.channel, AlertDelivery.alert_id)
    )
    return [
        DueDelivery(d.id, d.alert_id, d.recipient, d.channel, d.mode, d.attempts) for d in session.scalars(query)
    ]


def mark_sending(session: Session, delivery_ids: Sequence[int], *, now: datetime, lease_seconds: float) -> None:
    """Record the attempt before the send: a crash after the channel accepted the message leaves it
    "sending", and once the lease has passed the next run sends it again (at least once)."""
    session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.id.in_(list(delivery_ids)), AlertDelivery.status.in_(("pending", "sending")))
        .values(status="sending", attempts=AlertDelivery.attempts + 1,
                next_attempt_at=now + timedelta(seconds=lease_seconds))
    )


def mark_sent(session: Session, delivery_ids: Sequence[int], *, now: datetime) -> None:
    """The channel accepted the message (the attempt was counted by ``mark_sending``)."""
    session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.id.in_(list(delivery_ids)), AlertDelivery.status.in_(("pending", "sending")))
        .values(status="sent", sent_at=now, last_error=None)
    )


def mark_failed(
    session: Session, delivery_ids: Sequence[int], *, now: datetime, error: str, max_attempts: int,
    base_seconds: float, max_seconds: float,
) -> list[int]:
    """A failed try (counted by ``mark_sending``); returns the ids whose attempts are now used up (``failed``)."""
    exhausted: list[int] = []
    for delivery in session.scalars(select(AlertDelivery).where(AlertDelivery.id.in_(list(delivery_ids)))):
        if delivery.status == "sending":
            delivery.status = "pending"
        delivery.last_error = error[:1000]
        if delivery.attempts >= max_attempts:
            delivery.status = "failed"
            exhausted.append(delivery.id)
            _audit(session, delivery.alert_id, "delivery-failed", None, f"{delivery.recipient}/{delivery.channel}",
                   "send-alerts", now, error[:300])
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts, base_seconds=base_seconds, max_seconds=max_seconds)
    return exhausted


def expire_alerts(session: Session, *, now: datetime) -> int:
    """Alerts past their expiry leave the outbox: their undelivered messages are marked expired."""
    rows = list(session.scalars(select(AlertRow).where(AlertRow.expires_at < now, AlertRow.state != "expired")))
    for row in rows:
        _audit(session, row.id, "expired", row.state, "expired", "send-alerts", now)
        row.state, row.updated_at = "expired", now
    if rows:
        session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.alert_id.in_([r.id for r in rows]), AlertDelivery.status == "pending")
            .values(status="expired")
        )
    return len(rows)


def get_alert(session: Session, alert_id: int) -> AlertRow:
    row = session.get(AlertRow, alert_id)
    if row is None:
        raise AlertNotFoundError(f"no alert with id {alert_id}")
    return row


def add_alert_facts(session: Session, alert_id: int, facts: dict[str, Any]) -> None:
    """Add ``facts`` to an alert's facts (a new dict, so the JSON column sees the change)."""
    row = get_alert(session, alert_id)
    row.facts = {**row.facts, **facts}


def alerts_by_id(session: Session, ids: Iterable[int]) -> dict[int, AlertRow]:
    wanted = sorted(set(ids))
    return {row.id: row for row in session.scalars(select(AlertRow).where(AlertRow.id.in_(wanted)))} if wanted else {}


def inbox_keys(session: Session, *, states: Sequence[str] | None = None, limit: int = 100) -> list[Any]:
    """What an inbox filters and sorts alerts on (``id, severity, categories, ops, last_seen``), newest first,
    up to ``limit``: a few plain columns, so that only the alerts a page shows are read whole (``alerts_by_id``)."""
    query = (select(AlertRow.id, AlertRow.severity, AlertRow.categories, AlertRow.ops, AlertRow.last_seen)
             .order_by(AlertRow.last_seen.desc(), AlertRow.id.desc()).limit(limit))
    if states:
        query = query.where(AlertRow.state.in_(list(states)))
    return list(session.execute(query))


def list_alerts(session: Session, *, states: Sequence[str] | None = None, rule: str | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
    """Alerts, newest first, with their delivery counts by status (the outbox as a person sees it)."""
    query = select(AlertRow).order_by(AlertRow.last_seen.desc(), AlertRow.id.desc()).limit(limit)
    if states:
        query = query.where(AlertRow.state.in_(list(states)))
    if rule:
        query = query.where(AlertRow.rule_id == rule)
    rows = list(session.scalars(query))
    counts: dict[int, Counter[str]] = {r.id: Counter() for r in rows}
    if rows:
        for alert_id, status, n in session.execute(
            select(AlertDelivery.alert_id, AlertDelivery.status, func.count())
            .where(AlertDelivery.alert_id.in_(list(counts)))
            .group_by(AlertDelivery.alert_id, AlertDelivery.status)
        ):
            counts[alert_id][status] = n
    return [
        {
            "id": r.id, "severity": r.severity, "state": r.state, "rule": r.rule_id, "title": r.title,
            "count": r.count, "last seen": utc(r.last_seen),
            "snoozed until": utc(r.snoozed_until) if r.state == "snoozed" else None,
            "deliveries": ", ".join(f"{n} {s}" for s, n in sorted(counts[r.id].items())) or "none",
        }
        for r in rows
    ]


def deliveries_of(session: Session, alert_id: int) -> list[AlertDelivery]:
    return list(session.scalars(select(AlertDelivery).where(AlertDelivery.alert_id == alert_id).order_by(AlertDelivery.id)))


def audit_of(session: Session, alert_id: int) -> list[AlertAudit]:
    return list(session.scalars(select(AlertAudit).where(AlertAudit.alert_id == alert_id).order_by(AlertAudit.id)))


def feedback_of(session: Session, alert_id: int) -> list[AlertFeedback]:
    return list(session.scalars(select(AlertFeedback).where(AlertFeedback.alert_id == alert_id).order_by(AlertFeedback.id)))


def apply_feedback(
    session: Session, alert_id: int, *, action: str, decided_by: str, now: datetime, reason: str | None = None,
    note: str | None = None, snooze_until: datetime | None = None,
) -> AlertRow:
    """ack, snooze or dismiss an alert; its pending deliveries stop for snooze and dismiss."""
    row = get_alert(session, alert_id)
    new_state = {"ack": "acknowledged", "snooze": "snoozed", "dismiss": "dismissed"}.get(action)
    if new_state is None:
        raise ValueError(f"unknown action {action!r}; choose ack, snooze or dismiss")
    if action == "dismiss" and reason not in DISMISS_REASONS:
        raise ValueError(f"a dismissal needs a reason: one of {', '.join(DISMISS_REASONS)}")
    if action == "snooze":
        check_snooze_end(snooze_until, now=now)
    session.add(AlertFeedback(alert_id=row.id, action=action, reason=reason, note=note, decided_by=decided_by, decided_at=now))
    _audit(session, row.id, "state", row.state, new_state, decided_by, now, reason)
    row.state, row.updated_at = new_state, now
    row.snoozed_until = snooze_until if action == "snooze" else None
    if action in ("snooze", "dismiss"):
        session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.alert_id == row.id, AlertDelivery.status == "pending")
            .values(status="cancelled", last_error=f"{new_state} by {decided_by}")
        )
    return row


def check_snooze_end(snooze_until: datetime | None, *, now: datetime) -> None:
    """A snooze ends after now and within ``MAX_SNOOZE``: negative, zero or absurd lengths are refused."""
    if snooze_until is None:
        raise ValueError("a snooze needs an end (snooze_until)")
    until = utc(snooze_until)
    if until <= now:
        raise ValueError(f"a snooze must end in the future, not {until:%Y-%m-%d %H:%M} UTC")
    if until - now > MAX_SNOOZE:
        raise ValueError(f"a snooze lasts at most {MAX_SNOOZE.days} days; {until:%Y-%m-%d} is further away")


def snoozes_due(session: Session, *, now: datetime) -> bool:
    """Whether any snooze is over (``end_snoozes`` would open an alert): lets a reader skip building a delivery plan."""
    return session.scalar(
        select(AlertRow.id).where(AlertRow.state == "snoozed", AlertRow.snoozed_until.is_not(None),
                                  AlertRow.snoozed_until <= now).limit(1)
    ) is not None


def end_snoozes(session: Session, *, now: datetime, plan: DeliveryPlan | None, actor: str = "snooze-end") -> list[int]:
    """Snoozed alerts whose time is up return to the inbox: open again, in a new delivery round.

    The one place that decides a snooze is over: the flows, the CLI and the workspace all call it
    before they read or send, so what a person sees never depends on which of them ran last. The
    new round gets deliveries from ``plan`` (critical alerts are sent at once by the next send,
    the others go into the next digest); without a plan (the routing cannot be read) the alerts
    are still opened, and said so in their history.
    """
    rows = list(session.scalars(
        select(AlertRow).where(AlertRow.state == "snoozed", AlertRow.snoozed_until.is_not(None),
                               AlertRow.snoozed_until <= now)
    ))
    for row in rows:
        ended = utc(row.snoozed_until)
        _audit(session, row.id, "state", "snoozed", "open", actor, now,
               f"snooze ended {ended:%Y-%m-%d %H:%M} UTC" + ("" if plan else "; routing unavailable, not re-sent"))
        row.state, row.snoozed_until, row.updated_at = "open", None, now
        row.round += 1
        row.notified_at = now
        if plan is not None:
            session.flush()
            _add_deliveries(session, row, plan, now)
    return [row.id for row in rows]


def rule_stats(session: Session) -> list[dict[str, Any]]:
    """Per rule: alerts, how people answered, and the precision with its 95% interval.

    Precision rests on the alerts someone judged (acknowledged or dismissed, as their latest answer): the share not
    dismissed as not relevant or as about the wrong company. An alert nobody answered (or only snoozed) is not
    counted as right: with none judged, the precision is unknown (None), never 1.0."""
    totals = {rule: n for rule, n in session.execute(select(AlertRow.rule_id, func.count()).group_by(AlertRow.rule_id))}
    latest = (
        select(AlertFeedback.alert_id, func.max(AlertFeedback.id).label("last"))
        .group_by(AlertFeedback.alert_id)
        .subquery()
    )
    answers: dict[str, Counter[str]] = {rule: Counter() for rule in totals}
    query = (
        select(AlertRow.rule_id, AlertFeedback.action, AlertFeedback.reason)
        .join(latest, latest.c.alert_id == AlertRow.id)
        .join(AlertFeedback, AlertFeedback.id == latest.c.last)
    )
    for rule_id, action, reason in session.execute(query):
        answers[rule_id][f"{action}:{reason}" if action == "dismiss" else action] += 1
    rows = []
    for rule_id in sorted(totals):
        total, seen = totals[rule_id], answers[rule_id]
        wrong = seen["dismiss:not-relevant"] + seen["dismiss:wrong-entity"]
        judged = seen["ack"] + sum(n for answer, n in seen.items() if answer.startswith("dismiss:"))
        interval = wilson_interval(judged - wrong, judged)
        rows.append(
            {
                "rule": rule_id, "alerts": total, "acknowledged": seen["ack"], "snoozed": seen["snooze"],
                "dismissed not-relevant": seen["dismiss:not-relevant"],
                "dismissed wrong-entity": seen["dismiss:wrong-entity"], "dismissed known": seen["dismiss:known"],
                "judged": judged,
                "precision": round((judged - wrong) / judged, 3) if judged else None,
                "precision 95% interval": f"{interval[0]:.2f}-{interval[1]:.2f}" if interval else None,
            }
        )
    return rows


def ensure_utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (datetime.now(UTC))")
    return now.astimezone(UTC)



def alert_history_rows(session: Session, alert_id: int) -> list[tuple[str, list[dict]]]:
    """One alert's deliveries, feedback and history as titled plain rows (what ``alerts show`` prints under it)."""
    deliveries = [
        {"recipient": d.recipient, "channel": d.channel, "round": d.round, "mode": d.mode, "status": d.status,
         "attempts": d.attempts, "next attempt": utc(d.next_attempt_at) if d.status == "pending" else None,
         "sent": utc(d.sent_at), "error": d.last_error}
        for d in deliveries_of(session, alert_id)
    ]
    feedback = [{"at": utc(f.decided_at), "by": f.decided_by, "action": f.action, "reason": f.reason, "note": f.note}
                for f in feedback_of(session, alert_id)]
    audit = [{"at": utc(a.at), "change": a.change, "from": a.old_value, "to": a.new_value, "by": a.actor, "detail": a.detail}
             for a in audit_of(session, alert_id)]
    return [("Deliveries", deliveries), ("Feedback", feedback), ("History", audit)]
