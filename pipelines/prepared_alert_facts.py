"""What the next alert run will read, worked out after scoring and kept in the store; and its reading back.

An alert run's own work is small (a rule per fact, a suggestion per alert in milliseconds); what made it
cost seconds per alert on a national store was reading award history: the markets of the expiring
contracts' categories and the CPV divisions the alternatives look in. Those depend on the day, the
settings and the award data only, and the score-suppliers flow runs just before the alert run on the same
day, so it works them out for every category and division our contracts and spend are in
(``prepare_alert_facts``) through the same code an alert run would use, and keeps them
(``store.prepared_facts``). The run (``PreparedReads``) takes a kept fact only when it was worked out for
its day, under its settings, on the award data the store holds now; anything else it reads itself as
before. Suggestions and markets are therefore the same either way; only where the time is spent moves.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from alerts.evaluate import MarketFact
from alerts.routing import RoutingConfigError
from alerts.rules import RuleConfigError
from config.settings import Settings
from models.alternative_branches import BranchIndex, branch_from_state, branch_state
from models.alternative_history import CompanyFacts
from models.categories import CPV, parent_of
from models.dates import years_before
from pipelines.run_awards import RunAwards
from store.alternative_facts import company_facts, company_stamp
from store.market_summaries import our_category_codes
from store.prepared_facts import data_stamp, load_prepared, replace_prepared

if TYPE_CHECKING:  # pipelines.alternatives imports this module
    from pipelines.alternatives import WholeHistory

log = logging.getLogger(__name__)

DIVISION, MARKET = "division", "market"


def division_settings(settings: Settings) -> dict[str, Any]:
    """What a division's history depends on besides the day and the data (the ranker's settings)."""
    from pipelines.alternatives import ranker_settings

    return ranker_settings(settings)


def divisions_of(codes: set[str], settings: Settings) -> list[str]:
    """The CPV divisions (as the alternatives name them) of ``codes``; codes that are no CPV code left out."""
    depth, found = settings.alerts.alternatives.cpv_depth, set()
    for code in codes:
        try:
            division = parent_of(code, CPV, cpv_depth=depth).key
        except ValueError:
            continue
        if division[:2].isdigit():
            found.add(division)
    return sorted(found)


def prepare_alert_facts(session: Session, settings: Settings, *, as_of: date, routing_file: Path | None = None,
                        now: datetime | None = None, whole: WholeHistory | None = None) -> dict[str, int]:
    """Work out and keep the markets of our categories and the histories of our CPV divisions as of ``as_of``.

    ``routing_file`` overrides ``settings.alerts.routing_file`` (its categories are the markets an alert
    names). ``whole``: the history a learning run on ``as_of`` read (``learn_ranker_keeping_history``); the
    divisions are then sliced out of it, not read again. Returns how many of each were kept.
    """
    from pipelines.alternatives import BeyondReads, load_division
    from pipelines.send_alerts import load_config, market_years, read_markets

    config = load_config(settings.with_alert_files(routing=routing_file))
    now = now or datetime.now(UTC)
    stamp, codes = data_stamp(session), our_category_codes(session)
    # one read of each division, shared by the markets and the divisions; every supplier's last win in one pass
    # (the markets' award facts from those learning read, when it kept them: ``markets_since``)
    known = ((whole.facts_since, whole.facts)
             if whole is not None and whole.as_of == as_of and whole.facts_since is not None else None)
    awards, reads = RunAwards(session, as_of=as_of, known=known), BeyondReads(as_of, all_suppliers=True)
    if whole is not None and whole.as_of == as_of:  # every supplier's last win, from the history learning read
        reads.last_win = dict(whole.last_wins())
    kept: dict[str, int] = {}
    years = market_years(config.rules)
    if years is not None:
        categories = {category for code in codes if (category := config.routing.category_of(code))}
        markets = read_markets(session, categories, as_of=as_of, years=years, language=settings.language,
                               awards=awards)
        facts = {category: (_market_meta(fact), None) for category, fact in markets.items()}
        kept[MARKET] = replace_prepared(session, MARKET, facts, as_of=as_of, stamp=stamp,
                                        settings={"years": years}, computed_at=now)
    divisions = {}
    companies_stamp = company_stamp(session, as_of=as_of)
    for division in divisions_of(codes, settings):
        index = load_division(session, settings, division=division, as_of=as_of, awards=awards, reads=reads,
                              whole=whole)
        arrays, meta = branch_state(index)
        known = (whole.companies_of(index.suppliers, stamp=companies_stamp)
                 if whole is not None and whole.as_of == as_of else None)  # as learning read them, when still true
        meta["companies"] = _company_columns(known if known is not None
                                             else company_facts(session, index.suppliers, as_of=as_of))
        meta["companies_stamp"] = companies_stamp
        divisions[division] = (meta, arrays)
    kept[DIVISION] = replace_prepared(session, DIVISION, divisions, as_of=as_of, stamp=stamp,
                                      settings=division_settings(settings), computed_at=now)
    log.info("prepared for the alert runs on %s: %d markets, %d CPV divisions", as_of, kept.get(MARKET, 0),
             kept[DIVISION])
    return kept


def markets_since(settings: Settings, *, as_of: date, routing_file: Path | None = None) -> date | None:
    """The first day of the markets ``prepare_alert_facts`` works out as of ``as_of``; None when it works out none
    (no contract-horizon rules) or the alert configuration is not valid (it then says so itself).

    Why: learning reads every award before it runs (``learn_ranker_keeping_history``); told this day, it keeps the
    award facts the markets read from it, which were read a second time, division by division (scale 54: 1 CPU-s).
    """
    from pipelines.send_alerts import load_config, market_years

    try:
        years = market_years(load_config(settings.with_alert_files(routing=routing_file)).rules)
    except (RoutingConfigError, RuleConfigError):
        return None
    return years_before(as_of, years) if years is not None else None


def _company_columns(companies: dict[str, CompanyFacts]) -> dict[str, Any]:
    """The companies as columns, with the few that have a register or sanctions status apart (as ISO days)."""
    status = {key: [day.isoformat() if day else None for day in (f.dissolved_on, f.insolvent_since, f.sanctioned_on)]
              for key, f in companies.items() if f.dissolved_on or f.insolvent_since or f.sanctioned_on}
    return {"keys": list(companies), "names": [f.name for f in companies.values()],
            "countries": [f.country for f in companies.values()],
            "bands": [f.failure_band for f in companies.values()], "status": status}


def _companies(columns: dict[str, Any]) -> dict[str, CompanyFacts]:
    status, none = columns["status"], (None, None, None)
    return {
        key: CompanyFacts(key, name, country, *(_days(status[key]) if key in status else none), band)
        for key, name, country, band in zip(columns["keys"], columns["names"], columns["countries"], columns["bands"],
                                            strict=True)
    }


def _days(days: list[str | None]) -> tuple[date | None, ...]:
    return tuple(date.fromisoformat(day) if day else None for day in days)


@dataclass(frozen=True, slots=True)
class KeptDivision:
    """A CPV division's history kept ahead, and its suppliers' company facts when still current (else None)."""

    index: BranchIndex
    companies: dict[str, CompanyFacts] | None


def _market_meta(fact: MarketFact) -> dict[str, Any]:
    meta = asdict(fact)
    meta.pop("label")  # in the run's language, worked out when read
    meta["since"], meta["until"] = fact.since.isoformat(), fact.until.isoformat()
    return meta


@dataclass
class PreparedReads:
    """An alert run's reads of the kept facts: each used only when worked out for this day, settings and data."""

    session: Session
    settings: Settings
    as_of: date
    used: Counter[str] = field(default_factory=Counter)  # "division", "market", "division missed", ...
    cpu: float = 0.0  # CPU seconds spent reading kept facts (for the alert benchmark)
    _stamp: str | None = None
    _companies_stamp: str | None = None

    @property
    def stamp(self) -> str:
        if self._stamp is None:
            self._stamp = data_stamp(self.session)
        return self._stamp

    def market(self, category: str, *, years: int, label: str) -> MarketFact | None:
        """The kept market of ``category`` over ``years``, named ``label``; None when none fits."""
        started = time.process_time()
        found = load_prepared(self.session, MARKET, category, as_of=self.as_of, stamp=self.stamp,
                              settings={"years": years})
        self.cpu += time.process_time() - started
        self.used[MARKET if found else f"{MARKET} missed"] += 1
        if found is None:
            return None
        meta = dict(found.meta)
        meta["since"], meta["until"] = date.fromisoformat(meta["since"]), date.fromisoformat(meta["until"])
        return MarketFact(label=label, **meta)

    def division(self, division: str) -> KeptDivision | None:
        """The kept history of the CPV ``division`` (None when none fits), with its suppliers' company facts
        when no scoring run or status event came since they were kept."""
        started = time.process_time()
        found = load_prepared(self.session, DIVISION, division, as_of=self.as_of, stamp=self.stamp,
                              settings=division_settings(self.settings))
        kept = None
        if found is not None:
            if self._companies_stamp is None:
                self._companies_stamp = company_stamp(self.session, as_of=self.as_of)
            companies = None
            if found.meta.get("companies_stamp") == self._companies_stamp:
                companies = _companies(found.meta["companies"])
            kept = KeptDivision(branch_from_state(found.arrays, found.meta), companies)
            if companies is None:
                self.used["companies missed"] += 1
        self.cpu += time.process_time() - started
        self.used[DIVISION if kept is not None else f"{DIVISION} missed"] += 1
        return kept
