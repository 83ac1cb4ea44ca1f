"""The import rule of the architecture, asserted from the AST of every module (lazy imports included).

From the ground up: ``reference`` <- ``config`` <- {``models``, ``alerts``, ``reports``, ``connectors``} <-
``store`` <- ``demo`` <- ``pipelines`` <- {``flows``, ``web``} <- ``supplyradar``. A folder may import its
own level or any level below it, never one above; folders on the same level may import each other, but
no chain of imports between folders may come back to where it started. ``store`` may import record and
fact types from the level below it (an AST cannot tell a type from logic: review does that).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Each folder's level: a module may import from its own level and below, never above.
LEVELS: dict[str, int] = {
    "reference": 0,
    "config": 1,
    "models": 2, "alerts": 2, "reports": 2, "connectors": 2,
    "store": 3,
    "demo": 4,
    "pipelines": 5,
    "flows": 6, "web": 6,
    "supplyradar": 7,
}


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every absolute import in the module, with its line: top of the file, in functions, under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno))
    return found


def _folder_links() -> dict[tuple[str, str], list[str]]:
    """(importing folder, imported folder) -> where it happens, for every link between two of our folders."""
    links: dict[tuple[str, str], list[str]] = defaultdict(list)
    for folder in LEVELS:
        for path in sorted((REPO / folder).rglob("*.py")):
            for module, line in _imports(path):
                target = module.split(".")[0]
                if target in LEVELS and target != folder:
                    links[(folder, target)].append(f"{path.relative_to(REPO)}:{line} imports {module}")
    return links


def _cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components with more than one folder (Tarjan): each holds a circle."""
    graph: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        graph[source].append(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(LEVELS):
        if node not in index:
            visit(node)
    return components


def test_every_folder_of_the_rule_exists() -> None:
    assert [f for f in LEVELS if not (REPO / f / "__init__.py").is_file()] == []


def test_nothing_imports_upwards() -> None:
    upward = [
        where
        for (source, target), places in sorted(_folder_links().items())
        if LEVELS[target] > LEVELS[source]
        for where in places
    ]
    assert upward == [], "upward imports:\n" + "\n".join(upward)


def test_no_circle_between_folders() -> None:
    links = _folder_links()
    circles = _cycles(set(links))
    detail = [
        f"{' <-> '.join(circle)}: " + "; ".join(
            places[0] for (source, target), places in sorted(links.items()) if source in circle and target in circle
        )
        for circle in circles
    ]
    assert circles == [], "folders importing each other in a circle:\n" + "\n".join(detail)


def test_store_schema_modules_import_only_the_base() -> None:
    """``store.schema`` gathers the area modules; they import ``store.schema.base``, never the package."""
    schema = REPO / "store" / "schema"
    wrong = [
        f"{path.name}:{line} imports {module}"
        for path in sorted(schema.glob("*.py"))
        if path.name != "__init__.py"
        for module, line in _imports(path)
        if module.startswith("store.") and module != "store.schema.base"
    ]
    assert wrong == []


def test_cli_package_is_the_command_line_only() -> None:
    """``supplyradar/`` holds ``cli.py`` and ``commands/`` and nothing else of substance."""
    modules = sorted(str(p.relative_to(REPO / "supplyradar")) for p in (REPO / "supplyradar").rglob("*.py"))
    assert [m for m in modules if m not in ("__init__.py", "cli.py") and not m.startswith("commands/")] == []


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({("a", "b"), ("b", "c")}, []),
        ({("a", "b"), ("b", "a")}, [["a", "b"]]),
        ({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}, [["a", "b", "c"]]),
    ],
)
def test_the_circle_finder_finds_circles(edges: set[tuple[str, str]], expected: list[list[str]], monkeypatch) -> None:
    monkeypatch.setattr(f"{__name__}.LEVELS", {n: 0 for edge in edges for n in edge})
    assert _cycles(edges) == expected
