"""Entity linking: watched names found in news text, legal forms, collisions, common-word names, countries."""

from __future__ import annotations

from models.entity_linking import WEAK, build_linker, core_name, fold, is_weak, link

SUPPLIERS = [
    ("1", "Norlys Digital B.V."),
    ("2", "Tonkeling Schoonmaak B.V."),
    ("3", "Brand B.V."),  # a common Dutch word ("fire")
    ("4", "Digital Solutions B.V."),  # made only of common words
    ("5", "Zwevant Software Co., Ltd."),
    ("6", "Ameora Systemtechnik GmbH"),
]


def linker():
    return build_linker(SUPPLIERS)


def orgs(text: str) -> dict[str, float]:
    mentions, _ = link(linker(), text)
    return {m.key: m.confidence for m in mentions}


def test_fold_and_core_name_strip_legal_forms_accents_and_scripts() -> None:
    assert fold("Café  B.V. — Zürich") == "cafe bv zurich"
    assert fold("ООО Технопром") == "ooo tekhnoprom"
    assert core_name("Zwevant Software Co., Ltd.") == ("zwevant software", ("co", "ltd"))
    assert core_name("Ameora Systemtechnik GmbH") == ("ameora systemtechnik", ("gmbh",))
    assert is_weak("brand") and is_weak("digital solutions") and is_weak("ab") and not is_weak("tonkeling schoonmaak")


def test_a_name_without_its_legal_form_is_found_and_the_legal_form_raises_confidence() -> None:
    plain = orgs("Norlys Digital schrapt banen")
    assert set(plain) == {"1"} and plain["1"] >= 0.9
    with_form = orgs("Norlys Digital B.V. schrapt banen")
    assert with_form["1"] > plain["1"]
    mentions, _ = link(linker(), "Norlys Digital B.V. schrapt banen")
    assert any("legal form" in reason for reason in mentions[0].reasons)


def test_a_longer_name_starting_with_a_watched_name_is_a_possible_collision() -> None:
    mentions, _ = link(linker(), "Faillissement dreigt voor Norlys Digital Media GmbH in Keulen")
    (mention,) = mentions
    assert mention.key == "1" and mention.confidence < 0.5
    assert "possibly a different company" in mention.reasons[-1]


def test_common_word_names_need_a_legal_form_or_company_word() -> None:
    assert orgs("Grote brand in Rotterdam, brandweer rukt uit") == {"3": WEAK}
    assert orgs("Brand B.V. failliet verklaard")["3"] >= 0.7
    assert orgs("Leverancier Brand getroffen door staking")["3"] >= 0.7
    assert orgs("New digital solutions for schools")["4"] == WEAK
    assert orgs("Digital Solutions B.V. overgenomen")["4"] >= 0.7


def test_names_are_matched_on_word_boundaries_only() -> None:
    assert orgs("Brandweer blust schoorsteenbrand") == {}
    assert orgs("Norlys Digitalisering") == {}


def test_countries_are_found_by_name_and_adjective_in_dutch_and_english() -> None:
    _, countries = link(linker(), "Chinese exportbeperking raakt Nederland en Duitsland")
    found = {c.country: c.confidence for c in countries}
    assert set(found) == {"CN", "NL", "DE"}
    assert found["NL"] > found["CN"]  # a name counts more than an adjective


def test_several_suppliers_and_duplicates_in_one_text() -> None:
    found = orgs("Tonkeling Schoonmaak en Zwevant Software: Tonkeling Schoonmaak B.V. wint")
    assert set(found) == {"2", "5"}


def test_empty_linker_and_empty_text() -> None:
    assert link(build_linker([], countries={}), "anything") == ([], [])
    assert link(linker(), "") == ([], [])
