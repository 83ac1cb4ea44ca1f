"""The scheduled deployments of supplyradar's flows, served from one long-running process.

``serve_all`` is the single-machine setup (``supplyradar serve``, or the systemd unit in
``deploy/``): one process polls the Prefect server and runs the flows as subprocesses from the
working directory, so it must be started from the repository root. ``prefect.yaml`` describes
the same deployments for a work pool when flows run on other machines
(``python -m flows.deployments`` prints it from this table; a test keeps the two in line).

The day, in Europe/Amsterdam by default: registers and tenders are collected early, suppliers
resolved and scored after that, alerts sent after scoring, digests in the morning; news every
half hour, source health every hour, the model retrained monthly. Building the deployments
talks to no server; only ``serve`` does.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from prefect import Flow, serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from config.settings import ScheduleSettings, Settings
from flows.collect_news import collect_news_flow, screen_sanctions
from flows.collect_tenders import collect_tenders
from flows.company_signals import collect_company_signals
from flows.market_scan import market_scan
from flows.market_summaries import market_summaries
from flows.resolve_suppliers import resolve_suppliers_flow
from flows.score_suppliers import score_suppliers
from flows.send_alerts import check_sources, send_alerts, send_digest
from flows.tenderned_dataset import import_tenderned_dataset_flow
from flows.train_models import train_models
from pipelines.collect_tenders import SOURCES

COLLECT_DEPLOYMENT = "daily"
MARKET_SCAN_DEPLOYMENT = "weekly"
TAGS = ("supplyradar",)

#: One run per deployment at a time. A run that would start while the previous one still works is
#: cancelled rather than queued: it would redo the same pages, and the next scheduled run resumes
#: from the watermark anyway. ``supplyradar status`` reports a source that stays behind.
ONE_AT_A_TIME = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)


@dataclass(frozen=True)
class Planned:
    """One deployment: which flow, under which name, on which schedule (a ``ScheduleSettings`` field)."""

    flow: Flow
    name: str
    schedule: str
    description: str
    tags: tuple[str, ...]
    parameters: dict[str, Any]


def market_scan_parameters(settings: Settings) -> dict[str, object]:
    """The weekly scan's parameters: ``years_back`` lets each run compute its own window."""
    schedules = settings.schedules
    return {"cpv": list(schedules.market_scan_categories), "years_back": schedules.market_scan_years}


def planned(settings: Settings) -> list[Planned]:
    live = {"transport": "live"}
    return [
        Planned(collect_tenders, COLLECT_DEPLOYMENT, "collect_tenders",
                "Collect new award notices from every source, resuming from the watermarks.",
                ("collect",), {"sources": list(SOURCES), **live}),
        Planned(import_tenderned_dataset_flow, "weekly", "tenderned_dataset",
                "Download and import the newest TenderNed open-data release (winners of Dutch awards).",
                ("collect", "tenderned-dataset"), {}),
        Planned(collect_company_signals, "daily", "collect_company_signals",
                "Refresh the watched suppliers in the KvK register and read the insolvency register.",
                ("collect", "companies"), dict(live)),
        Planned(resolve_suppliers_flow, "daily", "resolve_suppliers",
                "Resolve new notice organisations, spend and contract rows to one supplier each.",
                ("identity",), {}),
        Planned(collect_news_flow, "half-hourly", "collect_news",
                "Collect news feeds and GDELT articles, link them to suppliers and classify them.",
                ("collect", "news"), dict(live)),
        Planned(screen_sanctions, "daily", "screen_sanctions",
                "Download the EU consolidated sanctions list and screen every supplier against it.",
                ("collect", "sanctions"), dict(live)),
        Planned(score_suppliers, "daily", "score_suppliers",
                "Score dependency, failure risk and geopolitical exposure of every supplier.",
                ("risk",), {}),
        Planned(send_alerts, "daily", "send_alerts",
                "Turn new events and scores into alerts; send the critical ones at once.",
                ("alerts",), {}),
        Planned(send_digest, "daily-digest", "send_digest_daily",
                "Send the daily digests of the alerts that wait for them.",
                ("alerts",), {"period": "daily"}),
        Planned(send_digest, "weekly-digest", "send_digest_weekly",
                "Send the weekly digests of the alerts that wait for them.",
                ("alerts",), {"period": "weekly"}),
        Planned(check_sources, "hourly", "check_sources",
                "Alert ops when a source is late or failing.",
                ("ops",), {}),
        Planned(train_models, "monthly", "train_models",
                "Retrain the failure model on the newest history; used only if it beats the baseline.",
                ("risk",), {}),
        Planned(market_summaries, "daily", "market_summaries",
                "Keep the market statistics per category and year that the category pages show up to date.",
                ("market-scan",), {}),
        Planned(market_scan, MARKET_SCAN_DEPLOYMENT, "market_scans",
                "Market scan reports of the followed CPV categories.",
                ("market-scan",), market_scan_parameters(settings)),
    ]


def deployments(settings: Settings) -> list[RunnerDeployment]:
    """Every scheduled deployment, from the schedules in ``settings`` (cron in their timezone)."""
    schedules = settings.schedules
    return [
        p.flow.to_deployment(
            name=p.name,
            description=p.description,
            schedules=[Cron(getattr(schedules, p.schedule), timezone=schedules.timezone)],
            parameters=p.parameters,
            tags=[*TAGS, *p.tags],
            concurrency_limit=ONE_AT_A_TIME,
        )
        for p in planned(settings)
    ]


def serve_all(settings: Settings) -> None:
    """Register the deployments with the server at PREFECT_API_URL and run them until stopped."""
    serve(*deployments(settings))


def prefect_yaml_deployments(settings: Settings) -> list[dict[str, Any]]:
    """The ``deployments:`` section of prefect.yaml for a work pool, from the same table."""
    result = []
    for p, d in zip(planned(settings), deployments(settings), strict=True):
        result.append({
            "name": d.name,
            "description": d.description,
            "entrypoint": d.entrypoint,
            "parameters": d.parameters,
            "tags": list(d.tags),
            "schedules": [{"cron": getattr(settings.schedules, p.schedule), "timezone": settings.schedules.timezone}],
            "concurrency_limit": {"limit": 1, "collision_strategy": "CANCEL_NEW"},
            "work_pool": {"name": "supplyradar"},
        })
    return result


if __name__ == "__main__":  # python -m flows.deployments > /tmp/deployments.yaml
    import yaml

    yaml.safe_dump({"deployments": prefect_yaml_deployments(Settings(schedules=ScheduleSettings(), _env_file=None))},
                   sys.stdout, sort_keys=False, allow_unicode=True, width=110)
