"""Round trip: a real Prefect server on loopback, `supplyradar serve` registering every deployment,
one deployment triggered over the API and seen to complete.

Slow (a server start, a serve process, one flow run: about 30-60 s), so it is marked ``server`` and
runs once per test session. It talks only to 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from flows.prefect_server import QUIET_PREFECT_ENV, temporary_server

pytestmark = pytest.mark.server

REPO_ROOT = Path(__file__).resolve().parents[2]
TRIGGERED = ("market-scan", "weekly")


def _wait_for(predicate, timeout: float, what: str):  # small polling helper
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _answer(call, what: str) -> dict | list:  # a zero-argument request
    """The JSON of a request, asked again while the server is busy (a 503 while serve registers 13 deployments)."""

    def attempt() -> dict | list | None:
        response = call()
        if response.status_code == 503:
            return None
        return response.raise_for_status().json()

    return _wait_for(attempt, 60, what)


def test_serve_registers_the_deployments_and_runs_a_triggered_one(tmp_path: Path) -> None:
    from config.settings import Settings
    from flows.deployments import deployments

    expected = {(d.flow_name, d.name) for d in deployments(Settings(_env_file=None))}
    with temporary_server(tmp_path / "prefect") as api_url:
        env = {
            **os.environ,
            **QUIET_PREFECT_ENV,
            "PREFECT_API_URL": api_url,
            "PREFECT_HOME": str(tmp_path / "prefect-client"),
            "PREFECT_RUNNER_POLL_FREQUENCY": "2",
            "SUPPLYRADAR_DATA_DIR": str(tmp_path / "data"),
        }
        log = (tmp_path / "serve.log").open("wb")
        serve = subprocess.Popen(
            [str(Path(sys.executable).with_name("supplyradar")), "serve"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            with httpx.Client(base_url=api_url, timeout=10) as api:

                def registered() -> dict[tuple[str, str], str] | None:
                    rows = _answer(lambda: api.post("/deployments/filter", json={"limit": 100}), "deployments")
                    flows = {f["id"]: f["name"] for f in _answer(lambda: api.post("/flows/filter", json={"limit": 100}), "flows")}
                    found = {(flows.get(r["flow_id"]), r["name"]): r["id"] for r in rows}
                    return found if expected <= set(found) else None

                found = _wait_for(registered, 90, f"the deployments {sorted(expected)} to be registered")
                run = _answer(lambda: api.post(
                    f"/deployments/{found[TRIGGERED]}/create_flow_run",
                    json={"parameters": {"cpv": ["72"], "years_back": 1}},
                ), "a flow run to be created")

                def finished() -> dict | None:
                    state = _answer(lambda: api.get(f"/flow_runs/{run['id']}"), "the flow run")["state"]
                    return state if state["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"} else None

                state = _wait_for(finished, 180, "the triggered flow run to finish")
                assert state["type"] == "COMPLETED", state
        finally:
            os.killpg(serve.pid, signal.SIGINT)
            try:
                serve.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(serve.pid, signal.SIGKILL)
                serve.wait()
            log.close()
