"""Serve the workspace with uvicorn: ``supplyradar web`` calls :func:`serve`.

Uvicorn's own proxy-header handling stays off: ``web.security`` believes X-Forwarded-* only from
the configured trusted proxies, and it needs the real peer address to decide that.

Once the app is built, :func:`prepare` does what would otherwise fall on the first requests (the
sources' schedule intervals, ~150 ms CPU of cron fire times; the templates' compilation, 50-70 ms CPU of a
page's first view) and moves everything loaded at start (modules, templates, ~220,000 objects) out of the garbage
collector's view: they live as long as the server, and each full collection walked them again, ~110-170 ms CPU
inside whichever request triggered it (issue 20: the pages' p95).
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import uvicorn
from fastapi import FastAPI
from jinja2 import Environment

from config.settings import Settings
from pipelines.source_health import ScheduleError
from store.db import Store
from web.app import create_app
from web.routes.admin import source_intervals


def serve(settings: Settings, *, host: str, port: int, store: Store | None = None) -> None:
    app = create_app(settings, store)
    prepare(app)
    uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False, log_level="info",
                access_log=True)


def prepare(app: FastAPI) -> None:
    """Before the first request: the sources' schedule intervals worked out (``web.routes.admin``), every page
    template compiled (``compile_templates``), then what start-up left behind collected and the rest frozen
    (``gc.freeze``): full collections during requests then walk only what requests made."""
    try:
        source_intervals(app.state.ctx, datetime.now(UTC))
    except ScheduleError:  # the sources page says what is wrong with the schedules
        pass
    compile_templates(app.state.ctx.templates.env)
    gc.collect()
    gc.freeze()


def compile_templates(env: Environment) -> int:
    """Compile every template of ``env`` into its cache (Jinja compiles a template at its first use, then
    keeps it): rendering a category page took 97 ms CPU the first time and 27 after, and the alert inbox's first
    request 141 ms against 92 with its templates compiled ahead (a 2-core AMD EPYC): that fell on whoever opened a
    page first after a start. Returns how many were compiled."""
    names = env.list_templates(extensions=("html",))
    for name in names:
        env.get_template(name)
    return len(names)
