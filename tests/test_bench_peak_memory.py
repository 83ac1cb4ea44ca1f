"""``bench.peak_memory``: a child's peak is its own, not the parent's it was started from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.peak_memory import peak_rss_mib

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc (VmHWM)")
def test_a_child_started_by_a_large_parent_reports_its_own_peak() -> None:
    ballast = bytearray(300 * 1024 * 1024)
    for offset in range(0, len(ballast), 4096):  # touched, so resident
        ballast[offset] = 1
    assert peak_rss_mib() >= 300
    child = subprocess.run([sys.executable, "-c", "from bench.peak_memory import peak_rss_mib; print(peak_rss_mib())"],
                           cwd=ROOT, capture_output=True, text=True, check=True)
    assert 1 < float(child.stdout) < 150  # an interpreter, not the parent's 300 MiB
    del ballast
