"""Saved failure models (pipelines.model_files): round trip, refusal on a version mismatch, fallback to the baseline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from config.risk import load_risk_config
from models.failure import BaselineModel, FittedModel, _fit_pipeline, predict
from models.features import FEATURES
from pipelines.model_files import META_FILE, MODEL_FILE, ModelFileError, load_model, save_model
from pipelines.score_suppliers import select_model

CONFIG = load_risk_config()
BASELINE = BaselineModel(CONFIG.failure.baseline.intercept, dict(CONFIG.failure.baseline.weights))


def _model() -> FittedModel:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, len(FEATURES)))
    x[rng.random(x.shape) < 0.1] = np.nan
    y = (rng.random(200) < 0.2).astype(int)
    return FittedModel(_fit_pipeline(x, y), 1.1, -0.3, "failure-logit-test")


def test_round_trip_gives_the_same_probabilities(tmp_path: Path) -> None:
    model = _model()
    save_model(tmp_path, model, {"selected": "model", "reason": "test"})
    loaded = load_model(tmp_path)
    x = np.random.default_rng(4).normal(size=(20, len(FEATURES)))
    assert loaded.version == "failure-logit-test"
    assert np.allclose(predict(loaded, x), predict(model, x))
    chosen, warning = select_model(tmp_path, BASELINE)
    assert warning is None and chosen.version == "failure-logit-test"


def test_other_library_versions_are_refused_and_the_baseline_used(tmp_path: Path) -> None:
    save_model(tmp_path, _model(), {"selected": "model", "reason": "test"})
    meta = json.loads((tmp_path / META_FILE).read_text())
    meta["libraries"]["scikit-learn"] = "0.24.2"
    (tmp_path / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="scikit-learn 0.24.2"):
        load_model(tmp_path)
    chosen, warning = select_model(tmp_path, BASELINE)
    assert chosen is BASELINE and "retrain" in (warning or "") and "baseline" in (warning or "")


def test_missing_or_broken_model_falls_back_with_a_warning(tmp_path: Path) -> None:
    chosen, warning = select_model(tmp_path / "nothing", BASELINE)
    assert chosen is BASELINE and "no trained model" in (warning or "")
    save_model(tmp_path, _model(), {"selected": "model", "reason": "test"})
    (tmp_path / MODEL_FILE).write_bytes(b"not a skops file")
    with pytest.raises(ModelFileError, match="cannot load"):
        load_model(tmp_path)
    assert select_model(tmp_path, BASELINE)[0] is BASELINE


def test_a_model_with_other_features_is_refused(tmp_path: Path) -> None:
    save_model(tmp_path, _model(), {"selected": "model", "reason": "test"})
    meta = json.loads((tmp_path / META_FILE).read_text())
    meta["features"] = meta["features"][:-1]
    (tmp_path / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="other features"):
        load_model(tmp_path)


def test_training_that_chose_the_baseline_is_respected(tmp_path: Path) -> None:
    save_model(tmp_path, _model(), {"selected": "baseline", "reason": "does not beat the baseline"})
    chosen, warning = select_model(tmp_path, BASELINE)
    assert chosen is BASELINE and "does not beat" in (warning or "")
