"""The notice parsers compiled to C by mypyc, used only where that build matches the sources beside it.

Parsing is the largest piece of Python work per notice in a collection (issue 20: the parse within 2x bare lxml
on the demo's small notices). After every XPath call was folded into child walks, what remained was the
interpreter itself: each field costs a handful of bytecodes, calls and attribute lookups around a few lxml
reads. mypyc (part of mypy, the compiler behind mypy's and black's own wheels) turns the same typed modules into
a C extension: the same code, the same results (``tests/connectors/test_notice_native.py`` parses every real
and demo notice both ways and compares), about a sixth less of our own work per notice. The modules' constants
(tags, compiled XPath, patterns) are declared ``Final``, which the compiled code reads as C statics rather than
module dictionary lookups (a further 8% of the instructions per eForms notice); a constant a test lowers
(``safe_xml.MAX_XML_BYTES``) stays a plain global. mypyc checks declared types at run time, so annotations
here must be true of every input, never just of the usual one.

The build lives in the virtual environment (``sys.prefix``/``BUILD_DIR``), never beside the sources, so a
stale ``.so`` can never shadow an edited ``.py``: ``make`` rebuilds it when a parser source changes
(``python -m connectors.notice_xml.native_build``), and ``attach`` adds it to the package's search path only when
the hash of every source it was built from still matches, and the set of modules is the same. Otherwise, and
where no C compiler was at hand, the package runs as plain Python, with the same results.
``SUPPLYRADAR_NATIVE=0`` forces plain Python (to debug, or to compare).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from collections.abc import MutableSequence
from pathlib import Path

logger = logging.getLogger(__name__)

PACKAGE = "connectors.notice_xml"
SOURCE_DIR = Path(__file__).resolve().parent
#: Where the build goes, under the interpreter's prefix (the virtual environment).
BUILD_DIR = "supplyradar-native"
MANIFEST = "manifest.json"
#: Not compiled: the package's ``__init__`` (it calls ``attach`` before any other module is imported), this file and the
#: build.
NOT_COMPILED = frozenset({"__init__.py", "native.py", "native_build.py"})
SWITCH = "SUPPLYRADAR_NATIVE"


def compiled_sources(source_dir: Path = SOURCE_DIR) -> list[Path]:
    """The modules that are compiled: every module of the package but ``NOT_COMPILED``, in name order."""
    return sorted(path for path in source_dir.glob("*.py") if path.name not in NOT_COMPILED)


def fingerprint(sources: list[Path]) -> dict[str, str]:
    """File name -> SHA-256 of its bytes: what a build was made from."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sources}


def build_root(prefix: str | None = None) -> Path:
    return Path(prefix or sys.prefix) / BUILD_DIR


def is_current(root: Path, source_dir: Path = SOURCE_DIR) -> bool:
    """Whether the build under ``root`` was made from exactly the sources now in ``source_dir``, by this Python."""
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (manifest.get("python") == sys.implementation.cache_tag
            and manifest.get("sources") == fingerprint(compiled_sources(source_dir)))


def attach(package_path: MutableSequence[str], root: Path | None = None) -> bool:
    """Put the compiled modules first on ``package_path`` (the package's ``__path__``) when they are current.

    Returns whether they were attached. Called by the package's ``__init__`` before it imports its modules."""
    if os.environ.get(SWITCH, "1") == "0":
        return False
    root = build_root() if root is None else root
    if not (root / MANIFEST).is_file():
        return False
    if not is_current(root):
        logger.info("the compiled notice parsers in %s are older than their sources: plain Python is used "
                    "(make rebuilds them)", root)
        return False
    package_path.insert(0, str(root.joinpath(*PACKAGE.split("."))))
    return True


def in_use() -> bool:
    """Whether the parser modules imported in this process are the compiled ones."""
    module = sys.modules.get(f"{PACKAGE}.eforms")
    return module is not None and not str(getattr(module, "__file__", "")).endswith(".py")
