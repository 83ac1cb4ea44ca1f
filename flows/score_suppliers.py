"""Flow: score suppliers (dependency, failure probability, geopolitics, combined) as of a day; daily.

Two tasks. The scoring loads everything in a few bulk queries, scores in memory and writes one
scoring run in bulk (``pipelines.score_suppliers``). Then the alternatives ranker is learned from the
award history before that day, with the new run's failure bands, and kept in the store
(``pipelines.alternatives.learn_ranker``): the send-alerts runs load it instead of learning it each run;
and, in the same task with the history learning read, what the day's alert runs will read of the award
history (the markets of our categories, the CPV divisions of our contracts for the alternatives) is worked
out and kept (``pipelines.prepared_alert_facts``), so that an alert run costs what its alerts cost, not
what the store holds.
The summary, the riskiest suppliers of ours and the Kraljic positions become Prefect artifacts.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE

from alerts.routing import RoutingConfigError
from alerts.rules import RuleConfigError
from config.settings import Settings
from pipelines.alternatives import learn_ranker_keeping_history
from pipelines.prepared_alert_facts import markets_since, prepare_alert_facts
from pipelines.score_suppliers import score_suppliers as run_scoring
from store.db import Store


@task(name="score-suppliers", cache_policy=NONE)
def score_task(as_of: date | None) -> dict:
    logger = get_run_logger()
    settings = Settings()
    with Store(settings.resolved_database_url) as store:
        summary = run_scoring(store, settings, as_of=as_of)
    for warning in summary.warnings:
        logger.warning("%s", warning)
    logger.info("scoring run %d as of %s: %s", summary.run_id, summary.as_of, summary.counts)
    return summary.as_dict()


@task(name="learn-ranker-and-prepare-alert-facts", cache_policy=NONE)
def learn_and_prepare_task(as_of: date, routing_file: str | None) -> dict[str, Any]:
    """Learn the ranker and keep it, then work out what the day's alert runs read: one task, so that the
    divisions and the markets' award facts are taken from the history learning read (``learn_ranker_keeping_history``),
    each step in a transaction of its own as before."""
    logger = get_run_logger()
    settings = Settings()
    routing = Path(routing_file) if routing_file else None
    with Store(settings.resolved_database_url) as store:
        with store.session() as session, session.begin():
            ranker, whole = learn_ranker_keeping_history(
                session, settings, as_of=as_of, facts_since=markets_since(settings, as_of=as_of, routing_file=routing))
        logger.info("alternatives ranker: %s", ranker.describe())
        learned = {"kind": ranker.kind, "description": ranker.describe()}
        try:
            with store.session() as session, session.begin():
                kept = prepare_alert_facts(session, settings, as_of=as_of, whole=whole, routing_file=routing)
        except (RoutingConfigError, RuleConfigError) as exc:  # the scores stand; the alert runs read for themselves
            logger.warning("nothing kept for the alert runs: the alert configuration is not valid: %s", exc)
            return {"ranker": learned, "kept": {}}
    logger.info("kept for the alert runs on %s: %s", as_of, kept)
    return {"ranker": learned, "kept": kept}


@flow(name="score-suppliers")
def score_suppliers(as_of: date | None = None, routing_file: str | None = None) -> dict:
    """Score every supplier as of ``as_of`` (default today); returns the run summary.

    ``routing_file`` overrides ``settings.alerts.routing_file`` as in send-alerts: its categories are
    the markets worked out ahead for the alert runs."""
    summary = score_task(as_of)
    day = date.fromisoformat(summary["as_of"])
    learned = learn_and_prepare_task(day, routing_file)
    summary["alternatives_ranker"], summary["prepared_for_alerts"] = learned["ranker"], learned["kept"]
    lines = [f"## Scoring run {summary['run_id']}, data as of {summary['as_of']}", "",
             f"Failure model: `{summary['model_version']}`" + (" — **synthetic demo data**" if summary["synthetic"] else ""),
             "", *[f"- {k}: {v}" for k, v in sorted(summary["counts"].items())]]
    lines += ["", *[f"> {w}" for w in summary["warnings"] + summary["notes"]]]
    lines += ["", f"Alternatives ranker (kept for the alert runs): {summary['alternatives_ranker']['description']}"]
    create_markdown_artifact(key="score-suppliers-summary", markdown="\n".join(lines) + "\n",
                             description="Scoring run summary")
    if summary["top"]:
        create_table_artifact(key="score-suppliers-top", table=summary["top"],
                              description="Our suppliers by combined risk")
    if summary["kraljic"]:
        create_table_artifact(key="score-suppliers-kraljic", description="Kraljic position per category", table=[
            {"category": k["category"], "quadrant": k["quadrant"],
             "profit_impact": None if k["profit_impact"] is None else round(k["profit_impact"], 3),
             "supply_risk": None if k["supply_risk"] is None else round(k["supply_risk"], 3),
             "notes": "; ".join(k["notes"])} for k in summary["kraljic"]])
    return summary
