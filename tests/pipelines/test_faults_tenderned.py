"""Fault injection against the TenderNed collector through a real socket (``tests.fault_server``).

Three publications over two list pages; the faulted publication's detail answers 5xx, resets, cut
JSON, an HTML page or a 404 first. After the faulted run and a clean one, each is stored exactly
once, the faulted run was not "ok", and no entry stays open.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from config.settings import HttpSettings, Settings, TenderNedSettings
from pipelines.collect_tenders import collect_tenderned
from store.bookkeeping import open_quarantine
from store.db import Store
from store.schema import CollectionRun
from store.schema import Notice as NoticeRow
from tests.fault_server import FaultServer, Logged, Reply, fault_server, fresh_store

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tenderned_api"
API = "/papi/tenderned-rs-tns/v2"
IDS = ("443725", "443610", "441200")


def pages(*, empty_second: bool = False):
    def answer(request: Logged) -> Reply:
        page = int(parse_qs(urlsplit(request.path).query).get("page", ["0"])[0])
        body = json.loads((FIXTURES / f"publicaties_page_{min(page, 1)}.json").read_text(encoding="utf-8"))
        if page >= 1 and empty_second:
            body["content"], body["last"] = [], False
        return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    return answer


def serve(server: FaultServer, faulted: str | None = None, fault: list[Reply] | None = None, **listing: bool) -> None:
    server.script(f"{API}/publicaties", [pages(**listing)])
    for number in IDS:
        detail = Reply(200, (FIXTURES / f"detail_{number}.json").read_bytes(), {"Content-Type": "application/json"})
        server.script(f"{API}/publicaties/{number}", [*(fault or []), detail] if number == faulted else [detail])
        server.script(f"{API}/publicaties/{number}/public-xml", [Reply(404, b"geen xml")])


def settings_for(tmp_path: Path, server: FaultServer) -> Settings:
    return Settings(
        data_dir=tmp_path, _env_file=None,
        http=HttpSettings(max_attempts=2, backoff_base=0.01, backoff_max=0.05, read_timeout=0.5, connect_timeout=0.5,
                          request_timeout=1.0),
        tenderned=TenderNedSettings(base_url=server.url(API), page_size=2, publication_types=["AGO"],
                                    min_interval_seconds=0, start_date="2024-01-01"),
    )


def assert_after(store: Store) -> None:
    with store.session() as session:
        counts = dict(session.execute(select(NoticeRow.notice_id, func.count()).group_by(NoticeRow.notice_id)).all())
        assert counts == {number: 1 for number in IDS}
        assert open_quarantine(session, "tenderned") == []
        assert "running" not in set(session.scalars(select(CollectionRun.status)))


FAULTS = {
    "5xx burst": [Reply(502)] * 2,
    "reset": [Reply(fault="reset")] * 2,
    "cut json": [Reply(200, (FIXTURES / "detail_443610.json").read_bytes()[:200], fault=None)],
    "html page": [Reply(200, b"<html><body>Storing</body></html>", {"Content-Type": "text/html"})],
    "404 fresh": [Reply(404, b"")],
    "stall": [Reply(200, b"{}", fault="stall", delay=0.8)] * 2,
}


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_faulted_publication_is_pending_then_stored_once(tmp_path: Path, fault: list[Reply]) -> None:
    store = fresh_store(tmp_path)
    with fault_server() as server:
        conf = settings_for(tmp_path, server)
        serve(server, "443610", fault)
        first = collect_tenderned(store, conf)
        assert first.status == "incomplete" and first.pending == 1
        serve(server)
        second = collect_tenderned(store, conf)
        assert second.status == "ok" and second.recovered == 1
    assert_after(store)


def test_an_empty_page_in_the_middle_is_not_ok(tmp_path: Path) -> None:
    store = fresh_store(tmp_path)
    with fault_server() as server:
        conf = settings_for(tmp_path, server)
        serve(server, empty_second=True)
        first = collect_tenderned(store, conf)
        assert first.status == "failed" and "2 of the 3" in (first.error or "")
        serve(server)
        assert collect_tenderned(store, conf).status == "ok"
    assert_after(store)


def test_a_listing_that_never_ends_stops_at_the_page_limit(tmp_path: Path) -> None:
    store = fresh_store(tmp_path)
    with fault_server() as server:
        conf = settings_for(tmp_path, server)
        conf = conf.model_copy(update={"tenderned": conf.tenderned.model_copy(update={"max_pages": 4})})
        serve(server)

        def endless(request: Logged) -> Reply:
            body = json.loads((FIXTURES / "publicaties_page_0.json").read_text(encoding="utf-8"))
            body["last"], body["totalPages"] = False, None
            return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

        server.script(f"{API}/publicaties", [endless])
        first = collect_tenderned(store, conf)
        assert first.status == "failed" and "tenderned.max_pages" in (first.error or "")
        assert server.count(f"{API}/publicaties") == 4
        serve(server)
        assert collect_tenderned(store, conf).status == "ok"
    assert_after(store)
