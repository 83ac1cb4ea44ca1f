"""Notice-parsing throughput against bare lxml on the same bytes.

Parsing XML is work lxml must do anyway; what the notice parsers add on top (format detection,
XPath, building records) should cost less than the parse itself: target
``parser time / bare lxml time < 2.0``, on the real notices and on the demo's small ones. Bare lxml uses the same safe parser, so the ratio
measures our code, not parser options. Each round parses every file once; the best of
``ROUNDS`` rounds is kept, as the fastest run is the one least disturbed by the machine.

Memory: the tracemalloc peak while parsing every file one at a time (what one worker needs for
one notice, not what a batch keeps), and the process's maximum resident set size. tracemalloc
sees only Python's allocations, not libxml2's trees; ``ru_maxrss`` covers both.
"""

from __future__ import annotations

import gc
import resource
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from bench import Result
from connectors.errors import RecordError
from connectors.notice_xml import parse_notice
from connectors.notice_xml.safe_xml import safe_parser

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_TED = REPO_ROOT.parent / "shared" / "data" / "ted"
FIXTURES_TED = REPO_ROOT / "tests" / "fixtures" / "ted"
DEMO_NOTICES = REPO_ROOT / "demo" / "data" / "ted-notices.zip"
ROUNDS = 7
TARGET_RATIO = 2.0

Corpus = list[tuple[str, bytes]]


def corpus() -> tuple[Path, Corpus]:
    """The real notices: ``../shared/data/ted`` where present, else the test fixtures."""
    folder = SHARED_TED if SHARED_TED.is_dir() else FIXTURES_TED
    return folder, [(str(path), path.read_bytes()) for path in sorted(folder.rglob("*.xml"))]


def demo_corpus() -> Corpus:
    """The demo's TED notices: small ones (about 8 KB), where the parsers' fixed cost per notice shows most."""
    with zipfile.ZipFile(DEMO_NOTICES) as bundle:
        return [(name, bundle.read(name)) for name in bundle.namelist()]


def parse_all(files: Corpus) -> int:
    """Parse every file with ``parse_notice``; the number that were notices."""
    parsed = 0
    for where, data in files:
        try:
            parse_notice(data, where=where)
        except RecordError:
            continue
        parsed += 1
    return parsed


def lxml_all(files: Corpus) -> int:
    parser = safe_parser()
    for _, data in files:
        etree.fromstring(data, parser)
    return len(files)


def best_time(work: Callable[[Corpus], int], files: Corpus) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        gc.collect()
        started = time.process_time()
        work(files)
        best = min(best, time.process_time() - started)
    return best


def peak_memory(files: Corpus) -> int:
    """The tracemalloc peak (bytes) over parsing each file on its own."""
    tracemalloc.start()
    try:
        peak = 0
        for where, data in files:
            tracemalloc.reset_peak()
            try:
                parse_notice(data, where=where)
            except RecordError:
                pass
            peak = max(peak, tracemalloc.get_traced_memory()[1])
        return peak
    finally:
        tracemalloc.stop()


def notice_parsing() -> Result:
    folder, files = corpus()
    if not files:
        return {"name": "notice parsing", "target": f"ratio < {TARGET_RATIO}", "passed": False, "files": 0, "data": str(folder)}
    megabytes = sum(len(data) for _, data in files) / 1e6
    parsed = parse_all(files)  # warm up: imports, compiled XPath, caches
    lxml_all(files)
    parser_time = best_time(parse_all, files)
    lxml_time = best_time(lxml_all, files)
    ratio = parser_time / lxml_time
    demo = demo_corpus()
    parse_all(demo)
    demo_ratio = best_time(parse_all, demo) / best_time(lxml_all, demo)
    return {
        "name": "notice parsing",
        "target": f"ratio < {TARGET_RATIO} (real and demo notices)",
        "passed": ratio < TARGET_RATIO and demo_ratio < TARGET_RATIO,
        "data": str(folder.relative_to(REPO_ROOT.parent) if folder.is_relative_to(REPO_ROOT.parent) else folder),
        "files": len(files),
        "notices parsed": parsed,
        "MB": round(megabytes, 2),
        "notices/s": round(len(files) / parser_time),
        "MB/s": round(megabytes / parser_time, 1),
        "lxml MB/s": round(megabytes / lxml_time, 1),
        "parser s": round(parser_time, 4),
        "lxml s": round(lxml_time, 4),
        "ratio": round(ratio, 3),
        "demo notices": len(demo),
        "demo ratio": round(demo_ratio, 3),
        "tracemalloc peak MB": round(peak_memory(files) / 1e6, 2),
        "ru_maxrss MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
