"""The notice parsers compiled by mypyc (``connectors.notice_xml.native``) give what the plain Python ones give.

The compiled modules are used only when their manifest matches the sources beside them; the comparison parses
every notice we have (the committed fixtures, the demo's notices and, where ``../shared`` sits beside the
repository, the real corpus) in two processes, one with the build and one without, and compares each notice,
each error and each log line. mypyc checks the declared types at run time, so a type that plain Python would
let through shows up here as a difference.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from connectors.notice_xml import native

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "ted"

#: Parses every notice and prints one JSON line: whether the build was used, and the digest of what came out.
OUTCOMES = r"""
import hashlib, json, logging, sys, zipfile
from pathlib import Path
from connectors.errors import RecordError
from connectors.notice_xml import native, parse_notice

class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []
    def emit(self, record):
        self.lines.append(f"{record.levelname} {record.name} {record.getMessage()}")

lines = Lines()
logger = logging.getLogger("connectors.notice_xml")
logger.addHandler(lines)
logger.setLevel(logging.DEBUG)
files = []
for folder in sys.argv[1:]:
    files += [(str(path), path.read_bytes()) for path in sorted(Path(folder).rglob("*.xml"))]
with zipfile.ZipFile("demo/data/ted-notices.zip") as bundle:
    files += [(name, bundle.read(name)) for name in bundle.namelist()]
digest = hashlib.sha256()
for where, data in files:
    try:
        outcome = repr(parse_notice(data, where=where))
    except RecordError as error:
        outcome = f"{type(error).__name__}: {error}"
    digest.update(f"{where}\n{outcome}\n{chr(10).join(lines.lines)}\n".encode())
    lines.lines.clear()
print(json.dumps({"compiled": native.in_use(), "files": len(files), "digest": digest.hexdigest()}))
"""


def _outcomes(use_build: bool) -> dict[str, object]:
    folders = [str(REPO / "tests" / "fixtures" / "ted")] + ([str(SHARED)] if SHARED.is_dir() else [])
    # one hash seed for both: a debug line prints a set, whose order follows the process's string hashes
    environment = {**os.environ, native.SWITCH: "1" if use_build else "0", "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-c", OUTCOMES, *folders], cwd=REPO, env=environment, capture_output=True,
                          text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_compiled_parsers_give_what_plain_python_gives() -> None:
    if not native.is_current(native.build_root()):
        pytest.skip(f"no current compiled build in {native.build_root()} (`make native` makes it; it needs a C compiler)")
    compiled, plain = _outcomes(use_build=True), _outcomes(use_build=False)
    assert compiled["compiled"] is True and plain["compiled"] is False
    assert compiled["files"] == plain["files"] > 1500
    assert compiled["digest"] == plain["digest"]


def _sources(folder: Path) -> Path:
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "eforms.py").write_text("X = 1\n", encoding="utf-8")
    (folder / "values.py").write_text("Y = 2\n", encoding="utf-8")
    return folder


def _manifest(root: Path, sources: Path) -> None:
    root.mkdir()
    manifest = {"python": sys.implementation.cache_tag, "sources": native.fingerprint(native.compiled_sources(sources))}
    (root / native.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_a_build_is_current_only_for_the_very_sources_it_was_made_from(tmp_path: Path) -> None:
    sources, root = _sources(tmp_path / "src"), tmp_path / "build"
    _manifest(root, sources)
    assert [path.name for path in native.compiled_sources(sources)] == ["eforms.py", "values.py"]
    assert native.is_current(root, sources)
    (sources / "values.py").write_text("Y = 3\n", encoding="utf-8")  # an edit after the build
    assert not native.is_current(root, sources)
    (sources / "values.py").write_text("Y = 2\n", encoding="utf-8")
    (sources / "codes.py").write_text("Z = 0\n", encoding="utf-8")  # a module the build does not have
    assert not native.is_current(root, sources)
    assert not native.is_current(tmp_path / "nowhere", sources)


def test_attach_puts_only_a_current_build_on_the_package_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "build"
    _manifest(root, native.SOURCE_DIR)
    monkeypatch.setenv(native.SWITCH, "1")
    path = ["/src/connectors/notice_xml"]
    assert native.attach(path, root) is True
    assert path == [str(root / "connectors" / "notice_xml"), "/src/connectors/notice_xml"]

    monkeypatch.setenv(native.SWITCH, "0")  # plain Python asked for
    path = ["/src"]
    assert native.attach(path, root) is False and path == ["/src"]

    monkeypatch.setenv(native.SWITCH, "1")
    manifest = json.loads((root / native.MANIFEST).read_text(encoding="utf-8"))
    manifest["python"] = "cpython-0"  # made by another Python
    (root / native.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert native.attach(path, root) is False and path == ["/src"]
    assert native.attach(path, tmp_path / "never-built") is False and path == ["/src"]
