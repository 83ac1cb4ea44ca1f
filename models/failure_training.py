"""Training the failure model: rows and labels, the temporal split, and the rule that selects model or baseline.

Where this sits: ``pipelines.train_models`` builds :class:`TrainingRow` s from the store's history
and calls :func:`train_and_select`; the models and their fitting are in :mod:`models.failure_model`,
the held-out figures in :mod:`models.calibration` and :mod:`models.failure_evaluation`. Pure: no
files, no database.

- **Temporal split** (:func:`temporal_split`): fit on the earliest snapshots, calibrate on later
  ones, evaluate on the latest whose 12-month label window is fully observed. Each part's label
  windows end before the next part starts; nothing is shuffled across time.
- **Selection rule**: the trained model is used only when the fit and evaluation parts have enough
  failing companies and, on the held-out period, its Brier score is lower than the baseline's and its
  ROC AUC is at least the baseline's. Otherwise the baseline is used, and the outcome says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from models.calibration import Metrics, evaluate
from models.dates import add_months
from models.failure_evaluation import company_bootstrap, warning_figures
from models.failure_model import BaselineModel, FittedModel, Model, fit_model, matrix, model_version, platt, predict
from models.features import FAILURE_KINDS, EventFact
from models.one_thread import one_blas_thread
from models.training_rows import MatrixRow, TrainingRow, dates_of, row_columns

__all__ = ["MatrixRow", "TrainingRow", "TemporalSplit", "TrainingOutcome", "label_for",
           "snapshot_dates", "temporal_split", "train_and_select"]


def label_for(events: Sequence[EventFact], snapshot: date, horizon_days: int) -> int:
    """1 when a bankruptcy or suspension of payments falls in (snapshot, snapshot + horizon]."""
    end = snapshot + timedelta(days=horizon_days)
    return int(any(e.kind in FAILURE_KINDS and snapshot < e.occurred_on <= end for e in events))


def snapshot_dates(first: date, last: date, every_months: int) -> list[date]:
    """The first of every ``every_months``-th month from ``first``'s month up to ``last``."""
    day = date(first.year, first.month, 1)
    out = []
    while day <= last:
        out.append(day)
        day = add_months(day, every_months)
    return out


@dataclass(frozen=True, slots=True)
class TemporalSplit:
    """Inclusive snapshot ranges of the three parts; label windows of each part end before the next starts."""

    fit_end: date
    calibration_start: date
    calibration_end: date
    evaluation_start: date
    evaluation_end: date
    horizon_days: int

    def part(self, snapshot: date) -> str | None:
        if snapshot <= self.fit_end:
            return "fit"
        if self.calibration_start <= snapshot <= self.calibration_end:
            return "calibration"
        if self.evaluation_start <= snapshot <= self.evaluation_end:
            return "evaluation"
        return None

    def as_dict(self) -> dict[str, str]:
        return {"fit": f"snapshots up to {self.fit_end}",
                "calibration": f"{self.calibration_start} to {self.calibration_end}",
                "evaluation": f"{self.evaluation_start} to {self.evaluation_end}",
                "label_horizon_days": str(self.horizon_days)}


def temporal_split(as_of: date, *, horizon_days: int, eval_months: int, calibration_months: int) -> TemporalSplit:
    """Evaluation: the last ``eval_months`` of snapshots whose label window ends by ``as_of``; calibration
    before it, fit before that, each separated by a full label window."""
    horizon = timedelta(days=horizon_days)
    eval_end = as_of - horizon
    eval_start = add_months(eval_end, -eval_months) + timedelta(days=1)
    cal_end = eval_start - horizon - timedelta(days=1)
    cal_start = add_months(cal_end, -calibration_months) + timedelta(days=1)
    fit_end = cal_start - horizon - timedelta(days=1)
    return TemporalSplit(fit_end, cal_start, cal_end, eval_start, eval_end, horizon_days)


@dataclass
class TrainingOutcome:
    """What training found and chose; the model card is written from this."""

    chosen: str  # "model" or "baseline"
    reason: str
    split: TemporalSplit
    counts: dict[str, dict[str, int]]  # part -> {"rows", "positives"}
    baseline_metrics: Metrics | None
    model_metrics: Metrics | None
    model: FittedModel | None
    baseline: BaselineModel
    top_features: list[tuple[str, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Company-resampled 95% intervals on the held-out period (models.failure_evaluation.company_bootstrap).
    intervals: dict[str, Any] = field(default_factory=dict)
    #: Lead time and alert burden per model at the alert threshold ("model", "baseline").
    warnings: dict[str, Any] = field(default_factory=dict)
    #: Whether Platt scaling was fitted (enough failing companies in the calibration period).
    calibrated: bool = False
    #: Rows the deployed model was refitted on (every row whose label window has closed); 0 if not refitted.
    refit_rows: int = 0
    #: A trained model whose figures are reported although the guards keep it from use (too few failing companies).
    candidate: FittedModel | None = None

    @property
    def selected(self) -> Model:
        return self.model if self.chosen == "model" and self.model is not None else self.baseline


def _failing(organisations: np.ndarray, labels: np.ndarray) -> int:
    """Distinct organisations with a positive row."""
    return len(np.unique(organisations[labels != 0]))


@dataclass(frozen=True)
class _HeldOut:
    """The evaluation part, and the figures every model gets on it: lead time, alert burden, intervals."""

    organisations: np.ndarray
    ordinals: np.ndarray  # each row's snapshot
    x: np.ndarray
    y: np.ndarray
    first_failure: Mapping[int, date]
    alert_threshold: float
    horizon_days: int
    snapshot_months: int

    def warnings(self, p: np.ndarray) -> Any:
        return warning_figures(self.organisations.tolist(), dates_of(self.ordinals), p,
                               self.first_failure, threshold=self.alert_threshold, horizon_days=self.horizon_days,
                               snapshot_months=self.snapshot_months)

    def intervals(self, p_model: np.ndarray, p_base: np.ndarray) -> dict[str, Any]:
        return company_bootstrap(self.organisations, self.y, p_model, p_base)


@one_blas_thread
def train_and_select(rows: Sequence[TrainingRow], as_of: date, *, baseline: BaselineModel, horizon_days: int,
                     eval_months: int, calibration_months: int, min_positive_train: int,
                     min_positive_calibration: int, min_positive_eval: int,
                     first_failure: Mapping[int, date] | None = None, alert_threshold: float = 0.05,
                     snapshot_months: int = 1, refit: bool = True, x: np.ndarray | None = None) -> TrainingOutcome:
    """Fit, calibrate and evaluate on the temporal split; choose the model or the baseline by the stated rule.

    The ``min_positive_*`` guards count distinct failing companies, not positive rows (one failure gives a
    positive row at every snapshot of the year before it). Too few in the fit or evaluation part: the baseline
    is used. Too few in the calibration part: no Platt scaling (the logistic regression's own probabilities),
    and the outcome says so. When the trained model wins, the deployed model is refitted on every row whose
    label window has closed by ``as_of`` (``refit``), with the same features left out; the held-out figures
    are those of the model fitted on the fit part alone. ``x``: the rows' feature matrix (:func:`matrix` of their
    values, in their order) when the caller has it.
    """
    split = temporal_split(as_of, horizon_days=horizon_days, eval_months=eval_months,
                           calibration_months=calibration_months)
    organisations, ordinals, labels = row_columns(rows)
    positions = _parts(split, ordinals)
    counts = {name: {"rows": len(at), "positives": int(labels[at].sum()),
                     "failing_companies": _failing(organisations[at], labels[at])} for name, at in positions.items()}
    x_all = matrix([r.values for r in rows]) if x is None else x  # once: the parts and the refit take rows from it
    y_all = np.asarray(labels, dtype=int)
    data = {name: (_take(x_all, at), _take(y_all, at)) for name, at in positions.items()}
    at = positions["evaluation"]
    held_out = _HeldOut(organisations[at], ordinals[at], *data["evaluation"], first_failure or {}, alert_threshold,
                        horizon_days, snapshot_months)
    p_base = predict(baseline, held_out.x) if len(held_out.y) else np.array([])
    baseline_metrics = evaluate(held_out.y, p_base) if len(held_out.y) else None
    outcome = TrainingOutcome("baseline", "", split, counts, baseline_metrics, None, None, baseline)
    if len(held_out.y):
        outcome.warnings["baseline"] = held_out.warnings(p_base)
    too_few = _too_few(counts, min_positive_train=min_positive_train, min_positive_eval=min_positive_eval)
    if len(set(data["fit"][1].tolist())) < 2 or not len(held_out.y):
        outcome.reason = too_few or "a training part has only one class or no rows. The transparent baseline is used."
        if len(held_out.y):
            outcome.intervals = held_out.intervals(p_base, p_base)
        return outcome
    model, dropped = _fit_candidate(outcome, data, baseline, as_of, min_positive_calibration)
    data.clear()  # the parts' matrices are not needed by the refit: not alive during it
    outcome.model = model
    p_model = predict(model, held_out.x)
    outcome.model_metrics = evaluate(held_out.y, p_model)
    outcome.warnings["model"] = held_out.warnings(p_model)
    outcome.intervals = held_out.intervals(p_model, p_base)
    outcome.top_features = _by_size(model.standardised_coefficients())
    if too_few:
        outcome.reason = too_few
        outcome.candidate, outcome.model = model, None  # reported, never deployed
    elif _beats_baseline(outcome):
        _choose_model(outcome)
        if refit:
            _refit(outcome, (organisations, ordinals), (x_all, y_all), as_of, baseline, dropped, horizon_days)
    else:
        m, bl = outcome.model_metrics, baseline_metrics
        assert bl is not None
        outcome.reason = (f"the trained model does not beat the baseline on the held-out period (the rule: a lower "
                          f"Brier score and at least its ROC AUC; trained model against baseline: Brier "
                          f"{_fmt(m.brier)} vs {_fmt(bl.brier)}, ROC AUC {_fmt(m.roc_auc)} vs {_fmt(bl.roc_auc)}): "
                          "the transparent baseline is used.")
    return outcome


def _too_few(counts: Mapping[str, Mapping[str, int]], *, min_positive_train: int, min_positive_eval: int) -> str:
    """Why the guards keep the trained model from use (too few failing companies to fit or to judge it), or ""."""
    short = [f"{name} has {counts[name]['failing_companies']} failing companies (minimum {minimum})"
             for name, minimum in (("fit", min_positive_train), ("evaluation", min_positive_eval))
             if counts[name]["failing_companies"] < minimum]
    return ("too few labels: " + "; ".join(short) + ". The transparent baseline is used; the trained model's "
            "figures are reported for information only.") if short else ""


def _fit_candidate(outcome: TrainingOutcome, data: Mapping[str, tuple[np.ndarray, np.ndarray]],
                   baseline: BaselineModel, as_of: date, min_positive_calibration: int) -> tuple[FittedModel, list[str]]:
    """The trained model on the fit part, Platt-scaled on the calibration part when it has enough failing companies.

    Returns the model and the features left out for pointing against their published direction; both
    that and a missing calibration are said in the outcome's notes.
    """
    pipeline, dropped = fit_model(*data["fit"], baseline)
    if dropped:
        outcome.notes.append(
            "Left out of the trained model because their fitted effect pointed against the published direction "
            f"(the baseline's sign) and could not be explained to a user: {', '.join(dropped)}."
        )
    x_cal, y_cal = data["calibration"]
    cal_companies = outcome.counts["calibration"]["failing_companies"]
    if cal_companies >= min_positive_calibration and len(set(y_cal.tolist())) == 2:
        a, b = platt(pipeline.decision_function(x_cal), y_cal)
        outcome.calibrated = True
    else:
        a, b = 1.0, 0.0
        outcome.notes.append(
            f"Not calibrated: the calibration period has {cal_companies} failing companies (minimum "
            f"{min_positive_calibration}); the probabilities are the logistic regression's own, which match the "
            "failure rate of the fit period on average but are not checked on later data."
        )
    return FittedModel(pipeline, a, b, model_version(pipeline, a, b, as_of)), dropped


def _beats_baseline(outcome: TrainingOutcome) -> bool:
    """The selection rule: a lower Brier score and at least the baseline's ROC AUC on the held-out period."""
    m, bl = outcome.model_metrics, outcome.baseline_metrics
    assert m is not None and bl is not None
    return (m.brier is not None and bl.brier is not None and m.brier < bl.brier
            and m.roc_auc is not None and bl.roc_auc is not None and m.roc_auc >= bl.roc_auc)


def _choose_model(outcome: TrainingOutcome) -> None:
    """Use the trained model, saying why, and whether the AUC gain is more than this period's luck."""
    m, bl = outcome.model_metrics, outcome.baseline_metrics
    assert m is not None and bl is not None
    outcome.chosen = "model"
    outcome.reason = (f"the trained model beats the baseline on the held-out period: Brier {m.brier:.4f} < "
                      f"{bl.brier:.4f} and ROC AUC {m.roc_auc:.3f} >= {bl.roc_auc:.3f}.")
    gain = outcome.intervals.get("auc_gain")
    if gain is not None and gain.low is not None and gain.low <= 0:
        outcome.notes.append(
            f"The AUC gain over the baseline, {gain.text()} resampling companies, includes zero: the data do not "
            "show that the trained model ranks better than the baseline, only that it did on this period."
        )


def _refit(outcome: TrainingOutcome, rows: tuple[np.ndarray, np.ndarray], data: tuple[np.ndarray, np.ndarray],
           as_of: date, baseline: BaselineModel, dropped: Sequence[str], horizon_days: int) -> None:
    """Deploy a copy refitted on every row whose label window has closed, with the same features left out.

    ``rows``: their organisations and snapshots (ordinals); ``data``: their matrix and labels, in the same order."""
    closed_by = (as_of - timedelta(days=horizon_days)).toordinal()  # snapshot + horizon <= as_of
    organisations, ordinals = rows
    keep = np.flatnonzero(ordinals <= closed_by)
    x_closed, y_closed = _take(data[0], keep), _take(data[1], keep)
    if len(set(y_closed.tolist())) != 2:
        return
    deployed, dropped_all = fit_model(x_closed, y_closed, baseline, dropped)
    outcome.model = FittedModel(deployed, 1.0, 0.0, model_version(deployed, 1.0, 0.0, as_of))
    outcome.refit_rows = len(keep)
    outcome.notes.append(
        f"Deployed model refitted on all {len(keep)} rows whose label window has closed (snapshots up to "
        f"{date.fromordinal(int(ordinals[keep].max()))}, {_failing(organisations[keep], y_closed)} failing companies), "
        "features left out: "
        f"{', '.join(dropped_all) or 'none'}; its probabilities are the logistic regression's own. The "
        "held-out figures above belong to the model fitted on the fit part only."
    )
    outcome.top_features = _by_size(outcome.model.standardised_coefficients())


def _parts(split: TemporalSplit, ordinals: np.ndarray) -> dict[str, np.ndarray]:
    """The positions of the rows in each part of ``split`` (``TemporalSplit.part`` of each row's snapshot)."""
    fit = ordinals <= split.fit_end.toordinal()
    calibration = ~fit & (ordinals >= split.calibration_start.toordinal()) & (ordinals <= split.calibration_end.toordinal())
    evaluation = (~fit & ~calibration & (ordinals >= split.evaluation_start.toordinal())
                  & (ordinals <= split.evaluation_end.toordinal()))
    return {"fit": np.flatnonzero(fit), "calibration": np.flatnonzero(calibration),
            "evaluation": np.flatnonzero(evaluation)}


def _take(a: np.ndarray, positions: Sequence[int] | np.ndarray) -> np.ndarray:
    """``a[positions]``; a view when the positions are a run (rows come in snapshot order, so every part and the
    closed rows are one): no copy of the matrix per part (issue 20). The fits never write to their matrix."""
    if len(positions) and positions[-1] - positions[0] == len(positions) - 1:
        return a[positions[0] : positions[-1] + 1]
    return a[positions]


def _by_size(coefs: Mapping[str, float]) -> list[tuple[str, float]]:
    """Standardised coefficients, largest effect first: the model card's feature list."""
    return sorted(coefs.items(), key=lambda kv: -abs(kv[1]))


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"
