"""Supplier pages: our suppliers (riskiest first) and one supplier's whole picture.

A category manager sees a supplier only when it works in one of their categories (our spend or
contracts, its category scores or its public awards), and then only the spend, contracts,
awards and category scores inside those categories.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from store.sanctions_marks import possible_matches_by_id
from store.supplier_list import our_suppliers
from store.web_pages import match_decisions, may_see_supplier, register_facts, supplier_page
from web.auth import Principal
from web.core import PageError, context_of, principal, render, spend_period_of

router = APIRouter()


@router.get("/suppliers")
def supplier_list(
    request: Request,
    who: Annotated[Principal, Depends(principal)],
    q: Annotated[str, Query(max_length=200)] = "",
    all: Annotated[bool, Query()] = False,
) -> Response:
    ctx = context_of(request)
    with ctx.store.session() as session:
        period = spend_period_of(ctx, session)
        rows = our_suppliers(session, who.prefixes, search=q, period=period, include_former=all)
        sanctioned = possible_matches_by_id(session, [r.id for r in rows])
    return render(request, "suppliers.html", rows=rows, q=q, period=period, sanctioned=sanctioned, show_all=all)


@router.get("/suppliers/{org_id:int}")
def supplier(request: Request, org_id: int, who: Annotated[Principal, Depends(principal)]) -> Response:
    ctx = context_of(request)
    with ctx.store.session() as session:
        page = supplier_page(session, org_id, who.prefixes, spend_period_of(ctx, session))
        if page is None:
            raise PageError(404, "error.supplier_not_found", id=org_id)
        if not may_see_supplier(session, org_id, who.prefixes):
            raise PageError(403, "error.supplier_forbidden", id=org_id)
        decisions = match_decisions(session, org_id)
        register = register_facts(session, _kvk_number(page))
        sanctioned = possible_matches_by_id(session, [org_id])
    return render(request, "supplier.html", page=page, org=page.organisation, decisions=decisions, register=register,
                  sanctioned=sanctioned)


def _kvk_number(page) -> str | None:  # store.web_pages.SupplierPage
    """The supplier's KvK number: its kvk identifier, else a Dutch 8-digit company id."""
    for identifier in page.identifiers:
        if identifier.scheme == "kvk":
            return identifier.value
    org = page.organisation
    company_id = (org.company_id or "").strip()
    return company_id if org.country == "NL" and len(company_id) == 8 and company_id.isdigit() else None
