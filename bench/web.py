"""How fast the web workspace answers on a national-scale store (synthetic; issue 20's bar).

100,000 award notices won by 50,000 suppliers (the category page's market; issue 20 measured its cold
page at 8.6 s at this size when it computed the statistics over all history), with the market
summaries the flows keep; 2,000 of those suppliers are ours (spend, contracts, events); 30 daily
scoring runs of every supplier (3 million score rows: the history the lists must not read), 1,000
alerts, a year of collection runs and 20,000 audit entries. A category manager and a strategist open
the inbox, an alert, a supplier, a category and the supplier list, an admin the source status and the
audit log, through FastAPI's test client (no network). Each page is timed cold (the first request of a
freshly started app, ``COLD_STARTS`` times) and warm (``REPEATS`` more). Target: every page's 95th
percentile under 300 ms, cold and warm, in CPU time of this process (the test client runs the app in a
thread of it): the wall clock, shown beside it, flipped the result on a shared machine (issue 20).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench import Result

SUPPLIERS = 2000  # ours: spend, contracts, events
WINNERS = 50_000  # every supplier in the store (ours among them): award winners, all scored
ALERTS = 1000
AWARDS = 100_000
AUDIT_ENTRIES = 20_000
SOURCES = ("ted", "tenderned", "kvk", "cir", "rss", "gdelt")
BUYERS = 300
SCORING_RUNS = 30
REPEATS = 15
COLD_STARTS = 4
TARGET_MS = 300.0
CATEGORIES = ("09310000", "90910000", "72000000", "48000000", "79000000", "45000000")
PASSWORD = "bench password 123"


def web_pages() -> Result:
    from pipelines.market_summaries import refresh_market_summaries
    from store.db import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        org_id, alert_id = _fill(store)
        refresh_market_summaries(store)  # what the daily flow keeps; the page only reads it
        result = time_pages(store, Path(tmp) / "data", org_id=org_id, alert_id=alert_id)
        store.dispose()
    return result


def time_pages(store, data_dir: Path, *, org_id: int, alert_id: int) -> Result:  # a store.db.Store
    """Each page's CPU p95 (and wall p95) on a filled store: the measuring half of :func:`web_pages`."""
    from argon2 import PasswordHasher
    from fastapi.testclient import TestClient

    from config.settings import Settings
    from web import auth
    from web.app import create_app
    from web.server import prepare

    auth.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    settings = Settings(data_dir=data_dir, _env_file=None)
    workspace = (("inbox", "/alerts"), ("alert", f"/alerts/{alert_id}"), ("supplier", f"/suppliers/{org_id}"),
                 ("category", "/categories/09310000"), ("suppliers", "/suppliers"))
    pages_of = {"manager": workspace, "strategist": workspace, "admin": (("sources", "/sources"), ("audit", "/audit"))}
    timings: dict[str, list[float]] = {}  # CPU ms: the target
    walls: dict[str, list[float]] = {}  # wall ms: shown, never judged (a shared machine inflates it)
    for start in range(COLD_STARTS + 1):  # a fresh app each time: its first request per page is cold
        app = create_app(settings, store)
        prepare(app)  # as `supplyradar web` does before it serves
        with TestClient(app, follow_redirects=False) as client:
            for user, pages in pages_of.items():
                _sign_in(client, user)
                for name, path in pages:
                    for repeat in range(1 if start < COLD_STARTS else REPEATS):
                        started, cpu_started = time.perf_counter(), time.process_time()
                        response = client.get(path)
                        cpu = (time.process_time() - cpu_started) * 1000
                        elapsed = (time.perf_counter() - started) * 1000
                        temperature = "cold" if repeat == 0 else "warm"
                        timings.setdefault(f"{name}_{user}_{temperature}", []).append(cpu)
                        walls.setdefault(f"{name}_{user}_{temperature}", []).append(elapsed)
                        assert response.status_code == 200, (path, response.status_code)
    p95 = {key: _p95(values) for key, values in timings.items()}
    wall = {key: _p95(values) for key, values in walls.items()}
    worst = max(p95.values())
    return {"name": "web pages", "target": f"CPU p95 < {TARGET_MS:.0f} ms per page, cold and warm",
            "passed": worst < TARGET_MS, "awards": AWARDS, "suppliers": WINNERS, "our suppliers": SUPPLIERS,
            "scoring runs": SCORING_RUNS, "score rows": WINNERS * 2 * SCORING_RUNS,
            "worst_cpu_p95_ms": round(worst, 1), **{f"{k}_cpu_p95_ms": round(v, 1) for k, v in sorted(p95.items())},
            "worst_wall_p95_ms": round(max(wall.values()), 1)}


def _sign_in(client, user: str) -> None:  # a TestClient
    client.cookies.clear()
    page = client.get("/signin")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/signin", data={"username": user, "password": PASSWORD, "csrf_token": token})


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def _fill(store) -> tuple[int, int]:  # store.db.Store
    """Synthetic suppliers, spend, contracts, scores, events, alerts, runs, audit and three people; the id of
    one of our suppliers and of one alert a category manager may open."""
    from sqlalchemy import insert, select

    from alerts.evaluate import Candidate
    from store.alerts import record_candidate
    from store.risk import save_scores
    from store.schema import CollectionRun, Contract, Organisation, ScoringRun, SpendLine, SupplierEvent
    from store.schema.web import WebAudit
    from store.web import upsert_user
    from web.auth import hash_password

    rng = random.Random(8)
    now = datetime.now(UTC)
    with store.sessions.begin() as session:
        session.execute(insert(Organisation), [
            dict(org_key=f"NL:id:{10000000 + i}", name=f"Synthetic Supplier {i} B.V.", country="NL",
                 company_id=str(10000000 + i), first_seen=now, updated_at=now) for i in range(WINNERS)
        ])
        everyone = list(session.scalars(select(Organisation.id).where(Organisation.org_key.like("NL:id:%"))
                                        .order_by(Organisation.id)))
        ids = everyone[:SUPPLIERS]  # ours
        category_of = {org_id: CATEGORIES[i % len(CATEGORIES)] for i, org_id in enumerate(ids)}
        session.execute(insert(SpendLine), [
            dict(row_key=f"r{i}", source_file="spend.csv", row_number=i, organisation_id=org_id, cpv=category_of[org_id],
                 amount=Decimal(rng.randint(100, 100_000)), booked_on=date(2022 + i % 5, 1 + i % 12, 1), imported_at=now)
            for i, org_id in enumerate(ids * 10)
        ])
        session.execute(insert(Contract), [
            dict(contract_ref=f"C-{org_id}", source_file="c.csv", row_number=1, organisation_id=org_id,
                 cpv=category_of[org_id], end_date=date(2027, 1 + org_id % 12, 1), value=Decimal(50_000), content_hash="x",
                 imported_at=now)
            for org_id in ids
        ])
        for run_number in range(SCORING_RUNS):  # a month of daily runs up to 2026-11-01, every supplier scored
            as_of = date(2026, 11, 1) - timedelta(days=SCORING_RUNS - 1 - run_number)
            run = ScoringRun(started_at=now, finished_at=now, as_of=as_of, model_version="bench", status="ok", details={})
            session.add(run)
            session.flush()
            save_scores(session, run.id, [  # as the scoring run writes them
                dict(organisation_id=org_id, category="", kind=kind, value=rng.random(), band="low", confidence=0.8,
                     coverage=0.8, reasons=[{"text": "synthetic", "contribution": 0.1}], inputs=[])
                for org_id in everyone for kind in ("failure", "combined")
            ])
        _awards(session, rng, everyone, now)
        session.execute(insert(SupplierEvent), [
            dict(organisation_id=org_id, kind="news.synthetic", occurred_on=date(2026, 10, 1), source="rss",
                 source_ref=f"e{org_id}", title="Synthetic event", details={}, confidence=0.5, detected_at=now)
            for org_id in ids
        ])
        session.execute(insert(CollectionRun), [  # a year of daily runs per source
            dict(source=source, started_at=now - timedelta(days=day, minutes=5), finished_at=now - timedelta(days=day),
                 status="ok" if day % 17 else "failed", fetched=100, added=10, details={})
            for source in SOURCES for day in range(365)
        ])
        session.execute(insert(WebAudit), [
            dict(at=now - timedelta(minutes=i), actor="manager", action="alert.acknowledge", target=f"alert:{i % ALERTS + 1}",
                 detail=None, address="127.0.0.1")
            for i in range(AUDIT_ENTRIES)
        ])
        for name, role, cats in (("manager", "manager", ("09310000", "90910000")), ("strategist", "strategist", ()),
                                 ("admin", "admin", ())):
            upsert_user(session, name, role=role, password_hash=hash_password(PASSWORD), categories=cats)
    alert_ids = []
    with store.sessions.begin() as session:
        for i in range(ALERTS):
            org_id = ids[i % len(ids)]
            candidate = Candidate(
                rule_id="bench", rule_type="event", subject=f"organisation:{org_id}", cause=f"c{i}", occurrence=f"o{i}",
                severity=("critical", "warning", "info")[i % 3], title=f"Synthetic alert {i}", categories=(category_of[org_id],),
                organisation_id=org_id, facts={"kind": "event", "supplier": f"Synthetic Supplier {org_id}", "sources": []},
            )
            alert_ids.append(record_candidate(session, candidate, now=now - timedelta(minutes=i), plan=lambda row: [])[1])
    return ids[0], alert_ids[0]  # ids[0] and the first alert are in category 09310000: the manager's


def _awards(session, rng: random.Random, supplier_ids: list[int], now: datetime) -> None:  # a Session
    """``AWARDS`` award notices from 2019 to 2026 over the six categories, won by the synthetic suppliers
    (a few of ours win many, the rest spread over everyone), with bulk inserts: the market behind the
    category page."""
    from sqlalchemy import insert, select

    from store.schema import Award, AwardWinner, Notice, Organisation

    session.execute(insert(Organisation), [
        dict(org_key=f"NL:buyer:{i}", name=f"Gemeente Bench {i}", country="NL", first_seen=now, updated_at=now)
        for i in range(BUYERS)
    ])
    buyers = list(session.scalars(select(Organisation.id).where(Organisation.org_key.like("NL:buyer:%"))))
    session.execute(insert(Notice), [
        dict(source="ted", notice_id=f"{i}-2026", format="eforms", notice_type="can-standard", kind="award",
             published=date(2019, 1, 1) + timedelta(days=rng.randint(0, 2860)), buyer_id=rng.choice(buyers),
             cpv_main=CATEGORIES[i % len(CATEGORIES)], content_hash="x", collected_at=now)
        for i in range(AWARDS)
    ])
    notice_pks = list(session.scalars(select(Notice.id).order_by(Notice.id)))
    session.execute(insert(Award), [
        dict(notice_pk=pk, seq=0, lot_id="LOT-0001", value=Decimal(rng.randint(10, 2000) * 1000), currency="EUR",
             tenders_received=rng.randint(1, 6))
        for pk in notice_pks
    ])
    award_ids = list(session.scalars(select(Award.id).order_by(Award.id)))
    session.execute(insert(AwardWinner), [
        dict(award_id=award_id, position=0, organisation_id=(
            supplier_ids[int(rng.paretovariate(1.1)) % SUPPLIERS] if i % 2 else rng.choice(supplier_ids)))
        for i, award_id in enumerate(award_ids)
    ])
