"""What every page shares: the application context, the signed-in principal, errors and rendering.

Route handlers are plain (sync) functions: FastAPI runs them in its thread pool, and each opens
its own short transaction on the store. A handler raises :class:`PageError` for anything a
person can cause (unknown id, forbidden category, forged form): the app turns it into a page
with the right status code and a sentence in the reader's language, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from config.settings import Settings
from config.web import WebSettings
from store.db import Store
from store.web import create_session, get_user, load_session
from web.alerts_source import AlertsSource
from web.auth import Principal, new_token, same, token_hash
from web.i18n import Translator
from web.market import MarketCache
from web.security import (
    SESSION_COOKIE,
    Client,
    PresessionTokens,
    client_of,
    cookie_secure,
)


@dataclass(slots=True)
class WebContext:
    """Everything a request needs besides itself; one per application."""

    settings: Settings
    web: WebSettings
    store: Store
    networks: list
    presession: PresessionTokens
    templates: Jinja2Templates
    translator: Translator
    #: What the alerts pages run on; None when the alerts area is missing.
    alerts: AlertsSource | None = None
    #: The store holds the synthetic demo data set (read at start): every page says so.
    synthetic: bool = False
    #: Computed market statistics of categories without a stored market scan.
    markets: MarketCache = field(default_factory=MarketCache)
    #: The routing file's languages per person, with the file's modification time they were read at.
    routing_languages: dict[str, object] = field(default_factory=dict)
    #: Each source's allowed age from the schedules (``pipelines.source_health.expected_intervals``), worked out
    #: once an hour: its cron fire times over a year cost ~150 ms CPU, and the schedules only change with a restart.
    source_intervals: dict[datetime, dict[str, timedelta]] = field(default_factory=dict)

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.web.session_idle_minutes)

    @property
    def max_age(self) -> timedelta:
        return timedelta(hours=self.web.session_max_hours)


class PageError(Exception):
    """A request that cannot be served, as a page: status code, message key and its values."""

    def __init__(self, status: int, message: str, **values: object) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.values = values


class NotSignedIn(Exception):
    """No live session: a GET goes to the sign-in page, anything else gets a 401 page."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("not signed in")
        self.expired = expired


def context_of(request: Request) -> WebContext:
    return request.app.state.ctx


def client(request: Request) -> Client:
    cached = getattr(request.state, "client", None)
    if cached is None:
        cached = client_of(request, context_of(request).networks)
        request.state.client = cached
    return cached


def set_cookie(request: Request, name: str, value: str | None, *, max_age: int | None = None) -> None:
    """Queue a cookie for the response (None deletes it); the middleware writes it out."""
    ctx = context_of(request)
    cookies = getattr(request.state, "cookies", None) or []
    cookies.append(
        (name, value, {"max_age": max_age, "httponly": True, "samesite": "lax", "path": "/",
                       "secure": cookie_secure(ctx.web, client(request))})
    )
    request.state.cookies = cookies


def start_session(request: Request, user_id: int) -> str:
    """A new session (and cookie) for ``user_id``; returns its anti-forgery token."""
    ctx = context_of(request)
    token, csrf = new_token(), new_token()
    with ctx.store.sessions.begin() as session:
        create_session(session, user_id, token_hash=token_hash(token), csrf_token=csrf, max_age=ctx.max_age,
                       address=client(request).address)
    set_cookie(request, SESSION_COOKIE, token, max_age=int(ctx.max_age.total_seconds()))
    return csrf


def principal(request: Request) -> Principal:
    """The signed-in person (FastAPI dependency); raises :class:`NotSignedIn` or a 403 :class:`PageError`."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    ctx = context_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    hashed = token_hash(token) if token else ""
    with ctx.store.sessions.begin() as session:
        info = load_session(session, hashed, idle=ctx.idle) if token else None
    found = _from_proxy(request, info, hashed)
    if found is None:
        if info is None:
            raise NotSignedIn(expired=bool(token))
        found = Principal(info.user, info.csrf_token, hashed)
    request.state.principal = found
    return found


def _from_proxy(request: Request, info, hashed: str) -> Principal | None:  # store.web.SessionInfo
    ctx = context_of(request)
    header = ctx.web.proxy_user_header
    if not header or not client(request).via_trusted_proxy:
        return None
    name = request.headers.get(header, "").strip()
    if not name:
        return None
    if info is not None and info.user.username == name:
        return Principal(info.user, info.csrf_token, hashed, via_proxy=True)
    with ctx.store.sessions.begin() as session:
        account = get_user(session, name)
    if account is None or account.disabled:
        raise PageError(403, "error.proxy_unknown", name=name)
    csrf = start_session(request, account.id)
    return Principal(account, csrf, "", via_proxy=True)


def require_csrf(who: Principal, submitted: str | None) -> None:
    if not submitted or not same(submitted, who.csrf_token):
        raise PageError(403, "error.csrf")


def require_admin(who: Principal) -> None:
    if not who.is_admin:
        raise PageError(403, "error.forbidden")


def translator(request: Request) -> Translator:
    """The reader's language: their own choice, else their entry in the routing, else the server's.

    One language per person, the same one their alert messages are written in
    (``alerts.routing.language_for``); before sign-in, the server's.
    """
    ctx = context_of(request)
    who = getattr(request.state, "principal", None)
    if who is None:
        return ctx.translator
    cached = getattr(request.state, "translator", None)
    if cached is not None:
        return cached
    from alerts.routing import language_for

    language = language_for(who.username, account=who.account.language, routing=routing_languages(ctx),
                            default=ctx.translator.language)
    found = ctx.translator if language == ctx.translator.language else Translator(language)
    request.state.translator = found
    return found


def routing_languages(ctx: WebContext) -> dict[str, str]:
    """Languages the routing file gives people (read again when the file changes; {} when it cannot be read)."""
    path = ctx.settings.alerts.routing_file
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return {}
    if ctx.routing_languages.get("stamp") != stamp:
        from alerts.routing import load_routing

        try:
            routing = load_routing(path)
            languages = {key: p.language for key, p in routing.people.items() if p.language}
        except Exception:  # noqa: BLE001
            languages = {}
        ctx.routing_languages.update(stamp=stamp, languages=languages)
    return ctx.routing_languages.get("languages") or {}  # type: ignore[return-value]


def spend_period_of(ctx: WebContext, session: Any) -> Any:
    """The period "our spend" covers on every page: the dependency score's spend window (config/risk.yaml)."""
    from store.spend_period import DEFAULT_MONTHS, spend_period

    if "months" not in ctx.routing_languages:  # read once: the risk file changes with a deployment
        try:
            from config.risk import load_risk_config

            ctx.routing_languages["months"] = load_risk_config().dependency.spend_window_months
        except Exception:  # noqa: BLE001
            ctx.routing_languages["months"] = DEFAULT_MONTHS
    return spend_period(session, months=int(ctx.routing_languages["months"]))


def render(request: Request, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
    ctx = context_of(request)
    who = getattr(request.state, "principal", None)
    values.setdefault("user", who)
    values.setdefault("csrf_token", who.csrf_token if who else "")
    t = translator(request)
    return ctx.templates.TemplateResponse(
        request, template, {"t": t, "lang": t.language, "synthetic": ctx.synthetic, **values},
        status_code=status,
    )


def signin_url(next_path: str, *, expired: bool = False) -> str:
    return f"/signin?next={quote(next_path, safe='/')}" + ("&expired=1" if expired else "")


def safe_next(value: str | None) -> str:
    """Only a path on this site: "/alerts/3", never "//evil.example" or "https://...", or "/\\evil"."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or any(ord(c) < 32 for c in value):
        return "/"
    return value
