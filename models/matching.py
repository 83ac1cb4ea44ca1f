"""Supplier name matching: normalise, block, score and explain. Pure: names in, scored candidates out.

Why this shape
  The organisation's own files name a supplier the way a clerk typed it ("TONKELING SCHOONMAAK BV",
  "Tonkeling Schoonmaak B.V. (hoofdkantoor)"); award notices name it the way a tenderer filled in a
  form. Before anything can be said about a supplier, these must meet one organisation, and a
  wrong merge is worse than a missed one (it silently moves spend to the wrong company). So:

  - ``normalise`` folds case, accents and punctuation, expands a few Dutch abbreviations, drops
    parenthesised remarks and branch words ("hoofdkantoor") and strips legal-form words (B.V.,
    N.V., V.O.F., Holding, Groep, GmbH, Ltd, S.A., SAS, A/S, AG, Inc., ...) wherever they stand,
    unless nothing else would be left. Dotted initials ("J.P.") become one token ("jp").
  - ``NameIndex`` blocks: candidates share a rare token, a token's first four letters (typos in
    the tail) or those letters in any order (a slip among them), the name without spaces ("Kwa
    Vant" / "Kwavant"), the postcode digits or the town. Very common tokens ("bouw", "ict") are
    not blocking keys on their own. At most ``limit`` candidates per query are scored, whatever
    the size of the index: the cost per name stays flat (see ``bench/matching.py``), it never
    compares all pairs.
  - ``score_pair`` combines three rapidfuzz measures on the normalised names, weighted by how rare
    the differing tokens are, plus small place adjustments (same postcode or town: up; another
    country: down). Every component is kept so that a match can be explained.
  - ``classify`` sorts a best match into auto-accept, review or reject by the thresholds in the
    settings; a best match that a second organisation nearly ties is never auto-accepted.

Caveat: a trade name that shares no word with the registered name ("TS Facilitair" for Tonkeling
Schoonmaak) cannot be found from the name alone; the KvK number or a human decision links it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from models.company_names import (
    FILLER,
    CompanyName,
    Difference,
    differences,
    fold,
    initials,
    parse,
)

Decision = Literal["auto", "review", "reject"]

#: Two companies of one name in two countries are usually two legal entities: never taken automatically.
OTHER_COUNTRY_PENALTY = 12.0
#: A pair one typing slip apart but scored below review is raised to this (then a person decides).
SLIP_SCORE = 86.0
#: Legal forms that do not split a group of lines: clerks add and drop "B.V." all the time.
GROUPABLE_FORMS = frozenset({"bv"})
#: Taken off a candidate's score for each structural difference (holding, another place, another legal form),
#: so a candidate without one ranks first; the difference itself keeps the pair from an automatic merge.
DIFFERENCE_PENALTY = 6.0


@dataclass(frozen=True, slots=True)
class NormalisedName:
    """A name reduced to what identifies the legal entity; ``key`` is what names are grouped and remembered by.

    ``key`` keeps structure words, country words and a place ("asito holding", "gemeente bergen nh"): two
    names with one key are one legal entity as far as the name can tell. ``core`` (without those) is what
    the similarity is scored on; the structure is compared separately (``company_names.differences``).
    """

    original: str
    key: str
    tokens: tuple[str, ...]
    legal_forms: tuple[str, ...] = ()
    parsed: CompanyName | None = None
    #: Computed once (scoring reads them for every candidate): the core words, joined, and without spaces.
    core: tuple[str, ...] = ()
    core_key: str = ""
    compact: str = ""

    def __post_init__(self) -> None:
        core = self.core or (self.parsed.core if self.parsed is not None else self.tokens)
        object.__setattr__(self, "core", core)
        object.__setattr__(self, "core_key", " ".join(core))
        object.__setattr__(self, "compact", "".join(core))

    @property
    def group_key(self) -> str:
        """What lines without a KvK number are grouped and remembered by: ``key`` plus a stated legal form
        other than B.V. ("jansen [vof]", "siemens [ag]"). A V.O.F., a GmbH and a B.V. of one name are three
        legal entities, so their lines are never one group; "X B.V." and "X" (a form left out) still are.
        """
        forms = sorted(set(self.legal_forms) - GROUPABLE_FORMS)
        return f"{self.key} [{'/'.join(forms)}]" if forms and self.key else self.key


def normalise(name: str) -> NormalisedName:
    """Fold, drop remarks and punctuation, expand abbreviations, strip legal forms (see ``models.company_names``)."""
    parsed = parse(name)
    tokens = tuple(t for t in parsed.tokens if t != "&") or parsed.tokens
    return NormalisedName(original=name, key=" ".join(tokens), tokens=tokens, legal_forms=parsed.legal_forms,
                          parsed=parsed)


def name_variants(name: str, other_names: Iterable[str] = ()) -> list[tuple[str, NormalisedName]]:
    """(how the name is known, normalised) for a name, the trade and former names written into it, and others.

    ``other_names`` are "trade:NAME" / "former:NAME" (or plain names) from a register.
    """
    first = normalise(name)
    variants = [("name", first)]
    if first.parsed is not None:
        variants += [("trade name", _trading_under(first.parsed, normalise(t))) for t in first.parsed.trade_names]
        variants += [("former name", normalise(t)) for t in first.parsed.former_names]
    for other in other_names:
        kind, _, value = other.partition(":") if other.startswith(("trade:", "former:")) else ("", "", other)
        label = {"trade": "trade name", "former": "former name"}.get(kind, "other name")
        variants.append((label, normalise(value)))
    seen: set[str] = set()
    unique = []
    for label, variant in variants:
        if variant.key and variant.key not in seen:
            seen.add(variant.key)
            unique.append((label, variant))
    return unique


def _trading_under(owner: CompanyName, trade: NormalisedName) -> NormalisedName:
    """A trade name carries its owner's legal form: "Jansen Bouw B.V. h.o.d.n. Klusdienst" trades as a B.V., and
    "J. Jansen h.o.d.n. Klusdienst" as a person (a sole trader), never as "Klusdienst B.V."."""
    if trade.parsed is None or trade.legal_forms:
        return trade
    forms = owner.legal_forms or (("eenmanszaak",) if initials(owner.core) else ())
    if not forms:
        return trade
    parsed = replace(trade.parsed, legal_forms=forms)
    return replace(trade, legal_forms=forms, parsed=parsed)


def postcode_digits(postcode: str | None) -> str | None:
    """"3518 AA" -> "3518": Dutch postcodes block by their four digits; others by all their digits."""
    if not postcode:
        return None
    digits = "".join(c for c in postcode if c.isdigit())
    return digits[:4] or None


# --- Candidates and the index -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """An organisation that names can be matched against."""

    org_id: int
    name: str
    country: str | None = None
    postcode: str | None = None
    town: str | None = None
    #: Other names the organisation is known by: "trade:NAME", "former:NAME" (KvK handelsnamen, earlier names).
    other_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Scores 0-100: at or above ``auto_accept`` a match is taken, from ``review`` a person decides."""

    auto_accept: float = 92.0
    review: float = 80.0
    #: A runner-up (another organisation) closer than this to the best keeps the best from auto-accept.
    margin: float = 3.0


@dataclass(frozen=True, slots=True)
class Match:
    """One scored candidate for a query name, with everything needed to explain it."""

    org_id: int
    name: str
    score: float
    components: Mapping[str, float]
    block: str
    query_key: str
    candidate_key: str
    decision: Decision = "reject"
    #: Why the two names may be two legal entities (structure, place, legal form): never an automatic match.
    differences: tuple[Difference, ...] = ()
    #: Which of the organisation's names matched ("name", "trade name", "former name").
    via: str = "name"

    def explain(self) -> str:
        parts = ", ".join(f"{k} {v:g}" for k, v in self.components.items())
        why = "".join(f"; {d.text}" for d in self.differences)
        via = "" if self.via == "name" else f" (its {self.via})"
        return (f"{self.query_key!r} ~ {self.candidate_key!r}{via}: score {self.score:.1f} ({parts}){why}; "
                f"found by {self.block}; {self.decision}")

    def as_json(self) -> dict[str, object]:
        return {
            "org_id": self.org_id, "name": self.name, "score": round(self.score, 1), "decision": self.decision,
            "query_key": self.query_key, "candidate_key": self.candidate_key, "block": self.block,
            "components": dict(self.components), "via": self.via,
            "differences": [{"kind": d.kind, "verdict": d.verdict, "text": d.text} for d in self.differences],
        }


@dataclass(slots=True)
class NameIndex:
    """Organisations indexed by blocking keys; ``lookup`` scores a bounded set of candidates per name."""

    candidates: dict[int, Candidate] = field(default_factory=dict)
    names: dict[int, NormalisedName] = field(default_factory=dict)
    #: Every name an organisation is known by (its own first), as (how it is known, normalised).
    variants: dict[int, list[tuple[str, NormalisedName]]] = field(default_factory=dict)
    blocks: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    token_counts: Counter[str] = field(default_factory=Counter)
    #: A token in more organisations than this is not a blocking key on its own.
    max_block_size: int = 200

    @classmethod
    def build(cls, candidates: Iterable[Candidate], *, max_block_size: int = 200) -> NameIndex:
        index = cls(max_block_size=max_block_size)
        for candidate in candidates:
            index.add(candidate)
        return index

    def add(self, candidate: Candidate) -> None:
        variants = name_variants(candidate.name, candidate.other_names)
        if not variants:
            return
        self.candidates[candidate.org_id] = candidate
        self.names[candidate.org_id] = variants[0][1]
        self.variants[candidate.org_id] = variants
        keys: set[str] = set()
        for _label, name in variants:
            keys |= _block_keys(name, candidate.postcode, candidate.town)
        for key in keys:
            self.blocks[key].append(candidate.org_id)
        self.token_counts.update({t for _label, name in variants for t in name.tokens})

    def __len__(self) -> int:
        return len(self.candidates)

    def idf(self, token: str) -> float:
        """How rare a token is among the indexed names: 0 for a word every name has, up to ~log(n)."""
        total = max(1, len(self.candidates))
        return math.log((total + 1) / (self.token_counts.get(token, 0) + 1)) + 0.1

    def blocked(self, name: NormalisedName, postcode: str | None = None, town: str | None = None, *,
                limit: int = 40) -> dict[int, str]:
        """Candidate id -> the blocking key that found it; the ``limit`` sharing the most evidence.

        A town is evidence that adds to a shared token; alone (a town block is large) it rarely
        brings a candidate into the ``limit``.
        """
        evidence: dict[int, float] = defaultdict(float)
        found_by: dict[int, str] = {}
        for key in _block_keys(name, postcode, town):
            members = self.blocks.get(key)
            if not members or (len(members) > self.max_block_size and not key.startswith(("compact:", "pc:"))):
                continue
            weight = 1.0 / math.log(len(members) + 2)
            for org_id in members[: self.max_block_size * 5]:
                evidence[org_id] += weight
                found_by.setdefault(org_id, key)
        ranked = sorted(evidence, key=lambda oid: (-evidence[oid], oid))[:limit]
        return {oid: found_by[oid] for oid in ranked}

    def lookup(
        self,
        name: str | NormalisedName,
        *,
        country: str | None = None,
        postcode: str | None = None,
        town: str | None = None,
        thresholds: Thresholds = Thresholds(),
        exclude: frozenset[int] | set[int] = frozenset(),
        limit: int = 40,
    ) -> list[Match]:
        """Scored candidates, best first; the first carries the decision (auto/review/reject)."""
        query = name if isinstance(name, NormalisedName) else normalise(name)
        if not query.key:
            return []
        matches = []
        for org_id, block in self.blocked(query, postcode, town, limit=limit).items():
            if org_id in exclude:
                continue
            candidate = self.candidates[org_id]
            places = {
                "same_postcode": _same(postcode_digits(postcode), postcode_digits(candidate.postcode)),
                "same_town": _same(fold(town) if town else None, fold(candidate.town) if candidate.town else None),
                "same_country": _same(country, candidate.country),
            }
            best: tuple[float, dict[str, float], tuple[Difference, ...], str, NormalisedName] | None = None
            for via, variant in self.variants[org_id]:
                score, components, found = compare(query, variant, idf=self.idf, **places)
                if best is None or score > best[0]:
                    best = (score, components, found, via, variant)
            if best is None:
                continue
            score, components, found, via, variant = best
            matches.append(Match(org_id, candidate.name, score, components, block, query.key, variant.key,
                                 differences=found, via=via))
        matches.sort(key=lambda m: (-m.score, m.org_id))
        return classify(matches, thresholds)


def _same(a: str | None, b: str | None) -> bool | None:
    """True/False when both sides are known, None otherwise (unknown is not evidence either way)."""
    if not a or not b:
        return None
    return a.upper() == b.upper()


def _block_keys(name: NormalisedName, postcode: str | None, town: str | None = None) -> set[str]:
    keys = {f"tok:{t}" for t in name.tokens if len(t) > 1 and t not in FILLER}
    keys |= {f"pre:{t[:4]}" for t in name.core if len(t) >= 5}
    # the first four letters in any order: a slip within them ("Hegnate") still meets "Hengate"
    keys |= {f"ana:{''.join(sorted(t[:4]))}" for t in name.core if len(t) >= 5}
    if name.compact:
        keys.add(f"compact:{name.compact}")
    if digits := postcode_digits(postcode):
        keys.add(f"pc:{digits}")
    if town:
        keys.add(f"town:{fold(town).strip()}")
    return keys


# --- Scoring ------------------------------------------------------------------------------------


def score_pair(
    a: NormalisedName,
    b: NormalisedName,
    *,
    idf: object = None,
    same_postcode: bool | None = None,
    same_town: bool | None = None,
    same_country: bool | None = None,
) -> tuple[float, dict[str, float]]:
    """A 0-100 score and its components for two normalised names (and what is known of their places).

    ``sort`` (token_sort_ratio) rewards the same words in any order, ``set`` (token_set_ratio) a
    name that is the other plus extra words, ``compact`` the same letters whatever the spacing.
    ``rare_overlap`` is the share of the names' identifying weight (rare words count more) that
    both share: "Tonkeling Schoonmaak" and "Tonkeling Bouw" share a rare word but differ in
    another; "Kwavant ICT" and "Kwavant" differ only in a common one.
    """
    weight = idf if callable(idf) else (lambda _token: 1.0)
    sort = fuzz.token_sort_ratio(a.core_key, b.core_key)
    set_ = fuzz.token_set_ratio(a.core_key, b.core_key)
    compact = fuzz.ratio(a.compact, b.compact)
    ta, tb = set(a.core), set(b.core)
    shared = sum(weight(t) for t in ta & tb) + _fuzzy_shared(ta - tb, tb - ta, weight)
    total = sum(weight(t) for t in ta | tb) or 1.0
    rare_overlap = min(100.0, 100.0 * shared / total)
    base = 0.35 * sort + 0.2 * set_ + 0.2 * compact + 0.25 * rare_overlap
    components: dict[str, float] = {
        "sort": round(sort, 1), "set": round(set_, 1), "compact": round(compact, 1),
        "rare_overlap": round(rare_overlap, 1),
    }
    if a.compact == b.compact and a.core_key != b.core_key:  # "kwa vant" / "kwavant": the same letters, other spacing
        base = max(base, 97.0)
        components["same_letters"] = 1.0
    if _initials_agree(a.core, b.core):
        base = max(base, 0.5 * sort + 0.5 * set_)
        components["initials"] = 1.0
    if same_postcode is True:
        base += 4.0
        components["same_postcode"] = 4.0
    elif same_town is True:
        base += 2.0
        components["same_town"] = 2.0
    if same_country is False:
        base -= OTHER_COUNTRY_PENALTY
        components["other_country"] = -OTHER_COUNTRY_PENALTY
    score = max(0.0, min(100.0, base))
    return round(score, 2), components


def compare(
    a: NormalisedName,
    b: NormalisedName,
    *,
    idf: object = None,
    same_postcode: bool | None = None,
    same_town: bool | None = None,
    same_country: bool | None = None,
) -> tuple[float, dict[str, float], tuple[Difference, ...]]:
    """``score_pair`` on the core words, then what the names' structure says against one legal entity.

    Each difference (a holding, a foundation, another place, another legal form, another country) takes
    ``DIFFERENCE_PENALTY`` off the score and is returned, so that ``classify`` never merges such a pair
    automatically (and "different" ones never at all).
    """
    shared = _shared_entity_words(a, b)
    if shared:  # "Centric Netherlands" / "Centirc Netherlands": a word both have is context for the similarity
        a, b = (replace(n, core=n.core + shared, core_key="", compact="") for n in (a, b))
    score, components = score_pair(a, b, idf=idf, same_postcode=same_postcode, same_town=same_town,
                                   same_country=same_country)
    found: list[Difference] = []
    if a.parsed is not None and b.parsed is not None:
        found = differences(a.parsed, b.parsed)
    if same_country is False:
        found.append(Difference("country", "review", "registered in another country: usually another legal entity"))
    raw = score
    if found:
        score = max(0.0, round(score - DIFFERENCE_PENALTY * len(found), 2))
    if score < SLIP_SCORE and _one_slip_apart(a, b):
        # "Tauw" / "Tuaw": too short for the similarity to notice one slip, too risky to merge on: a person looks
        found.append(Difference("slip", "review", "one typing slip apart (a short name: a person should look)"))
        components["one_slip"] = 1.0
        score = SLIP_SCORE - DIFFERENCE_PENALTY
    if found:  # what the differences took off (or, for a slip, added): the name similarity is score - this
        components["differences"] = round(score - raw, 2)
    return score, components, tuple(found)


def _one_slip_apart(a: NormalisedName, b: NormalisedName) -> bool:
    """The whole names (structure words included) differ by one letter typed wrong, left out or swapped."""
    x, y = a.key.replace(" ", ""), b.key.replace(" ", "")
    return x != y and min(len(x), len(y)) >= 4 and abs(len(x) - len(y)) <= 1 and OSA.distance(x, y) == 1


def _shared_entity_words(a: NormalisedName, b: NormalisedName) -> tuple[str, ...]:
    """Structure and country words that both names have (a difference in them is judged apart, not scored)."""
    if a.parsed is None or b.parsed is None:
        return ()
    both = (set(a.parsed.structure) | set(a.parsed.scope)) & (set(b.parsed.structure) | set(b.parsed.scope))
    return tuple(sorted(both))


def _fuzzy_shared(only_a: set[str], only_b: set[str], weight) -> float:
    """Leftover tokens that differ by a slip count for part of their weight.

    Two swapped neighbours ("Kwvaant") are a typing slip: nearly full weight. Another letter
    ("Hobbelsma" for "Hobbelema") is as often another family's name: half weight, so such pairs
    land in review rather than being taken automatically.
    """
    total = 0.0
    for token in only_a:
        if len(token) < 5:
            continue
        best, other = 0.0, ""
        for candidate in only_b:
            if abs(len(candidate) - len(token)) <= 2:
                similarity = OSA.normalized_similarity(token, candidate)
                if similarity > best:
                    best, other = similarity, candidate
        if best < 0.8:
            continue
        factor = 0.95 if sorted(token) == sorted(other) and OSA.distance(token, other) == 1 else 0.5
        total += (weight(token) + weight(other)) * factor  # the pair is in the union twice
    return total


def _initials_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """"jp morrel advies" and "j morrel advies" / "morrel advies": same words once initials are set aside."""
    def words(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        initials = tuple(t for t in tokens if len(t) <= 2 and t.isalpha())
        return initials, tuple(t for t in tokens if t not in initials)

    ia, wa = words(a)
    ib, wb = words(b)
    if not wa or wa != wb or not (ia or ib):
        return False
    return not ia or not ib or ia[0][0] == ib[0][0]


def classify(matches: list[Match], thresholds: Thresholds) -> list[Match]:
    """Give the best match its decision; the rest stay "reject" (they lost to it).

    A best match whose names differ in structure (``Match.differences``) is at most "review"; one whose
    legal forms belong to different countries is "reject" whatever its score.
    """
    if not matches:
        return matches
    best = matches[0]
    runner_up = next((m.score for m in matches[1:] if m.org_id != best.org_id), 0.0)
    verdicts = {d.verdict for d in best.differences}
    if "different" in verdicts:
        decision: Decision = "reject"
    elif best.score >= thresholds.auto_accept and best.score - runner_up >= thresholds.margin and not verdicts:
        decision = "auto"
    elif max(best.score, best.score - best.components.get("differences", 0.0)) >= thresholds.review:
        decision = "review"
    else:
        decision = "reject"
    first = Match(best.org_id, best.name, best.score, {**best.components, "runner_up": round(runner_up, 1)},
                  best.block, best.query_key, best.candidate_key, decision, best.differences, best.via)
    return [first, *matches[1:]]


def best_match(matches: list[Match]) -> Match | None:
    return matches[0] if matches else None


__all__ = [
    "Candidate", "Match", "NameIndex", "NormalisedName", "Thresholds", "best_match", "classify", "compare", "fold",
    "name_variants", "normalise", "postcode_digits", "score_pair",
]
