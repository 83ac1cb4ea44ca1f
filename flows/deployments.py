"""The scheduled deployments of supplyradar's flows, served from one long-running process.

``serve_all`` is the single-machine setup (``supplyradar serve``, or the systemd unit in
``deploy/``): one process polls the Prefect server and runs the flows as subprocesses from the
working directory, so it must be started from the repository root. ``prefect.yaml`` describes
the same deployments for a work pool when flows run on other machines.

Building the deployments talks to no server; only ``serve`` does.
"""

from __future__ import annotations

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from config.settings import Settings
from flows.collect_tenders import collect_tenders
from flows.market_scan import market_scan
from supplyradar.collect_tenders import SOURCES

COLLECT_DEPLOYMENT = "daily"
MARKET_SCAN_DEPLOYMENT = "weekly"
TAGS = ("supplyradar",)

#: One run per deployment at a time. A run that would start while the previous one still works is
#: cancelled rather than queued: it would redo the same pages, and the next scheduled run resumes
#: from the watermark anyway. ``supplyradar status`` reports a source that stays behind.
ONE_AT_A_TIME = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)


def market_scan_parameters(settings: Settings) -> dict[str, object]:
    """The weekly scan's parameters: ``years_back`` lets each run compute its own window."""
    schedules = settings.schedules
    return {"cpv": list(schedules.market_scan_categories), "years_back": schedules.market_scan_years}


def deployments(settings: Settings) -> list[RunnerDeployment]:
    """Every scheduled deployment, from the schedules in ``settings`` (cron in their timezone)."""
    schedules = settings.schedules
    return [
        collect_tenders.to_deployment(
            name=COLLECT_DEPLOYMENT,
            description="Collect new award notices from every source, resuming from the watermarks.",
            schedules=[Cron(schedules.collect_tenders, timezone=schedules.timezone)],
            parameters={"sources": list(SOURCES), "transport": "live"},
            tags=[*TAGS, "collect"],
            concurrency_limit=ONE_AT_A_TIME,
        ),
        market_scan.to_deployment(
            name=MARKET_SCAN_DEPLOYMENT,
            description="Market scan reports of the followed CPV categories.",
            schedules=[Cron(schedules.market_scans, timezone=schedules.timezone)],
            parameters=market_scan_parameters(settings),
            tags=[*TAGS, "market-scan"],
            concurrency_limit=ONE_AT_A_TIME,
        ),
    ]


def serve_all(settings: Settings) -> None:
    """Register the deployments with the server at PREFECT_API_URL and run them until stopped."""
    serve(*deployments(settings))
