"""The demo's settings in one place: its calendar, its bundled files, and what the replay changes.

The replay transport serves local files, so the demo needs no fair-use pacing, and the insolvency
register's replay accepts any account, so the demo brings one along. Everything else is the same
``Settings`` the real services use: the demo runs production code.
"""

from __future__ import annotations

from datetime import date

from pydantic import SecretStr

from config.settings import CONFIG_DIR, Settings

#: The categories the synthetic market is made of (see demo/data/README.md).
DEMO_CATEGORIES = ("72", "48", "79", "90910000", "45", "09310000")
DEMO_SCAN_START = date(2021, 1, 1)
DEMO_COLLECT_FROM = date(2019, 1, 1)
#: The demo world ends here; the replay transport serves nothing published later.
DEMO_TODAY = date(2026, 11, 1)
#: The first quarterly look at the company and insolvency registers.
DEMO_REGISTER_HISTORY_FROM = date(2019, 3, 31)
DEMO_ROUTING = CONFIG_DIR / "routing.demo.yaml"


def tender_settings(settings: Settings) -> Settings:
    """The replayed demo needs no fair-use pacing: it reads local files, not a public service."""
    return settings.model_copy(
        update={
            "ted": settings.ted.model_copy(update={"min_interval_seconds": 0.0}),
            "tenderned": settings.tenderned.model_copy(update={"min_interval_seconds": 0.0}),
        }
    )


def news_settings(settings: Settings) -> Settings:
    """The demo reads the demo outlets' feeds, needs no GDELT pacing (it reads local files), and, collecting
    once instead of daily, asks GDELT for its whole three-month window. A scaled world (``supplyradar demo
    --scale N``) lists its further copies' feeds in its own bundle."""
    from demo.build_news import FEEDS_CONFIG, news_folder

    news = settings.news.model_copy(update={
        "feeds_file": news_folder() / FEEDS_CONFIG,
        "gdelt": settings.news.gdelt.model_copy(update={"min_interval_seconds": 0.0, "timespan": "3m"}),
    })
    return settings.model_copy(update={"news": news})


def company_settings(settings: Settings) -> Settings:
    """The replay reads local data: no pacing needed (the real services get theirs from the settings),
    and it accepts any insolvency-register account, so the demo brings one along."""
    return settings.model_copy(update={
        "kvk": settings.kvk.model_copy(update={"min_interval_seconds": 0.0}),
        "insolvency": settings.insolvency.model_copy(update={
            "min_interval_seconds": 0.0, "username": settings.insolvency.username or "demo",
            "password": settings.insolvency.password if settings.insolvency.username else SecretStr("demo"),
        }),
    })
