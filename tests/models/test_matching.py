"""Supplier name matching (``models.matching``): normalisation, blocking, scoring, and precision/recall on a
labelled synthetic set of name pairs (``tests/fixtures/matching/name_pairs.csv``, see its README)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from models.matching import Candidate, NameIndex, Thresholds, compare, normalise

PAIRS = Path(__file__).parents[1] / "fixtures" / "matching" / "name_pairs.csv"
THRESHOLDS = Thresholds()


def _pairs() -> list[dict[str, str]]:
    with PAIRS.open(encoding="utf-8") as stream:
        return list(csv.DictReader(line for line in stream if not line.startswith("#")))


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Tonkeling Schoonmaak B.V. (hoofdkantoor)", "tonkeling schoonmaak"),
        ("TONKELING SCHOONMAAK BV", "tonkeling schoonmaak"),
        ("Kwavant Holding B.V.", "kwavant holding"),  # a holding is another legal entity: the word stays (issue 15)
        ("Harvelink Groep N.V.", "harvelink group"),
        ("Stichting Asito", "stichting asito"),
        ("Gemeente Bergen (NH)", "gemeente bergen nh"),  # a bracketed place is kept, a remark is not
        ("Siemens Nederland N.V.", "siemens nederland"),
        ("Koninklijke KPN N.V.", "kpn"),
        ("Brommel V.O.F.", "brommel"),
        ("J.P. Morrel Advies", "jp morrel advies"),
        ("Selwise Consulting A/S", "selwise consulting"),
        ("Hengate Co., Ltd.", "hengate"),
        ("Société Générale de Nettoyage S.A.", "societe generale de nettoyage"),
        ("Olmora Beratung GmbH", "olmora beratung"),
        ("Stolux Solutions Inc.", "stolux solutions"),
        ("Uffelers & Zn", "uffelers zonen"),
        ("Gebr. Nijselink", "gebroeders nijselink"),
        ("Holding B.V.", "holding bv"),  # nothing but legal-form words: kept rather than emptied
    ],
)
def test_normalise_strips_legal_forms_punctuation_accents_and_case(name: str, key: str) -> None:
    assert normalise(name).key == key


def _score(row: dict[str, str], index: NameIndex) -> float:
    """The score ``NameIndex.lookup`` would give; a structural difference (holding, another country) counts as
    below auto-accept, as ``classify`` treats it."""
    a, b = row["country_a"], row["country_b"]
    same_country = (a == b) if a and b else None
    score, _, found = compare(normalise(row["name_a"]), normalise(row["name_b"]), idf=index.idf, same_country=same_country)
    return min(score, THRESHOLDS.auto_accept - 0.1) if found else score


def test_precision_and_recall_on_the_labelled_pairs() -> None:
    """Floors: automatic links must be right (a wrong merge silently moves spend: precision >= 0.97); every
    positive except trade names, which no name matcher can know, must reach at least review (>= 0.95 of
    them), and most must be linked without a person (recall of auto-accept >= 0.90)."""
    rows = _pairs()
    assert len(rows) >= 150
    names = sorted({r["name_a"] for r in rows} | {r["name_b"] for r in rows})
    index = NameIndex.build(Candidate(i, n) for i, n in enumerate(names))
    auto_tp = auto_fp = positives = reviewable = 0
    positives_no_trade = 0
    for row in rows:
        score = _score(row, index)
        same = row["same"] == "1"
        positives += same
        if score >= THRESHOLDS.auto_accept:
            auto_tp += same
            auto_fp += not same
        if same and row["case"] != "trade name":
            positives_no_trade += 1
            reviewable += score >= THRESHOLDS.review
    precision = auto_tp / (auto_tp + auto_fp)
    recall = auto_tp / positives
    assert precision >= 0.97, precision
    assert recall >= 0.90, recall
    assert reviewable / positives_no_trade >= 0.95


def test_near_identical_different_companies_are_never_auto_accepted() -> None:
    rows = [r for r in _pairs() if r["case"] in ("near-identical", "same name, other country")]
    names = sorted({r["name_a"] for r in _pairs()} | {r["name_b"] for r in _pairs()})
    index = NameIndex.build(Candidate(i, n) for i, n in enumerate(names))
    assert len(rows) >= 20
    assert [r["name_b"] for r in rows if _score(r, index) >= THRESHOLDS.auto_accept] == []


def test_blocking_finds_every_matchable_positive_without_comparing_all_pairs() -> None:
    rows = [r for r in _pairs() if r["same"] == "1" and r["case"] != "trade name"]
    names = sorted({r["name_b"] for r in rows})
    index = NameIndex.build(Candidate(i, n) for i, n in enumerate(names))
    ids = {n: i for i, n in enumerate(names)}
    missed = [r["name_a"] for r in rows if ids[r["name_b"]] not in index.blocked(normalise(r["name_a"]), limit=10)]
    assert missed == []


def test_lookup_explains_the_match_and_decides_by_thresholds() -> None:
    index = NameIndex.build([
        Candidate(1, "Tonkeling Schoonmaak B.V.", "NL", "3518 AA", "Elzenrade"),
        Candidate(2, "Tonkeling Bouw B.V.", "NL"),
        Candidate(3, "Kwavant ICT B.V.", "NL"),
    ])
    best, *rest = index.lookup("TONKELING SCHOONMAAK BV (hoofdkantoor)", postcode="3518AB")
    assert (best.org_id, best.decision) == (1, "auto")
    assert best.components["same_postcode"] > 0 and best.block
    assert "tonkeling schoonmaak" in best.explain() and "auto" in best.explain()
    assert all(m.decision == "reject" for m in rest)
    assert index.lookup("Tonkeling", thresholds=THRESHOLDS)[0].decision != "auto"
    assert index.lookup("Tonkeling Schoonmaak", exclude={1})[0].org_id == 2  # a rejected pair is not offered


def test_a_close_runner_up_keeps_the_best_from_auto_accept() -> None:
    index = NameIndex.build([Candidate(1, "Velmara Software B.V."), Candidate(2, "Velmara Software N.V.")])
    assert index.lookup("Velmara Software")[0].decision == "review"


def test_an_index_built_reusing_an_earlier_one_is_the_same_index() -> None:
    """The name resolution builds a second index taking the first one's names again: only names that are still
    the same are taken, and the index is the one built from scratch."""
    first = [Candidate(1, "Tonkeling Schoonmaak B.V.", postcode="1234 AB"),
             Candidate(2, "Asito Holding B.V.", other_names=("trade:Asito Schoonmaak",)),
             Candidate(3, "Jansen & Zn V.O.F.")]
    later = [Candidate(1, "Tonkeling Schoonmaak B.V.", postcode="1234 AB"),
             Candidate(2, "Asito Holding B.V.", other_names=("trade:Asito Diensten",)),  # a trade name changed
             Candidate(3, "Jansen en Zonen V.O.F."),  # renamed
             Candidate(4, "Gemeente Bergen (NH)")]  # new
    earlier = NameIndex.build(first)
    reused = NameIndex.build(later, reuse=earlier)
    fresh = NameIndex.build(later)
    assert reused.candidates == fresh.candidates
    assert reused.names == fresh.names
    assert reused.variants == fresh.variants
    assert dict(reused.blocks) == dict(fresh.blocks)
    assert reused.token_counts == fresh.token_counts
    assert reused.variants[1] is earlier.variants[1]  # the unchanged organisation's names were taken again
    assert reused.variants[2] is not earlier.variants[2] and reused.variants[3] is not earlier.variants[3]
    assert [m.org_id for m in reused.lookup("Asito Diensten")] == [m.org_id for m in fresh.lookup("Asito Diensten")]


def test_an_index_extending_an_earlier_one_unchanged_is_the_same_index() -> None:
    """The resolution's second index holds the first one's organisations again, unchanged, and others between them:
    it is made from the first (its blocks and counts copied), and equals the one built from scratch, block order too."""
    first = [Candidate(2, "Tonkeling Schoonmaak B.V.", postcode="1234 AB"),
             Candidate(5, "Asito Holding B.V.", other_names=("trade:Asito Schoonmaak",)),
             Candidate(9, "Schoonmaak Groep Tonkeling")]
    later = [Candidate(1, "Tonkeling Schoonmaak"), first[0], Candidate(3, "Asito Schoonmaak Noord", postcode="1234 XY"),
             first[1], first[2], Candidate(12, "Schoonmaakbedrijf Tonkeling")]
    earlier = NameIndex.build(first)
    assert NameIndex._extended(earlier, later, 200) is not None  # not the one-by-one way
    extended = NameIndex.build(later, reuse=earlier)
    fresh = NameIndex.build(later)
    assert list(extended.candidates) == list(fresh.candidates) == [1, 2, 3, 5, 9, 12]
    assert extended.names == fresh.names and extended.variants == fresh.variants
    assert dict(extended.blocks) == dict(fresh.blocks)  # lists compared in order: members in the order of ``later``
    assert extended.blocks["tok:tonkeling"] == [1, 2, 9, 12]
    assert extended.token_counts == fresh.token_counts
    assert extended.variants[5] is earlier.variants[5]
    assert earlier.blocks["tok:tonkeling"] == [2, 9]  # the earlier index is left as it was
    for query in ("Tonkeling Schoonmaak", "Asito Schoonmaak"):
        assert [m.as_json() for m in extended.lookup(query)] == [m.as_json() for m in fresh.lookup(query)]
