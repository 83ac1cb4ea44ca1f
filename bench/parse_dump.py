"""A canonical dump of what the notice parsers make of every notice we hold, to prove a change keeps the output.

    PYTHONHASHSEED=0 PYTHONPATH=$PWD python -m bench.parse_dump OUT [--debug]

Parses every XML file under ``../shared/data/ted`` (corpus-r209 included), ``tests/fixtures`` and the demo's
``demo/data/ted-notices.zip``, and writes per file its name, the ``repr`` of the ``Notice`` (every record,
award, bid, party, value) or of the error raised, and each log record of ``connectors`` the parse emitted
(WARNING and up; with ``--debug`` DEBUG too, whose order a refactoring should also keep). Run it before and
after a change of the parsers: the two files must be byte-identical (``cmp``). The hash seed is fixed
because a few DEBUG messages print sets.
"""

from __future__ import annotations

import logging
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

from bench.notice_parsing import DEMO_NOTICES, REPO_ROOT, SHARED_TED
from connectors.notice_xml import parse_notice


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"  LOG {record.levelname} {record.name} {record.getMessage()}")


def notice_files() -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every XML notice we hold, in a fixed order."""
    for path in sorted(SHARED_TED.rglob("*.xml")):
        yield str(path.relative_to(REPO_ROOT.parent)), path.read_bytes()
    for path in sorted((REPO_ROOT / "tests" / "fixtures").rglob("*.xml")):
        yield str(path.relative_to(REPO_ROOT)), path.read_bytes()
    with zipfile.ZipFile(DEMO_NOTICES) as bundle:
        for name in bundle.namelist():
            yield f"demo:{name}", bundle.read(name)


def dump(out: Path, *, debug: bool = False) -> int:
    """Write the dump to ``out``; the number of files parsed."""
    collector = _Collector()
    logger = logging.getLogger("connectors")
    logger.addHandler(collector)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False
    files = 0
    with out.open("w", encoding="utf-8") as written:
        for where, data in notice_files():
            collector.lines.clear()
            try:
                result = repr(parse_notice(data, where=where))
            except Exception as error:  # noqa: BLE001 - the error and its message are part of the output
                result = f"ERROR {type(error).__name__}: {error} {vars(error)}"
            written.write(f"== {where}\n{result}\n")
            written.writelines(line + "\n" for line in collector.lines)
            files += 1
    return files


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print(dump(Path(sys.argv[1]), debug="--debug" in sys.argv[2:]), "files")
