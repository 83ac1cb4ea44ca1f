"""12-month failure probability: a transparent baseline, a trained and calibrated model, and the rule between them.

Where this sits: ``pipelines.train_models`` builds :class:`TrainingRow` s from the store's history
(features from :mod:`models.features`, labels from later insolvency events) and calls
:func:`train_and_select`; ``pipelines.score_suppliers`` calls :func:`score_rows` with whichever model
was selected. Pure: no files, no database (saving is ``pipelines.model_files``).

- **Baseline**: a logistic model with published weights (``config/risk.yaml``, rationale in
  :data:`BASELINE_RATIONALE`); a missing feature contributes nothing and lowers the confidence.
- **Trained model**: median imputation, standardisation and an L2 logistic regression, then Platt
  scaling fitted on a later, time-ordered calibration slice. Both are linear in the logit, so each
  score splits exactly into a base and per-feature contributions (the tests check the sum).
- **Temporal split** (:func:`temporal_split`): fit on the earliest snapshots, calibrate on later
  ones, evaluate on the latest whose 12-month label window is fully observed. Each part's label
  windows end before the next part starts; nothing is shuffled across time.
- **Selection rule**: the trained model is used only when every part has enough positive rows and,
  on the held-out period, its Brier score is lower than the baseline's and its ROC AUC is at
  least the baseline's. Otherwise the baseline is used, and the outcome says why.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from models.calibration import Metrics, evaluate
from models.dates import add_months
from models.failure_reasons import how_to_get, missing_main_inputs, reason_text
from models.features import FAILURE_KINDS, FEATURE_TEXT, FEATURES, MAIN_INPUT_GROUPS, EventFact, FeatureRow, band

#: Why each baseline weight has its sign and size (published in the model card).
BASELINE_RATIONALE: dict[str, str] = {
    "intercept": "about 2 % a year for a company with no signals: the order of Dutch business bankruptcy rates "
                 "among active employers",
    "own_suspension": "a suspension of payments precedes most bankruptcies; the strongest public signal",
    "insolvency_related": "insolvency at a group company (same registered address) often drags the rest along",
    "news_distress": "reported losses, arrears or reorganisations are early, if noisy, signs of distress",
    "news_incidents": "strikes, cyber incidents and fires disrupt supply but seldom end a company",
    "employees_change_12m": "shrinking head count (negative log ratio) is a classic precursor; growth lowers risk",
    "kvk_employee_changes": "registered falls in employees, each counted with recency decay",
    "kvk_moves": "moves to cheaper premises often come with cost cutting",
    "kvk_legal_form_changes": "legal form changes can be restructurings ahead of trouble",
    "wins_trend": "fewer public wins than the year before means less revenue from the public sector",
    "years_since_last_win": "a supplier that stopped winning public contracts may be losing its market",
    "age_years": "young companies fail more often than established ones",
    "legal_form_small": "sole proprietorships and partnerships are small and thinly capitalised",
    "log_employees": "larger companies fail less often",
    "sector_base_rate": "some sectors (construction, hospitality) see more bankruptcies than others",
}
#: Probability reported when a bankruptcy is already on record: at the top, but not a certainty of anything.
BANKRUPT_PROBABILITY = 0.999
#: Largest effect one feature may have on the trained model's log-odds (odds x7.4 either way). With the base rate
#: around 2 %, one feature alone can lift a score to about 13 %, never to 0.99: an extreme or planted value in a
#: single input (a data error, a one-off) cannot make a supplier look certain to fail; it takes several signals.
MAX_FEATURE_LOGIT = 2.0


@dataclass(frozen=True, slots=True)
class Explanation:
    """A score split into its base and per-feature contributions: ``base + sum(contributions) == logit``."""

    probability: float
    logit: float
    base: float
    contributions: dict[str, float]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def matrix(rows: Sequence[Mapping[str, float | None]]) -> np.ndarray:
    """Feature values as a float matrix in :data:`FEATURES` order, NaN for missing."""
    out = np.full((len(rows), len(FEATURES)), np.nan)
    for i, values in enumerate(rows):
        for j, name in enumerate(FEATURES):
            value = values.get(name)
            if value is not None:
                out[i, j] = value
    return out


@dataclass(frozen=True)
class BaselineModel:
    """Logistic model with published weights on the raw features; missing features contribute 0."""

    intercept: float
    weights: Mapping[str, float]

    @property
    def version(self) -> str:
        digest = hashlib.sha256(json.dumps([self.intercept, sorted(self.weights.items())]).encode()).hexdigest()[:8]
        return f"failure-baseline-v1-{digest}"

    def contributions(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(base per row, contributions matrix) for a feature matrix."""
        w = np.array([self.weights.get(name, 0.0) for name in FEATURES])
        return np.full(len(x), self.intercept), np.nan_to_num(x, nan=0.0) * w


@dataclass
class FittedModel:
    """The trained pipeline with its Platt scaling: logit = a * (pipeline decision) + b."""

    pipeline: Pipeline
    platt_a: float
    platt_b: float
    version: str
    features: tuple[str, ...] = FEATURES

    def contributions(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Base and per-feature log-odds; each feature's contribution is bounded to +-``MAX_FEATURE_LOGIT``."""
        imputer, scaler, logit = (self.pipeline.named_steps[k] for k in ("impute", "scale", "logit"))
        z = scaler.transform(imputer.transform(x))
        raw = z * logit.coef_[0]
        base = self.platt_a * float(logit.intercept_[0]) + self.platt_b
        return np.full(len(x), base), np.clip(raw * self.platt_a, -MAX_FEATURE_LOGIT, MAX_FEATURE_LOGIT)

    def standardised_coefficients(self) -> dict[str, float]:
        return dict(zip(self.features, (float(c) for c in self.pipeline.named_steps["logit"].coef_[0]), strict=True))


Model = BaselineModel | FittedModel


def explain(model: Model, values: Mapping[str, float | None]) -> Explanation:
    """One row's probability with its exact additive explanation in log-odds."""
    base, contrib = model.contributions(matrix([values]))
    logit = float(base[0] + contrib[0].sum())
    return Explanation(float(_sigmoid(np.array([logit]))[0]), logit, float(base[0]),
                       dict(zip(FEATURES, (float(c) for c in contrib[0]), strict=True)))


def predict(model: Model, x: np.ndarray) -> np.ndarray:
    base, contrib = model.contributions(x)
    return _sigmoid(base + contrib.sum(axis=1))


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FailureScore:
    organisation_id: int
    probability: float
    band: str
    confidence: float
    coverage: float
    #: Every feature's contribution, largest effect first, then the base: they sum to the logit.
    reasons: tuple[dict[str, Any], ...]
    features: dict[str, float | None]
    inputs: tuple[dict[str, Any], ...]
    model_version: str
    logit: float
    #: Why the score is "unknown" (main inputs missing) and how to get them; None for a scored row.
    unknown_because: str | None = None

    @property
    def unknown(self) -> bool:
        return self.unknown_because is not None


def _logit(probability: float) -> float:
    return math.log(probability / (1 - probability))


def _reasons(row: FeatureRow, contrib: np.ndarray, base: float) -> list[dict[str, Any]]:
    """Known inputs by size of effect, in readable units; unknown inputs folded into one line; then the base.

    The contributions still sum to the logit: a model that fills a missing input with a typical value gives it
    an effect, and that effect is reported on the "not known" line instead of as a reason.
    """
    known = [j for j in np.argsort(-np.abs(contrib), kind="stable") if row.values[FEATURES[j]] is not None]
    reasons = [
        {"feature": FEATURES[j], "value": row.values[FEATURES[j]], "contribution": float(contrib[j]),
         "text": reason_text(FEATURES[j], row.values, float(contrib[j]))}
        for j in known
    ]
    missing = [j for j in range(len(FEATURES)) if row.values[FEATURES[j]] is None]
    if missing:
        reasons.append({
            "feature": "(not known)", "value": None, "contribution": float(sum(contrib[j] for j in missing)),
            "missing": [FEATURES[j] for j in missing],
            "text": "not known, so not a reason: " + "; ".join(FEATURE_TEXT[FEATURES[j]] for j in missing),
        })
    reasons.append({"feature": "(base)", "value": None, "contribution": base,
                    "text": "base log-odds of the model (intercept and calibration)"})
    return reasons


def score_rows(rows: Sequence[FeatureRow], model: Model, *, medium_from: float, high_from: float,
               countries: Mapping[int, str | None] | None = None) -> list[FailureScore]:
    """Failure scores for many rows at once (vectorised).

    Two published rules sit on top of the model, each with its own reason and an exact contribution:
    a bankruptcy on record puts the row at the top (:data:`BANKRUPT_PROBABILITY`); a suspension of
    payments in the last year that has not ended lifts the probability to at least ``high_from`` (most
    suspensions end in bankruptcy within weeks, too fast for snapshot-based training to learn).

    Unknown is not low: a row missing every main input (:data:`models.features.MAIN_INPUT_GROUPS`: no
    company-register value and no insolvency register, as for a foreign supplier) gets band "unknown",
    a first reason saying what is missing and how to get it, and ``unknown_because``. Its probability is
    kept for the record but is not a risk level; readers must not rank or alert on it.
    ``countries`` (organisation id -> ISO code) only words that reason.
    """
    if not rows:
        return []
    x = matrix([row.values for row in rows])
    version = model.version
    base, contrib = model.contributions(x)
    logits = base + contrib.sum(axis=1)
    probabilities = _sigmoid(logits)
    scores = []
    for i, row in enumerate(rows):
        coverage = row.coverage
        reasons = _reasons(row, contrib[i], float(base[i]))
        probability, logit, confidence = float(probabilities[i]), float(logits[i]), coverage
        unknown_because = None
        if row.bankruptcy_on is not None:
            text = f"bankruptcy declared on {row.bankruptcy_on.isoformat()}"
            override = _logit(BANKRUPT_PROBABILITY) - logit
            reasons.insert(0, {"feature": "bankruptcy_declared", "value": 1.0, "contribution": override, "text": text})
            probability, logit, confidence = BANKRUPT_PROBABILITY, logit + override, 1.0
        elif row.suspension_on is not None and probability < high_from:
            text = f"suspension of payments granted on {row.suspension_on.isoformat()} (not ended)"
            override = _logit(high_from) - logit
            reasons.insert(0, {"feature": "suspension_of_payments", "value": 1.0, "contribution": override, "text": text})
            probability, logit = high_from, logit + override
        elif len(missing := missing_main_inputs(row.values)) == len(MAIN_INPUT_GROUPS):
            country = (countries or {}).get(row.organisation_id)
            unknown_because = (f"risk unknown: no {' and no '.join(missing)}; "
                               f"{how_to_get(country, row.register_covered)}")
            reasons.insert(0, {"feature": "(unknown)", "value": None, "contribution": 0.0, "missing": missing,
                               "text": unknown_because})
        scores.append(FailureScore(
            organisation_id=row.organisation_id, probability=probability,
            band="unknown" if unknown_because else band(probability, medium_from, high_from),
            confidence=confidence, coverage=coverage, reasons=tuple(reasons), features=dict(row.values),
            inputs=row.inputs, model_version=version, logit=logit, unknown_because=unknown_because,
        ))
    return scores


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainingRow:
    organisation_id: int
    snapshot: date
    values: dict[str, float | None]
    label: int


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


def _fit_pipeline(x: np.ndarray, y: np.ndarray) -> Pipeline:
    pipeline = Pipeline([
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
        ("scale", StandardScaler()),
        ("logit", LogisticRegression(C=0.5, class_weight=None, max_iter=2000)),
    ])
    return pipeline.fit(x, y)


def _fit_with_expected_signs(x: np.ndarray, y: np.ndarray, baseline: BaselineModel) -> tuple[Pipeline, list[str]]:
    """Fit; a feature whose coefficient has the opposite sign of its published baseline weight is left out
    (its column emptied, so its coefficient is exactly zero) and the model refitted, until every sign agrees.

    A score that says "a high sector bankruptcy rate lowers the risk" may fit the sample, but no category
    manager can act on it or trust it: with few labels such a sign is more often noise than insight.
    """
    x = x.copy()
    dropped: list[str] = []
    for _ in range(len(FEATURES)):
        pipeline = _fit_pipeline(x, y)
        coefs = pipeline.named_steps["logit"].coef_[0]
        wrong = [
            (abs(coef), i) for i, (name, coef) in enumerate(zip(FEATURES, coefs, strict=True))
            if baseline.weights.get(name, 0.0) * coef < -1e-9
        ]
        if not wrong:
            return pipeline, dropped
        _size, worst = max(wrong)
        x[:, worst] = np.nan
        dropped.append(FEATURES[worst])
    return pipeline, dropped


def _platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    platt = LogisticRegression(C=1e4, max_iter=1000).fit(decision.reshape(-1, 1), y)
    return float(platt.coef_[0][0]), float(platt.intercept_[0])


def _failing(rows: Sequence[TrainingRow]) -> int:
    return len({r.organisation_id for r in rows if r.label})


def _fit_model(x: np.ndarray, y: np.ndarray, baseline: BaselineModel, dropped: Sequence[str] = ()) -> tuple[Pipeline, list[str]]:
    """Fit with the expected signs; features already ``dropped`` (by an earlier fit) stay out."""
    x = x.copy()
    for name in dropped:
        x[:, FEATURES.index(name)] = np.nan
    pipeline, newly = _fit_with_expected_signs(x, y, baseline)
    return pipeline, [*dropped, *newly]


def _version(pipeline: Pipeline, a: float, b: float, as_of: date) -> str:
    fingerprint = hashlib.sha256(np.append(pipeline.named_steps["logit"].coef_[0], [a, b]).round(10).tobytes()).hexdigest()[:8]
    return f"failure-logit-{as_of.isoformat()}-{fingerprint}+sklearn-{sklearn.__version__}"


def train_and_select(rows: Sequence[TrainingRow], as_of: date, *, baseline: BaselineModel, horizon_days: int,
                     eval_months: int, calibration_months: int, min_positive_train: int,
                     min_positive_calibration: int, min_positive_eval: int,
                     first_failure: Mapping[int, date] | None = None, alert_threshold: float = 0.05,
                     snapshot_months: int = 1, refit: bool = True) -> TrainingOutcome:
    """Fit, calibrate and evaluate on the temporal split; choose the model or the baseline by the stated rule.

    The ``min_positive_*`` guards count distinct failing companies, not positive rows (one failure gives a
    positive row at every snapshot of the year before it). Too few in the fit or evaluation part: the baseline
    is used. Too few in the calibration part: no Platt scaling (the logistic regression's own probabilities),
    and the outcome says so. When the trained model wins, the deployed model is refitted on every row whose
    label window has closed by ``as_of`` (``refit``), with the same features left out; the held-out figures
    are those of the model fitted on the fit part alone.
    """
    from models.failure_evaluation import company_bootstrap, warning_figures

    split = temporal_split(as_of, horizon_days=horizon_days, eval_months=eval_months,
                           calibration_months=calibration_months)
    parts: dict[str, list[TrainingRow]] = {"fit": [], "calibration": [], "evaluation": []}
    for row in rows:
        part = split.part(row.snapshot)
        if part is not None:
            parts[part].append(row)
    counts = {name: {"rows": len(part), "positives": sum(r.label for r in part), "failing_companies": _failing(part)}
              for name, part in parts.items()}
    data = {name: (matrix([r.values for r in part]), np.array([r.label for r in part], dtype=int))
            for name, part in parts.items()}
    x_eval, y_eval = data["evaluation"]
    eval_rows = parts["evaluation"]
    p_base = predict(baseline, x_eval) if len(y_eval) else np.array([])
    baseline_metrics = evaluate(y_eval, p_base) if len(y_eval) else None
    outcome = TrainingOutcome("baseline", "", split, counts, baseline_metrics, None, None, baseline)

    def warnings_of(p: np.ndarray) -> Any:
        return warning_figures([r.organisation_id for r in eval_rows], [r.snapshot for r in eval_rows], p,
                               first_failure or {}, threshold=alert_threshold, horizon_days=horizon_days,
                               snapshot_months=snapshot_months)

    if len(y_eval):
        outcome.warnings["baseline"] = warnings_of(p_base)
    short = [f"{name} has {counts[name]['failing_companies']} failing companies (minimum {minimum})"
             for name, minimum in (("fit", min_positive_train), ("evaluation", min_positive_eval))
             if counts[name]["failing_companies"] < minimum]
    too_few = ("too few labels: " + "; ".join(short) + ". The transparent baseline is used; the trained model's "
               "figures are reported for information only.") if short else ""
    x_fit, y_fit = data["fit"]
    if len(set(y_fit.tolist())) < 2 or not len(y_eval):
        outcome.reason = too_few or "a training part has only one class or no rows. The transparent baseline is used."
        if len(y_eval):
            outcome.intervals = company_bootstrap([r.organisation_id for r in eval_rows], y_eval, p_base, p_base)
        return outcome
    pipeline, dropped = _fit_model(x_fit, y_fit, baseline)
    if dropped:
        outcome.notes.append(
            "Left out of the trained model because their fitted effect pointed against the published direction "
            f"(the baseline's sign) and could not be explained to a user: {', '.join(dropped)}."
        )
    x_cal, y_cal = data["calibration"]
    cal_companies = counts["calibration"]["failing_companies"]
    if cal_companies >= min_positive_calibration and len(set(y_cal.tolist())) == 2:
        a, b = _platt(pipeline.decision_function(x_cal), y_cal)
        outcome.calibrated = True
    else:
        a, b = 1.0, 0.0
        outcome.notes.append(
            f"Not calibrated: the calibration period has {cal_companies} failing companies (minimum "
            f"{min_positive_calibration}); the probabilities are the logistic regression's own, which match the "
            "failure rate of the fit period on average but are not checked on later data."
        )
    model = FittedModel(pipeline, a, b, _version(pipeline, a, b, as_of))
    outcome.model = model
    p_model = predict(model, x_eval)
    outcome.model_metrics = evaluate(y_eval, p_model)
    outcome.warnings["model"] = warnings_of(p_model)
    outcome.intervals = company_bootstrap([r.organisation_id for r in eval_rows], y_eval, p_model, p_base)
    coefs = model.standardised_coefficients()
    outcome.top_features = sorted(coefs.items(), key=lambda kv: -abs(kv[1]))
    m, bl = outcome.model_metrics, baseline_metrics
    assert bl is not None
    better = (m.brier is not None and bl.brier is not None and m.brier < bl.brier
              and m.roc_auc is not None and bl.roc_auc is not None and m.roc_auc >= bl.roc_auc)
    gain = outcome.intervals.get("auc_gain")
    if too_few:
        outcome.reason = too_few
        outcome.candidate, outcome.model = model, None  # reported, never deployed
    elif better:
        outcome.chosen = "model"
        outcome.reason = (f"the trained model beats the baseline on the held-out period: Brier {m.brier:.4f} < "
                          f"{bl.brier:.4f} and ROC AUC {m.roc_auc:.3f} >= {bl.roc_auc:.3f}.")
        if gain is not None and gain.low is not None and gain.low <= 0:
            outcome.notes.append(
                f"The AUC gain over the baseline, {gain.text()} resampling companies, includes zero: the data do not "
                "show that the trained model ranks better than the baseline, only that it did on this period."
            )
        if refit:
            closed = [r for r in rows if r.snapshot + timedelta(days=horizon_days) <= as_of]
            x_all = matrix([r.values for r in closed])
            y_all = np.array([r.label for r in closed], dtype=int)
            if len(set(y_all.tolist())) == 2:
                deployed, dropped_all = _fit_model(x_all, y_all, baseline, dropped)
                outcome.model = FittedModel(deployed, 1.0, 0.0, _version(deployed, 1.0, 0.0, as_of))
                outcome.refit_rows = len(closed)
                outcome.notes.append(
                    f"Deployed model refitted on all {len(closed)} rows whose label window has closed (snapshots up to "
                    f"{max(r.snapshot for r in closed)}, {_failing(closed)} failing companies), features left out: "
                    f"{', '.join(dropped_all) or 'none'}; its probabilities are the logistic regression's own. The "
                    "held-out figures above belong to the model fitted on the fit part only."
                )
                coefs = outcome.model.standardised_coefficients()
                outcome.top_features = sorted(coefs.items(), key=lambda kv: -abs(kv[1]))
    else:
        outcome.reason = (f"the trained model does not beat the baseline on the held-out period (Brier "
                          f"{_fmt(m.brier)} vs {_fmt(bl.brier)}, ROC AUC {_fmt(m.roc_auc)} vs {_fmt(bl.roc_auc)}): "
                          "the transparent baseline is used.")
    return outcome


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"
