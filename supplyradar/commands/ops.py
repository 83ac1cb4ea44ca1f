"""Operations commands: ``supplyradar status`` and ``supplyradar serve``.

Plain command functions; ``register`` adds them to the main Typer app. ``status`` reads only
the store (no Prefect import, fast enough for a cron job or a monitoring check) and exits 1
when a source is late or failing. ``serve`` runs the scheduled flows until stopped.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console

from reports.tables import emit
from supplyradar.commands.lazy import Settings, open_store

out = Console()

#: Verdict -> style (the verdicts of pipelines.source_health, imported only when a command runs).
_STYLE = {"fresh": "green", "late": "yellow", "failing": "red"}


def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per source, for scripts.")] = False,
) -> None:
    """Is every source collected on time? Exit code 1 when one is late or failing."""
    from pipelines.source_health import expected_intervals, source_status

    settings = Settings()
    now = datetime.now(UTC)
    with open_store(settings) as store, store.session() as session:
        statuses = source_status(session, now, expected_intervals(settings, around=now),
                                 kvk_monthly_limit=settings.kvk.monthly_query_limit)
    if as_json:
        for status in statuses:
            sys.stdout.write(json.dumps(status.as_row(), default=str, ensure_ascii=False) + "\n")
    else:
        emit(out, "Sources", [s.as_row() for s in statuses], wide=("reason",),
             optional=("records", "newest publication", "last run", "expected within", "last success"),
             styles={"verdict": lambda verdict: _STYLE.get(str(verdict), "dim")})
    if any(s.needs_attention for s in statuses):
        raise typer.Exit(1)


def serve_command() -> None:
    """Run the scheduled flows (daily collection, weekly market scans) until stopped.

    Needs a Prefect server: set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api after
    ``make server``); start it from the repository root, the flows run from there.
    """
    from prefect.settings import PREFECT_API_URL

    from flows.deployments import serve_all

    if not PREFECT_API_URL.value():
        Console(stderr=True).print(
            "[yellow]PREFECT_API_URL is not set: the schedules go to a temporary server that "
            "forgets them when this process stops. Start one with `make server` and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api.[/]"
        )

    serve_all(Settings())


def register(app: typer.Typer) -> None:
    """Add ``status`` and ``serve`` to ``app``."""
    app.command("status")(status_command)
    app.command("serve")(serve_command)
