"""Round trip: ``supplyradar users add|list|disable|set-role`` and the demo accounts -> the store.

The commands are registered on a fresh Typer app (as ``supplyradar.cli`` does once the lead adds
``web`` to its loop). Passwords come from a prompt or standard input and never appear in output.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from argon2 import PasswordHasher
from typer.testing import CliRunner

from config.settings import Settings
from store.db import Store
from store.web import get_user, list_users, password_hash_of
from supplyradar.commands.web import register
from web import auth
from web.auth import verify_password
from web.demo import DEMO_MANAGER_CATEGORIES, create_demo_users

runner = CliRunner()
SECRET = "a long enough secret"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def app() -> typer.Typer:
    fresh = typer.Typer()
    fresh.command("noop")(lambda: None)  # a second command, so "users" stays a group
    register(fresh)
    return fresh


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYRADAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SUPPLYRADAR_DATABASE_URL", raising=False)
    return tmp_path / "data"


def _store(data_dir: Path) -> Store:
    return Store(f"sqlite:///{data_dir / 'supplyradar.db'}")


def test_add_with_password_from_stdin_never_echoes_it(app: typer.Typer, data_dir: Path) -> None:
    result = runner.invoke(app, ["users", "add", "mia", "--role", "manager", "-c", "09310000", "-c", "909",
                                 "--password-stdin"], input=SECRET + "\n")
    assert result.exit_code == 0, result.output
    assert "Added mia (manager: 09310000, 909)" in result.stdout and SECRET not in result.output
    with _store(data_dir) as store, store.session() as session:
        assert verify_password(password_hash_of(session, "mia"), SECRET)
        assert get_user(session, "mia").categories == ("09310000", "909")


def test_add_with_a_prompt_asks_twice(app: typer.Typer, data_dir: Path) -> None:
    result = runner.invoke(app, ["users", "add", "sam", "--role", "strategist"], input=f"{SECRET}\n{SECRET}\n")
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    with _store(data_dir) as store, store.session() as session:
        assert verify_password(password_hash_of(session, "sam"), SECRET)


def test_bad_input_is_a_clear_error(app: typer.Typer, data_dir: Path) -> None:
    short = runner.invoke(app, ["users", "add", "x", "--role", "admin", "--password-stdin"], input="short\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    no_category = runner.invoke(app, ["users", "add", "x", "--role", "manager", "--password-stdin"], input=SECRET + "\n")
    assert no_category.exit_code == 2 and "needs at least one category" in no_category.output
    bad_role = runner.invoke(app, ["users", "add", "x", "--role", "king", "--password-stdin"], input=SECRET + "\n")
    assert bad_role.exit_code == 2 and "role must be one of" in bad_role.output
    bad_cpv = runner.invoke(app, ["users", "add", "x", "--role", "manager", "-c", "IT", "--password-stdin"], input=SECRET + "\n")
    assert bad_cpv.exit_code == 2 and "CPV code or prefix" in bad_cpv.output
    missing = runner.invoke(app, ["users", "disable", "ghost"])
    assert missing.exit_code == 1 and "no user named 'ghost'" in missing.output


def test_list_disable_enable_and_set_role(app: typer.Typer, data_dir: Path) -> None:
    runner.invoke(app, ["users", "add", "ada", "--role", "admin", "--password-stdin"], input=SECRET + "\n")
    runner.invoke(app, ["users", "add", "proxy-only", "--role", "strategist", "--no-password"])
    listed = runner.invoke(app, ["users", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "ada" in listed.stdout and "proxy only" in listed.stdout
    assert runner.invoke(app, ["users", "disable", "ada"]).exit_code == 0
    with _store(data_dir) as store, store.session() as session:
        assert get_user(session, "ada").disabled and password_hash_of(session, "ada") is None
    assert runner.invoke(app, ["users", "disable", "ada", "--enable"]).exit_code == 0
    changed = runner.invoke(app, ["users", "set-role", "ada", "--role", "manager", "-c", "72"])
    assert changed.exit_code == 0 and "ada is now manager: 72" in changed.stdout
    with _store(data_dir) as store, store.session() as session:
        account = get_user(session, "ada")
        assert (account.role, account.categories, account.disabled) == ("manager", ("72",), False)


def test_demo_users_one_per_role_and_rerunning_resets_the_passwords(store: Store, settings: Settings) -> None:
    first = create_demo_users(store, settings)
    assert [(name, role) for name, role, _ in first] == [
        ("demo-manager", "manager"), ("demo-strategist", "strategist"), ("demo-admin", "admin"),
    ]
    second = create_demo_users(store, settings)
    with store.session() as session:
        assert len(list_users(session)) == 3
        assert get_user(session, "demo-manager").categories == DEMO_MANAGER_CATEGORIES
        for (name, _, old), (_, _, new) in zip(first, second, strict=True):
            assert old != new and len(new) >= 12
            assert verify_password(password_hash_of(session, name), new)
            assert not verify_password(password_hash_of(session, name), old)


def test_web_command_serves_on_the_given_address(app: typer.Typer, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import web.server

    calls = []
    monkeypatch.setattr(web.server, "serve", lambda settings, *, host, port: calls.append((host, port)))
    result = runner.invoke(app, ["web", "--host", "127.0.0.2", "--port", "8111"])
    assert result.exit_code == 0, result.output
    assert calls == [("127.0.0.2", 8111)] and "http://127.0.0.2:8111" in result.output
    assert runner.invoke(app, ["web"]).exit_code == 0 and calls[-1] == ("127.0.0.1", 8000)


def test_web_command_names_a_bad_setting(app: typer.Typer, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import web.server
    from web.security import ProxyConfigError

    def refuse(settings, *, host, port):
        raise ProxyConfigError("web.trusted_proxies: 'nonsense' is not an IP address or network")

    monkeypatch.setattr(web.server, "serve", refuse)
    result = runner.invoke(app, ["web"])
    assert result.exit_code == 2 and "'nonsense' is not an IP address" in result.output
