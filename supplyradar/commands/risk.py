"""Commands of the risk area: ``supplyradar risk`` and ``supplyradar model train|evaluate|score``.

``risk`` reads the newest finished scoring run (no Prefect import, quick); ``model train`` and
``model evaluate`` write the model card into ``<data_dir>/models/``; ``model score`` runs one scoring
run, as the daily ``score-suppliers`` flow does. Their table rows are built in ``reports.risk_tables``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from reports.risk_tables import (
    evidence_rows,
    interval_rows,
    kraljic_rows,
    metric_rows,
    origin_rows,
    ranked_rows,
    unknown_rows,
    warning_rows,
)
from reports.tables import rows_table
from supplyradar.commands.groups import evaluate_app
from supplyradar.commands.lazy import Settings, open_store
from supplyradar.commands.options import parse_date

out = Console()
T = TypeVar("T")
model_app = typer.Typer(help="Train, evaluate and run the failure model and the risk scores.", no_args_is_help=True)

KINDS = ("combined", "failure", "dependency", "geopolitical")
AsOf = Annotated[str | None, typer.Option("--as-of", help="Score or train on data as of this day (YYYY-MM-DD); default today.")]


def _with_store(work: Callable[..., T], as_of: str | None) -> T:
    """Run ``work(store, settings, as_of=...)`` on the configured store."""
    settings = Settings()
    with open_store(settings) as store:
        return work(store, settings, as_of=parse_date(as_of, "--as-of"))


def risk_command(
    category: Annotated[str | None, typer.Option("--category", help="Only this category (CPV prefix, e.g. 72 or 90910000).")] = None,
    kind: Annotated[str, typer.Option(help=f"Which score ranks: {', '.join(KINDS)}.")] = "combined",
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many suppliers.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per supplier, for scripts.")] = False,
    include_all: Annotated[bool, typer.Option("--all", help="Also former, dissolved and market-only suppliers (marked).")] = False,
) -> None:
    """Suppliers we depend on now, ranked by risk, with reasons, confidence and trend (from the newest scoring run).

    Current = a running contract or recent spend; ``--all`` adds former and dissolved suppliers, marked.
    Suppliers whose risk is unknown (e.g. foreign: no register data) are listed apart, never ranked.
    """
    from store.risk_views import ranked_scores

    if kind not in KINDS:
        raise typer.BadParameter(f"--kind must be one of {', '.join(KINDS)}")
    settings = Settings()
    if category is not None:
        from config.risk import load_risk_config

        if not category.strip().isdigit():
            raise typer.BadParameter(f"--category must be a CPV code or prefix (digits), not {category!r}")
        category = load_risk_config(settings.risk.config_file).category_of(category.strip())
    with open_store(settings) as store, store.session() as session:
        result = ranked_scores(session, kind=kind, category=category, limit=limit, include_all=include_all)
    if result is None:
        Console(stderr=True).print("No scoring run yet: run `supplyradar model score` (or the score-suppliers flow).")
        raise typer.Exit(1)
    if as_json:
        for row in result.rows + result.unknown:
            out.print_json(json.dumps(row, default=str), indent=None)
        return
    out.print(f"Scoring run {result.run_id}, data as of {result.as_of}, failure model {result.model_version}"
              + (" — SYNTHETIC demo data" if result.synthetic else ""))
    for warning in result.warnings:
        out.print(f"[yellow]{warning}[/yellow]", markup=True, highlight=False)
    if result.note:
        out.print(result.note)
    scope = "all suppliers" if include_all else "current suppliers"
    out.print(rows_table(f"{scope.capitalize()} by {kind} risk", ranked_rows(result.rows, kind), overflow="fold"))
    if result.unknown:
        out.print(rows_table(f"Not ranked: {kind} risk unknown ({len(result.unknown)})", unknown_rows(result.unknown),
                             overflow="fold"))
    if result.hidden:
        out.print(f"{result.hidden} former, dissolved or market-only suppliers not shown: add --all to see them, marked.")


def train_command(as_of: AsOf = None) -> None:
    """Train the failure model on the store's history, compare it with the baseline, write the model card."""
    from pipelines.train_models import train_failure_model

    report = _with_store(train_failure_model, as_of)
    o = report.outcome
    out.print(f"In use: {'trained model' if o.chosen == 'model' else 'transparent baseline'} ({o.selected.version})")
    out.print(f"Reason: {o.reason}", highlight=False)
    out.print(rows_table("Rows per part", [{"part": k, **v} for k, v in o.counts.items()]))
    _print_metrics(o.model_metrics, o.baseline_metrics)
    out.print(f"Model card: {report.card_path}")


def evaluate_command(as_of: AsOf = None) -> None:
    """The training procedure re-run out of sample: ROC AUC and Brier with company-resampled intervals, failing
    companies per period, lead time, alerts per 100 suppliers per year, and a rolling-origin repeat."""
    from pipelines.train_models import evaluate_failure_model

    report = _with_store(evaluate_failure_model, as_of)
    if report.warning:
        out.print(f"[yellow]No trained model: {report.warning}[/yellow]", highlight=False)
    out.print(f"Held-out rows: {report.rows}")
    _print_metrics(report.model, report.baseline)
    o = report.outcome
    if o is not None:
        out.print(rows_table("Evidence in failing companies", evidence_rows(o)))
        out.print(rows_table("Intervals (95%, resampling companies)", interval_rows(o)))
        out.print(rows_table("Warning before failure and alert burden (held-out period)", warning_rows(o)))
        out.print(f"Chosen by the procedure: {o.chosen} ({o.reason})", highlight=False)
    if report.origins:
        out.print(rows_table("Rolling origin", origin_rows(report.origins)))
    out.print(f"Evaluation card: {report.card_path}")


def score_command(as_of: AsOf = None) -> None:
    """One scoring run (dependency, failure, geopolitics, combined), stored with reasons and inputs."""
    from pipelines.score_suppliers import score_suppliers

    summary = _with_store(score_suppliers, as_of)
    for warning in summary.warnings:
        out.print(f"[yellow]{warning}[/yellow]", highlight=False)
    out.print(f"Scoring run {summary.run_id} as of {summary.as_of} ({summary.model_version}): "
              + ", ".join(f"{k} {v}" for k, v in sorted(summary.counts.items())))
    if summary.top:
        out.print(rows_table("Our suppliers by combined risk", summary.top, overflow="fold"))
    if summary.kraljic:
        out.print(rows_table("Kraljic position per category", kraljic_rows(summary.kraljic)))


def _print_metrics(model: object, baseline: object) -> None:
    out.print(rows_table("Held-out period", metric_rows(model, baseline)))


def register(app: typer.Typer) -> None:
    """Add ``risk`` and the ``model`` group to ``app``, and ``evaluate failure-model`` to the shared group."""
    app.command("risk")(risk_command)
    model_app.command("train")(train_command)
    model_app.command("evaluate")(evaluate_command)
    model_app.command("score")(score_command)
    app.add_typer(model_app, name="model")
    evaluate_app.command("failure-model")(evaluate_command)

