"""Training's memory savings (issue 20) give the same model: the imputer fitted a column at a time, the pipeline
fitted step by step, the rows' values read from the feature matrix, and the matrix handed to training."""

from __future__ import annotations

import pickle
from datetime import date

import numpy as np
import pytest
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from models.failure import FEATURES, BaselineModel, MatrixRow, TrainingRow, matrix, snapshot_dates, train_and_select
from models.failure_model import fit_imputer, fit_pipeline


def _matrix(rows: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, len(FEATURES)))
    x[rng.random(x.shape) < 0.3] = np.nan
    x[:, 3] = np.nan  # an empty column (a feature left out): its median is 0
    x[:, 5] = np.round(x[:, 5])  # ties
    return x


@pytest.mark.parametrize("rows", [1, 2, 3, 7, 8, 1000, 4001, 4002])
def test_the_imputer_fitted_a_column_at_a_time_is_the_one_fitted_on_the_matrix(rows: int) -> None:
    x = _matrix(rows, rows)
    whole = SimpleImputer(strategy="median", keep_empty_features=True).fit(x)
    by_column = fit_imputer(x)
    assert pickle.dumps(by_column) == pickle.dumps(whole)
    assert np.array_equal(by_column.transform(x), whole.transform(x))


def test_the_pipeline_fitted_step_by_step_is_the_one_pipeline_fit_gives() -> None:
    x = _matrix(3000, 1)
    y = (np.nan_to_num(x[:, 0]) + np.random.default_rng(2).normal(0, 0.5, len(x)) > 1.0).astype(int)
    reference = Pipeline([
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
        ("scale", StandardScaler()),
        ("logit", LogisticRegression(C=0.5, class_weight=None, max_iter=2000)),
    ]).fit(x, y)
    assert pickle.dumps(fit_pipeline(x, y)) == pickle.dumps(reference)


def test_a_column_left_out_in_the_fit_is_the_column_emptied_before_it() -> None:
    """A feature left out is emptied in the fit's imputed copy, not in a copy of the matrix: the same model."""
    x = _matrix(3000, 4)
    y = (np.nan_to_num(x[:, 1]) > 0.8).astype(int)
    left_out = [FEATURES.index("news_distress"), 0]
    emptied = x.copy()
    emptied[:, left_out] = np.nan
    before = x.copy()
    assert pickle.dumps(fit_pipeline(x, y, left_out)) == pickle.dumps(fit_pipeline(emptied, y))
    assert np.array_equal(x, before, equal_nan=True)  # the caller's matrix is not changed
    assert fit_pipeline(x, y, left_out).named_steps["logit"].coef_[0][left_out].tolist() == [0.0, 0.0]


def test_a_matrix_row_reads_as_the_values_it_was_made_from() -> None:
    values = [{name: (None if j % 4 == 0 else float(i * j)) for j, name in enumerate(FEATURES)} for i in range(3)]
    x = matrix(values)
    rows = [MatrixRow(x.ravel(), i) for i in range(3)]
    assert [dict(row) for row in rows] == values and list(rows[1]) == list(FEATURES)


def test_training_on_the_handed_matrix_is_training_on_the_rows() -> None:
    rng = np.random.default_rng(5)
    rows = []
    for d in snapshot_dates(date(2018, 1, 1), date(2025, 10, 1), 3):
        for org in range(1, 120):
            risky = org % 7 == 0
            values = {name: (None if rng.random() < 0.2 else float(rng.normal(1.0 if risky else 0.0)))
                      for name in FEATURES}
            rows.append(TrainingRow(org, d, values, int(risky and rng.random() < 0.3)))
    x = matrix([r.values for r in rows])
    args = {"baseline": BaselineModel(intercept=-4.0, weights={"news_distress": 1.0}), "horizon_days": 365,
            "eval_months": 12, "calibration_months": 12, "min_positive_train": 3, "min_positive_calibration": 3,
            "min_positive_eval": 3}
    given = train_and_select(rows, date(2026, 11, 1), x=x.copy(), **args)
    made = train_and_select(rows, date(2026, 11, 1), **args)
    assert given.chosen == made.chosen and given.selected.version == made.selected.version
    assert given.model_metrics == made.model_metrics and given.baseline_metrics == made.baseline_metrics
    assert given.model is not None or given.candidate is not None  # a model was fitted, not only the baseline
