"""Which HTTP transport the connectors use: the network, or the bundled demo data set."""

from __future__ import annotations

import httpx

TRANSPORTS = ("live", "demo")


def transport_for(name: str) -> httpx.BaseTransport | None:
    """``None`` means httpx's normal network transport."""
    if name == "live":
        return None
    if name == "demo":
        from supplyradar.demo.replay import demo_transport  # loads the bundle only when asked for

        return demo_transport()
    raise ValueError(f"unknown transport {name!r}; choose one of {', '.join(TRANSPORTS)}")
