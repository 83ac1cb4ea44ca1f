"""Signing in and out: the only pages open without a session.

The sign-in form is protected against forgery before any session exists by a signed
double-submit token (a random cookie, and its signature in the form). Failed attempts are
stored and counted per user name and per client address; over either limit the form answers
429 without checking the password. A successful sign-in always starts a new session (no
fixation), and the user name is the only thing logged.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from store.health import ping
from store.web import (
    UserError,
    audit,
    claim_attempt,
    drop_attempt,
    end_session,
    get_user,
    password_hash_of,
    recent_failures,
    set_language,
    set_password_hash,
    settle_attempt,
)
from web.auth import Principal, hash_password, needs_rehash, verify_password
from web.core import (
    PageError,
    client,
    context_of,
    principal,
    render,
    require_csrf,
    safe_next,
    set_cookie,
    start_session,
    translator,
)
from web.security import PRESESSION_COOKIE, SESSION_COOKIE

log = logging.getLogger(__name__)
router = APIRouter()


def _form(
    request: Request, *, status: int = 200, error: str | None = None, next_path: str = "/", username: str = "",
    notice: str | None = None,
) -> Response:
    ctx = context_of(request)
    existing = request.cookies.get(PRESESSION_COOKIE, "")
    # The same nonce for every form this browser holds: two open sign-in tabs both work.
    cookie, signed = ctx.presession.issue(existing if 20 <= len(existing) <= 100 else None)
    set_cookie(request, PRESESSION_COOKIE, cookie, max_age=3600)
    return render(
        request, "signin.html", status=status, user=None, csrf_token=signed, error=error, next_path=next_path,
        username=username, notice=notice,
    )


@router.get("/")
def home() -> Response:
    return RedirectResponse("/alerts", status_code=303)


@router.get("/healthz")
def health(request: Request) -> Response:
    """For the reverse proxy and monitoring: 200 "ok" when the store answers, 503 otherwise; no data."""
    try:
        with context_of(request).store.session() as session:
            ping(session)
    except SQLAlchemyError:
        log.exception("web: health check failed")
        return PlainTextResponse("store unavailable", status_code=503)
    return PlainTextResponse("ok")


@router.get("/signin")
def signin_page(request: Request, next: str = "/", expired: int = 0, out: int = 0) -> Response:
    t = translator(request)
    notice = t("signin.expired") if expired else t("signin.signed_out") if out else None
    return _form(request, next_path=safe_next(next), notice=notice)


@router.post("/signin")
def signin(
    request: Request,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    ctx = context_of(request)
    web = ctx.web
    if not ctx.presession.check(request.cookies.get(PRESESSION_COOKIE), csrf_token):
        raise PageError(403, "error.csrf")
    name = username.strip()
    address = client(request).address
    window = timedelta(minutes=web.login_window_minutes)
    # Claimed (and committed) before the count, so parallel guesses count each other: checked and
    # recorded atomically. The counts include this attempt.
    with ctx.store.sessions.begin() as session:
        attempt_id = claim_attempt(session, name, address)
    with ctx.store.sessions.begin() as session:
        by_user, by_address = recent_failures(session, username=name, address=address, window=window)
    if by_user > web.login_max_failures_per_user or by_address > web.login_max_failures_per_address:
        with ctx.store.sessions.begin() as session:
            drop_attempt(session, attempt_id)
        log.warning("web: sign-in refused for %r from %s: too many failures", name, address)
        message = translator(request)("signin.too_many", minutes=web.login_window_minutes)
        return _form(request, status=429, error=message, next_path=safe_next(next), username=name)
    with ctx.store.sessions.begin() as session:
        stored = password_hash_of(session, name)
    ok = verify_password(stored, password)
    with ctx.store.sessions.begin() as session:
        settle_attempt(session, attempt_id, succeeded=ok)
        account = get_user(session, name) if ok else None
        if ok and stored and needs_rehash(stored):
            set_password_hash(session, name, hash_password(password))
        if account is not None:
            audit(session, name, "signin", f"user:{name}", address=address)
    if account is None:
        log.info("web: failed sign-in for %r from %s", name, address)
        return _form(request, status=401, error=translator(request)("signin.failed"), next_path=safe_next(next), username=name)
    start_session(request, account.id)
    set_cookie(request, PRESESSION_COOKIE, None)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/signout")
def signout(
    request: Request,
    who: Annotated[Principal, Depends(principal)],
    csrf_token: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    require_csrf(who, csrf_token)
    ctx = context_of(request)
    with ctx.store.sessions.begin() as session:
        if who.session_hash:
            end_session(session, who.session_hash)
        audit(session, who.username, "signout", f"user:{who.username}", address=client(request).address)
    set_cookie(request, SESSION_COOKIE, None)
    return RedirectResponse("/signin?out=1", status_code=303)


@router.post("/account/language")
def choose_language(
    request: Request,
    who: Annotated[Principal, Depends(principal)],
    language: Annotated[str, Form(max_length=5)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    csrf_token: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """A person's own language for the pages and their alert messages ("" : the routing's, then the server's)."""
    require_csrf(who, csrf_token)
    ctx = context_of(request)
    try:
        with ctx.store.sessions.begin() as session:
            set_language(session, who.username, language or None)
            audit(session, who.username, "user.language", f"user:{who.username}", detail=language or "default",
                  address=client(request).address)
    except UserError as exc:
        raise PageError(400, "error.user_failed", detail=str(exc)) from None
    return RedirectResponse(safe_next(next), status_code=303)
