"""Python's cyclic garbage collector: paused while a run makes many objects that all stay alive, and its
thresholds for batch processes.

Here, below every layer that needs it (pipelines reading and indexing the award history, collecting a page of
notices, preparing a batch of news articles; the demo building its world). Pure: no I/O, only the interpreter's
collector switched. Why: the history reads make hundreds of thousands of objects that all stay alive (facts,
history, index), so each full collection during them scanned everything and freed nothing: on a ``demo --scale
54`` store that was 2.5 of an alert run's 7 CPU-s (python -m bench.alerts), and at scale 16 about 0.4 of the 2.9
CPU-s of learning the alternatives ranker, the peak RSS unchanged. Objects freed by their reference count still
go at once; cyclic garbage waits for the end of the block.
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


#: The collector's thresholds in a batch process (a flow run, the demo chain, the CLI): generation 0 is collected
#: after 100,000 net allocations instead of Python's 700, generation 1 after 20 of those, and a full collection
#: waits for 100 collections of generation 1 instead of 10 (``gc.set_threshold``). Why: a flow run keeps hundreds
#: of thousands of records, rows and index entries alive for a whole step, and with the defaults a ``bench.scale``
#: run at scale 16 made 47 full collections, 45 of them freeing next to nothing: 6.6 of the process's 86 CPU-s
#: went to the collector. With 50,000 / 20 / 100: 2 full collections and 1.6 CPU-s (2.1 with 10,000 / 10 / 100),
#: peak RSS 823 -> 832 MiB. At scale 54 the chain's stages still spent 4.75 CPU-s in the collector with 50,000,
#: most of it in generation 0 (a collection every 50,000 allocations walks what they left alive); 3.76 with
#: 100,000 and 3.41-3.85 with 200,000, peak RSS 1,537 -> 1,515 and 1,518-1,520 MiB. Cyclic garbage waits a little
#: longer; garbage freed by its reference count (nearly all of it) still goes at once.
BATCH_THRESHOLDS = (100_000, 20, 100)


def use_batch_thresholds() -> None:
    """Set ``BATCH_THRESHOLDS`` for this process (idempotent). Called where a batch process starts: the CLI and
    the ``flows`` package, which every flow run imports, in whatever process the runner starts it."""
    gc.set_threshold(*BATCH_THRESHOLDS)
