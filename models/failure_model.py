"""The two failure models and how they are fitted: a transparent baseline and a trained, calibrated logistic model.

Where this sits: :mod:`models.failure_training` fits and selects (:func:`fit_model`, :func:`platt`);
:mod:`models.failure` scores with whichever model was selected. Pure: no files, no database (saving
is ``pipelines.model_files``).

- **Baseline**: a logistic model with published weights (``config/risk.yaml``, rationale in
  :data:`BASELINE_RATIONALE`); a missing feature contributes nothing and lowers the confidence.
- **Trained model**: median imputation, standardisation and an L2 logistic regression, then Platt
  scaling fitted on a later, time-ordered calibration slice. Both are linear in the logit, so each
  score splits exactly into a base and per-feature contributions (the tests check the sum). A feature
  fitted against its published direction is left out (:func:`fit_with_expected_signs`), and no single
  feature may move the log-odds by more than :data:`MAX_FEATURE_LOGIT`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass
from datetime import date

import numpy as np
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from models.features import FEATURES

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


def sigmoid(x: np.ndarray) -> np.ndarray:
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
    return Explanation(float(sigmoid(np.array([logit]))[0]), logit, float(base[0]),
                       dict(zip(FEATURES, (float(c) for c in contrib[0]), strict=True)))


def predict(model: Model, x: np.ndarray) -> np.ndarray:
    base, contrib = model.contributions(x)
    return sigmoid(base + contrib.sum(axis=1))


def fit_pipeline(x: np.ndarray, y: np.ndarray, empty: Sequence[int] = ()) -> Pipeline:
    """Median imputation, standardisation and an L2 logistic regression (C=0.5), fitted on ``x``, ``y``; the
    columns ``empty`` as if they had no values (features left out), ``x`` itself unchanged.

    The steps are fitted one by one, the standardisation in place of the imputed copy, and the left-out columns
    emptied in that copy too: ``Pipeline.fit`` on ``x`` with those columns emptied gives the same fitted steps
    (the tests compare them) but needs that emptied copy and keeps the imputed and the standardised matrix alive
    together: two copies of the training matrix more at training's peak (issue 20).
    """
    impute, scale, z = _standardised(x, empty)
    return Pipeline([("impute", impute), ("scale", scale), ("logit", _logit(*distinct_rows(z, y)))])


def _standardised(x: np.ndarray, empty: Sequence[int]) -> tuple[SimpleImputer, StandardScaler, np.ndarray]:
    """The fitted imputer and scaler of ``fit_pipeline``, and ``x`` through both (a new matrix)."""
    impute = fit_imputer(x, empty)
    scale = StandardScaler()
    z = impute.transform(x)
    z[:, list(empty)] = impute.statistics_[list(empty)]  # what an empty column is imputed with (0)
    return impute, scale, scale.fit(z).transform(z, copy=False)


def _logit(z: np.ndarray, y: np.ndarray, counts: np.ndarray | None = None) -> LogisticRegression:
    """The L2 logistic regression on ``z``, ``y``; ``counts``: how many times each row stands for (``distinct_rows``)."""
    return LogisticRegression(C=0.5, class_weight=None, max_iter=2000).fit(z, y, sample_weight=counts)


#: Odd 64-bit multipliers for ``distinct_rows``' row hash, one per column and one for the label (fixed: the order of
#: the distinct rows, and so the fit's summation order, is the same from run to run).
_ROW_HASH = np.random.default_rng(20261205).integers(1, 2**63, size=len(FEATURES) + 2, dtype=np.uint64) | np.uint64(1)


def distinct_rows(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``z``, ``y`` with each distinct (row, label) once, and how many times each occurs; ``z``, ``y`` and ``None``
    when every row is distinct.

    Why: the training matrix holds one row per company and quarterly snapshot, and most of them are alike (no
    events, the same bands): 916,111 rows are 116,427 distinct ones at issue 20's size. A logistic regression with
    each distinct row weighted by its count minimises the same objective as one on the repeated rows (scikit-learn
    averages the loss by the weights' sum and scales the penalty with it), each iteration over an eighth of the rows
    there; the coefficients agree to about 1e-11 (the sums are taken in another order).

    Rows are grouped by a 64-bit hash of their bytes and label, then checked value for value against their group's
    first row: a collision (never seen) gives the rows back ungrouped. Only byte-equal rows are merged."""
    n, width = z.shape
    if n < 2 or width + 1 > len(_ROW_HASH) or z.dtype != np.float64:
        return z, y, None
    z = np.ascontiguousarray(z)
    bits = z.view(np.uint64)
    key = np.asarray(y).astype(np.uint64) * _ROW_HASH[-1]
    with np.errstate(over="ignore"):
        for j in range(width):
            column = bits[:, j]
            key += (column ^ (column >> np.uint64(29))) * _ROW_HASH[j]
    _keys, firsts, group, counts = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
    if len(firsts) == n:
        return z, y, None
    distinct_z, distinct_y = z[firsts], np.asarray(y)[firsts]
    distinct_bits = distinct_z.view(np.uint64)
    same = np.array_equal(distinct_y[group], y) and all(  # whole rows gathered, a block at a time
        np.array_equal(distinct_bits[group[start:start + _CHECK_BLOCK]], bits[start:start + _CHECK_BLOCK])
        for start in range(0, n, _CHECK_BLOCK))
    return (distinct_z, distinct_y, counts.astype(z.dtype)) if same else (z, y, None)


#: Rows compared at a time in ``distinct_rows``' check (a few MB: no second copy of the matrix).
_CHECK_BLOCK = 32_768


def _emptied(impute: SimpleImputer, scale: StandardScaler, z: np.ndarray,
             column: int) -> tuple[SimpleImputer, StandardScaler]:
    """``_standardised`` with ``column`` emptied too, from the one without it: an emptied column is imputed with 0,
    so its standardisation keeps mean 0, variance 0, scale 1 and it reads 0 throughout; every other column's median,
    mean and variance are its own, whichever columns are empty. ``z`` is changed in place; the imputer and the scaler
    are new (a pipeline already returned keeps its own)."""
    impute, scale = deepcopy(impute), deepcopy(scale)
    impute.statistics_[column] = 0.0
    scale.mean_[column], scale.var_[column], scale.scale_[column] = 0.0, 0.0, 1.0
    z[:, column] = 0.0
    return impute, scale


def _median_imputer() -> SimpleImputer:
    return SimpleImputer(strategy="median", keep_empty_features=True)


def fit_imputer(x: np.ndarray, empty: Sequence[int] = ()) -> SimpleImputer:
    """The median imputer fitted on ``x``, a column at a time: the same fitted imputer as ``fit(x)`` (the tests
    compare them), whose masked median over the whole matrix holds about four copies of it at once, the peak of
    training's memory (issue 20); a column's median does not depend on the other columns.

    Each column's median comes from the imputer itself on that column; the imputer returned is fitted on the one
    row of those medians (the median of one value is that value; an empty column's is 0 either way). The columns
    ``empty`` are fitted as columns without values.

    A column's median is ``np.median`` of its values, not the imputer's masked median of the column: the same
    two middle values (or one) added and halved, found by partitioning instead of sorting a masked copy (a few
    CPU-seconds of training at scale 54; the tests compare the fitted imputers byte for byte).
    """
    medians = [0.0 if j in empty else _median(x[:, j]) for j in range(x.shape[1])]
    return _median_imputer().fit(np.array([medians], dtype=x.dtype))


def _median(column: np.ndarray) -> float:
    """The median of the column's values (NaN: missing), 0 without any (what the imputer keeps for an empty one)."""
    values = column[~np.isnan(column)]
    return float(np.median(values)) if len(values) else 0.0


def fit_with_expected_signs(x: np.ndarray, y: np.ndarray, baseline: BaselineModel) -> tuple[Pipeline, list[str]]:
    """Fit; a feature whose coefficient has the opposite sign of its published baseline weight is left out
    (its column emptied, so its coefficient is exactly zero) and the model refitted, until every sign agrees.

    A score that says "a high sector bankruptcy rate lowers the risk" may fit the sample, but no category
    manager can act on it or trust it: with few labels such a sign is more often noise than insight.
    """
    return _fit_signs(x, y, baseline, [])


def _fit_signs(x: np.ndarray, y: np.ndarray, baseline: BaselineModel, empty: list[int]) -> tuple[Pipeline, list[str]]:
    """:func:`fit_with_expected_signs` with the columns ``empty`` already left out; ``x`` is not changed (a column
    is left out in the fit's own imputed copy, not in a copy of ``x``: issue 20).

    Imputed and standardised once: a refit empties the dropped column in that matrix (``_emptied``), the same
    matrix and steps as ``fit_pipeline`` with that column empty (the tests compare them), without imputing,
    standardising and taking medians of the whole matrix again for each refit (about 2 of training's 11 CPU-s at
    issue 20's size, seven features dropped one by one)."""
    dropped: list[str] = []
    impute, scale, z = _standardised(x, empty)
    z, y, counts = distinct_rows(z, y)  # fitted once per distinct row, weighted by its count (the same objective)
    for attempt in range(len(FEATURES)):
        pipeline = Pipeline([("impute", impute), ("scale", scale), ("logit", _logit(z, y, counts))])
        coefs = pipeline.named_steps["logit"].coef_[0]
        wrong = [
            (abs(coef), i) for i, (name, coef) in enumerate(zip(FEATURES, coefs, strict=True))
            if baseline.weights.get(name, 0.0) * coef < -1e-9
        ]
        if not wrong:
            return pipeline, dropped
        _size, worst = max(wrong)
        empty.append(worst)
        dropped.append(FEATURES[worst])
        if attempt + 1 < len(FEATURES):
            impute, scale = _emptied(impute, scale, z, worst)
    return pipeline, dropped


def platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling (a, b) of the pipeline's decision values on a later period: logit = a * decision + b."""
    scaling = LogisticRegression(C=1e4, max_iter=1000).fit(decision.reshape(-1, 1), y)
    return float(scaling.coef_[0][0]), float(scaling.intercept_[0])


def fit_model(x: np.ndarray, y: np.ndarray, baseline: BaselineModel, dropped: Sequence[str] = ()) -> tuple[Pipeline, list[str]]:
    """Fit with the expected signs; features already ``dropped`` (by an earlier fit) stay out. ``x`` is not changed."""
    pipeline, newly = _fit_signs(x, y, baseline, [FEATURES.index(name) for name in dropped])
    return pipeline, [*dropped, *newly]


def model_version(pipeline: Pipeline, a: float, b: float, as_of: date) -> str:
    """A version that changes with the coefficients, the scaling, the data date and scikit-learn."""
    fingerprint = hashlib.sha256(np.append(pipeline.named_steps["logit"].coef_[0], [a, b]).round(10).tobytes()).hexdigest()[:8]
    return f"failure-logit-{as_of.isoformat()}-{fingerprint}+sklearn-{sklearn.__version__}"
