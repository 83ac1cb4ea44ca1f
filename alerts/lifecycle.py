"""No noise, nothing lost: what a candidate does to the alert it shares (rule, subject, cause) with.

Pure decisions, applied by ``store.alerts.record_candidate``:

- **created**: nothing like it before: a new alert, delivered to its recipients.
- **unchanged**: the same occurrence again (a re-run over the same facts): nothing changes.
- **grouped**: a new occurrence within the cooldown: the count and last-seen go up, nobody is
  disturbed again.
- **renotified**: a new occurrence after the cooldown: a new delivery round.
- **escalated**: the severity rose: a new delivery round at once, whatever the cooldown, and an
  acknowledged alert opens again.

A dismissed alert stays dismissed (its repeats are still counted, so the precision per rule is
honest) unless the severity rises; a snoozed one is grouped until the snooze ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from alerts.rules import SEVERITY_RANK

Outcome = Literal["created", "unchanged", "grouped", "renotified", "escalated"]


@dataclass(frozen=True, slots=True)
class AlertState:
    """What the outbox knows of an existing alert."""

    severity: str
    state: str  # open, acknowledged, snoozed, dismissed, expired
    notified_at: datetime
    snoozed_until: datetime | None


def decide(
    existing: AlertState | None, *, severity: str, new_occurrence: bool, now: datetime, cooldown: timedelta
) -> Outcome:
    if existing is None:
        return "created"
    if SEVERITY_RANK[severity] > SEVERITY_RANK.get(existing.severity, 0):
        return "escalated"
    if not new_occurrence:
        return "unchanged"
    if existing.state == "dismissed":
        return "grouped"
    if existing.state == "snoozed" and existing.snoozed_until and now < existing.snoozed_until:
        return "grouped"
    if existing.state == "expired" or now - existing.notified_at >= cooldown:
        return "renotified"
    return "grouped"


def retry_delay(attempts: int, *, base_seconds: float, max_seconds: float) -> timedelta:
    """Exponential backoff after ``attempts`` failed tries: base, 2x base, 4x base..., capped."""
    return timedelta(seconds=min(max_seconds, base_seconds * (2 ** max(0, attempts - 1))))
