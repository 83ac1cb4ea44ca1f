"""The CPU time the demo's replay spends answering as the remote services, when a benchmark asks for it.

Why: the replay (``demo.replay.demo_transport``) is an httpx transport, so TED's, TenderNed's, KvK's, the
insolvency register's and the news sources' answers are worked out in the demo's own process and thread, and the
chain's CPU seconds include them (finding a notice in the bundle, rendering a profile as of a day, a SOAP answer).
Against the live services that work is theirs, on their machines. ``bench.scale`` reports it beside the chain, so a
reader sees how much of the figure is supplyradar's; the chain's bar stays on the whole figure.

Off unless ``metering()`` is active: two readings of the thread's CPU clock per request (about 0.2 µs each) that
the demo itself need not pay. The thread's clock, not the process's: Prefect's threads run beside the replay.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx


class ReplayMeter:
    """Requests answered and CPU seconds spent answering them while on (state: running totals that, like a clock,
    only grow: a reader takes the difference between two readings)."""

    def __init__(self) -> None:
        self.on = False
        self.requests = 0
        self.seconds = 0.0

    def add(self, seconds: float) -> None:
        self.requests += 1
        self.seconds += seconds


#: The process's meter: the replay transports add to it while it is on.
METER = ReplayMeter()


@contextmanager
def metering() -> Iterator[ReplayMeter]:
    """The meter on while the block runs (and off after it, unless it was on before)."""
    was_on, METER.on = METER.on, True
    try:
        yield METER
    finally:
        METER.on = was_on


def answered(route: Callable[[httpx.Request], httpx.Response], request: httpx.Request) -> httpx.Response:
    """``route(request)``, its CPU time on the meter when metering."""
    if not METER.on:
        return route(request)
    started = time.thread_time()
    try:
        return route(request)
    finally:
        METER.add(time.thread_time() - started)
