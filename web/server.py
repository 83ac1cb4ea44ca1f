"""Serve the workspace with uvicorn: ``supplyradar web`` calls :func:`serve`.

Uvicorn's own proxy-header handling stays off: ``web.security`` believes X-Forwarded-* only from
the configured trusted proxies, and it needs the real peer address to decide that.
"""

from __future__ import annotations

import uvicorn

from config.settings import Settings
from store.db import Store
from web.app import create_app


def serve(settings: Settings, *, host: str, port: int, store: Store | None = None) -> None:
    app = create_app(settings, store)
    uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False, log_level="info",
                access_log=True)
