"""12-month failure probability: scoring with the selected model, and the published rules on top of it.

Three modules, one job each:

- :mod:`models.failure_model`: the transparent baseline and the trained, calibrated model, their
  exact additive explanation, and how the trained one is fitted;
- :mod:`models.failure_training`: training rows and labels, the temporal split, and the selection
  rule with its guards (:func:`train_and_select`);
- this module: :func:`score_rows`, the scores with reasons, the bankruptcy and suspension rules, and
  "unknown is not low".

Where this sits: ``pipelines.train_models`` builds :class:`TrainingRow` s from the store's history
(features from :mod:`models.features`, labels from later insolvency events) and calls
:func:`train_and_select`; ``models.risk_run`` calls :func:`score_rows` with whichever model was
selected. Pure: no files, no database (saving is ``pipelines.model_files``). The names of the other two
modules are importable from here as well, as every caller has always imported them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.dates import add_months
from models.failure_model import (
    BASELINE_RATIONALE,
    MAX_FEATURE_LOGIT,
    BaselineModel,
    Explanation,
    FittedModel,
    Model,
    explain,
    fit_model,
    fit_pipeline,
    fit_with_expected_signs,
    matrix,
    predict,
    sigmoid,
)
from models.failure_reasons import how_to_get, missing_main_inputs, reason_text
from models.failure_training import (
    MatrixRow,
    TemporalSplit,
    TrainingOutcome,
    TrainingRow,
    label_for,
    snapshot_dates,
    temporal_split,
    train_and_select,
)
from models.features import FEATURE_TEXT, FEATURES, MAIN_INPUT_GROUPS, FeatureRow, band

__all__ = [
    "BANKRUPT_PROBABILITY", "BASELINE_RATIONALE", "FEATURES", "MAX_FEATURE_LOGIT", "BaselineModel", "Explanation",
    "FailureScore", "FittedModel", "MatrixRow", "Model", "TemporalSplit", "TrainingOutcome", "TrainingRow", "add_months", "explain",
    "fit_model", "label_for", "matrix", "predict", "score_rows", "snapshot_dates", "temporal_split", "train_and_select",
]

#: The fitting helpers under the names the tests have always used.
_fit_pipeline = fit_pipeline
_fit_with_expected_signs = fit_with_expected_signs

#: Probability reported when a bankruptcy is already on record: at the top, but not a certainty of anything.
BANKRUPT_PROBABILITY = 0.999


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


def _reasons(row: FeatureRow, contrib: np.ndarray, base: float, made: dict[tuple, dict[str, Any]]
             ) -> list[dict[str, Any]]:
    """Known inputs by size of effect, in readable units; unknown inputs folded into one line; then the base.

    The contributions still sum to the logit: a model that fills a missing input with a typical value gives it
    an effect, and that effect is reported on the "not known" line instead of as a reason.
    ``made``: the reason items of the run so far (``_reason``).
    """
    known = [j for j in np.argsort(-np.abs(contrib), kind="stable") if row.values[FEATURES[j]] is not None]
    reasons = [_reason(made, FEATURES[j], row.values, float(contrib[j])) for j in known]
    missing = [j for j in range(len(FEATURES)) if row.values[FEATURES[j]] is None]
    if missing:
        reasons.append({
            "feature": "(not known)", "value": None, "contribution": float(sum(contrib[j] for j in missing)),
            "missing": [FEATURES[j] for j in missing],
            "text": "not known, so not a reason: " + "; ".join(FEATURE_TEXT[FEATURES[j]] for j in missing),
        })
    reasons.append(_reason(made, "(base)", {}, base))
    return reasons


def _exact(value: float | None) -> tuple:
    """A float as a key that tells apart what ``==`` does not but JSON does: its type and the sign of a zero."""
    return (type(value), value, None if value is None else math.copysign(1.0, value))


def _reason(made: dict[tuple, dict[str, Any]], name: str, values: Mapping[str, float | None],
            contribution: float) -> dict[str, Any]:
    """The reason item of ``name`` ("(base)": the base log-odds) with its value in ``values`` and ``contribution``.

    Why kept in ``made``: most suppliers share most items ("no news of incidents (no effect)", the base), and an
    item made once is one object for every row that has it, which the store then encodes and hashes once (its
    ``seen``) instead of once per row. The key holds everything the item is made of (the text also reads the
    staff count beside its change), each float exactly as JSON writes it.
    """
    value = values.get(name)
    related = values.get("log_employees") if name == "employees_change_12m" else None
    key = (name, _exact(value), _exact(contribution), _exact(related))
    item = made.get(key)
    if item is None:
        if name == "(base)":
            item = {"feature": "(base)", "value": None, "contribution": contribution,
                    "text": "base log-odds of the model (intercept and calibration)"}
        else:
            item = {"feature": name, "value": value, "contribution": contribution,
                    "text": reason_text(name, values, contribution)}
        made[key] = item
    return item


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
    probabilities = sigmoid(logits)
    scores = []
    made: dict[tuple, dict[str, Any]] = {}  # the reason items made so far, shared by the rows that have them
    for i, row in enumerate(rows):
        coverage = row.coverage
        reasons = _reasons(row, contrib[i], float(base[i]), made)
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
