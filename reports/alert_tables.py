"""The rows of the alert tables a terminal shows (``supplyradar alerts list``, ``alerts check-config``).

Plain dict rows for ``reports.tables``: the outbox rows of ``store.alerts.list_alerts`` as a person
reads them, and the people and categories of the routing (``alerts.routing``) with channels by name
only: a channel's URL holds its secret and is never shown.
"""

from __future__ import annotations

from typing import Any


def outbox_row(row: dict) -> dict:
    """The outbox as a person reads it at 80 columns: the snooze end in the state, the time to the minute."""
    until = row.get("snoozed until")
    state = f"{row['state']} → {until:%Y-%m-%d %H:%M}" if until else row["state"]
    return {"id": row["id"], "severity": row["severity"], "state": state, "title": row["title"],
            "count": row["count"], "last seen": f"{row['last seen']:%Y-%m-%d}", "deliveries": row["deliveries"],
            "rule": row["rule"]}


def people_rows(routing: Any) -> list[dict]:  # routing: alerts.routing.Routing
    """Each person of the routing: name, digest and channels by name."""
    return [{"person": p.key, "name": p.name, "digest": p.digest, "channels": ", ".join(c.name for c in p.channels)}
            for p in routing.people.values()]


def category_rows(routing: Any) -> list[dict]:
    """Each routed category with its label and managers."""
    return [{"category": c.code, "label": c.label, "managers": ", ".join(c.managers)} for c in routing.categories.values()]


def rule_stats_rows(rows: list[dict]) -> list[dict]:
    """``store.alerts.rule_stats`` as printed: a precision nobody's answers support says so, not a blank."""
    return [{**row, "precision": "unknown (none judged)"} if row.get("precision") is None else row for row in rows]
