"""The replay's own CPU time, kept only while a benchmark meters it (``demo.replay_meter``)."""

from __future__ import annotations

import time

import httpx
import pytest

from demo.replay import demo_transport
from demo.replay_meter import METER, Answers, ReplayMeter, answered, metering
from demo.scale import StageClock

MISSING = "https://ted.europa.eu/en/notice/999999-2019/xml"
REGISTER = "https://api.kvk.nl/api/v1/basisprofielen/99999999"


def _busy(seconds: float) -> None:
    started = time.thread_time()
    while time.thread_time() - started < seconds:
        pass


def test_answers_are_counted_only_while_metering() -> None:
    with httpx.Client(transport=demo_transport()) as client:
        client.get(MISSING)  # before: not counted
        requests, seconds = METER.requests, METER.seconds
        with metering() as meter:
            assert client.get(MISSING).status_code == 404
            assert client.get(REGISTER, headers={"apikey": "demo"}).status_code == 404
        client.get(MISSING)  # after: not counted either
    assert meter is METER and meter.requests - requests == 2 and meter.seconds > seconds
    assert not METER.on


def test_answers_are_kept_per_service_and_status() -> None:
    with httpx.Client(transport=demo_transport()) as client, metering() as meter:
        before = meter.snapshot()
        client.get(MISSING)
        client.get(REGISTER, headers={"apikey": "demo"})
        client.get(REGISTER, headers={"apikey": "demo"})
        client.get(REGISTER)  # no key: refused
        kinds = meter.since(before)
    assert {key: kind.requests for key, kind in kinds.items()} == {
        ("ted.europa.eu", 404): 1, ("api.kvk.nl", 404): 2, ("api.kvk.nl", 401): 1}
    assert all(kind.seconds > 0 for kind in kinds.values())
    assert sum(kind.requests for kind in kinds.values()) == 4


def test_metering_inside_metering_leaves_the_meter_on() -> None:
    with metering():
        with metering():
            pass
        assert METER.on
    assert not METER.on


def test_the_time_measured_is_the_answers_own() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        _busy(0.02)
        return httpx.Response(200)

    with metering() as meter:
        requests, seconds = meter.requests, meter.seconds
        _busy(0.05)  # the caller's own work, outside the answer
        answered(slow, httpx.Request("GET", "https://example.org/"))
    assert meter.requests - requests == 1 and 0.02 <= meter.seconds - seconds < 0.045


def test_stage_clock_keeps_the_replays_part_of_each_stage_while_metered() -> None:
    clock = StageClock()
    answered(lambda request: (_busy(0.01), httpx.Response(200))[1], httpx.Request("GET", "https://example.org/"))
    clock.lap("before")  # not metered: no replay figure
    with metering():
        answered(lambda request: (_busy(0.02), httpx.Response(200))[1], httpx.Request("GET", "https://example.org/"))
        clock.lap("collect")
        clock.lap("score")
    assert set(clock.replay) == {"collect", "score"}
    assert clock.replay["collect"] >= 0.02 and clock.replay["score"] == 0.0
    assert clock.stages["collect"] >= clock.replay["collect"]


def test_a_meter_adds_up() -> None:
    meter = ReplayMeter()
    meter.add(0.25)
    meter.add(0.5)
    assert (meter.requests, meter.seconds, meter.on) == (2, 0.75, False)


def test_a_meter_adds_up_per_kind_and_a_snapshot_stays_as_it_was() -> None:
    meter = ReplayMeter()
    meter.add(0.25, "api.kvk.nl", 200)
    before = meter.snapshot()
    meter.add(0.5, "api.kvk.nl", 200)
    meter.add(0.125, "api.kvk.nl", 404)
    assert before == {("api.kvk.nl", 200): Answers(1, 0.25)}
    assert meter.since(before) == {("api.kvk.nl", 200): Answers(1, 0.5), ("api.kvk.nl", 404): Answers(1, 0.125)}
    assert meter.since(meter.snapshot()) == {}
    assert (meter.requests, meter.seconds) == (3, 0.875)


def test_an_answer_that_raises_is_counted_with_no_status() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise ValueError("a bug in the stand-in")

    with metering() as meter:
        before = meter.snapshot()
        with pytest.raises(ValueError, match="a bug in the stand-in"):
            answered(broken, httpx.Request("GET", "https://example.org/"))
        kinds = meter.since(before)
    assert list(kinds) == [("example.org", 0)] and kinds[("example.org", 0)].requests == 1
