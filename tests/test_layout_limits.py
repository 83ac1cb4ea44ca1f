"""The size limits of the layout, asserted from the AST of every module of our packages.

A module holds at most 500 lines; a function at most 80, unless a ``# Long because ...`` comment inside it
says why (a migration's ``upgrade()`` is the frozen record of one schema step, for one); the command line
(``supplyradar/``: ``cli.py`` and ``commands/``) holds at most 2,000 lines in all: what a command does
lives in pipelines/, its rows and text in reports/, the command parses options and prints.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PACKAGES = ("flows", "models", "connectors", "alerts", "config", "store", "pipelines", "reference", "reports", "demo",
            "web", "supplyradar", "bench")
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
MAX_CLI_LINES = 2_000
WHY_LONG = "# Long because"


def long_functions(source: str, where: str) -> list[str]:
    """Each function over ``MAX_FUNCTION_LINES`` lines with no ``# Long because`` comment inside, as
    ``file:line function (N lines)``."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source, filename=where)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            size = node.end_lineno - node.lineno + 1
            body = lines[node.lineno - 1:node.end_lineno]
            if size > MAX_FUNCTION_LINES and not any(WHY_LONG in line for line in body):
                found.append(f"{where}:{node.lineno} {node.name} ({size} lines)")
    return found


def _modules(package: str) -> list[tuple[str, str]]:
    """(path from the repository root, source) of every module of ``package``."""
    return [(str(path.relative_to(REPO)), path.read_text(encoding="utf-8"))
            for path in sorted((REPO / package).rglob("*.py"))]


def test_every_package_is_there() -> None:
    assert [p for p in PACKAGES if not (REPO / p / "__init__.py").is_file()] == []


def test_no_module_over_500_lines() -> None:
    long = [f"{where}:1 (module, {len(source.splitlines())} lines)"
            for package in PACKAGES for where, source in _modules(package)
            if len(source.splitlines()) > MAX_MODULE_LINES]
    assert long == [], f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(long)


def test_no_function_over_80_lines_without_a_reason() -> None:
    long = [found for package in PACKAGES for where, source in _modules(package)
            for found in long_functions(source, where)]
    assert long == [], (f"functions over {MAX_FUNCTION_LINES} lines without a '{WHY_LONG} ...' comment inside:\n"
                        + "\n".join(long))


def test_the_command_line_is_under_2000_lines() -> None:
    sizes = {where: len(source.splitlines()) for where, source in _modules("supplyradar")}
    total = sum(sizes.values())
    largest = ", ".join(f"{where} {n}" for where, n in sorted(sizes.items(), key=lambda item: -item[1])[:5])
    assert total <= MAX_CLI_LINES, f"supplyradar/ holds {total} lines (at most {MAX_CLI_LINES}); the largest: {largest}"


def test_the_checker_finds_a_long_function_and_accepts_a_reason() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    indented = body.replace("    ", "        ")
    source = f"def short():\n    return 1\n\n\ndef too_long():\n{body}\n\nclass A:\n    def method(self):\n{indented}"
    assert long_functions(source, "m.py") == [f"m.py:5 too_long ({MAX_FUNCTION_LINES + 1} lines)",
                                              f"m.py:{MAX_FUNCTION_LINES + 9} method ({MAX_FUNCTION_LINES + 1} lines)"]
    explained = source.replace("def too_long():\n", f"def too_long():\n    {WHY_LONG} it is a test.\n")
    assert long_functions(explained, "m.py") == [f"m.py:{MAX_FUNCTION_LINES + 10} method ({MAX_FUNCTION_LINES + 1} lines)"]
