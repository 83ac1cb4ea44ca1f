"""Training fits each distinct (row, label) once, weighted by its count (issue 20): the same objective as the repeated
rows, so the same model to rounding; only byte-equal rows are merged."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from models.failure import FEATURES
from models.failure_model import BaselineModel, distinct_rows, fit_pipeline, fit_with_expected_signs


def _repeated(seed: int = 3, distinct: int = 40, rows: int = 2_000) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` rows drawn from ``distinct`` banded rows, as snapshots of quiet companies are."""
    rng = np.random.default_rng(seed)
    base = np.round(rng.normal(size=(distinct, len(FEATURES))), 1)
    pick = rng.integers(0, distinct, size=rows)
    x = base[pick]
    y = (x[:, 0] + rng.normal(0, 0.7, rows) > 1.0).astype(int)
    return x, y


def test_each_distinct_row_and_label_comes_once_with_its_count() -> None:
    x, y = _repeated()
    z, labels, counts = distinct_rows(x, y)
    assert counts is not None and int(counts.sum()) == len(x)
    pairs = {(row.tobytes(), int(label)) for row, label in zip(x, y, strict=True)}
    assert len(z) == len(pairs) == len({(row.tobytes(), int(label)) for row, label in zip(z, labels, strict=True)})
    for row, label, count in zip(z, labels, counts, strict=True):
        assert count == np.sum(np.all(x == row, axis=1) & (y == label))


def test_the_same_row_with_two_labels_stays_two_rows() -> None:
    x = np.zeros((4, len(FEATURES)))
    y = np.array([0, 1, 0, 1])
    z, labels, counts = distinct_rows(x, y)
    assert counts is not None and sorted(zip(labels.tolist(), counts.tolist(), strict=True)) == [(0, 2.0), (1, 2.0)]


def test_rows_that_are_all_distinct_are_given_back_unweighted() -> None:
    x = np.random.default_rng(1).normal(size=(500, len(FEATURES)))
    y = (x[:, 1] > 0).astype(int)
    z, labels, counts = distinct_rows(x, y)
    assert counts is None and z is x and labels is y


def test_only_byte_equal_rows_are_merged() -> None:
    x = np.zeros((2, len(FEATURES)))
    x[1, 0] = -0.0  # equal as numbers, not as bytes: kept apart (the weighted objective is the same either way)
    assert distinct_rows(x, np.array([0, 0]))[2] is None


@pytest.mark.parametrize("seed", [3, 4])
def test_the_weighted_fit_is_the_fit_on_the_repeated_rows(seed: int) -> None:
    x, y = _repeated(seed)
    z, labels, counts = distinct_rows(x, y)
    weighted = LogisticRegression(C=0.5, max_iter=2000).fit(z, labels, sample_weight=counts)
    repeated = LogisticRegression(C=0.5, max_iter=2000).fit(x, y)
    assert np.allclose(weighted.coef_, repeated.coef_, rtol=0, atol=1e-8)
    assert np.allclose(weighted.intercept_, repeated.intercept_, rtol=0, atol=1e-8)


def test_the_pipeline_and_the_signed_fit_on_repeated_rows_predict_as_before() -> None:
    x, y = _repeated(5)
    x[::7, 2] = np.nan  # imputed values repeat too
    reference = LogisticRegression(C=0.5, max_iter=2000)
    pipeline = fit_pipeline(x, y)
    z = pipeline[:-1].transform(x)
    reference.fit(z, y)
    assert np.allclose(pipeline.predict_proba(x)[:, 1], reference.predict_proba(z)[:, 1], rtol=0, atol=1e-9)
    signed, _dropped = fit_with_expected_signs(x, y, BaselineModel(intercept=-4.0, weights={FEATURES[0]: 1.0}))
    assert signed.named_steps["logit"].coef_[0][0] > 0
