"""Round trip: ``supplyradar collect company-signals --transport demo`` then ``supplyradar supplier KVK [--json]``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from demo.story import build_story
from store.db import Store
from store.schema import Organisation
from supplyradar.cli import app

runner = CliRunner()
OURS = build_story().our_failure_id


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYRADAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SUPPLYRADAR_DATABASE_URL", raising=False)
    now = datetime.now(UTC)
    with Store(f"sqlite:///{tmp_path / 'data' / 'supplyradar.db'}") as store, store.session() as s, s.begin():
        s.add(Organisation(org_key=f"NL:id:{OURS}", name="As the notices name it", country="NL", first_seen=now, updated_at=now))
    return tmp_path / "data"


def test_collect_then_explain_one_supplier(data_dir: Path) -> None:
    result = runner.invoke(app, ["collect", "company-signals", "--transport", "demo", "--as-of", "2026-11-01",
                                 "--history-from", "2025-12-31"])
    assert result.exit_code == 0, result.output
    assert "kvk" in result.stdout and "cir" in result.stdout
    shown = runner.invoke(app, ["supplier", OURS])
    assert shown.exit_code == 0, shown.output
    assert "Insolvency case F." in shown.stdout and "not scored yet" in shown.stdout
    as_json = json.loads(runner.invoke(app, ["supplier", OURS, "--json"]).stdout)
    assert as_json["kvk_number"] == OURS and as_json["register"]["status"] == "found"
    assert {e["kind"] for e in as_json["events"]} >= {"insolvency.bankruptcy_declared", "insolvency.suspension_provisional"}
    assert [c["case_number"][0] for c in as_json["insolvency_cases"]] == ["F", "S"]


def test_unknown_supplier_exits_1(data_dir: Path) -> None:
    result = runner.invoke(app, ["supplier", "12345678"])
    assert result.exit_code == 1 and "12345678" in result.output


def test_history_needs_the_demo(data_dir: Path) -> None:
    result = runner.invoke(app, ["collect", "company-signals", "--history-from", "2025-01-01"])
    assert result.exit_code == 2
