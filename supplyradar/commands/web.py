"""Commands of the web workspace: ``supplyradar web`` and ``supplyradar users add|list|disable|set-role``.

A password is read from a hidden prompt (asked twice) or, for scripts, from the first line of
standard input with ``--password-stdin``; it is never a command-line argument (those end up in
shell histories and process lists) and never printed or logged.
"""

from __future__ import annotations

import sys
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from reports.tables import rows_table
from supplyradar.commands.lazy import Settings, open_store

out = Console()
err = Console(stderr=True)
users_app = typer.Typer(help="People who may sign in to the web workspace, and their roles.", no_args_is_help=True)

RoleOption = Annotated[str, typer.Option("--role", help="manager (category manager), strategist or admin.")]
CategoryOption = Annotated[
    list[str], typer.Option("--category", "-c", help="A CPV code or prefix the category manager manages (repeat).")
]


def _web_settings(settings: Settings):  # config.web.WebSettings
    from web.app import web_settings

    return web_settings(settings)


def _fail(message: object, code: int) -> NoReturn:
    """One red line on stderr, never read as markup (names and settings may hold brackets), and the exit code."""
    err.print(f"error: {message}", markup=False, highlight=False, style="red")
    raise typer.Exit(code)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        _fail("a password needs at least 10 characters", 2)
    return password


def web_command(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: web.host, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default: web.port, 8000).")] = None,
) -> None:
    """Serve the web workspace: alert inbox, suppliers, categories and source status."""
    from sqlalchemy.exc import SQLAlchemyError

    from web import server
    from web.security import ProxyConfigError

    settings = Settings()
    web = _web_settings(settings)
    host, port = host or web.host, port or web.port
    err.print(f"supplyradar web on http://{host}:{port} (database {_display(settings)}); Ctrl+C stops it", markup=False)
    try:
        server.serve(settings, host=host, port=port)
    except ProxyConfigError as exc:
        _fail(exc, 2)
    except SQLAlchemyError as exc:
        _fail(f"cannot open the database {_display(settings)}: {type(exc).__name__}", 1)


def _display(settings: Settings) -> str:
    from store.health import shown_url

    return shown_url(settings.resolved_database_url)


@users_app.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="The name people sign in with.")],
    role: RoleOption = "manager",
    category: CategoryOption = [],  # noqa: B006
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
    no_password: Annotated[bool, typer.Option("--no-password", help="Sign-in only through the trusted proxy.")] = False,
) -> None:
    """Add a person, or reset an existing one's role, categories and password (their sessions end)."""
    from store.web import UserError, audit_account, upsert_user
    from web.auth import hash_password

    password_hash = None if no_password else hash_password(_read_password(password_stdin))
    settings = Settings()
    with open_store(settings) as store:
        try:
            with store.sessions.begin() as session:
                account, created = upsert_user(
                    session, username, role=role, password_hash=password_hash, categories=category, display_name=name
                )
                audit_account(session, "cli", "user.add" if created else "user.reset", account.username, account)
        except UserError as exc:
            _fail(exc, 2)
    out.print(f"{'Added' if created else 'Updated'} {account.username} ({account.role}"
              + (f": {', '.join(account.categories)}" if account.categories else "") + ")")


@users_app.command("list")
def list_users_command() -> None:
    """Everyone who may sign in, with role, categories and whether they are disabled."""
    from store.web import list_users

    settings = Settings()
    with open_store(settings) as store, store.session() as session:
        rows = [
            {"user": a.username, "name": a.display_name, "role": a.role, "categories": ", ".join(a.categories),
             "password": "set" if a.has_password else "proxy only", "disabled": "yes" if a.disabled else "",
             "changed": a.updated_at}
            for a in list_users(session)
        ]
    out.print(rows_table("Users", rows)) if rows else out.print("No users yet: add one with `supplyradar users add NAME`.")


@users_app.command("disable")
def disable_user(
    username: Annotated[str, typer.Argument()],
    enable: Annotated[bool, typer.Option("--enable", help="Enable the account again instead.")] = False,
) -> None:
    """Disable a person (their sessions end at once), or enable them again with --enable."""
    from store.web import UnknownUserError, audit_account, set_disabled

    settings = Settings()
    with open_store(settings) as store:
        try:
            with store.sessions.begin() as session:
                account = set_disabled(session, username, not enable)
                audit_account(session, "cli", "user.enable" if enable else "user.disable", account.username, account)
        except UnknownUserError as exc:
            _fail(exc, 1)
    out.print(f"{account.username} is {'enabled' if enable else 'disabled'}")


@users_app.command("language")
def language_command(
    username: Annotated[str, typer.Argument()],
    language: Annotated[str, typer.Argument(help="en or nl; 'default' for the routing's, then the server's.")],
) -> None:
    """A person's own language for the workspace and their alert messages."""
    from store.web import UserError, audit_account, set_language

    settings = Settings()
    with open_store(settings) as store:
        try:
            with store.sessions.begin() as session:
                account = set_language(session, username, None if language == "default" else language)
                audit_account(session, "cli", "user.language", account.username, account)
        except UserError as exc:
            _fail(exc, 2)
    out.print(f"{account.username} reads {account.language or 'the default language'}")


@users_app.command("set-role")
def set_role_command(
    username: Annotated[str, typer.Argument()],
    role: RoleOption,
    category: CategoryOption = [],  # noqa: B006
) -> None:
    """Change a person's role (and categories, when given); their sessions end."""
    from store.web import UnknownUserError, UserError, audit_account, set_role

    settings = Settings()
    with open_store(settings) as store:
        try:
            with store.sessions.begin() as session:
                account = set_role(session, username, role, category or None)
                audit_account(session, "cli", "user.set-role", account.username, account)
        except UnknownUserError as exc:
            _fail(exc, 1)
        except UserError as exc:
            _fail(exc, 2)
    out.print(f"{account.username} is now {account.role}" + (f": {', '.join(account.categories)}" if account.categories else ""))


def register(app: typer.Typer) -> None:
    """Add ``web`` and the ``users`` group to ``app``."""
    app.command("web")(web_command)
    app.add_typer(users_app, name="users")
