"""``supplyradar demo --scale N``: the synthetic world made N times larger, to measure the chain at size.

The chain is ``flows.demo_chain`` (the ``demo`` command runs it); this module builds the world and guards the store.

Scale 1 is the committed bundle (``demo/data``). A larger world is built by the same seeded generator
(``demo.world.build_world(seed, scale)``) and the same renderers into a temporary folder, and the replay
transport is pointed at that folder for the run (``$SUPPLYRADAR_DEMO_BUNDLE``), so collection runs exactly
the code it runs on the committed bundle. The bundle carries our own data N times over (``demo.own_data_copies``:
our buyer's copy buys in every copy; copy 1's rows are the committed ones). News grows with the world: copy 1's
is the committed news, and each further copy adds its own (``demo.scale_news``). Company registers stay the
committed ones: they describe the story's suppliers, which are the first copy of every scaled world.

The store remembers the scale it was filled at: a scaled world collected into a store that holds another
world's notices would mix two markets (the notices differ, the first copy's suppliers do not), so that is
refused with the way out named.
"""

from __future__ import annotations

import logging
import os
import resource
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from config.settings import Settings
from demo.replay_meter import METER
from store.bookkeeping import get_meta, set_meta
from store.db import Store
from store.health import notice_count

#: The store's record of the demo world's scale it holds ("1" when never set: the default demo).
DEMO_SCALE_KEY = "demo.scale"
_log = logging.getLogger("supplyradar.demo.scale")


class DemoScaleError(ValueError):
    """The requested scale does not fit the store (it holds another world) or is not a positive number."""


@contextmanager
def scaled_bundle(scale: int, *, seed: int | None = None) -> Iterator[dict[str, int] | None]:
    """Scale 1: nothing to build (the committed bundle; yields None). Otherwise build the N-times world in a
    temporary folder, point the replay at it while the block runs, and remove it afterwards; yields its counts."""
    if scale < 1:
        raise DemoScaleError(f"--scale must be a positive whole number, not {scale}")
    if scale == 1:
        yield None
        return
    from demo.build import BUNDLE_ENV, build_bundle
    from demo.world import DEFAULT_SEED

    with tempfile.TemporaryDirectory(prefix=f"supplyradar-demo-x{scale}-") as folder:
        counts = build_bundle(Path(folder), DEFAULT_SEED if seed is None else seed, scale)
        previous = os.environ.get(BUNDLE_ENV)
        os.environ[BUNDLE_ENV] = folder
        try:
            yield counts
        finally:
            if previous is None:
                os.environ.pop(BUNDLE_ENV, None)
            else:
                os.environ[BUNDLE_ENV] = previous


def check_scale(settings: Settings, scale: int) -> None:
    """Refuse to collect a world of another scale into a store that already holds notices."""
    with Store(settings.resolved_database_url) as store, store.session() as session:
        notices = notice_count(session)
        held = int(get_meta(session, DEMO_SCALE_KEY) or "1")
    if notices and held != scale:
        raise DemoScaleError(
            f"the store {settings.resolved_database_url} holds {notices} notices of a world at scale {held}; "
            f"a scale-{scale} world would mix with them. Run it with an empty data directory, e.g. "
            f"SUPPLYRADAR_DATA_DIR=/tmp/supplyradar-x{scale} supplyradar demo --scale {scale}"
        )


def remember_scale(settings: Settings, scale: int) -> None:
    with Store(settings.resolved_database_url) as store, store.session() as session, session.begin():
        set_meta(session, DEMO_SCALE_KEY, str(scale))


class StageClock:
    """CPU seconds of this process per stage of the demo, for ``bench/scale.py``.

    CPU, not wall time, because the machine is shared; children (the temporary Prefect server) are counted
    by the caller with ``resource.getrusage(RUSAGE_CHILDREN)`` once they have exited. While the replay is metered
    (``demo.replay_meter.metering``), ``replay`` holds the part of each stage spent answering as the remote services.
    """

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self.replay: dict[str, float] = {}
        self.world: dict[str, int] = {}  # the scaled world's counts (empty at scale 1: the committed bundle)
        self._last = time.process_time()
        self._replay_last = METER.seconds

    def lap(self, stage: str) -> None:
        now = time.process_time()
        self.stages[stage] = round(self.stages.get(stage, 0.0) + now - self._last, 3)
        if METER.on:
            self.replay[stage] = round(self.replay.get(stage, 0.0) + METER.seconds - self._replay_last, 3)
        self._replay_last = METER.seconds
        # as it happens, so a long run that fails later still leaves its figures (bench/scale.py shows these)
        _log.info("stage %s: %.3f CPU-s, peak RSS %.0f MiB", stage, now - self._last,
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        self._last = now
