"""The CPU time the demo's replay spends answering as the remote services, when a benchmark asks for it.

Why: the replay (``demo.replay.demo_transport``) is an httpx transport, so TED's, TenderNed's, KvK's, the
insolvency register's and the news sources' answers are worked out in the demo's own process and thread, and the
chain's CPU seconds include them (finding a notice in the bundle, rendering a profile as of a day, a SOAP answer).
Against the live services that work is theirs, on their machines. ``bench.scale`` reports it beside the chain, so a
reader sees how much of the figure is supplyradar's; the chain's bar stays on the whole figure.

Off unless ``metering()`` is active: two readings of the thread's CPU clock per request (about 0.2 µs each) that
the demo itself need not pay. The thread's clock, not the process's: Prefect's threads run beside the replay.

It also keeps the answers per service and status (``answers``: host and HTTP status -> requests and CPU seconds), so
a reader of ``bench.scale`` sees what the chain asked of whom: at scale 54 most KvK answers are "not found", because
the company registers stay the committed demo's (they describe the story's companies, not the scaled copies).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


@dataclass(slots=True)
class Answers:
    """Requests of one kind (a service's host and the status it answered) and the CPU seconds they took."""

    requests: int = 0
    seconds: float = 0.0


class ReplayMeter:
    """Requests answered and CPU seconds spent answering them while on, in all and per (host, status) (state:
    running totals that, like a clock, only grow: a reader takes the difference between two readings)."""

    def __init__(self) -> None:
        self.on = False
        self.requests = 0
        self.seconds = 0.0
        self.answers: dict[tuple[str, int], Answers] = {}

    def add(self, seconds: float, host: str = "", status: int = 0) -> None:
        self.requests += 1
        self.seconds += seconds
        kind = self.answers.get((host, status))
        if kind is None:
            kind = self.answers[(host, status)] = Answers()
        kind.requests += 1
        kind.seconds += seconds

    def since(self, before: dict[tuple[str, int], Answers]) -> dict[tuple[str, int], Answers]:
        """The answers counted after ``before`` (an earlier ``snapshot``), kinds with none left out."""
        later = {}
        for key, now in self.answers.items():
            then = before.get(key, Answers())
            if now.requests > then.requests:
                later[key] = Answers(now.requests - then.requests, now.seconds - then.seconds)
        return later

    def snapshot(self) -> dict[tuple[str, int], Answers]:
        """The per-kind totals as they stand (copies: later answers do not change them)."""
        return {key: Answers(kind.requests, kind.seconds) for key, kind in self.answers.items()}


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
    status = 0  # (an answer that raised)
    try:
        response = route(request)
        status = response.status_code
        return response
    finally:
        METER.add(time.thread_time() - started, request.url.host, status)
