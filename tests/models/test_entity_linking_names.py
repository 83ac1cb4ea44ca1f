"""Entity linking from every known name of a supplier (statutory, trade names, former names, unambiguous short
forms such as "KPN"), measured on real-looking headlines (``fixtures/news/linking``): recall goes up, the guards
against common words and other companies hold."""

from __future__ import annotations

import csv
from pathlib import Path

from config.news import NewsSettings
from models.company_names import short_forms, unambiguous_short_forms
from models.entity_linking import build_linker, link
from models.match_evaluation import Rate

FIXTURES = Path(__file__).parents[1] / "fixtures" / "news" / "linking"
THRESHOLD = NewsSettings().min_link_confidence


def _suppliers() -> list[dict[str, str]]:
    with (FIXTURES / "suppliers.csv").open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def _headlines() -> list[tuple[str, set[str]]]:
    with (FIXTURES / "headlines.csv").open(encoding="utf-8") as stream:
        return [(r["headline"], {k for k in r["expected"].split("|") if k}) for r in csv.DictReader(stream)]


def _names(every_name: bool) -> list[tuple[str, str]]:
    names = [(s["key"], s["name"]) for s in _suppliers()]
    if every_name:
        for s in _suppliers():
            names += [(s["key"], n) for column in ("trade_names", "former_names") for n in s[column].split("|") if n]
        names += unambiguous_short_forms(names)  # as store.news.watched_names adds them
    return names


def _measure(every_name: bool) -> tuple[Rate, Rate, list[str]]:
    linker = build_linker(_names(every_name))
    hits = predicted = expected = 0
    wrong: list[str] = []
    for headline, truth in _headlines():
        mentions, _ = link(linker, headline)
        found = {m.key for m in mentions if m.confidence >= THRESHOLD}
        hits += len(found & truth)
        predicted += len(found)
        expected += len(truth)
        wrong += [f"{headline!r}: {key}" for key in found - truth]
    return Rate(hits, predicted), Rate(hits, expected), wrong


def test_every_known_name_finds_more_suppliers_and_links_no_wrong_one() -> None:
    before_precision, before_recall, _ = _measure(every_name=False)
    precision, recall, wrong = _measure(every_name=True)
    print(f"statutory names only: precision {before_precision.text()}, recall {before_recall.text()}")
    print(f"every known name:     precision {precision.text()}, recall {recall.text()}")
    assert len(_headlines()) >= 30
    assert recall.value is not None and before_recall.value is not None and recall.value >= before_recall.value + 0.4
    assert recall.value >= 0.9, recall.text()
    assert wrong == [] and precision.value == 1.0


def test_short_forms_are_derived_and_never_ambiguous_or_a_common_surname() -> None:
    assert short_forms("Koninklijke KPN N.V.") == ["kpn"]
    assert "bam" in short_forms("Koninklijke BAM Groep N.V.")
    assert short_forms("Van Oord Dredging and Marine Contractors B.V.") == ["van oord"]
    assert short_forms("Jansen Bouw B.V.") == [] and short_forms("Tonkeling Schoonmaak B.V.") == []
    shared = unambiguous_short_forms([(1, "Heijmans Infra B.V."), (2, "Heijmans Vastgoed B.V."), (3, "Eneco Zakelijk B.V.")])
    assert shared == [(3, "eneco")]  # "heijmans" would point at two suppliers: left out


def test_a_short_form_is_claimed_by_every_name_that_begins_with_its_words_and_only_those() -> None:
    dredging, offshore = "Van Oord Dredging and Marine Contractors B.V.", "Van Oord Offshore Wind B.V."
    assert unambiguous_short_forms([(1, dredging), (2, offshore)]) == []  # both begin with "van oord"
    # "Vanoord" and "Van Oordt" begin with other words: "van oord" still points at one supplier
    assert unambiguous_short_forms([(1, dredging), (2, "Vanoord B.V."), (3, "Van Oordt Bouw")]) == [(1, "van oord"), (3, "van oordt")]
    # another organisation called just "Eneco" claims the short form too
    assert unambiguous_short_forms([(1, "Koninklijke KPN N.V."), (1, "KPN"), (2, "Eneco Zakelijk B.V."), (3, "Eneco")]) == [(1, "kpn")]
