"""Round trip under Prefect: the ``collect-company-signals`` flow on the demo replay (history mode, then one day).

The area's one flow test. It shares the session's Prefect harness fixture of ``tests/flows/test_flows.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.flow_support import artifacts as _artifacts

pytestmark = pytest.mark.flow

from demo.story import build_story  # noqa: E402
from flows.company_signals import collect_company_signals  # noqa: E402
from store.db import Store  # noqa: E402
from store.schema import Organisation  # noqa: E402


def test_company_signals_flow_builds_a_history(prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYRADAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SUPPLYRADAR_DATABASE_URL", raising=False)
    ours, now = build_story().our_failure_id, datetime.now(UTC)
    with Store(f"sqlite:///{tmp_path / 'data' / 'supplyradar.db'}") as store, store.session() as s, s.begin():
        s.add(Organisation(org_key=f"NL:id:{ours}", name="Ours", country="NL", first_seen=now, updated_at=now))
    rows = collect_company_signals(transport="demo", observed_on=date(2026, 11, 1), history_from=date(2026, 3, 31))
    assert {r["source"] for r in rows} == {"kvk", "cir"} and all(r["status"] == "ok" for r in rows)
    assert sum(r["events"] for r in rows if r["source"] == "cir") == 2
    again = collect_company_signals(transport="demo", observed_on=date(2026, 11, 1))
    assert [r["events"] for r in again] == [0, 0] and again[0]["cached"] == 1  # confirmed today: not fetched again
    assert _artifacts("collect-company-signals-summary")["collect-company-signals-summary"]["type"] == "table"
