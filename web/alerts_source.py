"""The alerts area, as the web workspace uses it: only through ``store.alerts``' own functions.

The workspace never writes the alerts tables with its own SQL: reading goes through ``inbox_keys``,
``list_alerts``, ``alerts_by_id``, ``get_alert``, ``feedback_of`` and ``audit_of``, feedback
through ``apply_feedback`` (which also stops pending deliveries and writes the alert's audit).
An app built without an alerts source (``alerts=None``) says alerts are not available instead
of failing.

Who sees which alert: an admin (ops) every alert; a strategist every category alert (not the
ops alerts about sources and channels); a category manager the alerts routed to one of their
categories.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy.orm import Session

from alerts.render import TEXTS
from store import alerts as store_alerts
from store.alerts import DISMISS_REASONS, STATES
from web.auth import Principal, cpv_prefix

#: Fetched from ``list_alerts`` before the per-person filter; the newest alerts come first.
SCAN_LIMIT = 5000
#: The inbox by default: what still needs someone.
ACTIVE_STATES = ("open", "acknowledged")
#: The inbox puts the most severe first, then the newest.
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
#: Web actions and the action names ``apply_feedback`` takes.
ACTIONS = {"acknowledge": "ack", "snooze": "snooze", "dismiss": "dismiss"}


@dataclass(frozen=True, slots=True)
class AlertsSource:
    """The functions of ``store.alerts`` the workspace relies on, and its vocabularies."""

    module: ModuleType
    states: tuple[str, ...]
    dismiss_reasons: tuple[str, ...]
    texts: dict[str, dict[str, str]]

    def visible(self, who: Principal, row: Any) -> bool:  # an AlertRow
        if who.is_admin:
            return True
        if row.ops:
            return False
        return who.covers_any(list(row.categories or []))

    def inbox(
        self, session: Session, who: Principal, *, states: Sequence[str], severity: str = "", category: str = "",
        limit: int = 50,
    ) -> tuple[list[Any], int]:
        """The person's alerts (AlertRows), most severe and newest first, up to ``limit``; and how many match.

        Filtered and sorted on a few columns of the newest ``SCAN_LIMIT`` (``inbox_keys``); only the
        alerts shown are read whole.
        """
        keys = []
        for key in self.module.inbox_keys(session, states=list(states) or None, limit=SCAN_LIMIT):
            if not self.visible(who, key):
                continue
            if severity and key.severity != severity:
                continue
            if category and not any(cpv_prefix(str(c)).startswith(cpv_prefix(category)) for c in key.categories or []):
                continue
            keys.append(key)
        keys.sort(key=lambda r: (SEVERITY_ORDER.get(r.severity, len(SEVERITY_ORDER)), -_ts(r.last_seen)))
        rows = self.module.alerts_by_id(session, [key.id for key in keys[:limit]])
        return [rows[key.id] for key in keys[:limit] if key.id in rows], len(keys)

    def end_snoozes(self, session: Session, *, now: datetime, routing_file: Path | None) -> list[int]:
        """Snoozes whose time is up end before anything is shown: the same ``store.alerts.end_snoozes`` the flows call.

        The routing says who is told again (critical alerts at the next send, the rest in the digest);
        when it cannot be read the alerts still return to the inbox.
        """
        ending = getattr(self.module, "end_snoozes", None)
        if ending is None or not self.module.snoozes_due(session, now=now):  # the routing is read only when needed
            return []
        return ending(session, now=now, plan=_delivery_plan(routing_file), actor="web")

    def get(self, session: Session, alert_id: int) -> Any | None:
        try:
            return self.module.get_alert(session, alert_id)
        except self.module.AlertNotFoundError:
            return None

    def history(self, session: Session, alert_id: int) -> tuple[list[Any], list[Any], list[Any]]:
        """Feedback, state changes and deliveries (who was told, over which channel, when)."""
        deliveries = self.module.deliveries_of(session, alert_id) if hasattr(self.module, "deliveries_of") else []
        return self.module.feedback_of(session, alert_id), self.module.audit_of(session, alert_id), deliveries

    def act(
        self, session: Session, alert_id: int, action: str, *, who: str, now: datetime, reason: str | None = None,
        note: str | None = None, snooze_until: datetime | None = None,
    ) -> Any:
        """Feedback as ``supplyradar alerts ack|snooze|dismiss`` gives it, in the caller's transaction."""
        row = self.module.apply_feedback(
            session, alert_id, action=ACTIONS[action], decided_by=who, now=now, reason=reason, note=note,
            snooze_until=snooze_until,
        )
        if reason == "wrong-entity":
            _tell_matching(session, row, decided_by=who, note=note)
        return row

    def action_text(self, language: str, action: str) -> str:
        texts = self.texts.get(language) or self.texts.get("en") or {}
        return texts.get(f"action.{action}", action)

log = logging.getLogger(__name__)


def load() -> AlertsSource:
    """The alerts area's store functions and vocabularies, as the workspace uses them."""
    return AlertsSource(module=store_alerts, states=STATES, dismiss_reasons=DISMISS_REASONS, texts=TEXTS)


def _delivery_plan(routing_file: Path | None) -> Callable[[Any], list[tuple[str, str, str]]] | None:
    """The routing's delivery plan, or None when the routing file cannot be read (logged, not raised)."""
    if routing_file is None:
        return None
    try:
        from pipelines.alert_snoozes import routing_plan

        return routing_plan(routing_file)
    except Exception as exc:  # noqa: BLE001
        log.warning("web: routing unavailable for ending snoozes (%s)", type(exc).__name__)
        return None


def _tell_matching(session: Session, row: Any, *, decided_by: str, note: str | None) -> None:
    """"Wrong company" undoes the link that produced the alert: the same function the CLI calls
    (``store.identity_feedback.apply_wrong_company``). When no link made by name is behind the alert it
    raises ``WrongCompanyRefused`` (a ValueError) with the explanation, and the caller's transaction,
    the dismissal included, is rolled back."""
    from store.identity_feedback import apply_wrong_company

    apply_wrong_company(session, row.id, decided_by=decided_by, note=note)


def _ts(value: datetime) -> float:
    return value.replace(tzinfo=value.tzinfo or UTC).timestamp()
