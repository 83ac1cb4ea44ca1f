"""Fault injection against the KvK profile refresh through a real socket (``tests.fault_server``).

Three watched companies, answered with recorded Basisprofielen. One company's answer is faulted
(429 + Retry-After, 5xx, resets, stalls, trickles, truncation, an HTML page, an empty body, a 404
without KvK's not-found code, another company's profile repeated). After the faulted run and a clean
re-run on the same day: each company has exactly one snapshot, holding its own profile; no entry is
left open; the faulted run did not say "ok" when a company went unrefreshed (KvK has no watermark:
the snapshot is what says "refreshed", so a company without one is asked again); no run is left
"running".
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from config.company_signals import KvkSettings
from config.settings import HttpSettings, Settings
from pipelines.company_signals import refresh_companies
from store.bookkeeping import open_quarantine
from store.db import Store
from store.schema import CollectionRun, Organisation
from store.schema.companies import CompanySnapshot
from tests.fault_server import FaultServer, Reply, fault_server, fresh_store

DAY = date(2026, 11, 2)
FIXTURES = Path(__file__).parents[1] / "fixtures" / "kvk"


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))["response"]["body"]


def profiles() -> dict[str, dict]:
    first, second = recorded("basisprofiel_69599084.json"), recorded("basisprofiel_90000749_vve.json")
    third = copy.deepcopy(first)
    third["kvkNummer"], third["naam"] = "12345678", "Derde Leverancier B.V."
    return {p["kvkNummer"]: p for p in (first, second, third)}


PROFILES = profiles()
FAULTED = "90000749"
HTML = b"<!DOCTYPE html><html><body>Onderhoud</body></html>"

FAULTS = {
    "429 retry-after": [Reply(429, headers={"Retry-After": "0"})],
    "5xx once": [Reply(503)],
    "5xx burst": [Reply(502)] * 3,
    "reset once": [Reply(fault="reset")],
    "resets": [Reply(fault="reset")] * 3,
    "stall": [Reply(200, json.dumps(PROFILES[FAULTED]).encode(), fault="stall", delay=0.8)] * 3,
    "trickle": [Reply(200, json.dumps(PROFILES[FAULTED]).encode(), fault="trickle", delay=0.1)] * 3,
    "truncated": [Reply(200, json.dumps(PROFILES[FAULTED]).encode(), {"Content-Type": "application/hal+json"},
                        fault="truncate")] * 3,
    "html body": [Reply(200, HTML, {"Content-Type": "text/html"})],
    "empty body": [Reply(200, b"", {"Content-Type": "application/hal+json"})],
    "404 without code": [Reply(404, b"Not Found", {"Content-Type": "text/plain"})],
    "repeated answer": [Reply(200, json.dumps(PROFILES["69599084"]).encode(), {"Content-Type": "application/hal+json"})],
}


def serve(server: FaultServer, fault: list[Reply] | None = None) -> None:
    for number, body in PROFILES.items():
        clean = Reply(200, json.dumps(body).encode(), {"Content-Type": "application/hal+json", "API-Version": "1.4.0"})
        script = [*(fault or []), clean] if number == FAULTED else [clean]
        server.script(f"/kvk/v1/basisprofielen/{number}", script)


def configured(tmp_path: Path, server: FaultServer) -> Settings:
    return Settings(
        data_dir=tmp_path, _env_file=None,
        http=HttpSettings(max_attempts=2, backoff_base=0.01, backoff_max=0.05, read_timeout=0.5, connect_timeout=0.5,
                          request_timeout=1.0),
        kvk=KvkSettings(base_url=server.url("/kvk"), min_interval_seconds=0),
    )


def watch(store: Store) -> None:
    now = datetime.now(UTC)
    with store.session() as session, session.begin():
        for number in PROFILES:
            session.add(Organisation(org_key=f"NL:id:{number}", name=f"Bedrijf {number}", country="NL",
                                     company_id=number, first_seen=now, updated_at=now))


def snapshots(store: Store) -> dict[str, list[str]]:
    """kvk number -> the KvK numbers inside its snapshots' payloads (one entry per stored snapshot)."""
    out: dict[str, list[str]] = {}
    with store.session() as session:
        for number, payload in session.execute(select(CompanySnapshot.kvk_number, CompanySnapshot.payload)):
            out.setdefault(number, []).append(payload.get("kvk_number"))
    return out


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_faulted_profile_then_a_clean_run_stores_every_company_once(tmp_path: Path, fault: list[Reply]) -> None:
    store = fresh_store(tmp_path)
    watch(store)
    with fault_server() as server:
        conf = configured(tmp_path, server)
        serve(server, fault)
        first = refresh_companies(store, conf, observed_on=DAY)
        after_first = snapshots(store)
        if len(after_first) < len(PROFILES):
            assert first.status in ("failed", "incomplete") and first.error  # said, not "ok"
        assert FAULTED not in after_first or after_first[FAULTED] == [FAULTED]  # never another company's profile
        serve(server)
        second = refresh_companies(store, conf, observed_on=DAY)
    assert second.status == "ok"
    assert snapshots(store) == {n: [n] for n in PROFILES}  # every company exactly once, its own profile
    assert first.added + second.added == len(PROFILES)
    with store.session() as session:
        assert open_quarantine(session, "kvk") == []
        assert "running" not in set(session.scalars(select(CollectionRun.status)))


def test_a_repeated_answer_is_pending_not_stored_as_the_other_company(tmp_path: Path) -> None:
    store = fresh_store(tmp_path)
    watch(store)
    with fault_server() as server:
        conf = configured(tmp_path, server)
        serve(server, FAULTS["repeated answer"])
        first = refresh_companies(store, conf, observed_on=DAY)
        with store.session() as session:
            [entry] = open_quarantine(session, "kvk")
    assert (first.status, first.pending, first.added) == ("incomplete", 1, 2)
    assert entry.kind == "pending" and entry.record_key == FAULTED and "profile of 69599084" in entry.reason
