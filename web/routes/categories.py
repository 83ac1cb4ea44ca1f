"""Category pages: our spend, the Kraljic position, the market and our suppliers ranked by risk.

A category is addressed by its CPV code or prefix (``/categories/09310000`` and
``/categories/0931`` are the same page). A category manager may open only categories inside
the prefixes assigned to them: anything else is a 403 page that shows none of its data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from pipelines.market_scan import ScanRequestError, normalise_prefix
from reference.cpv import UnknownCpvCodeError, prefix_label
from reports.market_scan import entrants_csv_name
from store.category_pages import category_spend, kraljic_of, our_categories
from store.sanctions_marks import possible_matches_by_id, possible_matches_by_key
from store.supplier_list import our_suppliers
from web.auth import Principal, cpv_prefix
from web.core import PageError, WebContext, context_of, principal, render, spend_period_of, translator
from web.market import latest_report
from web.security import REPORT_CSP

router = APIRouter()


def reports_dir(ctx: WebContext) -> Path:
    return Path(ctx.web.reports_dir) if ctx.web.reports_dir else ctx.settings.resolved_output_dir


def label(code: str, language: str) -> str:
    try:
        return prefix_label(cpv_prefix(code), language)
    except UnknownCpvCodeError:
        return ""


def _category(code: str, who: Principal) -> str:
    try:
        prefix = normalise_prefix(code)
    except ScanRequestError:
        raise PageError(404, "error.category_not_found", code=code) from None
    if not who.covers(prefix):
        raise PageError(403, "error.category_forbidden", code=code)
    return prefix


@router.get("/categories")
def category_list(request: Request, who: Annotated[Principal, Depends(principal)]) -> Response:
    ctx = context_of(request)
    language = translator(request).language
    with ctx.store.session() as session:
        period = spend_period_of(ctx, session)
        rows = our_categories(session, who.prefixes, period)
    mine = [(p, label(p, language)) for p in who.prefixes or ()]
    listed = [(code, label(code, language), spend, contracts, others) for code, spend, contracts, others in rows]
    return render(request, "categories.html", mine=mine, rows=listed, period=period)


@router.get("/categories/{code}")
def category(request: Request, code: str, who: Annotated[Principal, Depends(principal)],
             all: Annotated[bool, Query()] = False) -> Response:
    ctx = context_of(request)
    prefix = _category(code, who)
    language = translator(request).language
    with ctx.store.session() as session:
        period = spend_period_of(ctx, session)
        spend = category_spend(session, prefix, period)
        suppliers = our_suppliers(session, who.prefixes, category=prefix, period=period, include_former=all)
        kraljic = kraljic_of(session, prefix)
        sanctioned = possible_matches_by_id(session, [r.id for r in suppliers])
    report = latest_report(reports_dir(ctx), prefix)
    scan = None if report else ctx.markets.get(ctx.store, prefix, language=language)
    sanctioned_keys: dict = {}
    if scan is not None and scan.top_suppliers:
        with ctx.store.session() as session:
            sanctioned_keys = possible_matches_by_key(session, [s.key for s in scan.top_suppliers])
    return render(
        request, "category.html", code=prefix, label=label(prefix, language), spend=spend, suppliers=suppliers,
        kraljic=kraljic, report=report, scan=scan, period=period, sanctioned=sanctioned, sanctioned_keys=sanctioned_keys,
        show_all=all,
    )


@router.get("/categories/{code}/market-scan")
def category_report(request: Request, code: str, who: Annotated[Principal, Depends(principal)]) -> Response:
    """The newest stored market scan of the category, as written (self-contained, no script)."""
    ctx = context_of(request)
    prefix = _category(code, who)
    report = latest_report(reports_dir(ctx), prefix)
    if report is None:
        raise PageError(404, "error.not_found")
    return FileResponse(report, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": REPORT_CSP})


@router.get("/categories/{code}/{filename}")
def category_report_entrants(request: Request, code: str, filename: str,
                             who: Annotated[Principal, Depends(principal)]) -> Response:
    """The CSV of every new entrant beside the newest market scan (the report links it by this relative name)."""
    ctx = context_of(request)
    prefix = _category(code, who)
    report = latest_report(reports_dir(ctx), prefix)
    if report is None or filename != entrants_csv_name(report) or not (csv_file := report.with_name(filename)).is_file():
        raise PageError(404, "error.not_found")
    return FileResponse(csv_file, media_type="text/csv; charset=utf-8", filename=filename)
