"""Which HTTP transport the connectors use: the network, or the bundled demo data set."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import httpx

from config.settings import Settings

if TYPE_CHECKING:
    from store.db import Store

TRANSPORTS = ("live", "demo")


def transport_for(name: str, *, today: date | None = None) -> httpx.BaseTransport | None:
    """``None`` means httpx's normal network transport.

    ``today`` (demo only): the replay answers as of that day, e.g. to build a dated history of
    company-register snapshots; by default the demo world's own today.
    """
    if name == "live":
        return None
    if name == "demo":
        from demo.replay import demo_transport  # loads the bundle only when asked for

        return demo_transport(today=today) if today is not None else demo_transport()
    raise ValueError(f"unknown transport {name!r}; choose one of {', '.join(TRANSPORTS)}")


def note_dataset(store: Store, transport: str) -> None:
    """Remember in the store that it holds the synthetic demo data, so every report says so."""
    if transport != "demo":
        return
    from pipelines.market_scan import SYNTHETIC_MARKER
    from store.bookkeeping import set_meta

    with store.session() as session, session.begin():
        set_meta(session, SYNTHETIC_MARKER, "supplyradar demo data set (synthetic, seeded); not real notices")


def settings_for(settings: Settings, transport: str) -> Settings:
    """The replayed demo needs no fair-use pacing: it reads local files, not a public service."""
    if transport != "demo":
        return settings
    from demo.settings import tender_settings

    return tender_settings(settings)
