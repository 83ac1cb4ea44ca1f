"""Building the compiled notice parsers (``native``): ``python -m connectors.notice_xml.native_build``, run by ``make``.

mypyc type-checks the package's modules (``native.compiled_sources``) and writes C; setuptools compiles it into
extension modules under ``native.build_root()``, with a manifest of the sources they were made from. Build-time
only (the "native" extra: mypy, setuptools): nothing imports this module at run time.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from connectors.notice_xml.native import MANIFEST, PACKAGE, build_root, compiled_sources, fingerprint


class NativeBuildError(RuntimeError):
    """The compiled build could not be made (no compiler, a type error mypyc refuses); plain Python still runs."""


def build(root: Path | None = None) -> Path:
    """Compile the package's modules with mypyc into ``root`` (default: under ``sys.prefix``); returns ``root``.

    The build runs in a temporary directory (mypyc's C files and setuptools' objects stay there) and replaces
    ``root`` only when it succeeded, so a failed build leaves plain Python in use, never half a build."""
    root = build_root() if root is None else root
    sources = compiled_sources()
    made_from = fingerprint(sources)  # before compiling: a source edited meanwhile makes the build stale, as it is
    try:
        from mypyc.build import mypycify  # build-time only: the "native" extra
        from setuptools import setup
    except ImportError as error:
        raise NativeBuildError(f"mypyc or setuptools is not installed ({error}); install the 'native' extra") from None
    with tempfile.TemporaryDirectory(prefix="supplyradar-native-") as work:
        staging = Path(work) / "out"
        here = os.getcwd()
        os.chdir(work)  # setuptools reads the working directory's pyproject.toml: an empty one
        try:
            modules = mypycify(["--ignore-missing-imports", "--follow-imports=silent", "--cache-dir", str(Path(work) / "cache"),
                                *map(str, sources)], opt_level="3", target_dir=str(Path(work) / "c"),
                               group_name=f"{PACKAGE}._native")
            setup(name="supplyradar-native", ext_modules=modules, script_args=[
                "--quiet", "build_ext", "--build-lib", str(staging), "--build-temp", str(Path(work) / "obj")])
        except (SystemExit, OSError) as error:  # setuptools (and mypy, on a type error) end with SystemExit
            raise NativeBuildError(f"mypyc could not compile {PACKAGE}: {error}") from None
        finally:
            os.chdir(here)
        _replace(root, staging, {"python": sys.implementation.cache_tag, "sources": made_from})
    return root


def _replace(root: Path, staging: Path, manifest: dict[str, object]) -> None:
    """Swap the new build in for the old one, the manifest last: a process importing the parsers meanwhile finds no
    manifest (and runs plain Python) until every module of the new build is in place."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(staging, root)
    (root / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def main() -> int:
    """``python -m connectors.notice_xml.native_build``: build, or say why not (exit 1; plain Python still runs)."""
    try:
        root = build()
    except NativeBuildError as error:
        print(f"notice parsers not compiled, plain Python is used: {error}", file=sys.stderr)
        return 1
    print(f"notice parsers compiled into {root}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
