"""Alternative suppliers from the award history, each with the reason it ranks where it does.

Pure: past awards (and bids) and what is known about companies come in, a ranked list with a
reason for each goes out; no I/O (``pipelines.alternatives`` loads the data).

- **Candidates** are the suppliers that won in the request's branch or its neighbouring codes
  (the parent, see ``models.categories``), or bid in the branch, in the ``years`` before the
  reference day (awards of the reference day itself are not yet known). Their features are in
  ``models.alternative_history``.
- **Order**: a ranker (``models.alternative_ranker``): learned from earlier awards, or fixed
  weights when the history is too thin; the score is the sum of the features' contributions.
  A preferred country adds ``log(preference_weight)`` and is always shown; it never filters.
- **Reason**: the two or three largest positive contributions in words, with counts that say
  which codes, from which day and which buyers they count; then the risk band ("risk not scored"
  when there is none: unknown is not low) and the country.
- **Excluded**, and listed with why: dissolved, insolvent (an ``insolvency.*`` event without a
  later ``insolvency.ended``) or a possible sanctions match.
- ``weighted=False`` is the baseline to beat: the branch's winners by number of wins.

Ties are broken by more wins in the branch, a later last win in the branch, then name and key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from models.alternative_history import (
    FEATURES,
    Candidates,
    CompanyFacts,
    HistoryIndex,
    PastAward,
    PastBid,
    Query,
    set_risk,
)
from models.alternative_ranker import Ranker, transparent_ranker
from models.market import EU27
from reference.figures import figure

__all__ = [
    "Alternative", "CompanyFacts", "Excluded", "HistoryIndex", "PastAward", "PastBid", "Request", "Suggestions",
    "exclusion_reason", "suggest",
]

#: How many contributions a reason names at most, and the smallest one worth naming (logit units).
TOP_REASONS = 3
MIN_CONTRIBUTION = 0.05


@dataclass(frozen=True, slots=True)
class Request:
    supplier_key: str | None  # the incumbent (never suggested)
    cpv: str  # the category code (8 CPV digits, or a code of ``scheme``)
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
    scheme: str = "CPV"
    buyer_key: str | None = None  # the buyer (our own organisation, or the buyer of a backtest case)

    def query(self) -> Query:
        skip = set(self.exclude) | ({self.supplier_key} if self.supplier_key else set())
        return Query(
            cpv=self.cpv, as_of=self.as_of, scheme=self.scheme, buyer_key=self.buyer_key, buyer_kind=self.buyer_kind,
            buyer_region=self.buyer_region, reference_value=self.reference_value, depth=self.depth, years=self.years,
            half_life_years=self.half_life_years, exclude=frozenset(skip),
        )


_WORDS = {
    "en": {
        "branch_wins": "won {n} contract{s} in {branch} since {since}, e.g. for {buyer}",
        "neighbour_wins": "won {n} contract{s} in neighbouring codes ({parent}, outside {branch}) since {since}",
        "region_wins": "won {n} contract{s} in {branch} for buyers in {region} since {since}",
        "region_share": "{n} of its {m} win{s_m} in {parent} since {since} for buyers in {region}",
        "similar_buyer_wins": "won {n} contract{s} in {parent} for similar buyers ({kind}{size}) since {since}",
        "size": ", similar size",
        "same_buyer_wins": "won {n} contract{s} in {parent} for this buyer since {since}",
        "peer_buyer_wins": "won {n} contract{s} in {parent} since {since} for buyers that also hired this buyer's suppliers there",
        "bids": "bid {n} time{s} in {branch} since {since} ({lost} lost), as far as notices list the bids",
        "value_fit": "its contracts in {branch} since {since} are of comparable value (median {value})",
        "active_lately": "last won a contract (any category) on {day}",
        "none": "no win in {branch} since {since}",
        "risk-low": "low risk", "risk-medium": "medium risk", "risk-high": "high risk", "risk-none": "risk not scored",
        "risk-unknown": "risk unknown (no register data)",
        "preferred": "in {country} (preferred)", "not-preferred": "in {country} (not a preferred location)",
        "location": "in {country}", "plural": "s", "singular": "",
    },
    "nl": {
        "branch_wins": "won {n} opdracht{s} in {branch} sinds {since}, o.a. voor {buyer}",
        "neighbour_wins": "won {n} opdracht{s} in verwante codes ({parent}, buiten {branch}) sinds {since}",
        "region_wins": "won {n} opdracht{s} in {branch} voor opdrachtgevers in {region} sinds {since}",
        "region_share": "{n} van zijn {m} gunning{s_m} in {parent} sinds {since} voor opdrachtgevers in {region}",
        "similar_buyer_wins": "won {n} opdracht{s} in {parent} voor vergelijkbare opdrachtgevers ({kind}{size}) sinds {since}",
        "size": ", vergelijkbare omvang",
        "same_buyer_wins": "won {n} opdracht{s} in {parent} voor deze opdrachtgever sinds {since}",
        "peer_buyer_wins": "won {n} opdracht{s} in {parent} sinds {since} voor opdrachtgevers die daar ook leveranciers van deze opdrachtgever inhuurden",
        "bids": "schreef {n} keer in op {branch} sinds {since} ({lost} verloren), voor zover aankondigingen de inschrijvingen noemen",
        "value_fit": "opdrachten in {branch} sinds {since} van vergelijkbare waarde (mediaan {value})",
        "active_lately": "laatste gunning (elke categorie) op {day}",
        "none": "geen gunning in {branch} sinds {since}",
        "risk-low": "laag risico", "risk-medium": "gemiddeld risico", "risk-high": "hoog risico",
        "risk-none": "risico niet gescoord", "risk-unknown": "risico onbekend (geen registergegevens)",
        "preferred": "in {country} (voorkeur)", "not-preferred": "in {country} (geen voorkeurslocatie)",
        "location": "in {country}", "plural": "en", "singular": "", "kind": "{kind}",
    },
}


@dataclass(frozen=True, slots=True)
class Basis:
    """One thing a suggestion rests on: a feature, its contribution to the score, and the counts it states."""

    feature: str
    contribution: float
    facts: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Alternative:
    key: str
    name: str
    country: str | None
    score: float
    wins: int  # contracts won in the branch in the window
    since: date  # the window's first day
    last_win: date | None  # last win in the branch
    example_buyer: str
    risk_band: str | None
    preferred: bool | None  # None when no preference is configured
    basis: tuple[Basis, ...] = ()
    branch_label: str = ""
    parent_label: str = ""

    def reason(self, language: str = "en") -> str:
        """What it rests on (the largest contributions, with what they count), risk and location."""
        words = _WORDS["nl" if language == "nl" else "en"]
        common = {"branch": self.branch_label, "parent": self.parent_label, "since": self.since.isoformat()}
        parts = []
        for item in self.basis:
            values = {**common, **item.facts}
            n = values.get("n")
            values["s"] = words["singular"] if n == 1 else words["plural"]
            values["size"] = words["size"] if values.get("size") else ""
            values["s_m"] = words["singular"] if values.get("m") == 1 else words["plural"]
            if "median_value" in values:
                values["value"] = _money(float(values["median_value"]), language)
            parts.append(words[item.feature].format(**values))
        if not parts:
            parts.append(words["branch_wins"].format(n=self.wins, s=words["plural"] if self.wins != 1 else "",
                                                     buyer=self.example_buyer, **common)
                         if self.wins else words["none"].format(**common))
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
    branch: str  # the prefix
    branch_code: str  # how messages name the codes counted: "CPV 725*"
    since: date
    as_of: date
    ranked: tuple[Alternative, ...]
    excluded: tuple[Excluded, ...]
    notes: tuple[str, ...] = field(default=())
    ranking: str = "transparent"  # "learned", "transparent" or "baseline"

    def keys(self) -> list[str]:
        return [a.key for a in self.ranked]


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


def _ordered(found: Candidates, companies: Mapping[str, CompanyFacts], request: Request, scores: np.ndarray, *,
             weighted: bool) -> tuple[list[Excluded], list[tuple]]:
    """The candidates that cannot be suggested (and why), and the first ``top_n`` of the others in ranking order:
    score (rounded to 6 decimals, the preference boost included), then wins in the branch, the latest of them,
    the name and the key. Only the candidates that can still be among the first ``top_n`` are sorted: rounding
    moves a score by at most 5e-7, so none scoring 1e-6 below the ``top_n``-th best can pass it."""
    facts = [companies.get(key) for key in found.keys]
    keep = np.ones(len(facts), dtype=bool) if weighted else found.branch_count > 0  # the baseline: branch winners
    whys = [exclusion_reason(f) for f in facts]
    excluded = [Excluded(found.keys[i], f.name if f else found.keys[i], why)
                for i, (f, why) in enumerate(zip(facts, whys, strict=True)) if why and keep[i]]
    keep &= np.array([why is None for why in whys], dtype=bool)
    preferred = [_preferred(f.country if f else None, request.prefer_countries) for f in facts]
    boost = math.log(request.preference_weight) if request.preference_weight > 0 else 0.0
    raw = scores + (np.array([bool(p) for p in preferred], dtype=bool) * boost if weighted else 0.0)
    rows = np.flatnonzero(keep)
    if len(rows) > request.top_n and not np.isnan(raw[rows]).any():
        nth = np.partition(raw[rows], len(rows) - request.top_n)[len(rows) - request.top_n]
        rows = rows[raw[rows] >= nth - 1e-6]
    eligible = [
        (-round(float(raw[i]), 6), -found.branch_count[i], -found.last_branch_win[i],
         facts[i].name if facts[i] else found.keys[i], found.keys[i], i, preferred[i])
        for i in rows.tolist()
    ]
    eligible.sort()
    return excluded, eligible[: request.top_n]


def _money(value: float, language: str) -> str:
    """A median award value as the reader writes it: "EUR 1.2m" / "EUR 1,2 mln", "EUR 12,000" / "EUR 12.000"."""
    if value >= 1e6:
        return f"EUR {figure(value / 1e6, language, '.1f')}{' mln' if language == 'nl' else 'm'}"
    return f"EUR {figure(round(value, -3) if value >= 1e4 else value, language, ',.0f')}"


def _facts(found: Candidates, i: int, feature: str, request: Request) -> dict[str, object]:
    """The counts a feature's phrase states, for candidate ``i`` (never a narrower slice than the phrase says)."""
    if feature == "branch_wins":
        return {"n": int(found.branch_count[i]), "buyer": found.example_buyer[i]}
    if feature == "neighbour_wins":
        return {"n": int(found.parent_count[i])}
    if feature == "region_wins":
        return {"n": int(found.region_count[i]), "region": request.buyer_region}
    if feature == "region_share":
        return {"n": int(found.region_parent_count[i]), "m": int(found.branch_count[i] + found.parent_count[i]),
                "region": request.buyer_region}
    if feature == "similar_buyer_wins":
        return {"n": int(found.similar_count[i]), "kind": request.buyer_kind, "size": found.size_compared}
    if feature == "same_buyer_wins":
        return {"n": int(found.same_buyer_count[i])}
    if feature == "peer_buyer_wins":
        return {"n": int(found.peer_count[i])}
    if feature == "bids":
        return {"n": int(found.bid_count[i]), "lost": int(found.lost_count[i])}
    if feature == "value_fit":
        return {"median_value": round(float(found.median_value[i]), 2)}
    if feature == "active_lately":
        return {"day": date.fromordinal(int(found.last_win[i])).isoformat()}
    return {}


def _basis(found: Candidates, i: int, contributions: np.ndarray, request: Request) -> tuple[Basis, ...]:
    order = np.argsort(-contributions, kind="stable")
    out: list[Basis] = []
    for j in order:
        feature = FEATURES[j]
        if len(out) == TOP_REASONS or contributions[j] < MIN_CONTRIBUTION:
            break
        if feature.startswith("risk_") or (feature == "value_fit" and math.isnan(found.median_value[i])):
            continue
        if feature == "region_share" and any(b.feature == "region_wins" for b in out):
            continue  # the region said once is enough
        out.append(Basis(feature, round(float(contributions[j]), 4), _facts(found, i, feature, request)))
    return tuple(out)


def suggest(history: HistoryIndex | Sequence[PastAward], companies: Mapping[str, CompanyFacts], request: Request,
            *, weighted: bool = True, ranker: Ranker | None = None) -> Suggestions:
    """Rank the candidates for the request; ``weighted=False`` is the plain most-wins baseline.

    ``history`` is best indexed once (``HistoryIndex``) when several suggestions are made from it.
    """
    index = history if isinstance(history, HistoryIndex) else HistoryIndex(history)
    found = index.candidates(request.query())
    set_risk(found, companies)
    ranker = ranker or transparent_ranker()
    if weighted:
        contributions = ranker.contributions(found.X) if len(found) else np.zeros((0, len(FEATURES)))
        scores = contributions.sum(axis=1)
    else:
        contributions = np.zeros((len(found), len(FEATURES)))
        scores = found.branch_count.astype(float)
    excluded, eligible = _ordered(found, companies, request, scores, weighted=weighted)
    ranked = []
    for minus_score, _, _, name, key, i, preferred in eligible:
        facts = companies.get(key)
        last = int(found.last_branch_win[i])
        ranked.append(Alternative(
            key=key, name=name, country=facts.country if facts else None, score=-minus_score,
            wins=int(found.branch_count[i]), since=found.since, last_win=date.fromordinal(last) if last else None,
            example_buyer=found.example_buyer[i], risk_band=facts.failure_band if facts else None, preferred=preferred,
            basis=_basis(found, i, contributions[i], request) if weighted else (),
            branch_label=found.branch.label, parent_label=found.parent.label,
        ))
    notes = []
    if weighted:
        notes.append(ranker.describe()[0].upper() + ranker.describe()[1:] + ".")
    if request.prefer_countries:
        notes.append(
            f"Preferred locations: {', '.join(request.prefer_countries)} (odds x{request.preference_weight}); "
            "others are still listed."
        )
    return Suggestions(
        branch=found.branch.prefix, branch_code=found.branch.label, since=found.since, as_of=request.as_of,
        ranked=tuple(ranked), excluded=tuple(sorted(excluded, key=lambda e: (e.name, e.key))),
        notes=tuple(notes), ranking=ranker.kind if weighted else "baseline",
    )
