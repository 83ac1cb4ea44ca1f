"""Fault injection against the TED collector through a real socket (``tests.fault_server``).

Every scenario: a faulted run, then a clean run. Afterwards each of the four real notices is stored
exactly once, the watermark never passed what was stored, the faulted run did not say "ok" when it
missed a record, and no run is left "running".
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.settings import HttpSettings, Settings, TedSettings
from connectors.notice_xml import parse_notice
from pipelines.collect_tenders import collect_ted, ted_scope
from store.bookkeeping import get_watermark, open_quarantine, start_run
from store.db import Store
from store.schema import CollectionRun
from store.schema import Notice as NoticeRow
from tests.fault_server import FaultServer, Logged, Reply, fault_server, fresh_store

REAL = Path(__file__).parents[1] / "fixtures" / "ted" / "real-notices" / "ted-r209"
FILES = ("18-412273-001-EXP.xml", "20-157399-001-EXP.xml", "21-000934-001-EXP.xml", "21-364240-001-EXP.xml")


def documents() -> list[tuple[str, date, bytes]]:
    docs = []
    for name in FILES:
        data = (REAL / name).read_bytes()
        notice = parse_notice(data, where=name)
        docs.append((notice.notice_id, notice.published, data))
    return sorted(docs, key=lambda d: d[1])


DOCS = documents()


def settings_for(tmp_path: Path, server: FaultServer) -> Settings:
    return Settings(
        data_dir=tmp_path, _env_file=None,
        http=HttpSettings(max_attempts=2, backoff_base=0.01, backoff_max=0.05, read_timeout=0.5, connect_timeout=0.5,
                          request_timeout=1.0),
        ted=TedSettings(search_url=server.url("/search"), xml_url=server.url("/xml/{publication_number}"), page_size=2, min_interval_seconds=0, start_date="2018-01-01",
                        max_pages=5),
    )


def search(server: FaultServer, *, empty_second: bool = False):
    """TED's search: page 1 without a token, page 2 for ``token_two``; items link to the server's XML."""

    def item(number: str, published: date) -> dict:
        return {"publication-number": number, "publication-date": f"{published}+01:00",
                "links": {"xml": {"MUL": server.url(f"/xml/{number}")}}}

    def answer(request: Logged) -> Reply:
        token = json.loads(request.body).get("iterationNextToken")
        if token is None:
            body = {"notices": [item(n, d) for n, d, _ in DOCS[:2]], "totalNoticeCount": 4, "iterationNextToken": "t2"}
        else:
            rows = [] if empty_second else [item(n, d) for n, d, _ in DOCS[2:]]
            body = {"notices": rows, "totalNoticeCount": 4, "iterationNextToken": None if not empty_second else "t3"}
        return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    return answer


def serve_clean(server: FaultServer, faulted: str | None = None, fault: list[Reply] | None = None) -> None:
    server.script("/search", [search(server)])
    for number, _, data in DOCS:
        clean = Reply(200, data, {"Content-Type": "application/xml"})
        server.script(f"/xml/{number}", [*(fault or []), clean] if number == faulted else [clean])


def stored(store: Store) -> dict[str, int]:
    with store.session() as session:
        rows = session.execute(select(NoticeRow.notice_id, func.count()).group_by(NoticeRow.notice_id)).all()
    return dict(rows)


def assert_after(store: Store, settings: Settings) -> None:
    counts = stored(store)
    assert counts == {n: 1 for n, _, _ in DOCS}  # every record exactly once
    with store.session() as session:
        mark = get_watermark(session, "ted", ted_scope(settings))
        statuses = list(session.scalars(select(CollectionRun.status)))
        assert open_quarantine(session, "ted") == []
    assert mark is not None and mark <= max(d for _, d, _ in DOCS).isoformat()
    assert "running" not in statuses


XML_FAULTS = {
    "5xx burst": [Reply(503)] * 2,
    "reset": [Reply(fault="reset")] * 2,
    "truncated": [Reply(200, DOCS[1][2], fault="truncate")],
    "html body": [Reply(200, b"<!DOCTYPE html><html><body>Onderhoud</body></html>", {"Content-Type": "text/html"})],
    "404 fresh": [Reply(404, b"not yet")],
    "empty body": [Reply(200, b"")],
    "trickle": [Reply(200, DOCS[1][2][:4000], fault="trickle", delay=0.05)] * 2,
    "stall": [Reply(200, DOCS[1][2], fault="stall", delay=0.8)] * 2,
    "429 retry-after": [Reply(429, headers={"Retry-After": "0"})],
}


@pytest.mark.parametrize("fault", XML_FAULTS.values(), ids=XML_FAULTS.keys())
def test_a_faulted_notice_is_pending_then_fetched_once(tmp_path: Path, fault: list[Reply]) -> None:
    store = fresh_store(tmp_path)
    with fault_server() as server:
        conf = settings_for(tmp_path, server)
        faulted = DOCS[1][0]
        serve_clean(server, faulted, fault)
        first = collect_ted(store, conf)
        if len(stored(store)) < len(DOCS):
            assert first.status != "ok" and first.pending == 1
        second = collect_ted(store, conf)
        assert second.status == "ok"
        assert_after(store, conf)


def test_a_repeated_iteration_token_stops_the_run(tmp_path: Path) -> None:
    store = fresh_store(tmp_path)
    with fault_server() as server:
        conf = settings_for(tmp_path, server)
        serve_clean(server)

        def same_token(request: Logged) -> Reply:
            body = {"notices": [{"publication-number": DOCS[0][0], "publication-date": f"{DOCS[0][1]}+01:00",
                                 "links": {"xml": {"MUL": server.url(f"/xml/{DOCS[0][0]}")}}}],
                    "totalNoticeCount": 4, "iterationNextToken": "again"}
            return Reply(200, json.dumps(body).encode())

        server.script("/search", [same_token])
        first = collect_ted(store, conf)
        assert first.status == "failed" and "same iterationNextToken" in (first.error or "")
        assert server.count("/search") == 2  # not 100
        serve_clean(server)
        assert collect_ted(store, conf).status == "ok"
        assert_after(store, conf)


def test_an_empty_page_mid_iteration_is_not_ok(tmp_path: Path) -> None:
    store = fresh_store(tmp_path)
    with fault_server() as server:
        conf = settings_for(tmp_path, server)
        serve_clean(server)
        server.script("/search", [search(server, empty_second=True)])
        first = collect_ted(store, conf)
        assert first.status == "failed" and "2 of the 4" in (first.error or "")
        with store.session() as session:
            mark = get_watermark(session, "ted", ted_scope(conf))
        assert set(stored(store)) == {n for n, _, _ in DOCS[:2]} and mark == DOCS[1][1].isoformat()  # only past stored
        serve_clean(server)
        assert collect_ted(store, conf).status == "ok"
        assert_after(store, conf)


def test_a_run_killed_half_way_is_marked_at_the_next_start(tmp_path: Path) -> None:
    store = fresh_store(tmp_path)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    with store.session() as session, session.begin():
        run_id = start_run(session, "ted")
        session.get(CollectionRun, run_id).details = {"host": os.uname().nodename, "pid": child.pid}
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    with store.session() as session, session.begin():
        start_run(session, "ted")
    with store.session() as session:
        killed = session.get(CollectionRun, run_id)
        assert killed.status == "killed" and str(child.pid) in (killed.error or "")


def test_quarantine_retry_fetches_open_entries_by_key_and_closes_them(tmp_path: Path) -> None:
    from pipelines.collect_tenders import retry_quarantined

    store = fresh_store(tmp_path)
    with fault_server() as server:
        conf = settings_for(tmp_path, server)
        serve_clean(server, DOCS[2][0], [Reply(404, b"not yet")])
        first = collect_ted(store, conf)
        assert (first.status, first.pending, len(stored(store))) == ("incomplete", 1, 3)
        retried = retry_quarantined(store, conf, "ted")
        assert (retried.retried, retried.recovered, retried.status) == (1, 1, "ok")
        assert_after(store, conf)


SEARCH_FAULTS = {
    "429 retry-after": [Reply(429, headers={"Retry-After": "0"})],
    "5xx once": [Reply(503)],
    "reset once": [Reply(fault="reset")],
    "html page": [Reply(200, b"<html>Onderhoud</html>", {"Content-Type": "text/html"})] * 2,
    "5xx burst": [Reply(502)] * 4,
}


@pytest.mark.parametrize("fault", SEARCH_FAULTS.values(), ids=SEARCH_FAULTS.keys())
def test_a_faulted_search_then_a_clean_run_stores_every_notice_once(tmp_path: Path, fault: list[Reply]) -> None:
    store = fresh_store(tmp_path)
    with fault_server() as server:
        conf = settings_for(tmp_path, server)
        serve_clean(server)
        server.script("/search", [*fault, search(server)])
        first = collect_ted(store, conf)
        if len(stored(store)) < len(DOCS):
            assert first.status == "failed"
        serve_clean(server)
        assert collect_ted(store, conf).status == "ok"
        assert_after(store, conf)
