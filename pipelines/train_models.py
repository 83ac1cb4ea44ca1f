"""Train and evaluate the failure model on the store's history, save it, and write its model card.

Rows: one per supplier and snapshot date (every ``snapshot_months`` from the first award), features
from data dated on or before the snapshot only (``models.features``), label 1 when a bankruptcy
or suspension of payments follows within ``horizon_days``. Suppliers already bankrupt, or not yet
known (no award and no company snapshot by then), get no row. The split, the fit, the calibration
and the selection rule are in ``models.failure``; this module loads, saves and reports.
"""

from __future__ import annotations

import logging
import math
from array import array
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from config.risk import RiskConfig, load_risk_config
from config.settings import Settings
from models.calibration import Metrics
from models.failure import (
    BASELINE_RATIONALE,
    MAX_FEATURE_LOGIT,
    TrainingOutcome,
    TrainingRow,
    add_months,
    snapshot_dates,
    train_and_select,
)
from models.feature_blocks import SnapshotRows
from models.feature_history import FeatureHistory
from models.features import FAILURE_KINDS, FEATURE_TEXT, FEATURES
from models.risk_run import baseline_model
from models.training_rows import TrainingRows, row_columns
from pipelines.model_files import CARD_FILE, META_FILE, ModelFileError, library_versions, load_model, save_model
from pipelines.score_suppliers import ProfileLoader, ProfileTimeline, model_dir
from store import companies as company_store
from store import risk as risk_store
from store.bookkeeping import SYNTHETIC_MARKER, get_meta
from store.db import Store

log = logging.getLogger(__name__)
_NAN = float("nan")

KNOWN_LIMITS = (
    "Public signals only: the model sees company-register changes, insolvency publications, news and public "
    "awards, not accounts, payment behaviour or credit ratings.",
    "Labels are bankruptcies and suspensions of payments in the Dutch insolvency register: training uses Dutch "
    "suppliers only; a supplier without company-register and insolvency-register data (a foreign one) is scored "
    "\"unknown\" with what is missing, never low, and is not ranked or alerted on.",
    "Related entities are approximated by a shared registered address, not by group structures.",
    "Rows of one company on successive snapshots are not independent: metrics are optimistic about precision.",
    "A score is a signal for a person to look into, never grounds to exclude a supplier.",
)


@dataclass
class TrainingData:
    rows: Sequence[TrainingRow]  # TrainingRows when built from the store
    snapshots: list[date]
    organisations: int
    synthetic: bool
    #: First bankruptcy or suspension of payments per organisation (for lead times).
    first_failure: dict[int, date] = field(default_factory=dict)
    #: The rows' feature matrix (``models.failure.matrix`` of their values, in their order); None: made from the rows.
    x: np.ndarray | None = None


def build_training_rows(session: Any, as_of: date, config: RiskConfig, *,
                        profile_loader: ProfileLoader | None = None) -> TrainingData:
    """Feature rows with labels for every snapshot up to the last whose label window ends by ``as_of``.

    Company profiles on each day: from the store's snapshot history, read once (``profile_loader`` None: the
    newest snapshot on or before the day, as ``load_profiles`` reads it), or from ``profile_loader`` per day.
    """
    cfg = config.failure
    wins = risk_store.win_days(session, until=as_of)
    events = risk_store.event_facts(session, until=as_of)
    sources = risk_store.event_sources(session)
    synthetic = get_meta(session, SYNTHETIC_MARKER) is not None
    wins_by_org: dict[int, list[date]] = defaultdict(list)
    for org, published in wins:
        wins_by_org[org].append(published)
    for days in wins_by_org.values():
        days.sort()
    # Only companies inside the insolvency register's reach (Dutch, or with a KvK number): a foreign
    # supplier's failure is never observed, so its rows would teach "foreign means safe".
    facts = risk_store.organisations(session, wins_by_org)
    kvk = risk_store.kvk_numbers(session, wins_by_org)
    orgs = sorted(org for org in wins_by_org if org in kvk or (facts.get(org) and facts[org].country == "NL"))
    if not wins:
        return TrainingData([], [], 0, synthetic)
    last = as_of - timedelta(days=cfg.horizon_days)
    snapshots = snapshot_dates(min(published for _, published in wins), last, cfg.snapshot_months)
    loader = profile_loader or ProfileTimeline(company_store.profile_history(session, orgs, as_of))
    profile_cache: dict[date, dict[int, dict]] = {}

    def profiles_on(day: date) -> dict[int, dict]:
        if day not in profile_cache:
            profile_cache[day] = loader(session, orgs, day)
        return profile_cache[day]

    # each snapshot's rows of all organisations at once (models.feature_blocks), their values straight into a flat
    # float array (NaN: missing), not a dict per row: at scale 54 the dicts were most of training's memory (issue
    # 20); the rows read their values from the finished matrix
    blocks = SnapshotRows(FeatureHistory(wins_by_org, events, half_life_days=cfg.decay_half_life_days), orgs)
    flat = array("d")
    organisations: list[np.ndarray] = []
    days: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    for index, snapshot in enumerate(snapshots):
        block = blocks.block(snapshot, profiles_on(snapshot), profiles_on(snapshot - timedelta(days=365)),
                             sources=sources, horizon_days=cfg.horizon_days)
        organisations.append(np.asarray(block.organisations, dtype=np.int64))
        labels.append(np.asarray(block.labels, dtype=np.int64))
        days.append(np.full(len(block.labels), index, dtype=np.int32))
        flat.frombytes(block.values.tobytes())  # in FEATURES order
    rows = TrainingRows(*(np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
                          for parts in (organisations, days, labels)), snapshots, flat)
    x = np.frombuffer(flat, dtype=np.float64).reshape(len(rows), len(FEATURES))  # the same memory, no copy
    first_failure = {org: min(e.occurred_on for e in evs if e.kind in FAILURE_KINDS)
                     for org, evs in events.items() if any(e.kind in FAILURE_KINDS for e in evs)}
    return TrainingData(rows, snapshots, len(orgs), synthetic, first_failure, x)


@dataclass
class TrainingReport:
    outcome: TrainingOutcome
    card_path: Path
    meta_path: Path | None
    data: TrainingData

    def as_dict(self) -> dict[str, Any]:
        o = self.outcome
        return {"selected": o.chosen, "reason": o.reason, "counts": o.counts, "split": o.split.as_dict(),
                "model_metrics": _metrics_dict(o.model_metrics), "baseline_metrics": _metrics_dict(o.baseline_metrics),
                "model_version": o.selected.version, "card": str(self.card_path), "rows": len(self.data.rows)}


def _metrics_dict(metrics: Metrics | None) -> dict[str, Any] | None:
    return metrics.as_dict() if metrics else None


def _load_rows(store: Store, settings: Settings, as_of: date,
               profile_loader: ProfileLoader | None) -> tuple[RiskConfig, TrainingData]:
    config = load_risk_config(settings.risk.config_file)
    with store.sessions.begin() as session:
        return config, build_training_rows(session, as_of, config, profile_loader=profile_loader)


def _train(data: TrainingData, as_of: date, config: RiskConfig, *, refit: bool = True) -> TrainingOutcome:
    cfg = config.failure
    return train_and_select(
        data.rows, as_of, baseline=baseline_model(config), horizon_days=cfg.horizon_days,
        eval_months=cfg.eval_months, calibration_months=cfg.calibration_months,
        min_positive_train=cfg.min_positive_train, min_positive_calibration=cfg.min_positive_calibration,
        min_positive_eval=cfg.min_positive_eval, first_failure=data.first_failure, alert_threshold=cfg.medium_from,
        snapshot_months=cfg.snapshot_months, refit=refit, x=data.x,
    )


def rolling_origin(data: TrainingData, as_of: date, config: RiskConfig, *, origins: int = 3) -> list[TrainingOutcome]:
    """The same procedure (split, fit, calibrate, evaluate, choose) repeated with the data cut off one, two...
    years earlier: does the choice and the gain hold over time, or only in one period?"""
    out = []
    _, ordinals, _ = row_columns(data.rows)
    for years in range(origins):
        origin = add_months(as_of, -12 * years)
        keep = np.flatnonzero(ordinals + config.failure.horizon_days <= origin.toordinal())
        if not len(keep):
            break
        x = None if data.x is None else data.x[keep]
        cut = TrainingData(_subset(data.rows, keep, x), data.snapshots, data.organisations, data.synthetic,
                           {org: day for org, day in data.first_failure.items() if day <= origin}, x)
        out.append(_train(cut, origin, config, refit=False))
    return out


def _subset(rows: Sequence[TrainingRow], keep: np.ndarray, x: np.ndarray | None) -> Sequence[TrainingRow]:
    """The rows at the positions ``keep`` (ascending); as columns when they are and ``x``, their matrix (the rows'
    matrix at ``keep``), is given: its memory is the subset's values, not a second copy."""
    if isinstance(rows, TrainingRows) and x is not None:
        return TrainingRows(rows.organisations[keep], rows.days[keep], rows.labels[keep], rows.snapshots, x.ravel())
    return [rows[i] for i in keep.tolist()]


def train_failure_model(store: Store, settings: Settings, *, as_of: date | None = None,
                        profile_loader: ProfileLoader | None = None) -> TrainingReport:
    """Build the rows, train and select, save the model (and its metadata) and write the model card."""
    as_of = as_of or date.today()
    config, data = _load_rows(store, settings, as_of, profile_loader)
    outcome = _train(data, as_of, config)
    directory = model_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    summary = {"selected": outcome.chosen, "reason": outcome.reason, "as_of": as_of.isoformat(),
               "counts": outcome.counts, "split": outcome.split.as_dict(),
               "model_metrics": _metrics_dict(outcome.model_metrics),
               "baseline_metrics": _metrics_dict(outcome.baseline_metrics), "baseline_version": outcome.baseline.version}
    meta_path = None
    if outcome.model is not None:
        meta_path = save_model(directory, outcome.model, summary)
    else:
        _clear_model(directory)
        meta_path = _save_selection(directory, summary)
    card = model_card(outcome, data, as_of=as_of, title="Failure model card (training)")
    card_path = directory / CARD_FILE
    card_path.write_text(card, encoding="utf-8")
    log.info("failure model: %s (%s); card at %s", outcome.chosen, outcome.reason, card_path)
    return TrainingReport(outcome, card_path, meta_path, data)


def _clear_model(directory: Path) -> None:
    from pipelines.model_files import MODEL_FILE

    (directory / MODEL_FILE).unlink(missing_ok=True)


def _save_selection(directory: Path, summary: dict[str, Any]) -> Path:
    """Metadata without a model: training chose the baseline because no model could be fitted."""
    import json

    from pipelines.model_files import FORMAT

    path = directory / META_FILE
    path.write_text(json.dumps({"format": FORMAT, "version": None, "features": None, "platt": None,
                                "libraries": library_versions(), "saved_at": datetime.now(UTC).isoformat(),
                                "summary": summary}, indent=2, default=str), encoding="utf-8")
    return path


@dataclass
class EvaluationReport:
    as_of: date
    rows: int
    baseline: Metrics | None
    model: Metrics | None
    model_version: str | None
    warning: str | None
    card_path: Path
    outcome: TrainingOutcome | None = None
    origins: list[TrainingOutcome] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "rows": self.rows, "baseline": _metrics_dict(self.baseline),
                "model": _metrics_dict(self.model), "model_version": self.model_version, "warning": self.warning,
                "card": str(self.card_path)}


def evaluate_failure_model(store: Store, settings: Settings, *, as_of: date | None = None,
                           profile_loader: ProfileLoader | None = None) -> EvaluationReport:
    """The training procedure re-run out of sample as of ``as_of`` (fit on the fit part, judge on the held-out
    part), with company-resampled intervals, lead time, alert burden and a rolling-origin repeat.

    The saved model is not judged on the held-out period directly: it was refitted on every closed label
    window, the held-out period included, so its figures there would be in-sample.
    """
    as_of = as_of or date.today()
    config, data = _load_rows(store, settings, as_of, profile_loader)
    outcome = _train(data, as_of, config, refit=False)
    origins = rolling_origin(data, as_of, config)
    version, warning = None, None
    try:
        version = load_model(model_dir(settings)).version
    except ModelFileError as exc:
        warning = str(exc)
    directory = model_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    card_path = directory / "failure-model-evaluation.md"
    split = outcome.split
    held_out = outcome.counts["evaluation"]
    lines = [f"# Failure model evaluation, {as_of.isoformat()}", "",
             _synthetic_line(data.synthetic), "",
             f"Held-out period: snapshots {split.evaluation_start} to {split.evaluation_end} "
             f"({held_out['rows']} rows, {held_out['positives']} positive, {held_out['failing_companies']} failing companies).",
             "", f"Saved model: `{version}`." if version else f"> No trained model saved: {warning}", "",
             "The procedure is re-run out of sample (the saved model was refitted on the held-out rows too).", ""]
    lines += _metrics_table({"trained model": outcome.model_metrics, "baseline": outcome.baseline_metrics})
    lines += ["", *_credit_risk_lines(outcome, origins)]
    card_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return EvaluationReport(as_of, held_out["rows"], outcome.baseline_metrics, outcome.model_metrics, version, warning,
                            card_path, outcome, origins)


def _credit_risk_lines(outcome: TrainingOutcome, origins: Sequence[TrainingOutcome], *,
                       counts_table: bool = True) -> list[str]:
    """Failing companies per part, company-resampled intervals, lead time, alert burden, calibration, bounds,
    the rolling-origin repeat: the figures a credit-risk team reads."""
    lines = ["## Evidence counted in companies", ""]
    if counts_table:
        lines += ["| part | rows | positive rows | failing companies |", "|---|---:|---:|---:|",
                  *[f"| {part} | {v['rows']} | {v['positives']} | {v.get('failing_companies', '–')} |"
                    for part, v in outcome.counts.items()], ""]
    lines += ["The minimum-label guards count distinct failing companies: one failure gives a positive row at every "
              "snapshot of the year before it.", ""]
    if outcome.intervals:
        names = {"auc_model": "ROC AUC, trained model", "auc_baseline": "ROC AUC, baseline",
                 "auc_gain": "AUC gain of the trained model", "brier_model": "Brier, trained model",
                 "brier_baseline": "Brier, baseline"}
        lines += ["## Intervals (95%, resampling companies with all their rows)", "",
                  "| figure | value |", "|---|---|",
                  *[f"| {names[k]} | {v.text(4 if 'brier' in k else 3)} |" for k, v in outcome.intervals.items()
                    if k in names and not (k.endswith("model") and outcome.model_metrics is None)], ""]
    if outcome.warnings:
        lines += ["## Warning before failure and alert burden (held-out period)", "",
                  "At the medium band (the alert threshold): lead time = months between the first snapshot at or above "
                  "it and the company's first insolvency publication; alerts = suppliers entering the band, per 100 "
                  "supplier-years.", "",
                  "| model | threshold | failing companies | warned | median months of warning | alerts per 100 "
                  "suppliers per year | alerted companies | of which failed within a year |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for name, w in outcome.warnings.items():
            per_100 = w.alerts_per_100_per_year
            lead = w.median_lead_months
            lines.append(f"| {'trained model' if name == 'model' else 'baseline'} | {w.threshold:.2f} | {w.failing} | "
                         f"{w.warned} | {'–' if lead is None else f'{lead:.1f}'} | "
                         f"{'–' if per_100 is None else f'{per_100:.1f}'} | {w.alerted_companies} | {w.alerted_that_failed} |")
        lines.append("")
    lines += ["## Calibration and bounds", "",
              ("Platt scaling fitted on the calibration period." if outcome.calibrated else
               "No Platt scaling: too few failing companies in the calibration period to fit it (see the notes); "
               "probabilities are the logistic regression's own."),
              f"Each feature's effect on the trained model's log-odds is bounded to +-{MAX_FEATURE_LOGIT:g} (odds "
              f"x{math.exp(MAX_FEATURE_LOGIT):.1f}) and the regression is L2-regularised: no single input can drive a score "
              "to 0.99 on its own; only a bankruptcy on record (0.999) or an open suspension of payments (floor at the "
              "high band) do, each with its own reason.", ""]
    if origins:
        lines += ["## Rolling origin", "",
                  "The same procedure with the data cut off a year and two years earlier.", "",
                  "| data as of | failing companies (fit / calibration / evaluation) | chosen | ROC AUC model | "
                  "ROC AUC baseline | AUC gain (95% CI) |", "|---|---|---|---:|---:|---|"]
        for o in origins:
            c = o.counts
            gain = o.intervals.get("auc_gain")
            lines.append(
                f"| {o.split.evaluation_end + timedelta(days=o.split.horizon_days)} | "
                f"{c['fit']['failing_companies']} / {c['calibration']['failing_companies']} / "
                f"{c['evaluation']['failing_companies']} | {o.chosen} | "
                f"{_fmt(o.model_metrics.roc_auc if o.model_metrics else None, 3)} | "
                f"{_fmt(o.baseline_metrics.roc_auc if o.baseline_metrics else None, 3)} | "
                f"{gain.text() if gain and o.model_metrics else '–'} |")
        lines.append("")
    lines += ["## What the data can and cannot show", "",
              f"- {sum(v.get('failing_companies', 0) for v in outcome.counts.values())} failing companies across the three "
              "periods: intervals are wide; a difference between models inside them is not evidence.",
              "- Only Dutch suppliers (KvK number or Dutch address) are in the training population; for others the "
              "score is \"unknown\".",
              "- Rows of one company are dependent; only company-level resampling gives honest intervals.", ""]
    return lines


# --------------------------------------------------------------------------------------------
# Model card
# --------------------------------------------------------------------------------------------


def _synthetic_line(synthetic: bool) -> str:
    if synthetic:
        return ("**Synthetic data.** This model was trained and evaluated on the generated demonstration data "
                "set: it learned the patterns put into that data, nothing about real companies.")
    return "Data: the organisation's own store (public signals and awards)."


def _fmt(value: float | None, digits: int = 4) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _metrics_table(metrics: dict[str, Metrics | None]) -> list[str]:
    lines = ["| model | rows | positives | ROC AUC | Brier |", "|---|---:|---:|---:|---:|"]
    for name, m in metrics.items():
        if m is None:
            lines.append(f"| {name} | – | – | – | – |")
        else:
            lines.append(f"| {name} | {m.rows} | {m.positives} | {_fmt(m.roc_auc, 3)} | {_fmt(m.brier)} |")
    return lines


def _reliability(name: str, m: Metrics | None) -> list[str]:
    if m is None:
        return []
    lines = [f"**{name}**", "", "| predicted bin | rows | mean predicted | observed rate |", "|---|---:|---:|---:|"]
    for row in m.reliability:
        lines.append(f"| {row['bin']} | {row['rows']} | {_fmt(row['mean_predicted'], 3)} | "
                     f"{_fmt(row['observed_rate'], 3)} |")
    return [*lines, ""]


def model_card(outcome: TrainingOutcome, data: TrainingData, *, as_of: date, title: str,
               origins: Sequence[TrainingOutcome] = ()) -> str:
    """The model card as Markdown: data periods, labels, metrics, calibration, features, limits, date."""
    s, c = outcome.split, outcome.counts
    lines = [
        f"# {title}", "",
        f"Written {datetime.now(UTC).date().isoformat()} for data as of {as_of.isoformat()}.", "",
        _synthetic_line(data.synthetic), "",
        "## Decision", "",
        f"**In use: {'the trained model' if outcome.chosen == 'model' else 'the transparent baseline'}** "
        f"(`{outcome.selected.version}`). Reason: {outcome.reason}", "",
        "Rule: the trained model is used only when the fit and evaluation parts each have their minimum of "
        "distinct failing companies and, on the held-out period, its Brier score is lower than the baseline's and "
        "its ROC AUC at least the baseline's. Otherwise the baseline is used. When the trained model is used, the "
        "deployed copy is refitted on every row whose label window has closed.", "",
        *[f"- {note}" for note in outcome.notes], *([""] if outcome.notes else []),
        "## Data and periods", "",
        f"- Rows: one per supplier and snapshot date, every snapshot period from {data.snapshots[0] if data.snapshots else '–'} "
        f"to {data.snapshots[-1] if data.snapshots else '–'} ({len(data.snapshots)} snapshots, {data.organisations} suppliers "
        f"with awards, {len(data.rows)} rows).",
        f"- Label: a bankruptcy or suspension of payments within {s.horizon_days} days after the snapshot date.",
        f"- Fit: {s.as_dict()['fit']}; calibration (Platt scaling): {s.as_dict()['calibration']}; "
        f"held-out evaluation: {s.as_dict()['evaluation']}. Each part's label windows end before the next part "
        "starts; features use only data dated on or before their snapshot.", "",
        "| part | rows | positive rows | failing companies |", "|---|---:|---:|---:|",
        *[f"| {part} | {v['rows']} | {v['positives']} | {v.get('failing_companies', '–')} |" for part, v in c.items()], "",
        "## Held-out metrics", "",
        *_metrics_table({"trained model": outcome.model_metrics, "baseline": outcome.baseline_metrics}), "",
        *_credit_risk_lines(outcome, origins, counts_table=False),
        *([] if origins else ["The rolling-origin repeat is in `failure-model-evaluation.md` (`supplyradar model "
                              "evaluate`).", ""]),
        "## Calibration (reliability on the held-out period)", "",
        *_reliability("trained model", outcome.model_metrics),
        *_reliability("baseline", outcome.baseline_metrics),
    ]
    if outcome.top_features:
        lines += ["## Top features of the trained model", "",
                  "Standardised logistic coefficients (log-odds per standard deviation), largest effect first.", "",
                  "| feature | coefficient | meaning |", "|---|---:|---|"]
        lines += [f"| {name} | {coef:+.3f} | {FEATURE_TEXT[name]} |" for name, coef in outcome.top_features]
        lines.append("")
    lines += ["## The transparent baseline", "",
              f"Logistic model with published weights (`config/risk.yaml`), intercept {outcome.baseline.intercept:+.2f} "
              f"({BASELINE_RATIONALE['intercept']}). A missing feature contributes nothing.", "",
              "| feature | weight | why |", "|---|---:|---|"]
    lines += [f"| {name} | {weight:+.2f} | {BASELINE_RATIONALE.get(name, '')} |"
              for name, weight in outcome.baseline.weights.items()]
    lines += ["", "## Explanations", "",
              "Both models are linear in the log-odds: every score is its base plus one contribution per feature, "
              "stored with the score (`risk_scores.reasons`). In the trained model the features are standardised, so a "
              "contribution is measured against an average supplier of the training data: a value below average of a "
              "feature with a negative coefficient raises the risk. A bankruptcy already on record puts the probability "
              "at 0.999 with the reason \"bankruptcy declared on <date>\".", "",
              "## Known limits", "", *[f"- {limit}" for limit in KNOWN_LIMITS], "",
              "## Libraries", "", *[f"- {k} {v}" for k, v in library_versions().items()], ""]
    return "\n".join(lines)
