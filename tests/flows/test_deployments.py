"""The scheduled deployments, built offline: flows/deployments.py and prefect.yaml say the same thing.

Building a RunnerDeployment talks to no server, so these tests need no Prefect harness.
"""

from __future__ import annotations

import importlib
import inspect
import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

# Prefect reads PREFECT_HOME when it is first imported: keep its files out of the user's home.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="supplyradar-prefect-"))

from cronsim import CronSim
from prefect import Flow
from prefect.client.schemas.objects import ConcurrencyLimitStrategy
from prefect.client.schemas.schedules import CronSchedule

import flows.deployments as deployments_module
from config.settings import ScheduleSettings, Settings
from flows.deployments import deployments, market_scan_parameters, serve_all
from models.dates import years_before

REPO_ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 22)


@pytest.fixture
def built(settings: Settings) -> dict:
    return {f"{d.flow_name}/{d.name}": d for d in deployments(settings)}


@pytest.fixture(scope="module")
def prefect_yaml() -> dict:
    return yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text(encoding="utf-8"))


def test_deployments_carry_the_schedules_from_settings(settings: Settings) -> None:
    settings.schedules.collect_tenders = "15 5 * * *"
    settings.schedules.timezone = "Europe/Brussels"
    settings.schedules.market_scan_categories = ["79"]
    settings.schedules.market_scan_years = 3
    built = {f"{d.flow_name}/{d.name}": d for d in deployments(settings)}
    collect, scan = built["collect-tenders/daily"], built["market-scan/weekly"]
    assert (collect.flow_name, collect.name) == ("collect-tenders", "daily")
    assert (scan.flow_name, scan.name) == ("market-scan", "weekly")
    (collect_schedule,) = collect.schedules
    assert collect_schedule.schedule.cron == "15 5 * * *" and collect_schedule.schedule.timezone == "Europe/Brussels"
    assert scan.schedules[0].schedule.cron == settings.schedules.market_scans
    assert collect.parameters == {"sources": ["ted", "tenderned"], "transport": "live"}
    assert scan.parameters == {"cpv": ["79"], "years_back": 3}


def test_deployments_run_one_at_a_time_and_are_tagged(built: dict) -> None:
    for deployment in built.values():
        assert deployment.concurrency_limit == 1
        assert deployment.concurrency_options.collision_strategy == ConcurrencyLimitStrategy.CANCEL_NEW
        assert "supplyradar" in deployment.tags
    assert "collect" in built["collect-tenders/daily"].tags
    assert "market-scan" in built["market-scan/weekly"].tags


def test_the_weekly_scan_window_moves_with_the_calendar(settings: Settings) -> None:
    assert market_scan_parameters(settings) == {"cpv": ["72", "48"], "years_back": 5}


def test_years_before_handles_leap_days() -> None:
    assert years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
    assert years_before(TODAY, 5) == date(2021, 11, 22)


def test_serve_all_serves_every_deployment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list = []
    monkeypatch.setattr(deployments_module, "serve", lambda *d: served.extend(d))
    serve_all(settings)
    assert [f"{d.flow_name}/{d.name}" for d in served] == [f"{d.flow_name}/{d.name}" for d in deployments(settings)]
    assert {"collect-tenders/daily", "collect-company-signals/daily", "collect-news/half-hourly", "score-suppliers/daily",
            "send-alerts/daily", "send-digest/weekly-digest", "train-models/monthly", "market-scan/weekly",
            "check-sources/hourly", "import-tenderned-dataset/weekly"} <= {f"{d.flow_name}/{d.name}" for d in served}


def _flow_at(entrypoint: str) -> Flow:
    path, _, name = entrypoint.partition(":")
    module = importlib.import_module(Path(path).with_suffix("").as_posix().replace("/", "."))
    return getattr(module, name)


def test_prefect_yaml_is_what_prefect_deploy_reads(prefect_yaml: dict) -> None:
    from prefect.cli.deploy._models import PrefectYamlModel  # private, but it is exactly what the CLI validates with

    model = PrefectYamlModel.model_validate(prefect_yaml)
    assert len(model.deployments) == len(deployments(Settings(_env_file=None)))
    assert all(d.work_pool and d.work_pool.name == "supplyradar" for d in model.deployments)


def test_prefect_yaml_entrypoints_parameters_and_crons(prefect_yaml: dict) -> None:
    for spec in prefect_yaml["deployments"]:
        flow = _flow_at(spec["entrypoint"])
        assert isinstance(flow, Flow), spec["entrypoint"]
        signature = inspect.signature(flow.fn)
        assert set(spec["parameters"]) <= set(signature.parameters), spec["name"]
        required = {n for n, p in signature.parameters.items() if p.default is inspect.Parameter.empty}
        assert required <= set(spec["parameters"]), f"{spec['name']} misses required parameters"
        if "start" in spec["parameters"]:
            date.fromisoformat(spec["parameters"]["start"])
        for schedule in spec["schedules"]:
            CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])
            next(CronSim(schedule["cron"], datetime.now(UTC)))


def test_prefect_yaml_matches_the_served_deployments(prefect_yaml: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)  # served entrypoints are relative to the directory `serve` starts in
    served = {f"{d.flow_name}/{d.name}": d for d in deployments(Settings(schedules=ScheduleSettings(), _env_file=None))}
    in_yaml = {f"{_flow_at(s['entrypoint']).name}/{s['name']}": s for s in prefect_yaml["deployments"]}
    assert set(in_yaml) == set(served)
    for key, spec in in_yaml.items():
        deployment = served[key]
        assert spec["entrypoint"] == deployment.entrypoint
        assert spec["tags"] == deployment.tags
        assert spec["concurrency_limit"] == {
            "limit": deployment.concurrency_limit,
            "collision_strategy": deployment.concurrency_options.collision_strategy.value,
        }
        assert [(s["cron"], s["timezone"]) for s in spec["schedules"]] == [
            (s.schedule.cron, s.schedule.timezone) for s in deployment.schedules
        ]
        fixed = {k: v for k, v in deployment.parameters.items() if k != "start"}
        assert {k: v for k, v in spec["parameters"].items() if k != "start"} == fixed, key


def test_every_cron_in_the_schedule_settings_is_valid() -> None:
    schedules = ScheduleSettings()
    crons = {name: value for name, value in schedules.model_dump().items() if isinstance(value, str) and name != "timezone"}
    for value in crons.values():
        assert next(CronSim(value, datetime.now(UTC))) > datetime.now(UTC)
        assert CronSchedule(cron=value, timezone=schedules.timezone).cron == value
    used = {p.schedule for p in deployments_module.planned(Settings(_env_file=None))}
    assert used == set(crons), "every schedule setting drives a deployment, and every deployment has one"


def test_scoring_runs_after_collection_and_alerts_after_scoring() -> None:
    """The daily order matters: alerts read the scores, scores read the collected signals."""
    s = ScheduleSettings()

    def minutes(cron: str) -> int:
        minute, hour = cron.split()[:2]
        return int(hour) * 60 + int(minute)

    assert minutes(s.collect_tenders) < minutes(s.score_suppliers) < minutes(s.send_alerts)
    assert minutes(s.collect_company_signals) < minutes(s.score_suppliers)
    assert minutes(s.resolve_suppliers) < minutes(s.score_suppliers)
