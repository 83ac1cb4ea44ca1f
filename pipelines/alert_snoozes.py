"""Snoozes whose time is up, ended before the outbox is shown: what ``supplyradar alerts list|show`` runs
first, and the delivery plan the workspace hands to ``store.alerts.end_snoozes`` as well.

Ending a snooze opens the alert in a new delivery round; the routing says who is told again (critical
alerts at the next send, the rest in the digest). When the routing cannot be read the alerts still
return to the inbox, without deliveries (``store.alerts.end_snoozes`` says so in their history).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alerts.routing import RoutingConfigError, load_routing
from store.alerts import DeliveryPlan, end_snoozes
from store.db import Store


def routing_plan(routing_file: Path) -> DeliveryPlan:
    """Who is told about an alert row, from the routing file; raises ``RoutingConfigError`` when it cannot be read."""
    routing = load_routing(routing_file)
    return lambda row: routing.deliveries(row.severity, row.categories or [], ops=row.ops)


def end_due_snoozes(store: Store, routing_file: Path, *, actor: str, now: datetime | None = None) -> list[int]:
    """End every snooze that is over, in its own transaction; the ids of the alerts opened again."""
    try:
        plan: DeliveryPlan | None = routing_plan(routing_file)
    except RoutingConfigError:
        plan = None
    with store.session() as session, session.begin():
        return end_snoozes(session, now=now or datetime.now(UTC), plan=plan, actor=actor)
