"""The newest scoring run as people read it: ranked scores (``supplyradar risk``) and our position per category.

Why in the store: both are reads of a finished run (``scoring_runs``, ``risk_scores`` and the
organisations), shaped into plain rows; the scoring itself (``models.risk_run``) never sees them. Two
rules of issue 16 hold here for every reader: a score whose band is "unknown" (its main inputs
missing) is listed apart and never ranked, and only suppliers we depend on now (relationship
"current", ``models.relationship``) are shown unless asked for all. Runs from before relationships
were stored carry none: every supplier in them counts as current.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from config.risk import match_prefix
from models.relationship import CURRENT, SHOWN_BY_DEFAULT
from store import risk as risk_store
from store import score_documents
from store.schema import Organisation, RiskScore

#: The columns our_position reads of a category's dependency scores and of its suppliers' failure scores.
_DEPENDENCY = (RiskScore.organisation_id, RiskScore.category, RiskScore.value, RiskScore.band, RiskScore.confidence,
               RiskScore.features, Organisation.name)
_FAILURE = (RiskScore.organisation_id, RiskScore.value, RiskScore.band, RiskScore.confidence, RiskScore.reason_refs)


@dataclass
class RankedScores:
    run_id: int
    as_of: date
    model_version: str
    synthetic: bool
    warnings: list[str]
    note: str | None
    rows: list[dict[str, Any]]
    #: Scores with band "unknown" (main inputs missing): listed apart, never ranked.
    unknown: list[dict[str, Any]] = field(default_factory=list)
    #: How many former, dissolved or market-only suppliers were left out (shown with ``include_all``).
    hidden: int = 0


def _trend(history: Sequence[tuple[date, float, str]]) -> str:
    """"0.12 → 0.31" over the last runs of different days; "new" with one run."""
    by_day: dict[date, float] = {}
    for day, value, _version in history:
        by_day[day] = value
    values = [by_day[d] for d in sorted(by_day)][-4:]
    return "new" if len(values) < 2 else " → ".join(f"{v:.2f}" for v in values)


def ranked_scores(session: Session, *, kind: str = "combined", category: str | None = None,
                  limit: int = 20, include_all: bool = False) -> RankedScores | None:
    """The newest finished run's scores of ``kind``, highest first, with reasons and trend; None without a run.

    Only suppliers we depend on now (``relationship`` "current", see models.relationship) unless
    ``include_all``; then former, dissolved and market-only ones follow the same order, marked. Scores
    whose band is "unknown" (main inputs missing) are never ranked: they are listed in ``unknown``.
    """
    run = risk_store.latest_run(session)
    if run is None:
        return None
    details = run.details or {}
    note = None
    if kind == "combined" and not risk_store.run_scores(session, run.id, kind="combined"):
        kind, note = "failure", "No combined scores (no spend or contracts of ours): ranking by failure risk."
    per_category = kind in ("dependency", "geopolitical") and category is not None
    scores = risk_store.run_scores(session, run.id, kind=kind, category=category if per_category else "")
    if category is not None and not per_category:
        members = {s.organisation_id for s, _ in risk_store.run_scores(session, run.id, kind="dependency", category=category)}
        scores = [(s, o) for s, o in scores if s.organisation_id in members]
    # Runs from before statuses were stored carry none: every supplier counts as shown.
    shown = [(s, o) for s, o in scores if include_all or (s.features or {}).get("relationship", CURRENT) in SHOWN_BY_DEFAULT]
    hidden = len(scores) - len(shown)
    unknown = sorted(((s, o) for s, o in shown if s.band == "unknown"), key=lambda pair: pair[1].name)
    known = [(s, o) for s, o in shown if s.band != "unknown"]
    known.sort(key=lambda pair: (-pair[0].value, pair[1].name))
    known = known[:limit]
    history = risk_store.score_history(session, [s.organisation_id for s, _ in known], kind,
                                       category if per_category and category else "")

    def row(s: Any, o: Any) -> dict[str, Any]:
        features = s.features or {}
        return {
            "organisation_id": s.organisation_id, "supplier": o.name, "org_key": o.org_key, "country": o.country,
            "category": s.category or features.get("category"), "kind": s.kind,
            "value": None if s.band == "unknown" else s.value, "band": s.band, "confidence": s.confidence,
            "coverage": s.coverage, "status": features.get("relationship"), "status_why": features.get("relationship_why"),
            "reasons": [r.get("text", "") for r in s.reasons if r.get("feature") != "(base)"],
            "inputs": s.inputs, "trend": _trend(history.get(s.organisation_id, [])),
        }

    return RankedScores(run.id, run.as_of, run.model_version, bool(details.get("synthetic")),
                        list(details.get("warnings") or []), note, [row(s, o) for s, o in known],
                        unknown=[row(s, o) for s, o in unknown], hidden=hidden)


@dataclass
class OurPosition:
    """Our place in one category for the market scan: spend, our suppliers' risks, the Kraljic quadrant."""

    category: str
    as_of: date | None
    spend: float | None  # in euros; None when all of it is in another currency (``unpriced``)
    suppliers: list[dict[str, Any]]
    kraljic: dict[str, Any] | None
    message: str | None  # why there is nothing to show
    spend_months: int | None = None  # the spend window the run used (store.spend_period: one meaning everywhere)
    unpriced: int = 0  # suppliers paid here in another currency: not in ``spend`` (no exchange rate)


def our_position(session: Session, cpv_prefix: str) -> OurPosition:
    """What the newest scoring run says about our spend in the category that ``cpv_prefix`` denotes."""
    run = risk_store.latest_run(session)
    if run is None:
        return OurPosition(cpv_prefix, None, 0.0, [], None, "No scoring run yet: our position is not known.")
    details = run.details or {}
    keys = [k for k in (details.get("category_spend") or {}) if match_prefix(k).startswith(cpv_prefix)
            or cpv_prefix.startswith(match_prefix(k))]
    if not keys:
        return OurPosition(cpv_prefix, run.as_of, 0.0, [], None,
                           f"We have no spend or contracts in this category (scoring run of {run.as_of}).")
    spend: float | None = sum(float(details["category_spend"][k]) for k in keys)
    unpriced = sum(int((details.get("category_unpriced") or {}).get(k, 0)) for k in keys)
    if unpriced and not spend:
        spend = None  # every line in another currency: unknown in euros, not 0
    kraljic = next((k for k in details.get("kraljic") or [] if k["category"] in keys), None)
    # Plain rows of the columns read (the first reason's text only): loading the scores as ORM objects loaded all
    # their reasons and inputs too, most of our_position's time.
    deps = [row for key in keys for row in risk_store.run_score_rows(session, _DEPENDENCY, run.id, kind="dependency",
                                                                     category=key)]
    failures = {row.organisation_id: row for row in risk_store.run_score_rows(
        session, _FAILURE, run.id, kind="failure", organisation_ids={dep.organisation_id for dep in deps})}
    first_reasons = score_documents.fetch(session, {row.reason_refs[0] for row in failures.values() if row.reason_refs})
    suppliers = []
    for dep in sorted(deps, key=lambda row: -row.value):
        if (dep.features or {}).get("relationship", CURRENT) != CURRENT:
            continue  # former and dissolved suppliers are not our position now
        failure = failures.get(dep.organisation_id)
        known = failure is not None and failure.band != "unknown"
        suppliers.append({
            "name": dep.name, "category": dep.category, "spend": (dep.features or {}).get("spend_share"),
            "dependency": dep.value, "dependency_band": dep.band,
            "failure": failure.value if known else None, "failure_band": failure.band if failure else "unknown",
            "reason": first_reasons[failure.reason_refs[0]].get("text") if failure and failure.reason_refs else None,
            "confidence": min(dep.confidence, failure.confidence) if failure else dep.confidence,
        })
    months = ((details.get("config") or {}).get("dependency") or {}).get("spend_window_months")
    return OurPosition(cpv_prefix, run.as_of, spend, suppliers, kraljic, None, spend_months=months, unpriced=unpriced)
