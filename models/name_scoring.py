"""How alike two normalised company names are: a 0-100 score with every component kept, and the
structural differences (holding, place, legal form, country) that speak against one legal entity.

Pure; ``models.matching`` calls ``compare`` for every blocked candidate, ``models.pair_decision`` for
one pair.
"""

from __future__ import annotations

import math
from dataclasses import replace

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from models.company_names import Difference, differences
from models.name_keys import NormalisedName

#: Two companies of one name in two countries are usually two legal entities: never taken automatically.
OTHER_COUNTRY_PENALTY = 12.0
#: A pair one typing slip apart but scored below review is raised to this (then a person decides).
SLIP_SCORE = 86.0
#: Taken off a candidate's score for each structural difference (holding, another place, another legal form),
#: so a candidate without one ranks first; the difference itself keeps the pair from an automatic merge.
DIFFERENCE_PENALTY = 6.0


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
    # fsum: exactly rounded whatever the sets' order (which changes with PYTHONHASHSEED), so the score is too; over
    # ``map``, not a generator expression (a Python frame per token: scoring every blocked pair reads a million)
    shared = math.fsum(map(weight, ta & tb)) + _fuzzy_shared(ta - tb, tb - ta, weight)
    total = math.fsum(map(weight, ta | tb)) or 1.0
    rare_overlap = min(100.0, 100.0 * shared / total)
    base = 0.35 * sort + 0.2 * set_ + 0.2 * compact + 0.25 * rare_overlap
    components: dict[str, float] = {
        "sort": round(sort, 1), "set": round(set_, 1), "compact": round(compact, 1),
        "rare_overlap": round(rare_overlap, 1),
    }
    if a.compact == b.compact and a.core_key != b.core_key:  # "kwa vant" / "kwavant": the same letters, other spacing
        base = max(base, 97.0)
        components["same_letters"] = 1.0
    if _initials_agree(a, b):
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
    if not (a.parsed.structure or a.parsed.scope) or not (b.parsed.structure or b.parsed.scope):
        return ()  # most names have none: no sets to build for the pair
    both = (set(a.parsed.structure) | set(a.parsed.scope)) & (set(b.parsed.structure) | set(b.parsed.scope))
    return tuple(sorted(both))


def _fuzzy_shared(only_a: set[str], only_b: set[str], weight) -> float:
    """Leftover tokens that differ by a slip count for part of their weight.

    Two swapped neighbours ("Kwvaant") are a typing slip: nearly full weight. Another letter
    ("Hobbelsma" for "Hobbelema") is as often another family's name: half weight, so such pairs
    land in review rather than being taken automatically.

    Visited in sorted order: of two leftovers equally similar to a token, the first alphabetically is the one
    paired with it, in every run (in set order the pairing, and so the score, changed with ``PYTHONHASHSEED``).
    """
    if not only_a or not only_b:
        return 0.0
    total, others = 0.0, sorted(only_b)
    for token in sorted(only_a):
        if len(token) < 5:
            continue
        best, other = 0.0, ""
        for candidate in others:
            if abs(len(candidate) - len(token)) <= 2:
                similarity = OSA.normalized_similarity(token, candidate)
                if similarity > best:
                    best, other = similarity, candidate
        if best < 0.8:
            continue
        factor = 0.95 if sorted(token) == sorted(other) and OSA.distance(token, other) == 1 else 0.5
        total += (weight(token) + weight(other)) * factor  # the pair is in the union twice
    return total


def _initials_agree(a: NormalisedName, b: NormalisedName) -> bool:
    """"jp morrel advies" and "j morrel advies" / "morrel advies": same words once initials are set aside."""
    ia, wa = a.initial_words
    ib, wb = b.initial_words
    if not wa or wa != wb or not (ia or ib):
        return False
    return not ia or not ib or ia[0][0] == ib[0][0]
