"""A scoring run whose process was killed (kill -9) half-way is closed as "failed" at the next scoring start.

The child process opens a scoring run, commits it (as a run that writes its scores in several
transactions would) and kills itself with SIGKILL before finishing. A run whose process is still
alive is left "running": it may still be going.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

from store.risk import start_scoring_run
from store.schema import ScoringRun
from tests.fault_server import fresh_store

CHILD = textwrap.dedent("""
    import os, signal, sys
    from datetime import date
    from store.db import Store
    from store.risk import start_scoring_run
    store = Store(sys.argv[1], migrate=False)
    with store.sessions.begin() as session:
        run_id = start_scoring_run(session, as_of=date(2026, 11, 1), model_version="half-way")
    print(run_id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # before save_scores and finish_scoring_run
""")


def test_a_scoring_run_killed_half_way_is_failed_at_the_next_start(tmp_path: Path) -> None:
    store = fresh_store(tmp_path)
    child = subprocess.run([sys.executable, "-c", CHILD, store.url], capture_output=True, text=True, timeout=120,
                           env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert child.returncode == -signal.SIGKILL, child.stderr
    killed_id = int(child.stdout.split()[0])
    with store.session() as session:
        assert session.get(ScoringRun, killed_id).status == "running"  # what kill -9 leaves behind
    with store.sessions.begin() as session:
        new_id = start_scoring_run(session, as_of=date(2026, 11, 2), model_version="next")
    with store.session() as session:
        killed, new = session.get(ScoringRun, killed_id), session.get(ScoringRun, new_id)
        assert killed.status == "failed" and killed.finished_at is None
        assert "ended without finishing this run (killed)" in killed.details["error"]
        assert new.status == "running" and new.details["pid"] == os.getpid()


def test_a_scoring_run_of_a_live_process_stays_running(tmp_path: Path) -> None:
    store = fresh_store(tmp_path)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with store.sessions.begin() as session:
            live_id = start_scoring_run(session, as_of=date(2026, 11, 1), model_version="live")
            session.get(ScoringRun, live_id).details = {"host": os.uname().nodename, "pid": sleeper.pid}
        with store.sessions.begin() as session:
            start_scoring_run(session, as_of=date(2026, 11, 2), model_version="next")
        with store.session() as session:
            assert session.get(ScoringRun, live_id).status == "running"
    finally:
        sleeper.kill()
        sleeper.wait()
