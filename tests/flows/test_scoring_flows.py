"""Round trip under Prefect: ``train-models`` then ``score-suppliers`` on the demo story's history (SYNTHETIC).

The area's one flow test. It shares the session's Prefect harness fixture (``tests/conftest.py``).
Company snapshots are not in this store (the companies area collects them), so the flows run with
lower coverage: which is part of what is tested.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.score_suppliers import score_suppliers
from flows.train_models import train_models
from store.db import Store
from tests.demo.test_scoring_world import AS_OF, populate
from tests.flow_support import artifacts as _artifacts

pytestmark = pytest.mark.flow


def test_train_then_score_flows(prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYRADAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SUPPLYRADAR_DATABASE_URL", raising=False)
    with Store(f"sqlite:///{tmp_path / 'data' / 'supplyradar.db'}") as store:
        populate(store)
    trained = train_models(as_of=AS_OF)
    assert trained["selected"] in {"model", "baseline"} and Path(trained["card"]).exists()
    assert trained["baseline_metrics"]["positives"] > 0
    summary = score_suppliers(as_of=AS_OF)
    assert summary["counts"]["failure"] > 100 and summary["counts"]["combined"] > 0
    assert summary["top"][0]["reason"] == "bankruptcy declared on 2026-10-20"
    artifacts = _artifacts("train-models-card", "train-models-metrics", "score-suppliers-summary", "score-suppliers-top")
    assert set(artifacts) == {"train-models-card", "train-models-metrics", "score-suppliers-summary", "score-suppliers-top"}
    assert "Held-out metrics" in artifacts["train-models-card"]["data"]
    assert set(summary["prepared_for_alerts"]) == {"market", "division"}  # kept for the day's alert runs

    bad = tmp_path / "routing.yaml"
    bad.write_text("people: 3\n", encoding="utf-8")
    again = score_suppliers(as_of=AS_OF, routing_file=str(bad))  # a broken alert configuration: the scores stand
    assert again["prepared_for_alerts"] == {} and again["counts"] == summary["counts"]
