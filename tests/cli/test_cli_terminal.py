"""The command line in a terminal: a fast --help, help text as written (its tables: tests/reports/test_tables.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from supplyradar.cli import app

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "pydantic_settings", "httpx", "prefect", "alembic", "sklearn", "apprise", "config.settings")


def test_help_imports_nothing_a_command_needs_only_when_it_runs() -> None:
    """--help stays well under half a second when it loads typer and rich only (measured: ~0.35 s CPU)."""
    code = ("import sys; sys.argv = ['supplyradar', '--help']\n"
            "from supplyradar import cli\n"
            "try:\n    cli.run()\nexcept SystemExit:\n    pass\n"
            f"print('LOADED', sorted({{m.split('.')[0] if m != 'config.settings' else m for m in sys.modules}} & set({HEAVY!r})))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(ROOT), "COLUMNS": "80", "PATH": "/usr/bin:/bin"})
    loaded = next(line for line in result.stdout.splitlines() if line.startswith("LOADED"))
    assert loaded == "LOADED []", loaded


def _commands(command: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [path]
    if isinstance(getattr(command, "commands", None), dict):  # a group (typer's own click)
        for name, sub in command.commands.items():
            out += _commands(sub, (*path, name))
    return out


def test_no_help_text_turns_into_an_emoji_or_markup() -> None:
    runner = CliRunner()
    root = typer.main.get_command(app)
    seen_org_key = False
    for path in _commands(root):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80"})
        assert result.exit_code == 0, (path, result.output)
        assert not any(ord(c) >= 0x1F000 for c in result.output), (path, result.output)
        seen_org_key |= "NL:id:12345678" in result.output
    assert seen_org_key  # the example key is shown as typed
