"""The FastAPI application: routes, error pages and the headers every response carries.

``create_app(settings, store)`` is all a server or a test needs. Errors a person can cause
become pages with the right status (401, 403, 404, 429); anything else is logged and shown as
a plain 500 page, never a traceback.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from config.settings import Settings
from config.web import WebSettings
from store.bookkeeping import SYNTHETIC_MARKER, get_meta
from store.db import Store
from store.web import purge_attempts, purge_expired_sessions
from web import alerts_source
from web.core import (
    NotSignedIn,
    PageError,
    WebContext,
    client,
    context_of,
    render,
    routing_languages,
    signin_url,
    translator,
)
from web.i18n import Translator
from web.routes import admin, alerts, auth, categories, suppliers
from web.security import CSP, SECURITY_HEADERS, SESSION_COOKIE, PresessionTokens, proxy_networks, safe_url, secret_key

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
_STATUS_MESSAGES = {404: "error.not_found", 405: "error.method", 401: "error.signin_required", 403: "error.forbidden"}


def web_settings(settings: Settings) -> WebSettings:
    """``settings.web`` once the lead wires it in; the defaults (and env) until then."""
    return getattr(settings, "web", None) or WebSettings()


def templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from reference.public_pages import public_page

    env.globals.update(sparkline=sparkline, safe_url=safe_url, alert_title=alert_title, public_page=public_page)
    return Jinja2Templates(env=env)


def alert_title(alert: object, language: str) -> str:
    """An alert's title in the reader's language, as its messages say it (see ``alerts.render.localized_title``)."""
    from alerts.render import localized_title

    def get(name: str) -> object:
        return alert.get(name) if isinstance(alert, dict) else getattr(alert, name, None)

    return localized_title({"title": get("title") or "", "facts": get("facts") or {}}, language)


def sparkline(history: list, width: int = 120, height: int = 30) -> str:
    """SVG polyline points of a score's history (values 0..1), oldest left; "" for fewer than two."""
    values = [float(p.value) for p in history]
    if len(values) < 2:
        return ""
    low, high = min(0.0, *values), max(1.0, *values)
    step = (width - 4) / (len(values) - 1)
    return " ".join(
        f"{2 + i * step:.1f},{height - 2 - (v - low) / (high - low) * (height - 4):.1f}" for i, v in enumerate(values)
    )


def create_app(settings: Settings, store: Store | None = None, *, web: WebSettings | None = None) -> FastAPI:
    """The application over ``store`` (opened from the settings when not given); ``web`` overrides ``settings.web``."""
    web = web or web_settings(settings)
    store = store or Store(settings.resolved_database_url)
    app = FastAPI(title="supplyradar", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.ctx = WebContext(
        settings=settings,
        web=web,
        store=store,
        networks=proxy_networks(web),
        presession=PresessionTokens(secret_key(web, settings.data_dir)),
        templates=templates(),
        translator=Translator(settings.language),
        alerts=alerts_source.load(),
        synthetic=_synthetic(store),
    )
    _tidy(store, web)
    # Read the routing's languages now, as the templates are: reading them validates the channels, which
    # loads the channel library (~250 ms CPU) that the first signed-in request paid otherwise.
    routing_languages(app.state.ctx)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (auth, alerts, suppliers, categories, admin):
        app.include_router(module.router)
    _error_pages(app)
    app.middleware("http")(_headers_and_failures)
    return app


def _synthetic(store: Store) -> bool:
    """Whether the store holds the synthetic demo data set: every page then says so."""
    with store.session() as session:
        return get_meta(session, SYNTHETIC_MARKER) is not None


def _tidy(store: Store, web: WebSettings) -> None:
    """Drop expired sessions and old sign-in attempts (kept for one day: the rate limit needs minutes)."""
    with store.sessions.begin() as session:
        purge_expired_sessions(session, idle=timedelta(minutes=web.session_idle_minutes))
        purge_attempts(session, older_than=max(timedelta(days=1), timedelta(minutes=web.login_window_minutes)))


async def _headers_and_failures(request: Request, call_next) -> Response:  # Starlette's callable
    try:
        response = await call_next(request)
    except Exception:  # the last line of defence: log it, show a plain page
        log.exception("web: %s %s failed", request.method, request.url.path)
        response = render(request, "error.html", status=500, message=translator(request)("error.server"))
    for name, value, options in getattr(request.state, "cookies", None) or []:
        if value is None:
            response.delete_cookie(name, path="/", secure=options["secure"], httponly=True, samesite="lax")
        else:
            response.set_cookie(name, value, **options)
    response.headers.setdefault("Content-Security-Policy", CSP)
    if client(request).https:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error_pages(app: FastAPI) -> None:
    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> Response:
        message = translator(request)(exc.message, **exc.values)
        return render(request, "error.html", status=exc.status, message=message)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        ctx = context_of(request)
        if exc.expired:
            request.state.cookies = [(SESSION_COOKIE, None, {"secure": ctx.web.cookie_secure == "always"})]
        if request.method in ("GET", "HEAD"):
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(signin_url(path, expired=exc.expired), status_code=303)
        key = "signin.expired" if exc.expired else "error.signin_required"
        return render(request, "error.html", status=401, message=translator(request)(key))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        key = _STATUS_MESSAGES.get(exc.status_code, "error.not_found")
        return render(request, "error.html", status=exc.status_code, message=translator(request)(key))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(".".join(str(p) for p in err.get("loc", ())[1:]) or "?" for err in exc.errors())
        message = translator(request)("error.bad_request", detail=fields)
        return render(request, "error.html", status=400, message=message)
