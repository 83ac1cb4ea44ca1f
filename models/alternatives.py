"""Alternative suppliers from the award history, and a backtest of how well they are suggested.

Pure: past awards and what is known about companies come in, a ranked list with a one-line
reason for each goes out; no I/O (``supplyradar.alternatives`` loads the data).

How a candidate is scored, for a supplier and a CPV code:

- the **branch** is the code's first ``depth`` digits (3: "725" = computer-related services);
  every award in the branch from ``years`` before the reference day counts for its winners;
- each win weighs by **recency** (halving every ``half_life_years``), by **comparable buyers**
  (x1.5 when the buyer is of the same kind, e.g. a municipality, x1.25 in the same region) and
  by **comparable value** (x1 for the reference value, falling towards x0.5 an order of
  magnitude away); a joint award is split between its winners;
- the sum is multiplied by the **risk** factor of the latest failure band (low x1, unknown x0.9,
  medium x0.6, high x0.25) and, for a **preferred** country, by the preference weight. Both are
  shown in the reason: a preference never removes anyone;
- companies that are dissolved, insolvent (an ``insolvency.*`` event without a later
  ``insolvency.ended``) or a possible sanctions match are **excluded**, and listed with why.

Ties are broken by more wins, a later last win, then name and key, so the order is stable.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from models.market import EU27

SAME_KIND_FACTOR = 1.5
SAME_REGION_FACTOR = 1.25
#: "unknown" (main inputs missing, e.g. a foreign supplier) weighs as "not scored": never as low risk.
RISK_FACTORS = {"low": 1.0, None: 0.9, "unknown": 0.9, "medium": 0.6, "high": 0.25}


@dataclass(frozen=True, slots=True)
class PastAward:
    """One award in the history: when, what, for which buyer, to whom."""

    published: date
    cpv: str  # 8 digits
    buyer_key: str
    buyer_name: str
    buyer_kind: str | None  # "municipality", "province", "water-board", "hospital", "university", "agency"
    buyer_region: str | None
    value: float | None
    winners: tuple[str, ...]  # organisation keys


@dataclass(frozen=True, slots=True)
class CompanyFacts:
    """What the registers, news and scores say about a candidate, as of the reference day."""

    key: str
    name: str
    country: str | None = None
    dissolved_on: date | None = None
    insolvent_since: date | None = None
    sanctioned_on: date | None = None
    failure_band: str | None = None


@dataclass(frozen=True, slots=True)
class Request:
    supplier_key: str | None  # the incumbent (never suggested)
    cpv: str
    as_of: date
    depth: int = 3
    years: int = 5
    half_life_years: float = 2.0
    buyer_kind: str | None = None
    buyer_region: str | None = None
    reference_value: float | None = None
    prefer_countries: tuple[str, ...] = ()
    preference_weight: float = 1.15
    top_n: int = 10
    exclude: frozenset[str] = frozenset()


_REASON_WORDS = {
    "en": {
        "won": "won {n} contract{s} under {branch} since {year}, e.g. for {buyer}", "singular": "", "plural": "s",
        "comparable": "{n} for comparable buyers", "since": "public awards since {year}",
        "risk-low": "low risk", "risk-medium": "medium risk", "risk-high": "high risk", "risk-none": "risk not scored",
        "risk-unknown": "risk unknown (no register data)",
        "preferred": "in {country} (preferred)", "not-preferred": "in {country} (not a preferred location)",
        "location": "in {country}",
    },
    "nl": {
        "won": "won {n} opdracht{s} onder {branch} sinds {year}, o.a. voor {buyer}", "singular": "", "plural": "en",
        "comparable": "{n} voor vergelijkbare opdrachtgevers", "since": "publieke opdrachten sinds {year}",
        "risk-low": "laag risico", "risk-medium": "gemiddeld risico", "risk-high": "hoog risico",
        "risk-none": "risico niet gescoord", "risk-unknown": "risico onbekend (geen registergegevens)", "preferred": "in {country} (voorkeur)",
        "not-preferred": "in {country} (geen voorkeurslocatie)", "location": "in {country}",
    },
}


@dataclass(frozen=True, slots=True)
class Alternative:
    key: str
    name: str
    country: str | None
    score: float
    wins: int
    since: date  # first win in the window
    last_win: date
    first_award: date  # first win in the branch in all history given
    example_buyer: str
    same_kind_wins: int
    risk_band: str | None
    preferred: bool | None  # None when no preference is configured

    def reason(self, branch_code: str, language: str = "en") -> str:
        """One line a manager can check: what they won, for whom, since when, risk, location."""
        words = _REASON_WORDS["nl" if language == "nl" else "en"]
        plural = words["plural"] if self.wins != 1 else words["singular"]
        parts = [words["won"].format(n=self.wins, s=plural, branch=branch_code, year=self.since.year, buyer=self.example_buyer)]
        if self.same_kind_wins:
            parts.append(words["comparable"].format(n=self.same_kind_wins))
        parts.append(words["since"].format(year=self.first_award.year))
        parts.append(words[f"risk-{self.risk_band or 'none'}"])
        if self.country:
            location = {True: "preferred", False: "not-preferred", None: "location"}[self.preferred]
            parts.append(words[location].format(country=self.country))
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Excluded:
    key: str
    name: str
    why: str


@dataclass(frozen=True, slots=True)
class Suggestions:
    branch: str
    branch_code: str  # the branch padded to 8 digits, as CPV codes are read
    since: date
    as_of: date
    ranked: tuple[Alternative, ...]
    excluded: tuple[Excluded, ...]
    notes: tuple[str, ...] = field(default=())

    def keys(self) -> list[str]:
        return [a.key for a in self.ranked]


def branch_of(cpv: str, depth: int) -> str:
    return cpv[:depth]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _value_factor(value: float | None, reference: float | None) -> float:
    if not value or not reference or value <= 0 or reference <= 0:
        return 1.0
    return 1.0 / (1.0 + abs(math.log10(value / reference)))


def _preferred(country: str | None, prefer: Sequence[str]) -> bool | None:
    if not prefer:
        return None
    if not country:
        return False
    return country in prefer or ("EU" in prefer and country in EU27)


def exclusion_reason(facts: CompanyFacts | None) -> str | None:
    if facts is None:
        return None
    if facts.insolvent_since:
        return f"insolvency published {facts.insolvent_since.isoformat()}"
    if facts.dissolved_on:
        return f"dissolved {facts.dissolved_on.isoformat()}"
    if facts.sanctioned_on:
        return f"possible sanctions match {facts.sanctioned_on.isoformat()}"
    return None


def suggest(awards: Iterable[PastAward], companies: Mapping[str, CompanyFacts], request: Request,
            *, weighted: bool = True) -> Suggestions:
    """Rank the winners of the request's branch; ``weighted=False`` is the plain popularity baseline."""
    branch = branch_of(request.cpv, request.depth)
    since = _years_before(request.as_of, request.years)
    score: dict[str, float] = defaultdict(float)
    wins: dict[str, int] = defaultdict(int)
    first_win: dict[str, date] = {}
    last_win: dict[str, date] = {}
    first_ever: dict[str, date] = {}
    same_kind: dict[str, int] = defaultdict(int)
    example: dict[str, tuple[float, str]] = {}
    for award in awards:
        if not award.cpv.startswith(branch) or award.published > request.as_of or not award.winners:
            continue
        for key in award.winners:
            if key not in first_ever or award.published < first_ever[key]:
                first_ever[key] = award.published
        if award.published < since:
            continue
        age_years = (request.as_of - award.published).days / 365.25
        weight = 1.0 / len(award.winners)
        kind_match = bool(request.buyer_kind and award.buyer_kind == request.buyer_kind)
        if weighted:
            weight *= 0.5 ** (age_years / request.half_life_years)
            weight *= SAME_KIND_FACTOR if kind_match else 1.0
            weight *= SAME_REGION_FACTOR if request.buyer_region and award.buyer_region == request.buyer_region else 1.0
            weight *= _value_factor(award.value, request.reference_value)
        for key in award.winners:
            score[key] += weight
            wins[key] += 1
            same_kind[key] += int(kind_match)
            first_win[key] = min(first_win.get(key, award.published), award.published)
            last_win[key] = max(last_win.get(key, award.published), award.published)
            if key not in example or weight > example[key][0]:
                example[key] = (weight, award.buyer_name)
    ranked: list[Alternative] = []
    excluded: list[Excluded] = []
    skip = set(request.exclude) | ({request.supplier_key} if request.supplier_key else set())
    for key in score:
        if key in skip:
            continue
        facts = companies.get(key)
        name = facts.name if facts else key
        why = exclusion_reason(facts)
        if why:
            excluded.append(Excluded(key, name, why))
            continue
        band = facts.failure_band if facts else None
        country = facts.country if facts else None
        preferred = _preferred(country, request.prefer_countries)
        value = score[key]
        if weighted:
            value *= RISK_FACTORS.get(band, RISK_FACTORS[None])
            value *= request.preference_weight if preferred else 1.0
        ranked.append(
            Alternative(
                key=key, name=name, country=country, score=round(value, 6), wins=wins[key], since=first_win[key],
                last_win=last_win[key], first_award=first_ever[key], example_buyer=example[key][1],
                same_kind_wins=same_kind[key], risk_band=band, preferred=preferred,
            )
        )
    ranked.sort(key=lambda a: (-a.score, -a.wins, -a.last_win.toordinal(), a.name, a.key))
    notes = []
    if request.prefer_countries:
        notes.append(
            f"Preferred locations: {', '.join(request.prefer_countries)} (score x{request.preference_weight}); "
            "others are still listed."
        )
    return Suggestions(
        branch=branch, branch_code=branch.ljust(8, "0"), since=since, as_of=request.as_of,
        ranked=tuple(ranked[: request.top_n]), excluded=tuple(sorted(excluded, key=lambda e: e.name)), notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------------
# Backtest
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BacktestCase:
    published: date
    cpv: str
    buyer: str
    incumbent: str
    winners: tuple[str, ...]
    new_entrant: bool
    rank: int | None  # best rank (1-based) of an actual winner among the suggestions, None if absent


@dataclass(frozen=True, slots=True)
class BacktestResult:
    cutoff: date
    until: date
    category: str
    depth: int
    cases: tuple[BacktestCase, ...]
    skipped_no_incumbent: int
    skipped_incumbent_won: int
    baseline_hits: Mapping[int, int]  # popularity ranking, same cases

    def hits(self, k: int, *, known_only: bool = False) -> int:
        return sum(1 for c in self.cases if c.rank is not None and c.rank <= k and (not known_only or not c.new_entrant))

    def recall(self, k: int, *, known_only: bool = False) -> float | None:
        total = sum(1 for c in self.cases if not known_only or not c.new_entrant)
        return self.hits(k, known_only=known_only) / total if total else None

    @property
    def new_entrants(self) -> int:
        return sum(1 for c in self.cases if c.new_entrant)


def backtest(
    awards: Sequence[PastAward],
    companies: Mapping[str, CompanyFacts],
    *,
    cutoff: date,
    category: str = "",
    horizon_days: int = 730,
    depth: int = 3,
    years: int = 5,
    half_life_years: float = 2.0,
    ks: Sequence[int] = (5, 10),
) -> BacktestResult:
    """Would the suggestions made from data up to ``cutoff`` have named the later winners?

    A case is an award published after the cutoff (within ``horizon_days``) under ``category``
    by a buyer that had an earlier award in the same branch: the most recent earlier winner(s)
    of that buyer in the branch are the incumbent. Suggestions are made as of the cutoff for the
    incumbent, the award's branch and the buyer's kind and region, with the incumbent excluded.
    Counted: a hit at k when any actual winner (other than the incumbent) is among the first k.
    Re-awards to the incumbent are skipped and counted; awards without an earlier award by the
    buyer in the branch are skipped and counted. A winner with no award in the branch before
    the cutoff is a **new entrant**: no suggestion can name it, it counts as a miss, and the
    recall is also given without new entrants. Ties are broken as in ``suggest``.
    """
    until = cutoff + timedelta(days=horizon_days)
    history = sorted((a for a in awards if a.published <= cutoff), key=lambda a: a.published)
    later = sorted(
        (a for a in awards if cutoff < a.published <= until and a.cpv.startswith(category) and a.winners),
        key=lambda a: (a.published, a.buyer_key, a.cpv),
    )
    last_by_buyer: dict[tuple[str, str], PastAward] = {}
    known: dict[str, set[str]] = defaultdict(set)
    for award in history:
        branch = branch_of(award.cpv, depth)
        last_by_buyer[(award.buyer_key, branch)] = award
        known[branch].update(award.winners)
    top = max(ks)
    cache: dict[tuple, tuple[list[str], list[str]]] = {}
    cases: list[BacktestCase] = []
    no_incumbent = incumbent_won = 0
    baseline_hits: dict[int, int] = {k: 0 for k in ks}
    for award in later:
        branch = branch_of(award.cpv, depth)
        previous = last_by_buyer.get((award.buyer_key, branch))
        if previous is None:
            no_incumbent += 1
            continue
        incumbents = set(previous.winners)
        winners = tuple(w for w in award.winners if w not in incumbents)
        if not winners:
            incumbent_won += 1
            continue
        key = (tuple(sorted(incumbents)), branch, award.buyer_kind, award.buyer_region)
        if key not in cache:
            request = Request(
                supplier_key=None, cpv=award.cpv, as_of=cutoff, depth=depth, years=years,
                half_life_years=half_life_years, buyer_kind=award.buyer_kind, buyer_region=award.buyer_region,
                reference_value=previous.value, top_n=top, exclude=frozenset(incumbents),
            )
            cache[key] = (suggest(history, companies, request).keys(),
                          suggest(history, companies, request, weighted=False).keys())
        ranked, baseline = cache[key]
        ranks = [ranked.index(w) + 1 for w in winners if w in ranked]
        base_ranks = [baseline.index(w) + 1 for w in winners if w in baseline]
        for k in ks:
            baseline_hits[k] += int(bool(base_ranks) and min(base_ranks) <= k)
        cases.append(
            BacktestCase(
                published=award.published, cpv=award.cpv, buyer=award.buyer_name,
                incumbent=", ".join(sorted(incumbents)), winners=winners,
                new_entrant=not any(w in known[branch] for w in winners),
                rank=min(ranks) if ranks else None,
            )
        )
    return BacktestResult(
        cutoff=cutoff, until=until, category=category, depth=depth, cases=tuple(cases),
        skipped_no_incumbent=no_incumbent, skipped_incumbent_won=incumbent_won, baseline_hits=baseline_hits,
    )
