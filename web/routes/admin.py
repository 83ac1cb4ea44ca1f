"""Pages for admins (ops): source status, people and the audit log.

Source status is the same verdict ``supplyradar status`` prints (``pipelines.source_health``).
People are added and given passwords from the command line (``supplyradar users add``: a
password never travels through a web form of someone else); here an admin disables, enables
and changes roles, and every change lands in the audit log.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from pipelines.source_health import expected_intervals, source_status
from store.web import UnknownUserError, UserError, audit_account, audit_entries, list_users, set_disabled, set_role
from web.auth import Principal
from web.core import (
    PageError,
    WebContext,
    client,
    context_of,
    principal,
    render,
    require_admin,
    require_csrf,
    translator,
)

router = APIRouter()


@router.get("/sources")
def sources(request: Request, who: Annotated[Principal, Depends(principal)]) -> Response:
    require_admin(who)
    ctx = context_of(request)
    now = datetime.now(UTC)
    expected = source_intervals(ctx, now)
    with ctx.store.session() as session:
        statuses = source_status(session, now, expected, kvk_monthly_limit=ctx.settings.kvk.monthly_query_limit)
    return render(request, "sources.html", statuses=statuses)


def source_intervals(ctx: WebContext, now: datetime) -> dict[str, timedelta]:
    """Each source's allowed age (``expected_intervals``) around the hour of ``now``, worked out once an hour."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    expected = ctx.source_intervals.get(hour)
    if expected is None:
        expected = expected_intervals(ctx.settings, around=hour)
        ctx.source_intervals.clear()
        ctx.source_intervals[hour] = expected
    return expected


@router.get("/users")
def users(request: Request, who: Annotated[Principal, Depends(principal)], done: str = "") -> Response:
    require_admin(who)
    ctx = context_of(request)
    with ctx.store.session() as session:
        accounts = list_users(session)
    # Only a name that is an account: the notice never repeats arbitrary text from the URL.
    notice = translator(request)("users.done", name=done) if any(a.username == done for a in accounts) else None
    return render(request, "users.html", accounts=accounts, notice=notice)


def _change(request: Request, who: Principal, csrf_token: str, username: str, action: str, change) -> Response:
    require_admin(who)
    require_csrf(who, csrf_token)
    ctx = context_of(request)
    try:
        with ctx.store.sessions.begin() as session:
            account = change(session)
            audit_account(session, who.username, action, username, account, address=client(request).address)
    except UnknownUserError:
        raise PageError(404, "error.not_found") from None
    except UserError as exc:
        raise PageError(400, "error.user_failed", detail=str(exc)) from None
    return RedirectResponse(f"/users?done={quote(username)}", status_code=303)


@router.post("/users/{username}/disable")
def disable(
    request: Request, username: str, who: Annotated[Principal, Depends(principal)],
    csrf_token: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    if username == who.username:
        raise PageError(400, "users.self")
    return _change(request, who, csrf_token, username, "user.disable", lambda s: set_disabled(s, username, True))


@router.post("/users/{username}/enable")
def enable(
    request: Request, username: str, who: Annotated[Principal, Depends(principal)],
    csrf_token: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    return _change(request, who, csrf_token, username, "user.enable", lambda s: set_disabled(s, username, False))


@router.post("/users/{username}/role")
def change_role(
    request: Request, username: str, who: Annotated[Principal, Depends(principal)],
    role: Annotated[str, Form(max_length=20)] = "",
    categories: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    if username == who.username:
        raise PageError(400, "users.self")
    cats = [c for c in categories.replace(";", ",").split(",") if c.strip()]
    return _change(request, who, csrf_token, username, "user.set-role", lambda s: set_role(s, username, role, cats))


@router.get("/settings")
def settings_page(request: Request, who: Annotated[Principal, Depends(principal)]) -> Response:
    """The settings in force, read-only (they live in the TOML file and the environment); secrets masked."""
    require_admin(who)
    ctx = context_of(request)
    values = ctx.settings.model_dump(mode="json") | {"web": ctx.web.model_dump(mode="json")}
    if values.get("database_url"):  # a PostgreSQL URL carries its password
        from store.health import shown_url

        values["database_url"] = shown_url(values["database_url"])
    return render(request, "settings.html", rows=list(_flatten(values)))


def _flatten(values: dict, prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in sorted(values.items()):
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        else:
            yield name, "" if value is None else str(value)


@router.get("/audit")
def audit_log(request: Request, who: Annotated[Principal, Depends(principal)]) -> Response:
    require_admin(who)
    ctx = context_of(request)
    with ctx.store.session() as session:
        entries = audit_entries(session, limit=500)
    return render(request, "audit.html", entries=entries)
