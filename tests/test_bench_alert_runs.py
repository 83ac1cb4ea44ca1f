"""``bench.alerts.fastest_alert_run``: the fastest of several cold alert runs, the slowest shown beside it."""

from __future__ import annotations

from pathlib import Path

import bench.alerts


def test_the_fastest_run_is_kept_and_the_slowest_shown(monkeypatch) -> None:
    per_alert = iter([19.1, 12.7, 14.0])
    runs: list[Path] = []

    def one_run(db_file: Path) -> dict:
        runs.append(db_file)
        ms = next(per_alert)
        return {"name": "alert run", "target": "t", "passed": ms <= 20, "alerts": 23, "cpu ms per alert": ms,
                "cpu s: run": round(ms * 23 / 1000, 3)}

    monkeypatch.setattr(bench.alerts, "alert_run_in_child", one_run)
    result = bench.alerts.fastest_alert_run(Path("store.db"), runs=3)
    assert runs == [Path("store.db")] * 3  # each a run of its own on the same store
    assert result["cpu ms per alert"] == 12.7 and result["cpu s: run"] == 0.292  # all of the fastest run's figures
    assert result["cpu ms per alert, slowest of 3 runs"] == 19.1
    keys = list(result)
    assert keys.index("cpu ms per alert, slowest of 3 runs") == keys.index("cpu ms per alert") + 1
