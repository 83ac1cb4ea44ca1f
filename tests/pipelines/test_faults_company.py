"""Fault injection against the insolvency register (CIR) collector through a real socket.

The local server forwards to the demo register replay and injects, for ``getCase``, the faults
seen on the live service: "Geen resultaten" for a case it has just listed, a SOAP Receiver fault,
a burst of 503s. After the faulted run and a clean one, the watched supplier's bankruptcy is an
event exactly once and the faulted run did not report "ok".
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import func, select

from config.settings import HttpSettings, Settings
from demo.replay_companies import load_register
from demo.settings import company_settings
from demo.story import build_story
from pipelines.company_signals import collect_insolvencies
from pipelines.transports import transport_for
from store.bookkeeping import open_quarantine
from store.schema import CollectionRun, Organisation, SupplierEvent
from tests.fault_server import FaultServer, Logged, Reply, fault_server, fresh_store

DAY = date(2026, 11, 1)
SOAP = "http://www.w3.org/2003/05/soap-envelope"
NO_RESULT = (
    f'<s:Envelope xmlns:s="{SOAP}"><s:Body><getCaseResponse xmlns="http://www.rechtspraak.nl/namespaces/cir01">'
    '<getCaseResult><inspubWebserviceInsolvente xmlns="http://www.rechtspraak.nl/namespaces/inspubber01">'
    '<exceptie errorcode="1">Geen resultaten gevonden</exceptie></inspubWebserviceInsolvente></getCaseResult>'
    "</getCaseResponse></s:Body></s:Envelope>"
).encode()
RECEIVER_FAULT = (
    f'<s:Envelope xmlns:s="{SOAP}"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code>'
    '<s:Reason><s:Text xml:lang="nl">Er is een interne fout opgetreden</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>'
).encode()

FAULTS = {
    "no result once": [Reply(200, NO_RESULT, {"Content-Type": "application/soap+xml"})],
    "receiver fault": [Reply(500, RECEIVER_FAULT, {"Content-Type": "application/soap+xml"})],
    "503 burst": [Reply(503)] * 2,
    "html page": [Reply(200, b"<html><body>Onderhoud</body></html>", {"Content-Type": "text/html"})] * 2,
}


def forward(settings: Settings, faults: list[Reply]):
    """Answer from the demo replay; the first ``getCase`` calls get ``faults``."""
    replay = transport_for("demo", today=DAY)
    left = list(faults)

    def answer(request: Logged) -> Reply:
        if b"getCase" in request.body and left:
            return left.pop(0)
        upstream = httpx.Request("POST", "https://webservice.rechtspraak.nl/cir.asmx", content=request.body,
                                 headers={"Content-Type": request.headers.get("Content-Type", "")})
        response = replay.handle_request(upstream)
        response.read()
        return Reply(response.status_code, response.content, {"Content-Type": response.headers.get("Content-Type", "")})

    return answer


def configured(settings: Settings, server: FaultServer) -> Settings:
    demo = company_settings(settings)
    return demo.model_copy(update={
        "http": HttpSettings(max_attempts=2, backoff_base=0.01, backoff_max=0.02, read_timeout=2, connect_timeout=1),
        "insolvency": demo.insolvency.model_copy(update={"url": server.url("/cir")}),
    })


@pytest.mark.parametrize("faults", FAULTS.values(), ids=FAULTS.keys())
def test_a_case_fault_leaves_the_case_pending_and_the_next_run_makes_its_event_once(
        tmp_path, settings: Settings, faults: list[Reply]) -> None:
    store = fresh_store(tmp_path)
    failure = build_story().our_failure_id
    now = datetime.now(UTC)
    with store.session() as session, session.begin():
        session.add(Organisation(org_key=f"NL:id:{failure}", name=load_register().companies[failure]["name"],
                                 country="NL", company_id=failure, first_seen=now, updated_at=now))
    with fault_server() as server:
        conf = configured(settings, server)
        server.script("/cir", [forward(conf, faults)])
        first = collect_insolvencies(store, conf, observed_on=DAY, since=date(2026, 10, 25))
        assert first.status == "incomplete" and first.pending >= 1  # said, not "ok"
        with store.session() as session:
            assert {q.kind for q in open_quarantine(session, "cir")} == {"pending"}
        server.script("/cir", [forward(conf, [])])
        second = collect_insolvencies(store, conf, observed_on=DAY)
    assert second.status == "ok"
    assert first.events + second.events == 2
    with store.session() as session:
        events = session.scalar(select(func.count()).select_from(SupplierEvent).where(SupplierEvent.kind.like("insolvency.%")))
        assert events == 2 and open_quarantine(session, "cir") == []
        assert "running" not in set(session.scalars(select(CollectionRun.status)))
