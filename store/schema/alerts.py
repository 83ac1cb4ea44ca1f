"""Tables of the alerts area: the outbox (see the module's revision in store/migrations/versions).

An alert is written here **before** anything is sent, so nothing is lost when a channel or the
process fails: ``alerts`` holds one row per (rule, subject, cause), ``alert_occurrences`` the
distinct facts that raised it (so re-evaluating the same facts changes nothing and repeats are
counted), ``alert_deliveries`` one row per recipient, channel and round (a round is a first
notice, an escalation or a re-notice after the cooldown: a re-run never sends a round twice),
``alert_feedback`` what the people did with it, ``alert_audit`` every change of state, and
``prepared_alert_facts`` what the next run will read, worked out ahead after scoring.
Apprise URLs are never stored: deliveries name the person and the channel only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.schema.base import Base


class AlertRow(Base):
    """One alert: a rule fired for a subject (an organisation, a contract, a source) and a cause."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "<rule>|<subject>|<cause>": the identity of the alert, so the same thing is never alerted twice.
    dedup_key: Mapped[str] = mapped_column(String(500), unique=True)
    rule_id: Mapped[str] = mapped_column(String(100), index=True)
    #: "event", "score_band", "score_rise", "contract_horizon", "source_health", "delivery_failed"
    rule_type: Mapped[str] = mapped_column(String(30))
    #: "organisation:<org_key>", "contract:<ref>", "source:<name>", "channel:<person>/<channel>"
    subject: Mapped[str] = mapped_column(String(300), index=True)
    cause: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"))
    #: The routing categories the alert goes to ([] for ops alerts).
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: True for source-health and delivery failures: routed to ops, not to category managers.
    ops: Mapped[bool] = mapped_column(default=False)
    severity: Mapped[str] = mapped_column(String(10))
    #: open, acknowledged, snoozed, dismissed, expired
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)
    title: Mapped[str] = mapped_column(Text)
    #: What the message is rendered from: reasons, sources, score breakdown, alternatives, actions.
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Distinct occurrences grouped into this alert.
    count: Mapped[int] = mapped_column(default=1)
    #: Delivery rounds so far: 1 for the first notice, +1 per escalation or re-notice after the cooldown.
    round: Mapped[int] = mapped_column(default=1)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    #: When the last round was created (the cooldown runs from here).
    notified_at: Mapped[datetime]
    snoozed_until: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AlertOccurrence(Base):
    """One distinct fact behind an alert (an event, a pair of scoring runs, a contract end date)."""

    __tablename__ = "alert_occurrences"
    __table_args__ = (UniqueConstraint("alert_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: (no index of its own: the unique constraint's index begins with it)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(300))
    seen_at: Mapped[datetime]


class AlertDelivery(Base):
    """One message of one alert round to one person over one channel; sent once, retried with backoff."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "recipient", "channel", "round"),
        Index("ix_alert_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: (no index of its own: the unique constraint's index begins with it)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(100))
    round: Mapped[int] = mapped_column(default=1)
    #: "immediate" (sent by send-alerts) or "daily"/"weekly" (sent in that digest)
    mode: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    #: pending, sending (attempt recorded, acceptance not yet), sent, failed (attempts used up), expired
    #: (the alert expired first), cancelled
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class AlertFeedback(Base):
    """What a person did with an alert: ack, snooze or dismiss, with a reason."""

    __tablename__ = "alert_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    #: not-relevant, wrong-entity, known (dismiss); free for the others
    reason: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime]


class AlertAudit(Base):
    """Every change of an alert's state or severity, and who or what made it."""

    __tablename__ = "alert_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    change: Mapped[str] = mapped_column(String(30))  # created, grouped, escalated, renotified, state, expired
    old_value: Mapped[str | None] = mapped_column(String(100))
    new_value: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]


class PreparedAlertFact(Base):
    """A fact an alert run on ``as_of`` reads, worked out ahead by the score-suppliers flow (``store.prepared_facts``).

    ``kind`` "division": the indexed award and bid history of one CPV division for the alternatives
    (``arrays``: its plain arrays in one buffer, laid out in ``meta["layout"]``; ``meta``: the rest as JSON); "market": the
    concentration of one routing category's market (``meta`` only). ``stamp`` is the store's award data
    when it was worked out and ``settings`` what it depends on: a run whose store or settings differ
    reads the facts itself instead.
    """

    __tablename__ = "prepared_alert_facts"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(100))
    as_of: Mapped[date] = mapped_column(Date)
    stamp: Mapped[str] = mapped_column(String(200))
    settings: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    arrays: Mapped[bytes | None] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime]
