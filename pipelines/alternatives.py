"""Alternative suppliers from the store: the data behind ``models.alternatives``, and its backtest.

Reads the award history (notices, awards, winners, buyers; the category scheme where the store
keeps it), the company signals (``supplier_events``: dissolved, insolvent, possible sanctions
match, as of a day) and the latest failure band (``risk_scores``), and hands them to the pure
model. Every read is in ``store`` (``store.alternative_facts``, ``store.queries``); this module
only loads, calls the model and shapes its output. The buyer's kind and region, which the model
uses to prefer wins with comparable buyers, come from ``models.buyer_profile``.

A run that makes several suggestions shares one ``AlternativesContext``: a backtest or a learning run
the whole history indexed once and one ranker learned from it; an alert run the stored ranker and the
history of only the CPV divisions its alerts ask about (``load_division``), so that its cost follows
its alerts and not the size of the store.
"""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from config.settings import Settings
from models.alternative_branches import Beyond, BranchIndex
from models.alternative_history import FEATURES, Query, years_before
from models.alternative_ranker import Ranker, fit_ranker, transparent_ranker, unknown_buyer_features
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
from models.buyer_profile import buyer_kind, buyer_region
from models.categories import CPV, parent_of, scheme_name
from models.collector_pause import collector_paused
from models.market import AwardFact
from pipelines.prepared_alert_facts import PreparedReads
from pipelines.run_awards import RunAwards
from store.alternative_facts import company_facts, company_stamp, organisation_address, organisation_key
from store.alternative_rankers import load_ranker, save_ranker
from store.queries import award_fact_groups, bid_facts, buyer_award_counts, buyer_has_bids, last_wins


def load_history(session: Session, *, cpv_prefix: str = "", until: date | None = None, since: date | None = None,
                 facts: Iterable[AwardFact] | None = None) -> list[PastAward]:
    """Every counted award (duplicates across sources left out) with its buyer and winners (from ``since``).

    The same award facts as the market scans (``store.queries.award_facts``), seen as a buyer's history;
    ``facts``: those already read. Read here, they are streamed (``award_fact_groups``): each becomes its
    ``PastAward`` as it comes, and the whole history is never held as ``AwardFact`` objects too.
    """
    if facts is None:
        facts = (fact for group in award_fact_groups(session, cpv_prefix, until=until, all_schemes=True, since=since)
                 for fact in group)
    kinds: dict[str | None, str | None] = {}  # a buyer's kind and region worked out once per name and address,
    regions: dict[tuple[str | None, str | None], str | None] = {}  # not once per award
    history: list[PastAward] = []
    # One object per distinct day, code and buyer (each row read brings its own): the history repeats them.
    shared: dict = {}
    one = shared.setdefault
    for fact in facts:
        if fact.buyer_name not in kinds:
            kinds[fact.buyer_name] = buyer_kind(fact.buyer_name)
        if (place := (fact.buyer_country, fact.buyer_postcode)) not in regions:
            regions[place] = buyer_region(*place)
        history.append(PastAward(
            published=one(fact.published, fact.published), cpv=one(fact.cpv_main, fact.cpv_main),
            buyer_key=one(fact.buyer_key or "", fact.buyer_key or ""), buyer_name=one(fact.buyer_name, fact.buyer_name),
            buyer_kind=kinds[fact.buyer_name], buyer_region=regions[place],
            value=float(fact.value) if fact.value is not None and (fact.currency or "EUR") == "EUR" else None,
            winners=tuple(winner.key for winner in fact.winners), scheme=one(fact.category_scheme, fact.category_scheme),
        ))
    return history


def load_companies(session: Session, keys: Iterable[str], *, as_of: date) -> dict[str, CompanyFacts]:
    """Name, country, register and sanctions status and failure band of each org_key, as of ``as_of``."""
    return company_facts(session, keys, as_of=as_of)


def _buyer_profile(session: Session, org_key: str) -> tuple[str | None, str | None]:
    """Our own organisation's kind and region, as the model compares buyers (None, None when unknown)."""
    found = organisation_address(session, org_key)
    if found is None:
        return None, None
    name, country, postcode = found
    return buyer_kind(name), buyer_region(country, postcode)


def load_bids(session: Session, *, until: date | None = None) -> list[PastBid]:
    """Every tender submitted (won or lost) that the store keeps, as the model reads it."""
    return bid_facts(session, "", until=until)


@dataclass
class AlternativesContext:
    """What several suggestions on one reference day share: the indexed history, companies, the ranker."""

    as_of: date
    #: The whole history indexed; None in an alert run's context, which indexes each CPV division its alerts
    #: ask about when first asked (``divisions``, see ``prepare_for_alerts``).
    index: HistoryIndex | None
    companies: dict[str, CompanyFacts]
    ranker: Ranker
    notes: list[str] = field(default_factory=list)
    #: Companies are read per suggestion, for its candidates only (an alert run needs a few branches'
    #: suppliers, not every winner of the national history); the keys read so far, found or not.
    lazy: bool = False
    read: set[str] = field(default_factory=set)
    buyer: tuple[str | None, str | None] | None = None  # our own buyer's kind and region, once read
    divisions: dict[str, BranchIndex] = field(default_factory=dict)
    awards: RunAwards | None = None  # the run's award reads by division (shared with its markets)
    reads: BeyondReads | None = None  # and its aggregates of the rest of the history
    read_cpu: float = 0.0  # CPU seconds spent reading divisions (for the alert benchmark)
    prepared: PreparedReads | None = None  # the divisions kept ahead by the score-suppliers flow
    whole: WholeHistory | None = None  # the history as read, when asked to keep it (``load_context``)

    def companies_for(self, session: Session, keys: Iterable[str]) -> None:
        """Read the companies among ``keys`` not read yet (a lazy context; a full one holds them all)."""
        missing = set(keys) - self.read
        if self.lazy and missing:
            self.companies.update(load_companies(session, missing, as_of=self.as_of))
            self.read |= missing

    def index_for(self, session: Session, settings: Settings, query: Query) -> HistoryIndex:
        """The index that answers ``query``: the whole history's, else its CPV division's (read on first use)."""
        if self.index is not None:
            return self.index
        if scheme_name(query.scheme) != CPV:  # not an alert's (they ask about CPV codes): the whole history
            self.index = load_context(session, settings, as_of=self.as_of)[0].index
            return self.index
        division = parent_of(query.cpv, CPV, cpv_depth=query.depth).key
        if division not in self.divisions:
            kept = self.prepared.division(division) if self.prepared is not None else None
            if kept is None:
                started = time.process_time()
                self.divisions[division] = load_division(session, settings, division=division, as_of=self.as_of,
                                                         awards=self.awards, reads=self.reads)
                self.read_cpu += time.process_time() - started
            else:
                self.divisions[division] = kept.index
                if kept.companies is not None and self.lazy:  # its suppliers' facts, as companies_for would read
                    self.companies.update(kept.companies)
                    self.read |= set(kept.index.suppliers)
        return self.divisions[division]


@dataclass
class WholeHistory:
    """The award and bid history before ``as_of`` that a learning run read (``load_context``), in the order read.

    Why: the score-suppliers flow learns the ranker and then works out the CPV divisions the day's alert runs
    will ask about (``pipelines.prepared_alert_facts``); a division's wins and bids are a slice of this history,
    so they are taken from it (``under``) instead of being read from the store a second time.
    """

    as_of: date
    awards: list[PastAward]
    bids: list[PastBid]
    #: the company facts of every winner and bidder of the history as of ``as_of``, as learning read them, and the
    #: ``company_stamp`` taken before they were read (``companies_of``)
    companies: dict[str, CompanyFacts] = field(default_factory=dict)
    companies_stamp: str | None = None
    #: the CPV award facts as read, published from ``facts_since`` (None: none kept) up to ``as_of`` itself: what the
    #: markets of the day's alert runs read of their divisions (``RunAwards``), so they are not read a second time
    facts_since: date | None = None
    facts: list[AwardFact] = field(default_factory=list)
    #: the CPV records by the first two digits of their code, in the order read (made on the first ``under``)
    _by_two: dict[str, tuple[list[PastAward], list[PastBid]]] | None = field(default=None, repr=False)

    def under(self, division: str, *, since: date) -> tuple[list[PastAward], list[PastBid]]:
        """What ``load_division`` reads of the CPV ``division`` from ``since``: the same records, in the same order.

        That read finds a notice by the prefix of its ``cpv_main``; a notice of another scheme keeps ``cpv_main``
        empty (its codes are in ``category_codes``, the whole history's code for it), so its scheme leaves it out.
        """
        if self._by_two is None:
            self._by_two = defaultdict(lambda: ([], []))
            for a in self.awards:
                if a.scheme == CPV and a.cpv:
                    self._by_two[a.cpv[:2]][0].append(a)
            for b in self.bids:
                if b.scheme == CPV and b.cpv:
                    self._by_two[b.cpv[:2]][1].append(b)
        awards, bids = self._by_two.get(division[:2], ((), ()))
        return ([a for a in awards if a.published >= since and a.cpv.startswith(division)],
                [b for b in bids if b.published >= since and b.cpv.startswith(division)])

    def last_wins(self) -> dict[str, date]:
        """Each supplier's last win before ``as_of``, in any category: ``store.queries.last_wins`` of every supplier
        (``BeyondReads.all_suppliers``), which counts the awards this history holds (``award_facts``, all schemes).

        Why: that read aggregates every award of the store again (scale 54: 0.3 CPU-s); this is one pass."""
        last: dict[str, date] = {}
        for award in self.awards:
            for key in award.winners:
                if key not in last or last[key] < award.published:
                    last[key] = award.published
        return last

    def companies_of(self, keys: Iterable[str], *, stamp: str) -> dict[str, CompanyFacts] | None:
        """``company_facts(keys, as_of=as_of)`` taken from the facts learning read (``keys``: suppliers of this
        history), by key as the store reads them; None when the store's company facts have changed since they were
        read (``stamp``: ``company_stamp`` now).

        Why: ``prepare_alert_facts`` keeps the company facts of every division's suppliers, and reading them again
        per division cost more than learning's one read of them all (scale 16: 0.28 against 0.17 CPU-s)."""
        if self.companies_stamp is None or self.companies_stamp != stamp:
            return None
        return {key: self.companies[key] for key in sorted(set(keys)) if key in self.companies}


@dataclass
class BeyondReads:
    """A run's all-category facts of suppliers and buyers (``Beyond``), each asked of the store once per run:
    the buyers of one division (municipalities buy in all of them) are mostly those of the next."""

    as_of: date
    last_win: dict[str, date | None] = field(default_factory=dict)  # None: asked, never won
    buyer_awards: dict[str, int] = field(default_factory=dict)  # 0: asked, no award
    ours_bid: bool | None = None  # whether our own buyer has bids, once asked
    #: every supplier's last win read in one pass on first use (for a run that asks about most of them, as the
    #: facts kept for all our divisions do); otherwise each division's suppliers are asked for by name
    all_suppliers: bool = False

    def beyond(self, session: Session, *, suppliers: set[str], winners: set[str], since: date, buyers: set[str],
               ours: str) -> Beyond:
        """What a division must be told: ``suppliers`` its candidates (``winners`` those of them with a win from
        ``since``: their last win is no older), ``buyers`` those of its wins, ``ours`` our own buyer (or "").

        Buyers' sizes are compared with our own buyer's only (``HistoryIndex._similar_buyers``): when it is
        not set or the history does not know it, no buyer's awards need counting."""
        if self.all_suppliers and not self.last_win:
            self.last_win = dict(last_wins(session, None, before=self.as_of))
        for keys, start in ((suppliers & winners, since), (suppliers - winners, None)):
            if self.all_suppliers:
                break  # every supplier with a win is known; the others never won
            if missing := keys - self.last_win.keys():
                found = last_wins(session, missing, before=self.as_of, since=start)
                self.last_win.update((key, found.get(key)) for key in missing)
        last_win = {key: day for key in suppliers if (day := self.last_win.get(key)) is not None}
        if not ours or not self._counted(session, {ours}) and not self._ours_bid(session, ours):
            return Beyond(self.as_of, last_win=last_win, buyer_awards={})
        self._counted(session, buyers)
        buyer_awards = {key: self.buyer_awards[key] for key in buyers | {ours} if self.buyer_awards[key]}
        buyer_awards.setdefault(ours, 0)  # known to the history by its bids alone, with no award
        return Beyond(self.as_of, last_win=last_win, buyer_awards=buyer_awards)

    def _counted(self, session: Session, buyers: set[str]) -> int:
        """Count the awards of the ``buyers`` not counted yet; the awards of them all."""
        if missing := buyers - self.buyer_awards.keys():
            counts = buyer_award_counts(session, missing, before=self.as_of)
            self.buyer_awards.update((key, counts.get(key, 0)) for key in missing)
        return sum(self.buyer_awards[key] for key in buyers)

    def _ours_bid(self, session: Session, ours: str) -> bool:
        if self.ours_bid is None:
            self.ours_bid = buyer_has_bids(session, ours, before=self.as_of)
        return self.ours_bid


def load_division(session: Session, settings: Settings, *, division: str, as_of: date,
                  awards: RunAwards | None = None, reads: BeyondReads | None = None,
                  whole: WholeHistory | None = None) -> BranchIndex:
    """The wins and bids under a CPV division in the window of ``alerts.alternatives.years`` before ``as_of``,
    told what the rest of the history says about their suppliers and buyers and our own buyer (see
    ``models.alternative_branches``): read by prefix (from ``awards`` when given) and aggregated in SQL (``reads``:
    the run's aggregates so far), never the whole store; or sliced out of ``whole``, the history that a learning
    run on the same day has read already."""
    alt = settings.alerts.alternatives
    since = years_before(as_of, alt.years)
    if whole is not None and whole.as_of == as_of:
        history, bids = whole.under(division, since=since)
    else:
        facts = awards.under(division, since=since) if awards is not None and awards.as_of == as_of else None
        history = [a for a in load_history(session, cpv_prefix=division, until=as_of, since=since, facts=facts)
                   if a.published < as_of]
        bids = [b for b in bid_facts(session, division, until=as_of, since=since) if b.published < as_of]
    reads = reads if reads is not None and reads.as_of == as_of else BeyondReads(as_of)
    winners = {w for a in history for w in a.winners}
    beyond = reads.beyond(session, suppliers=winners | {k for b in bids for k in b.bidders}, winners=winners,
                          since=since, buyers={a.buyer_key for a in history if a.winners}, ours=alt.buyer_org_key)
    return BranchIndex(history, bids, division=division, since=since, beyond=beyond)


def load_context(session: Session, settings: Settings, *, as_of: date, ranker: Ranker | None = None,
                 keep: bool = False, facts_since: date | None = None) -> tuple[AlternativesContext, frozenset[str]]:
    """The history before ``as_of`` indexed, and its companies; the ranker is ``ranker`` (fixed weights if None);
    ``keep``: the history as read is kept too (``AlternativesContext.whole``), with its CPV award facts from
    ``facts_since`` when given (``WholeHistory.facts``).

    Also returns the features whose input about our own buyer (``alerts.alternatives.buyer_org_key``)
    is unknown (no region, no kind, no awards of its own): a learned model leaves them out and ranks on
    what is known instead of on counts that are 0 for everyone.
    """
    alt = settings.alerts.alternatives
    facts: list[AwardFact] = []
    read = None if facts_since is None or not keep else _keeping(
        (fact for group in award_fact_groups(session, "", until=as_of, all_schemes=True) for fact in group),
        facts, since=facts_since)
    history = [a for a in load_history(session, until=as_of, facts=read) if a.published < as_of]
    bids = [b for b in load_bids(session, until=as_of) if b.published < as_of]
    index = HistoryIndex(history, bids)
    stamp = company_stamp(session, as_of=as_of) if keep else None  # before the read: a change meanwhile shows
    companies = load_companies(
        session, {w for a in history for w in a.winners} | {k for b in bids for k in b.bidders}, as_of=as_of)
    kind, region = _buyer_profile(session, alt.buyer_org_key)
    without = unknown_buyer_features(kind=kind, region=region, known_buyer=index.knows_buyer(alt.buyer_org_key))
    context = AlternativesContext(as_of, index, companies, ranker or transparent_ranker("chosen for this run"),
                                  buyer=(kind, region),
                                  whole=WholeHistory(as_of, history, bids, companies, stamp,
                                                     facts_since if read is not None else None, facts) if keep else None)
    return context, without


def _keeping(facts: Iterable[AwardFact], kept: list[AwardFact], *, since: date) -> Iterator[AwardFact]:
    """``facts`` passed on, the CPV ones published from ``since`` also added to ``kept``.

    A CPV division's read (``award_facts`` by prefix) finds a notice by its ``cpv_main``, which only a CPV notice
    has (another scheme's codes are in ``category_codes``, the whole read's code for it): its scheme leaves it out."""
    for fact in facts:
        if fact.published >= since and fact.category_scheme == CPV:
            kept.append(fact)
        yield fact


def prepare(session: Session, settings: Settings, *, as_of: date, learned: bool = True,
            keep: bool = False, facts_since: date | None = None) -> AlternativesContext:
    """Load the history before ``as_of``, index it and learn the ranker from it (fixed weights when too thin);
    ``keep``: the history as read is kept too (``AlternativesContext.whole``; ``facts_since``: see ``load_context``)."""
    context, without = load_context(session, settings, as_of=as_of, keep=keep, facts_since=facts_since)
    if learned:
        alt = settings.alerts.alternatives
        context.ranker = fit_ranker(context.index, context.companies, as_of=as_of, depth=alt.cpv_depth, years=alt.years,
                                    half_life_years=alt.half_life_years, without=without)
    return context


def ranker_settings(settings: Settings) -> dict[str, object]:
    """The alternatives settings a learned ranker depends on: one learned under others is not used."""
    alt = settings.alerts.alternatives
    return {"cpv_depth": alt.cpv_depth, "years": alt.years, "half_life_years": alt.half_life_years,
            "buyer_org_key": alt.buyer_org_key}


def learn_ranker(session: Session, settings: Settings, *, as_of: date, now: datetime | None = None) -> Ranker:
    """Learn the ranker from the history before ``as_of`` and keep it in the store for the alert runs.

    Run once after each scoring run (the score-suppliers flow, ``supplyradar alerts learn-ranker``): the
    failure bands the training cases carry are those of the latest scoring run up to ``as_of``, as in an
    alert run on that day. Returns the ranker (fixed weights, with why, when the history is too thin).
    """
    return _learn(session, settings, as_of=as_of, now=now, keep=False)[0]


def learn_ranker_keeping_history(session: Session, settings: Settings, *, as_of: date, now: datetime | None = None,
                                 facts_since: date | None = None) -> tuple[Ranker, WholeHistory]:
    """``learn_ranker``, and the history it read: ``prepare_alert_facts`` on the same day takes its divisions
    from it (``load_division``) instead of reading them again, and its markets' award facts from ``facts_since``
    (``prepared_alert_facts.markets_since``; None: no facts kept)."""
    ranker, whole = _learn(session, settings, as_of=as_of, now=now, keep=True, facts_since=facts_since)
    assert whole is not None
    return ranker, whole


def _learn(session: Session, settings: Settings, *, as_of: date, now: datetime | None,
           keep: bool, facts_since: date | None = None) -> tuple[Ranker, WholeHistory | None]:
    # What the run before (the scoring, in the same process) left in cycles is collected first: during the
    # pause it would stay, under learning's peak (scale 16: 17 MiB).
    gc.collect()
    with collector_paused():  # the history read and indexed is all alive until learning ends
        context = prepare(session, settings, as_of=as_of, keep=keep, facts_since=facts_since)
        ranker, whole = context.ranker, context.whole
        del context  # the index goes; the history as read stays only when kept
    save_ranker(session, ranker, learned_on=as_of, features=FEATURES, settings=ranker_settings(settings),
                learned_at=now or datetime.now(UTC))
    return ranker, whole


def stored_ranker(session: Session, settings: Settings, *, as_of: date) -> Ranker:
    """The ranker an alert run on ``as_of`` uses: the stored one when it fits, else fixed weights saying why.

    It fits when it was learned before no later day than ``as_of``, at most ``ranker_max_age_days``
    before it, under the same settings and on the same features as this version's.
    """
    alt = settings.alerts.alternatives
    stored = load_ranker(session)
    if stored is None:
        return transparent_ranker("no learned model is stored; the score-suppliers flow learns one after scoring")
    learned_on = stored.learned_on
    if stored.features != FEATURES:
        return transparent_ranker("the stored model was learned on other features than this version's")
    if stored.settings != ranker_settings(settings):
        return transparent_ranker("the stored model was learned under other alternatives settings")
    if learned_on > as_of:
        return transparent_ranker(f"the stored model was learned on data up to {learned_on}, after {as_of}")
    if (as_of - learned_on).days > alt.ranker_max_age_days:
        return transparent_ranker(f"the stored model, learned on {learned_on}, is more than "
                                  f"{alt.ranker_max_age_days} days old")
    return stored.ranker


def prepare_for_alerts(session: Session, settings: Settings, *, as_of: date, awards: RunAwards | None = None,
                       prepared: PreparedReads | None = None) -> AlternativesContext:
    """What an alert run's suggestions share: the stored ranker (never learned here), our buyer's profile, and
    each CPV division's history when a suggestion first asks for it (``AlternativesContext.index_for``): kept
    ahead in ``prepared`` when still true, else read (from ``awards``, the run's reads by division, when given)."""
    return AlternativesContext(as_of, None, {}, stored_ranker(session, settings, as_of=as_of), lazy=True,
                               buyer=_buyer_profile(session, settings.alerts.alternatives.buyer_org_key), awards=awards,
                               reads=BeyondReads(as_of), prepared=prepared)


def suggest_for(
    session: Session, settings: Settings, *, organisation_id: int | None, cpv: str, as_of: date,
    context: AlternativesContext | None = None, reference_value: float | None = None, scheme: str = "CPV",
) -> Suggestions:
    """Alternatives to an organisation (None: any) for a category code, as of a day; the context may be shared."""
    alt = settings.alerts.alternatives
    supplier_key = organisation_key(session, organisation_id)
    if context is None or context.as_of != as_of:
        context = prepare(session, settings, as_of=as_of)
    kind, region = context.buyer or _buyer_profile(session, alt.buyer_org_key)
    request = Request(
        supplier_key=supplier_key, cpv=cpv, as_of=as_of, depth=alt.cpv_depth, years=alt.years,
        half_life_years=alt.half_life_years, buyer_kind=kind, buyer_region=region, reference_value=reference_value,
        prefer_countries=tuple(alt.prefer_countries), preference_weight=alt.preference_weight, top_n=alt.top_n,
        scheme=scheme, buyer_key=alt.buyer_org_key or None,
    )
    index = context.index_for(session, settings, request.query())
    if context.lazy:
        context.companies_for(session, index.candidates(request.query()).keys)
    return suggest(index, context.companies, request, ranker=context.ranker)


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
