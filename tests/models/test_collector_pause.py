"""The collector's pause and its batch thresholds: switched as said, and restored."""

from __future__ import annotations

import gc
import subprocess
import sys

from models.collector_pause import BATCH_THRESHOLDS, collector_paused, use_batch_thresholds


def test_paused_block_restores_the_collector() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_block_inside_a_paused_process_leaves_it_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_batch_thresholds_are_set() -> None:
    before = gc.get_threshold()
    try:
        use_batch_thresholds()
        assert gc.get_threshold() == BATCH_THRESHOLDS
    finally:
        gc.set_threshold(*before)


def test_a_flow_run_process_gets_the_batch_thresholds() -> None:
    """A flow run imports the ``flows`` package first, in a fresh process of the runner's: that sets them."""
    code = "import gc, flows.collect_tenders; print(gc.get_threshold())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(BATCH_THRESHOLDS)
