"""Company signals on the demo replay: 32 quarterly refreshes of the KvK watch list and the insolvency register.

The demo builds the dated snapshot history the failure model trains on by refreshing both sources
as of every quarter from 2019-03-31 to 2026-11-01 (``pipelines.company_signals.collect_history``),
for every Dutch organisation of the demo world (about 280 KvK numbers: suppliers and buyers). That
must stay well under a minute; a re-run must add nothing. Measured on a fresh temporary SQLite store.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench import Result

MAX_SECONDS = 45.0
START, END = date(2019, 3, 31), date(2026, 11, 1)


def company_history_benchmark() -> Result:
    from sqlalchemy import func, select

    from config.settings import Settings
    from demo.settings import company_settings
    from demo.world import build_world
    from pipelines.company_signals import collect_history
    from pipelines.transports import transport_for
    from store.db import Store
    from store.schema import Organisation, SupplierEvent

    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'bench.db'}")
        now = datetime.now(UTC)
        world = build_world()
        with store.session() as session, session.begin():
            for party in [s for s in world.suppliers if s.country == "NL"] + list(world.buyers):
                session.add(Organisation(org_key=f"NL:id:{party.id}", name=party.name, country="NL", first_seen=now,
                                         updated_at=now))
        settings = company_settings(Settings(data_dir=Path(folder), _env_file=None))
        started = time.process_time()
        rows = collect_history(store, settings, start=START, end=END, transport_for_day=lambda d: transport_for("demo", today=d))
        seconds = time.process_time() - started
        with store.session() as session:
            events = session.scalar(select(func.count()).select_from(SupplierEvent))
        again = collect_history(store, settings, start=START, end=END, transport_for_day=lambda d: transport_for("demo", today=d))
        store.dispose()
    refreshes = len({r.observed_on for r in rows})
    companies = max(r.fetched for r in rows if r.source == "kvk")
    added_again = sum(r.added + r.events for r in again)
    return {
        "name": "company-history",
        "target": f"< {MAX_SECONDS:.0f} s for {refreshes} refreshes; re-run adds nothing",
        "passed": seconds < MAX_SECONDS and added_again == 0 and all(r.status == "ok" for r in rows),
        "refreshes": refreshes,
        "companies": companies,
        "seconds": round(seconds, 2),
        "ms per company refresh": round(1000 * seconds / max(1, refreshes * companies), 3),
        "events": events,
        "added on re-run": added_again,
    }
