"""The decision on one pair of supplier names: ``merge``, ``review`` or ``different``, with a score and reasons.

What ``supplyradar match explain`` shows, so that a user can check a doubtful merge, and what the hard-case
precision is measured through. The rules, in the order they apply:

1. A KvK number on both sides decides: equal -> ``merge`` (score 100), different -> ``different`` (0),
   whatever the names say (two entities can share a name; one entity can have two). A value that is not
   an 8-digit KvK number (a 12-digit establishment number, a typo) is set aside, and the explanation says so.
2. Otherwise the names are compared with every name each side is known by (the name itself, trade names
   and former names written into it, "h.o.d.n. ...", "(voorheen ...)", and any others given); the best
   pair of names counts. Similarity is scored on the core words (``models.matching.compare``).
3. The structure then caps the decision (``models.company_names.differences``): a holding, beheer, group,
   foundation, association or cooperative on one side only, a country word ("Nederland"), another place
   ("(NH)" vs "(L)") or another legal form of the same country sends the pair to ``review`` at most; legal
   forms of two different countries ("AG" vs "N.V.") make it ``different``.
4. A name made only of common trade words ("Schoonmaak Service") matches too many businesses to be merged
   on its own: ``review`` at most.

Pure: names and numbers in, a ``PairDecision`` out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from models.company_names import notes
from models.matching import Thresholds, compare, name_variants

PairVerdict = Literal["merge", "review", "different"]
#: The settings' defaults (``config.own_data.MatchingSettings``); the CLI passes the configured ones.
DEFAULT_THRESHOLDS = Thresholds()

#: Words that describe a trade, not a business: a name made only of them identifies nobody.
TRADE_WORDS = frozenset(
    ["bouw", "bouwbedrijf", "aannemer", "aannemersbedrijf", "schoonmaak", "schoonmaakbedrijf", "schoonmaakdiensten", "installatie", "installatietechniek", "installatiebedrijf", "techniek", "technisch", "advies", "adviesbureau", "ict", "automatisering", "software", "services", "service", "diensten", "dienstverlening", "facilitair", "facility", "management", "transport", "logistiek", "consultancy", "consult", "consulting", "onderhoud", "beveiliging", "groen", "groenvoorziening", "energie", "zorg", "catering", "drukwerk", "data", "digital", "systems", "solutions", "infra", "solar", "group", "partners", "nederland", "holland", "noord", "zuid", "oost", "west", "centrum"]
)


@dataclass(frozen=True, slots=True)
class PairDecision:
    """What the matcher would decide for two names, and why."""

    decision: PairVerdict
    score: float
    explanation: str
    reasons: list[str] = field(default_factory=list)
    #: The name score before structural differences were taken off (None when a KvK number decided).
    similarity: float | None = None

    def as_json(self) -> dict[str, object]:
        return {"decision": self.decision, "score": round(self.score, 1), "explanation": self.explanation,
                "reasons": self.reasons, "similarity": None if self.similarity is None else round(self.similarity, 1)}


def kvk_number(value: str | None) -> tuple[str | None, str | None]:
    """(the 8-digit KvK number, or None; a note when a given value was set aside).

    Spreadsheets drop leading zeros ("1234567" for "01234567"): 6 or 7 digits are padded back.
    """
    if value is None or not str(value).strip():
        return None, None
    raw = str(value).strip()
    if raw.endswith(".0") and raw[:-2].isdigit():  # a spreadsheet's number cell: "12345678.0"
        raw = raw[:-2]
    digits = "".join(c for c in raw if c.isdigit())
    if raw.lower().removeprefix("kvk").strip(" :.-").replace(" ", "").replace(".", "") != digits:
        return None, f"{raw!r} is not a KvK number (set aside)"
    if len(digits) == 12:
        return None, f"{raw!r} is an establishment number, not a KvK number (set aside)"
    if 6 <= len(digits) <= 8:
        return digits.zfill(8), None
    return None, f"{raw!r} is not an 8-digit KvK number (set aside)"


def decide_pair(
    name_a: str,
    name_b: str,
    *,
    kvk_a: str | None = None,
    kvk_b: str | None = None,
    country_a: str | None = None,
    country_b: str | None = None,
    other_names_a: tuple[str, ...] = (),
    other_names_b: tuple[str, ...] = (),
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> PairDecision:
    """Decide one pair (see the module docstring for the rules)."""
    reasons: list[str] = []
    number_a, note_a = kvk_number(kvk_a)
    number_b, note_b = kvk_number(kvk_b)
    reasons += [f"A: {n}" for n in (note_a,) if n] + [f"B: {n}" for n in (note_b,) if n]
    if number_a and number_b:
        if number_a == number_b:
            return PairDecision("merge", 100.0, f"same KvK number {number_a}: one legal entity",
                                [*reasons, f"same KvK number {number_a}"])
        return PairDecision("different", 0.0, f"different KvK numbers ({number_a} vs {number_b}): two legal entities",
                            [*reasons, f"different KvK numbers {number_a} / {number_b}"])
    if number_a or number_b:
        reasons.append("KvK number on one side only: the names decide")
    variants_a = name_variants(name_a, other_names_a)
    variants_b = name_variants(name_b, other_names_b)
    if not variants_a or not variants_b:
        empty = "A" if not variants_a else "B"
        return PairDecision("different", 0.0, f"name {empty} has no letters or digits to compare", reasons, 0.0)
    same_country = _same(country_a, country_b)
    best = None
    for via_a, a in variants_a:
        for via_b, b in variants_b:
            score, components, found = compare(a, b, same_country=same_country)
            rank = (_verdict(score, components, found, thresholds) == "merge", score)
            if best is None or rank > best[0]:
                best = (rank, score, components, found, via_a, a, via_b, b)
    assert best is not None  # both sides have at least one variant
    _rank, score, components, found, via_a, a, via_b, b = best
    similarity = score - components.get("differences", 0.0)
    verdict = _verdict(score, components, found, thresholds)
    reasons += [d.text for d in found]
    if a.parsed is not None and b.parsed is not None:
        reasons += notes(a.parsed, b.parsed)
    for label, via, variant in (("A", via_a, a), ("B", via_b, b)):
        if via != "name":
            reasons.append(f"{label} matched through its {via} {variant.original!r}")
    if verdict == "merge" and all(t in TRADE_WORDS or len(t) < 3 for t in a.core):
        verdict = "review"
        reasons.append(f"{a.core_key!r} is made of common trade words only: too weak to merge on")
    if verdict == "merge":
        score = max(score, thresholds.auto_accept)
    elif verdict == "review":
        score = min(max(score, thresholds.review), thresholds.auto_accept - 0.1)
    else:
        score = min(score, thresholds.review - 0.1)
    parts = ", ".join(f"{k} {v:g}" for k, v in components.items())
    head = {"merge": "the same legal entity", "review": "a person should decide",
            "different": "not the same legal entity"}[verdict]
    explanation = (f"{a.key!r} ~ {b.key!r}: name similarity {similarity:.1f} ({parts}); {head}"
                   + "".join(f"; {r}" for r in reasons))
    return PairDecision(verdict, round(score, 1), explanation, reasons, round(similarity, 1))


def _verdict(score: float, components: dict[str, float], found: tuple, thresholds: Thresholds) -> PairVerdict:
    verdicts = {d.verdict for d in found}
    similarity = score - components.get("differences", 0.0)
    if "different" in verdicts:
        return "different"
    if similarity >= thresholds.auto_accept and not verdicts:
        return "merge"
    if max(score, similarity) >= thresholds.review:
        return "review"
    return "different"


def _same(a: str | None, b: str | None) -> bool | None:
    if not a or not b:
        return None
    return a.strip().upper() == b.strip().upper()


__all__ = ["TRADE_WORDS", "PairDecision", "PairVerdict", "decide_pair", "kvk_number"]
