"""The peak resident memory of this process alone.

``getrusage(RUSAGE_SELF).ru_maxrss`` is not that for a process started by another: Linux keeps ``ru_maxrss``
across ``fork`` and ``execve``, so a benchmark run in a child of a 1.8 GB parent reports at least 1.8 GB
whatever it used itself (and a growth ratio between two such children reads 1.0). The kernel's own high-water
mark of the process (``VmHWM`` in ``/proc/self/status``) starts at the child's own pages; it is read where
there is one, else ``ru_maxrss``.
"""

from __future__ import annotations

import resource
from pathlib import Path

_STATUS = Path("/proc/self/status")


def peak_rss_mib() -> float:
    """Peak resident set size of the calling process, in MiB."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux and BSD report KiB (macOS bytes)
