"""Demo replay of the companies sources (see supplyradar/demo/replay_hosts.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import httpx


def handler(today: date) -> Callable[[httpx.Request], httpx.Response | None]:
    """Answer this area's requests as of ``today``; ``None`` for any other host."""

    def handle(request: httpx.Request) -> httpx.Response | None:
        return None

    return handle
