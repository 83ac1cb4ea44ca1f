"""Download the EU consolidated sanctions list and screen every supplier against its enterprises.

Plain functions (the ``screen-sanctions`` flow and ``supplyradar collect sanctions`` call them).
The list is fetched conditionally (an unchanged list is not parsed again), stored entry by entry,
and every supplier is then matched against the enterprise entries (``models.sanctions_match``).
A hit becomes a ``sanctions.possible_match`` supplier event for human review, with the matched
alias, the score, the programmes and the explanation: never a verdict, and never removed by a
later run (a person closes it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx

from config.settings import Settings
from connectors import sanctions_eu
from connectors.errors import RecordError, SourceRequestError, SourceUnavailableError
from connectors.feeds import FeedState
from connectors.sanctions_eu import SanctionsEntry
from models.sanctions_match import ListedEnterprise, PossibleMatch, screen
from pipelines.collection_run import collection_run
from store.bookkeeping import quarantine
from store.db import Store
from store.news import (
    NewEvent,
    enterprise_entries,
    get_fetch_state,
    save_events,
    save_sanctions_entries,
    set_fetch_state,
    watched_names,
)

log = logging.getLogger(__name__)

SOURCE = sanctions_eu.SOURCE
EVENT_KIND = "sanctions.possible_match"
LIST_NAME = "eu-fsf"


@dataclass
class SanctionsSummary:
    source: str = SOURCE
    not_modified: bool = False
    entries: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    suppliers: int = 0
    matches: list[PossibleMatch] = field(default_factory=list)
    new_events: int = 0
    status: str = "ok"
    error: str | None = None

    def as_row(self) -> dict[str, Any]:
        return {
            "source": self.source, "list": "not modified" if self.not_modified else f"{self.entries} entries",
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged, "quarantined": self.quarantined,
            "suppliers screened": self.suppliers, "possible matches": len(self.matches), "new events": self.new_events,
            "status": self.status,
        }


def collect_sanctions(store: Store, settings: Settings, *, transport: httpx.BaseTransport | None = None,
                      sleep: Callable[[float], None] = time.sleep, today: date | None = None) -> SanctionsSummary:
    """Download (if changed) and store the list, then screen every supplier; one collection run."""
    summary = SanctionsSummary()
    url = settings.news.sanctions.url

    def counts() -> dict[str, Any]:
        return {"fetched": summary.entries, "added": summary.added, "updated": summary.updated,
                "unchanged": summary.unchanged, "quarantined": summary.quarantined, "details": summary.as_row()}

    with collection_run(store, SOURCE, summary, counts=counts, on_stop=lambda exc: log.error("%s: %s", SOURCE, exc),
                        expected=(SourceUnavailableError, SourceRequestError, RecordError)):
        with store.session() as session, session.begin():
            state = get_fetch_state(session, url)
        with sanctions_eu.make_client(settings.http, transport=transport, sleep=sleep) as client:
            download = sanctions_eu.fetch_list(client, url, state)
        if download.data is None:
            summary.not_modified = True
            with store.session() as session, session.begin():
                set_fetch_state(session, url, source=SOURCE, name=LIST_NAME, state=download.state, status="not-modified")
        else:
            _store_list(store, download.data, url, summary, state=download.state)
        screen_suppliers(store, settings, summary, today=today)
    return summary


def _store_list(store: Store, data: bytes, where: str, summary: SanctionsSummary, *, state: FeedState) -> None:
    """Parse the list (streamed) and write it in one transaction; unreadable entities are quarantined.

    The list's ETag and Last-Modified are stored in that transaction, never before the entries they vouch for.
    """
    entries: list[SanctionsEntry] = []
    with store.session() as session, session.begin():
        for item in sanctions_eu.iter_entries(data, where=where):
            if isinstance(item, RecordError):
                quarantine(session, SOURCE, item)
                summary.quarantined += 1
                continue
            entries.append(item)
        summary.entries = len(entries)
        summary.added, summary.updated, summary.unchanged = save_sanctions_entries(session, entries, list_name=LIST_NAME)
        set_fetch_state(session, where, source=SOURCE, name=LIST_NAME, state=state, status="new")


def screen_suppliers(store: Store, settings: Settings, summary: SanctionsSummary | None = None, *,
                     today: date | None = None) -> SanctionsSummary:
    """Match every watched supplier against the stored enterprise entries; new hits become events."""
    summary = summary or SanctionsSummary()
    today = today or datetime.now(UTC).date()
    with store.session() as session, session.begin():
        suppliers = watched_names(session)
        listed = [ListedEnterprise(row.logical_id, tuple(row.names), tuple(row.programmes), tuple(row.countries))
                  for row in enterprise_entries(session, LIST_NAME)]
        matches = screen(((str(org_id), name) for org_id, name in suppliers), listed, min_score=settings.news.sanctions.min_score)
        summary.suppliers, summary.matches = len({org_id for org_id, _ in suppliers}), matches
        summary.new_events = save_events(session, [_event(match, today) for match in matches])
    for match in matches:
        log.info("possible sanctions match for review: %s", match.explanation)
    return summary


def _event(match: PossibleMatch, today: date) -> NewEvent:
    programmes = ", ".join(match.programmes) or "no programme given"
    return NewEvent(
        organisation_id=int(match.supplier_key),
        kind=EVENT_KIND,
        occurred_on=today,
        source=SOURCE,
        source_ref=f"{LIST_NAME}:{match.entry_id}",
        title=f"Possible match on the EU sanctions list for review: {match.alias!r} ({programmes}), score {match.score:.0f}/100",
        confidence=match.score / 100,
        details=match.details(),
    )
