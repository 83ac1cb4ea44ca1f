"""The alert inbox, one alert's whole story, and the feedback actions on it.

``/alerts/{id}`` is the page alert messages link to (``<web.base_url>/alerts/<id>``). Actions
are plain POST forms with the session's anti-forgery token; after one the browser is sent back
to the inbox (post/redirect/get), and the action is written twice: as feedback through the
alerts area's ``apply_feedback`` (which keeps the alert's own audit) and in the workspace's
audit log with the person's address.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from store.web import audit
from store.web_pages import organisation_ids
from web.alerts_source import ACTIONS, ACTIVE_STATES, AlertsSource
from web.auth import Principal
from web.core import PageError, WebContext, client, context_of, principal, render, require_csrf, translator
from web.security import safe_url

router = APIRouter()

SEVERITIES = ("critical", "warning", "info")
MAX_SNOOZE_DAYS = 90


def _source(ctx: WebContext) -> AlertsSource | None:
    return ctx.alerts


@router.get("/alerts")
def inbox(
    request: Request,
    who: Annotated[Principal, Depends(principal)],
    severity: Annotated[str, Query(max_length=20)] = "",
    category: Annotated[str, Query(max_length=8, pattern=r"^\d{0,8}$")] = "",
    state: Annotated[str, Query(max_length=20)] = "",
    done: Annotated[str, Query(max_length=20)] = "",
    alert: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    ctx = context_of(request)
    source = _source(ctx)
    if source is None:
        return render(request, "inbox.html", available=False, rows=[], total=0, filters={}, states=(),
                      severities=SEVERITIES, done=None)
    if severity and severity not in SEVERITIES:
        severity = ""
    states = [state] if state in source.states else list(ACTIVE_STATES)
    if category and not who.covers(category) and not any(p.startswith(category) for p in who.prefixes or ()):
        raise PageError(403, "error.category_forbidden", code=category)
    _end_snoozes(ctx, source)
    with ctx.store.session() as session:
        rows, total = source.inbox(session, who, states=states, severity=severity, category=category,
                                   limit=ctx.web.page_size)
        items = [_summary(row) for row in rows]
    return render(
        request, "inbox.html", available=True, rows=items, total=total, states=source.states, severities=SEVERITIES,
        filters={"severity": severity, "category": category, "state": state if state in source.states else ""},
        done=translator(request)(f"alert.done.{done}", id=alert) if done in ACTIONS and alert else None,
    )


def _end_snoozes(ctx: WebContext, source: AlertsSource) -> None:
    """Snoozes that are over end now, as they do in the send flows, before the inbox or an alert is read."""
    with ctx.store.sessions.begin() as session:
        source.end_snoozes(session, now=datetime.now(UTC), routing_file=ctx.settings.alerts.routing_file)


def _summary(row: Any) -> dict[str, Any]:
    facts = row.facts or {}
    return {
        "id": row.id, "severity": row.severity, "state": row.state, "title": row.title, "count": row.count,
        "last_seen": row.last_seen, "categories": list(row.categories or []), "supplier": facts.get("supplier"),
        "organisation_id": row.organisation_id, "facts": facts, "snoozed_until": row.snoozed_until if row.state == "snoozed" else None,
    }


def _visible_alert(ctx: WebContext, session, who: Principal, alert_id: int) -> Any:
    source = _source(ctx)
    if source is None:
        raise PageError(404, "inbox.unavailable")
    row = source.get(session, alert_id)
    if row is None:
        raise PageError(404, "error.alert_not_found", id=alert_id)
    if not source.visible(who, row):
        raise PageError(403, "error.alert_forbidden", id=alert_id)
    return row


@router.get("/alerts/{alert_id:int}")
def alert_page(request: Request, alert_id: int, who: Annotated[Principal, Depends(principal)]) -> Response:
    ctx = context_of(request)
    source = _source(ctx)
    if source is not None:
        _end_snoozes(ctx, source)
    with ctx.store.session() as session:
        row = _visible_alert(ctx, session, who, alert_id)
        feedback, history, deliveries = source.history(session, alert_id)
        facts = dict(row.facts or {})
        language = translator(request).language
        story = _story(facts, language)
        ids = organisation_ids(session, [a["key"] for a in story["alternatives"] if a["key"]])
        for alternative in story["alternatives"]:
            alternative["organisation_id"] = alternative["organisation_id"] or ids.get(alternative["key"])
        alert = _summary(row) | {"first_seen": row.first_seen, "rule": row.rule_id, "ops": row.ops,
                                 "snoozed_until": row.snoozed_until, "facts": facts}
        wrong_company = _wrong_company_preview(session, alert_id, translator(request))
    actions = [source.action_text(language, a) for a in story["w"]["actions"]]
    return render(
        request, "alert.html", alert=alert, story=story, feedback=feedback, history=history, deliveries=deliveries,
        actions=actions, wrong_company=wrong_company,
        dismiss_reasons=source.dismiss_reasons, can_act=who.can_act,
    )


def _wrong_company_preview(session: Any, alert_id: int, t: Any) -> dict[str, Any]:
    """What "wrong company" would change for this alert, or why it is refused, and whether an applied one can be
    undone (``store.identity_feedback``): shown next to the dismiss form before anyone chooses it, in the
    reader's language (the store words it in English for the command line)."""
    from store.identity_feedback import wrong_company_preview

    preview = wrong_company_preview(session, alert_id)
    if t.language != "en":
        code, values = preview["reason"]
        preview["explanation"] = t(f"wrong_company.reason.{code}", **values) if code else preview["explanation"]
        preview["changes"] = [t(f"wrong_company.change.{c}", **v) for c, v in preview["change_codes"]]
    return preview


def _story(facts: dict[str, Any], language: str) -> dict[str, Any]:
    """The facts as the page shows them, worded as the messages word them (``alerts.wording``).

    Links only to http(s) URLs; sources as pages a person can open; alternatives, reasons and
    labels in the reader's language.
    """
    from alerts.wording import present

    worded = present(facts, language)
    sources = [{**s, "url": safe_url(s.get("url"))} for s in worded["sources"]]
    alternatives = facts.get("alternatives") or {}
    ranked = [
        {"name": a.get("name"), "reason": a.get(f"reason_{language}") or a.get("reason_en") or a.get("reason"),
         "organisation_id": a.get("organisation_id"), "key": a.get("key"), "country": a.get("country")}
        for a in (alternatives.get("ranked") or []) if isinstance(a, dict)
    ] if isinstance(alternatives, dict) else []
    return {
        "kind": facts.get("kind"),
        "sources": sources,
        "score": facts.get("score") if isinstance(facts.get("score"), dict) else None,
        "contract": facts.get("contract") if isinstance(facts.get("contract"), dict) else None,
        "market": facts.get("market") if isinstance(facts.get("market"), dict) else None,
        "alternatives": ranked,
        "alternatives_shown": bool(alternatives),
        "alternative_notes": worded["alternative_notes"],
        "excluded": worded["excluded"],
        "facts": facts,
        "w": worded,
    }


def _act(request: Request, who: Principal, alert_id: int, csrf_token: str, action: str, **options: Any) -> Response:
    require_csrf(who, csrf_token)
    ctx = context_of(request)
    if not who.can_act:
        raise PageError(403, "error.read_only")
    source = _source(ctx)
    now = datetime.now(UTC)
    try:
        with ctx.store.sessions.begin() as session:
            _visible_alert(ctx, session, who, alert_id)
            source.act(session, alert_id, action, who=who.username, now=now, **options)
            detail = " ".join(f"{k}={v}" for k, v in options.items() if v)
            audit(session, who.username, f"alert.{action}", f"alert:{alert_id}", detail=detail or None,
                  address=client(request).address)
    except ValueError as exc:
        raise PageError(400, "error.action_failed", detail=str(exc)) from None
    # The confirmation is built from a known action and an id, never from text in the URL.
    return RedirectResponse("/alerts?" + urlencode({"done": action, "alert": alert_id}), status_code=303)


@router.post("/alerts/{alert_id:int}/acknowledge")
def acknowledge(
    request: Request, alert_id: int, who: Annotated[Principal, Depends(principal)],
    csrf_token: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    return _act(request, who, alert_id, csrf_token, "acknowledge")


@router.post("/alerts/{alert_id:int}/snooze")
def snooze(
    request: Request, alert_id: int, who: Annotated[Principal, Depends(principal)],
    days: Annotated[int, Form(ge=1, le=MAX_SNOOZE_DAYS)] = 7,
    csrf_token: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    return _act(request, who, alert_id, csrf_token, "snooze", snooze_until=until)


@router.post("/alerts/{alert_id:int}/undo-wrong-company")
def undo_wrong_company(
    request: Request, alert_id: int, who: Annotated[Principal, Depends(principal)],
    csrf_token: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Put back the link a "wrong company" dismissal undid (``store.identity_feedback.undo_wrong_company``)."""
    from store.identity_feedback import NothingToUndo
    from store.identity_feedback import undo_wrong_company as undo

    require_csrf(who, csrf_token)
    ctx = context_of(request)
    if not who.can_act:
        raise PageError(403, "error.read_only")
    try:
        with ctx.store.sessions.begin() as session:
            _visible_alert(ctx, session, who, alert_id)
            done = undo(session, alert_id, decided_by=who.username)
            audit(session, who.username, "alert.undo-wrong-company", f"alert:{alert_id}", detail="; ".join(done) or None,
                  address=client(request).address)
    except NothingToUndo as exc:
        raise PageError(400, "error.action_failed", detail=str(exc)) from None
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.post("/alerts/{alert_id:int}/dismiss")
def dismiss(
    request: Request, alert_id: int, who: Annotated[Principal, Depends(principal)],
    reason: Annotated[str, Form(max_length=30)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    return _act(request, who, alert_id, csrf_token, "dismiss", reason=reason, note=note.strip() or None)
