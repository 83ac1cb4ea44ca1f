"""Flow: train the failure model on the store's history, compare it with the baseline, write the model card; monthly.

One task (``pipelines.train_models``); the decision, the held-out metrics and the card's path become
Prefect artifacts.
"""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE

from config.settings import Settings
from pipelines.train_models import train_failure_model
from store.db import Store


@task(name="train-failure-model", cache_policy=NONE)
def train_task(as_of: date | None) -> dict:
    logger = get_run_logger()
    settings = Settings()
    with Store(settings.resolved_database_url) as store:
        report = train_failure_model(store, settings, as_of=as_of)
    logger.info("failure model: %s — %s", report.outcome.chosen, report.outcome.reason)
    return report.as_dict()


@flow(name="train-models")
def train_models(as_of: date | None = None) -> dict:
    """Train and select the failure model on data as of ``as_of`` (default today); returns the training summary."""
    summary = train_task(as_of)
    card = open(summary["card"], encoding="utf-8").read()
    create_markdown_artifact(key="train-models-card", markdown=card, description="Failure model card")
    rows = []
    for name, metrics in (("trained model", summary["model_metrics"]), ("baseline", summary["baseline_metrics"])):
        rows.append({"model": name, "rows": metrics["rows"] if metrics else None,
                     "positives": metrics["positives"] if metrics else None,
                     "roc_auc": metrics["roc_auc"] if metrics else None, "brier": metrics["brier"] if metrics else None})
    create_table_artifact(key="train-models-metrics", table=rows, description="Held-out metrics")
    return summary
