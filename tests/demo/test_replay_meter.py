"""The replay's own CPU time, kept only while a benchmark meters it (``demo.replay_meter``)."""

from __future__ import annotations

import time

import httpx

from demo.replay import demo_transport
from demo.replay_meter import METER, ReplayMeter, answered, metering
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
