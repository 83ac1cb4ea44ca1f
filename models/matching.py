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

The normalisation is ``models.name_keys``, the scoring ``models.name_scoring``; their names are
importable from here, as before they had modules of their own.

Caveat: a trade name that shares no word with the registered name ("TS Facilitair" for Tonkeling
Schoonmaak) cannot be found from the name alone; the KvK number or a human decision links it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from models.company_names import FILLER, Difference, fold
from models.name_keys import GROUPABLE_FORMS, NormalisedName, name_variants, normalise, postcode_digits
from models.name_scoring import DIFFERENCE_PENALTY, OTHER_COUNTRY_PENALTY, SLIP_SCORE, compare, score_pair

Decision = Literal["auto", "review", "reject"]


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
    #: ``idf`` per token, computed once per state of the index (scoring asks it for every token of every pair).
    _idf: _IdfTable = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._idf = _IdfTable(self)

    @classmethod
    def build(cls, candidates: Iterable[Candidate], *, max_block_size: int = 200, reuse: NameIndex | None = None) -> NameIndex:
        """``reuse``: an index built earlier in the same run, whose names of an organisation are taken again when
        its name and other names are still the same (normalising is most of building an index; a resolution
        builds one over the organisations with an identifier, then one over all of them). When every organisation
        of ``reuse`` is still there unchanged, its blocks and counts are taken too (``_extended``)."""
        candidates = list(candidates)
        if reuse is not None and (extended := cls._extended(reuse, candidates, max_block_size)) is not None:
            return extended
        index = cls(max_block_size=max_block_size)
        for candidate in candidates:
            index.add(candidate, reuse=reuse)
        return index

    @classmethod
    def _extended(cls, reuse: NameIndex, candidates: list[Candidate], max_block_size: int) -> NameIndex | None:
        """The index ``build`` makes of ``candidates``, made from ``reuse`` plus the candidates it lacks; None unless
        ``reuse`` holds every one of its organisations unchanged among ``candidates``, in the same order.

        A resolution's second index holds the first one's organisations again: their blocking keys and token counts
        are copied instead of computed again, only the others are added, and a block they joined is put back in
        the order of ``candidates`` (the order ``build`` appends in, which ``blocked`` cuts large blocks by).
        """
        position = {c.org_id: i for i, c in enumerate(candidates)}
        if reuse.max_block_size != max_block_size or len(position) != len(candidates):
            return None
        last = -1
        for org_id, earlier in reuse.candidates.items():
            at = position.get(org_id, -1)
            if at <= last or candidates[at] != earlier:
                return None
            last = at
        index = cls(max_block_size=max_block_size)
        index.blocks.update((key, list(members)) for key, members in reuse.blocks.items())
        index.token_counts = Counter(reuse.token_counts)
        joined: set[str] = set()
        for candidate in candidates:
            org_id = candidate.org_id
            if org_id in reuse.candidates:
                index.candidates[org_id] = reuse.candidates[org_id]
                index.names[org_id] = reuse.names[org_id]
                index.variants[org_id] = reuse.variants[org_id]
            else:
                joined |= index._add(candidate, name_variants(candidate.name, candidate.other_names))
        for key in joined:
            index.blocks[key].sort(key=position.__getitem__)
        return index

    def add(self, candidate: Candidate, *, reuse: NameIndex | None = None) -> None:
        earlier = reuse.candidates.get(candidate.org_id) if reuse is not None else None
        if earlier is not None and earlier.name == candidate.name and earlier.other_names == candidate.other_names:
            variants = reuse.variants[candidate.org_id]  # name_variants is pure: the same names, the same variants
        else:
            variants = name_variants(candidate.name, candidate.other_names)
        self._add(candidate, variants)

    def _add(self, candidate: Candidate, variants: list[tuple[str, NormalisedName]]) -> set[str]:
        """Index the candidate under its names' blocking keys; the keys (none when it has no name to match)."""
        if not variants:
            return set()
        self.candidates[candidate.org_id] = candidate
        self.names[candidate.org_id] = variants[0][1]
        self.variants[candidate.org_id] = variants
        keys: set[str] = set()
        for _label, name in variants:
            keys |= _block_keys(name, candidate.postcode, candidate.town)
        for key in keys:
            self.blocks[key].append(candidate.org_id)
        self.token_counts.update({t for _label, name in variants for t in name.tokens})
        self._idf.clear()
        return keys

    def __len__(self) -> int:
        return len(self.candidates)

    def idf(self, token: str) -> float:
        """How rare a token is among the indexed names: 0 for a word every name has, up to ~log(n)."""
        return self._idf[token]

    def blocked(self, name: NormalisedName, postcode: str | None = None, town: str | None = None, *,
                limit: int = 40) -> dict[int, str]:
        """Candidate id -> the blocking key that found it; the ``limit`` sharing the most evidence.

        A town is evidence that adds to a shared token; alone (a town block is large) it rarely
        brings a candidate into the ``limit``.

        The key named ("found by ...") is the most telling one the two names share: the smallest block
        (the whole name, or a rare word rather than a common word or the town), on equal size the kind
        first in ``_KEY_KINDS``, then the key's text. The keys are visited in that order, so the key and
        the evidence sums are the same in every run (the keys are a set: its order changed with
        ``PYTHONHASHSEED``, and with it the key named).
        """
        evidence: dict[int, float] = defaultdict(float)
        found_by: dict[int, str] = {}
        usable = []
        for key in _block_keys(name, postcode, town):
            members = self.blocks.get(key)
            if not members or (len(members) > self.max_block_size and not key.startswith(("compact:", "pc:"))):
                continue
            usable.append((len(members), _KEY_KINDS[key.partition(":")[0]], key))
        usable.sort()
        for size, _kind, key in usable:
            members = self.blocks[key]
            weight = 1.0 / math.log(size + 2)
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
        # the query's side of the places once; a candidate's only when the query has one (else unknown: None)
        digits, folded = postcode_digits(postcode), fold(town) if town else None
        idf = self._idf.__getitem__  # ``self.idf`` without a Python frame per token (see ``_IdfTable``)
        for org_id, block in self.blocked(query, postcode, town, limit=limit).items():
            if org_id in exclude:
                continue
            candidate = self.candidates[org_id]
            places = {
                "same_postcode": _same(digits, postcode_digits(candidate.postcode)) if digits else None,
                "same_town": _same(folded, fold(candidate.town) if candidate.town else None) if folded else None,
                "same_country": _same(country, candidate.country),
            }
            best: tuple[float, dict[str, float], tuple[Difference, ...], str, NormalisedName] | None = None
            for via, variant in self.variants[org_id]:
                score, components, found = compare(query, variant, idf=idf, **places)
                if best is None or score > best[0]:
                    best = (score, components, found, via, variant)
            if best is None:
                continue
            score, components, found, via, variant = best
            matches.append(Match(org_id, candidate.name, score, components, block, query.key, variant.key,
                                 differences=found, via=via))
        matches.sort(key=lambda m: (-m.score, m.org_id))
        return classify(matches, thresholds)


class _IdfTable(dict[str, float]):
    """Token -> ``NameIndex.idf``, each worked out when first asked for (``__missing__``), until the index changes.

    Scoring reads it for every token of every pair scored, a million reads a resolution: through the dictionary's
    own ``__getitem__`` a read is one C call, through a method that looks it up a Python frame as well.
    """

    __slots__ = ("index",)

    def __init__(self, index: NameIndex) -> None:
        super().__init__()
        self.index = index

    def __missing__(self, token: str) -> float:
        """How rare a token is among the indexed names: 0 for a word every name has, up to ~log(n)."""
        total = max(1, len(self.index.candidates))
        value = self[token] = math.log((total + 1) / (self.index.token_counts.get(token, 0) + 1)) + 0.1
        return value


def _same(a: str | None, b: str | None) -> bool | None:
    """True/False when both sides are known, None otherwise (unknown is not evidence either way)."""
    if not a or not b:
        return None
    return a.upper() == b.upper()


#: Blocking keys by kind, as a person reads "found by": the whole name, a shared word, its first letters (in any
#: order), the postcode, the town.
_KEY_KINDS = {"compact": 0, "tok": 1, "pre": 2, "ana": 3, "pc": 4, "town": 5}


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
    "DIFFERENCE_PENALTY", "GROUPABLE_FORMS", "OTHER_COUNTRY_PENALTY", "SLIP_SCORE", "Candidate", "Match", "NameIndex",
    "NormalisedName", "Thresholds", "best_match", "classify", "compare", "fold", "name_variants", "normalise",
    "postcode_digits", "score_pair",
]
