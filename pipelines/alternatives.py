"""Alternative suppliers from the store: the data behind ``models.alternatives``, and its backtest.

Reads the award history (notices, awards, winners, buyers; the category scheme where the store
keeps it), the company signals (``supplier_events``: dissolved, insolvent, possible sanctions
match, as of a day) and the latest failure band (``risk_scores``), and hands them to the pure
model. The buyer's kind and region, which the model uses to prefer wins with comparable buyers,
are read off the buyer's name ("Gemeente ...", "Waterschap ...") and its postcode area: the
notices carry no buyer type that every source fills in.

A run that makes several suggestions (an alert run) shares one ``AlternativesContext``: the
history indexed once, and one ranker learned from the awards before the reference day.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from models.alternative_ranker import Ranker, fit_ranker, transparent_ranker
from models.alternatives import (
    CompanyFacts,
    HistoryIndex,
    PastAward,
    PastBid,
    Request,
    Suggestions,
    suggest,
)
from models.alternatives_backtest import BacktestResult, backtest
from store.queries import award_facts, bid_facts
from store.schema import Organisation, RiskScore, ScoringRun, SupplierEvent

_BUYER_KINDS = (
    (re.compile(r"\bgemeente\b|\bmunicipality\b|\bstad\b", re.I), "municipality"),
    (re.compile(r"\bprovincie\b|\bprovince\b", re.I), "province"),
    (re.compile(r"waterschap|hoogheemraadschap|wetterskip|water board", re.I), "water-board"),
    (re.compile(r"ziekenhuis|medisch centrum|\bumc\b|hospital|zorg", re.I), "hospital"),
    (re.compile(r"universiteit|hogeschool|university", re.I), "university"),
    (re.compile(r"ministerie|rijks|dienst|agentschap|autoriteit|belastingdienst|ministry|agency", re.I), "agency"),
)


def buyer_kind(name: str | None) -> str | None:
    """A buyer's kind from its name, or None when the name does not say."""
    for pattern, kind in _BUYER_KINDS:
        if name and pattern.search(name):
            return kind
    return None


def buyer_region(country: str | None, postcode: str | None) -> str | None:
    """The postcode area: first digit for Dutch buyers ("NL-3"), first two characters elsewhere
    ("FR-75", "DE-10"), the country alone without a postcode, None when neither is known."""
    code = (postcode or "").strip().upper().replace(" ", "")
    if country == "NL" and code[:1].isdigit():
        return f"NL-{code[0]}"
    if country and country != "NL" and len(code) >= 2 and code[:2].isalnum():
        return f"{country}-{code[:2]}"
    return country


def load_history(session: Session, *, cpv_prefix: str = "", until: date | None = None) -> list[PastAward]:
    """Every counted award (duplicates across sources left out) with its buyer and winners.

    The same award facts as the market scans (``store.queries.award_facts``), seen as a buyer's history.
    """
    return [
        PastAward(
            published=fact.published, cpv=fact.cpv_main, buyer_key=fact.buyer_key or "", buyer_name=fact.buyer_name,
            buyer_kind=buyer_kind(fact.buyer_name), buyer_region=buyer_region(fact.buyer_country, fact.buyer_postcode),
            value=float(fact.value) if fact.value is not None and (fact.currency or "EUR") == "EUR" else None,
            winners=tuple(winner.key for winner in fact.winners), scheme=fact.category_scheme,
        )
        for fact in award_facts(session, cpv_prefix, until=until, all_schemes=True)
    ]


def load_companies(session: Session, keys: Iterable[str], *, as_of: date) -> dict[str, CompanyFacts]:
    """Name, country, register and sanctions status and failure band of each org_key, as of ``as_of``."""
    wanted = sorted(set(keys))
    orgs: dict[int, Organisation] = {}
    for start in range(0, len(wanted), 900):
        for org in session.scalars(select(Organisation).where(Organisation.org_key.in_(wanted[start : start + 900]))):
            orgs[org.id] = org
    status: dict[int, dict[str, date | None]] = defaultdict(dict)
    ids = list(orgs)
    for start in range(0, len(ids), 900):
        events = session.execute(
            select(SupplierEvent.organisation_id, SupplierEvent.kind, SupplierEvent.occurred_on)
            .where(
                SupplierEvent.organisation_id.in_(ids[start : start + 900]),
                SupplierEvent.occurred_on <= as_of,
                SupplierEvent.kind.in_(
                    ("kvk.dissolved", "sanctions.possible_match", "insolvency.bankruptcy_declared",
                     "insolvency.suspension_provisional", "insolvency.suspension_final", "insolvency.ended")
                ),
            )
            .order_by(SupplierEvent.occurred_on, SupplierEvent.id)
        )
        for org_id, kind, day in events:
            state = status[org_id]
            if kind == "kvk.dissolved":
                state["dissolved"] = day
            elif kind == "sanctions.possible_match":
                state["sanctioned"] = day
            elif kind == "insolvency.ended":
                state["insolvent"] = None
            elif state.get("insolvent") is None:
                state["insolvent"] = day
    bands = _failure_bands(session, ids, as_of=as_of)
    return {
        org.org_key: CompanyFacts(
            key=org.org_key, name=org.name, country=org.country,
            dissolved_on=status[org.id].get("dissolved"), insolvent_since=status[org.id].get("insolvent"),
            sanctioned_on=status[org.id].get("sanctioned"), failure_band=bands.get(org.id),
        )
        for org in orgs.values()
    }


def _failure_bands(session: Session, ids: list[int], *, as_of: date) -> dict[int, str]:
    """The failure band of each organisation in the latest scoring run on data up to ``as_of``."""
    run_id = session.scalar(
        select(ScoringRun.id)
        .where(ScoringRun.as_of <= as_of, ScoringRun.status.not_in(("running", "failed")))
        .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
        .limit(1)
    )
    if run_id is None or not ids:
        return {}
    bands: dict[int, str] = {}
    for start in range(0, len(ids), 900):
        for org_id, band in session.execute(
            select(RiskScore.organisation_id, RiskScore.band).where(
                RiskScore.run_id == run_id, RiskScore.kind == "failure", RiskScore.category == "",
                RiskScore.organisation_id.in_(ids[start : start + 900]),
            )
        ):
            bands[org_id] = band
    return bands


def _buyer_profile(session: Session, org_key: str) -> tuple[str | None, str | None]:
    if not org_key:
        return None, None
    org = session.scalars(select(Organisation).where(Organisation.org_key == org_key)).first()
    if org is None:
        return None, None
    return buyer_kind(org.name), buyer_region(org.country, org.postcode)


def load_bids(session: Session, *, until: date | None = None) -> list[PastBid]:
    """Every tender submitted (won or lost) that the store keeps, as the model reads it."""
    return bid_facts(session, "", until=until)


@dataclass
class AlternativesContext:
    """What several suggestions on one reference day share: the indexed history, companies, the ranker."""

    as_of: date
    index: HistoryIndex
    companies: dict[str, CompanyFacts]
    ranker: Ranker
    notes: list[str] = field(default_factory=list)


def prepare(session: Session, settings: Settings, *, as_of: date, learned: bool = True) -> AlternativesContext:
    """Load the history before ``as_of``, index it and learn the ranker from it (fixed weights when too thin)."""
    alt = settings.alerts.alternatives
    history = [a for a in load_history(session, until=as_of) if a.published < as_of]
    bids = [b for b in load_bids(session, until=as_of) if b.published < as_of]
    index = HistoryIndex(history, bids)
    companies = load_companies(session, {w for a in history for w in a.winners} | {k for b in bids for k in b.bidders},
                               as_of=as_of)
    ranker = fit_ranker(index, companies, as_of=as_of, depth=alt.cpv_depth, years=alt.years,
                        half_life_years=alt.half_life_years) if learned else transparent_ranker("chosen for this run")
    return AlternativesContext(as_of, index, companies, ranker)


def suggest_for(
    session: Session, settings: Settings, *, organisation_id: int | None, cpv: str, as_of: date,
    context: AlternativesContext | None = None, reference_value: float | None = None, scheme: str = "CPV",
) -> Suggestions:
    """Alternatives to an organisation (None: any) for a category code, as of a day; the context may be shared."""
    alt = settings.alerts.alternatives
    supplier_key = session.scalar(select(Organisation.org_key).where(Organisation.id == organisation_id)) if organisation_id else None
    if context is None or context.as_of != as_of:
        context = prepare(session, settings, as_of=as_of)
    kind, region = _buyer_profile(session, alt.buyer_org_key)
    request = Request(
        supplier_key=supplier_key, cpv=cpv, as_of=as_of, depth=alt.cpv_depth, years=alt.years,
        half_life_years=alt.half_life_years, buyer_kind=kind, buyer_region=region, reference_value=reference_value,
        prefer_countries=tuple(alt.prefer_countries), preference_weight=alt.preference_weight, top_n=alt.top_n,
        scheme=scheme, buyer_key=alt.buyer_org_key or None,
    )
    return suggest(context.index, context.companies, request, ranker=context.ranker)


def suggestions_facts(suggestions: Suggestions, language: str) -> dict:
    """The JSON an alert keeps of its suggestions (rendered later, in the recipient's language too).

    ``rests_on`` keeps, per suggestion, the contributions its reason names and the counts they state.
    """
    return {
        "branch": suggestions.branch_code,
        "since": suggestions.since.isoformat(),
        "ranking": suggestions.ranking,
        "notes": list(suggestions.notes),
        "ranked": [
            {"name": a.name, "key": a.key, "country": a.country, "wins": a.wins,
             "reason_en": a.reason("en"), "reason_nl": a.reason("nl"),
             "rests_on": [{"feature": b.feature, "contribution": b.contribution, **b.facts} for b in a.basis]}
            for a in suggestions.ranked
        ],
        "excluded": [{"name": e.name, "why": e.why} for e in suggestions.excluded[:10]],
    }


def run_backtest(session: Session, settings: Settings, *, cutoff: date, category: str = "", horizon_days: int = 730,
                 rolling: bool = False, ranker: str = "learned") -> BacktestResult:
    """The backtest over the whole stored history (see ``models.alternatives_backtest``)."""
    alt = settings.alerts.alternatives
    history = load_history(session)
    bids = load_bids(session)
    keys = {w for a in history if a.published < cutoff for w in a.winners} | {k for b in bids for k in b.bidders}
    companies = load_companies(session, keys, as_of=cutoff)
    return backtest(
        history, companies, cutoff=cutoff, category=category, horizon_days=horizon_days, depth=alt.cpv_depth,
        years=alt.years, half_life_years=alt.half_life_years, rolling=rolling, ranker=ranker, bids=bids,
    )
