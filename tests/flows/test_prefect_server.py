"""The temporary Prefect server's settings, its database template and its process script (no server started:
tests/flows/test_serve_integration.py starts one)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from flows import prefect_server
from flows.prefect_server import TEMPORARY_SERVER_ENV, _save_template, _use_template


def test_every_switched_off_service_is_a_setting_of_the_installed_prefect() -> None:
    from prefect.settings import Settings
    from prefect.settings.legacy import _get_settings_fields

    known = set(_get_settings_fields(Settings))
    assert set(TEMPORARY_SERVER_ENV) <= known, set(TEMPORARY_SERVER_ENV) - known
    assert "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED" not in TEMPORARY_SERVER_ENV  # task runs and states
    assert "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED" not in TEMPORARY_SERVER_ENV


def test_the_services_are_off_in_the_servers_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.settings import Settings

    for name, value in TEMPORARY_SERVER_ENV.items():
        monkeypatch.setenv(name, value)
    services = Settings().server.services
    assert not any(getattr(services, name).enabled for name in (
        "scheduler", "late_runs", "foreman", "pause_expirations", "cancellation_cleanup", "repossessor",
        "cleanup_reconciler", "triggers"))
    assert services.task_run_recorder.enabled and services.event_persister.enabled


def _database(path: Path, rows: int) -> Path:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("pragma journal_mode=wal")
        db.execute("create table alembic_version (version_num text)")
        db.executemany("insert into alembic_version values (?)", [(f"rev{i}",) for i in range(rows)])
        db.commit()
    return path


def test_a_fresh_home_without_a_template_makes_one_from_its_live_database(tmp_path: Path) -> None:
    home, templates, env = tmp_path / "home", tmp_path / "cache", {}
    home.mkdir()
    target = _use_template(home, env, templates)
    assert target is not None and target[0] == home / "prefect.db" and not target[1].exists()
    live = sqlite3.connect(_database(home / "prefect.db", 3))  # held open, as by the running server
    _save_template(*target)
    live.close()
    assert [p.name for p in templates.iterdir()] == [target[1].name]  # one file, no partial or -wal file left
    with contextlib.closing(sqlite3.connect(target[1])) as copy:
        assert copy.execute("select count(*) from alembic_version").fetchone() == (3,)
    assert env == {}


def test_a_fresh_home_starts_from_the_template_and_skips_block_registration(tmp_path: Path) -> None:
    from importlib.metadata import version

    templates = tmp_path / "cache"
    templates.mkdir()
    _database(templates / f"prefect-{version('prefect')}-server.db", 2)
    home, env = tmp_path / "home", {}
    home.mkdir()
    assert _use_template(home, env, templates) is None
    with contextlib.closing(sqlite3.connect(home / "prefect.db")) as db:
        assert db.execute("select count(*) from alembic_version").fetchone() == (2,)
    assert env == {"PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false"}


@pytest.mark.parametrize("damage", ["not sqlite", "no migrations", "empty file"])
def test_a_damaged_template_is_removed_and_the_home_migrates_anew(tmp_path: Path, damage: str) -> None:
    from importlib.metadata import version

    templates = tmp_path / "cache"
    templates.mkdir()
    template = templates / f"prefect-{version('prefect')}-server.db"
    if damage == "not sqlite":
        template.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    elif damage == "no migrations":
        _database(template, 0)
    else:
        template.write_bytes(b"")
    home, env = tmp_path / "home", {}
    home.mkdir()
    target = _use_template(home, env, templates)
    assert target == (home / "prefect.db", template)  # the server migrates, then a sound template is saved
    assert not template.exists() and not (home / "prefect.db").exists() and env == {}


def test_the_server_process_script_exits_non_zero_when_the_cli_crashes(tmp_path: Path) -> None:
    script = Path(prefect_server.__file__).with_name("prefect_server_process.py")
    crashing = tmp_path / "prefect" / "cli"
    crashing.mkdir(parents=True)
    (tmp_path / "prefect" / "__init__.py").write_text("")
    (crashing / "__init__.py").write_text("def app():\n    raise RuntimeError('boom')\n")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert run.returncode == 1 and "boom" in run.stderr


@pytest.mark.parametrize("case", ["own database", "other database", "no template dir"])
def test_the_template_leaves_other_homes_alone(tmp_path: Path, case: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"PREFECT_SERVER_DATABASE_CONNECTION_URL": "postgresql+asyncpg://x/y"} if case == "other database" else {}
    if case == "own database":
        _database(home / "prefect.db", 5)
    before = dict(env)
    assert _use_template(home, env, None if case == "no template dir" else tmp_path / "cache") is None
    assert env == before and not (tmp_path / "cache").exists()
    assert (home / "prefect.db").exists() == (case == "own database")


def test_the_server_process_script_runs_the_prefect_cli_and_keeps_its_exit_code() -> None:
    script = Path(prefect_server.__file__).with_name("prefect_server_process.py")
    shown = subprocess.run([sys.executable, str(script), "--version"], capture_output=True, text=True, timeout=60)
    from importlib.metadata import version

    assert shown.returncode == 0 and version("prefect") in shown.stdout
    wrong = subprocess.run([sys.executable, str(script), "server", "no-such-command"], capture_output=True,
                           text=True, timeout=60)
    assert wrong.returncode != 0
