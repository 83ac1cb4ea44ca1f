"""The demo transport's answers for sources beyond TED and TenderNed, one module per area.

Each area module (``replay_companies``: KvK and the insolvency register; ``replay_news``: feeds,
GDELT and the sanctions list) has ``handler(today) -> Callable[[httpx.Request], httpx.Response | None]``
that answers the requests for its hosts as the real services would and returns ``None`` for others.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import httpx

Handler = Callable[[httpx.Request], httpx.Response | None]


def extra_handlers(today: date) -> list[Handler]:
    from demo import replay_companies, replay_news

    return [module.handler(today) for module in (replay_companies, replay_news)]
