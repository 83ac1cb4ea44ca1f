"""Python's cyclic garbage collector paused while a run makes many objects that all stay alive.

Here, below every layer that needs it (pipelines reading and indexing the award history, collecting a page
of notices; the demo building its world). Pure: no I/O, only the interpreter's collector switched. Why: the
history reads make hundreds of thousands of objects that all stay alive (facts, history, index), so each full
collection during them scanned everything and freed nothing: on a ``demo --scale 54`` store that was
2.5 of an alert run's 7 CPU-s (python -m bench.alerts), and at scale 16 about 0.4 of the 2.9 CPU-s of
learning the alternatives ranker, the peak RSS unchanged. Objects freed by their reference count still go
at once; cyclic garbage waits for the end of the block.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the block (and back on after it, if it was on before)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
