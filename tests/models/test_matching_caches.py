"""The caches scoring reads through give what the plain computations give (``NameIndex.idf``, ``countries``)."""

from __future__ import annotations

import math

from models.company_names import LEGAL_FORMS_BY_CANONICAL, parse
from models.matching import Candidate, NameIndex
from models.name_keys import normalise


def _idf_as_computed(index: NameIndex, token: str) -> float:
    return math.log((len(index.candidates) + 1) / (index.token_counts.get(token, 0) + 1)) + 0.1


def test_idf_is_the_formula_for_known_and_unknown_tokens_and_follows_the_index() -> None:
    index = NameIndex.build([Candidate(1, "Tonkeling Schoonmaak B.V."), Candidate(2, "Tonkeling Bouw B.V.")])
    for token in ("tonkeling", "bouw", "nergens"):
        assert index.idf(token) == _idf_as_computed(index, token)
    index.add(Candidate(3, "Kwavant ICT"))  # a new state of the index: worked out again
    assert index.idf("tonkeling") == _idf_as_computed(index, "tonkeling")
    assert index._idf.__getitem__("kwavant") == index.idf("kwavant")


def _countries_as_computed(name: str) -> frozenset[str]:
    sets = [set(LEGAL_FORMS_BY_CANONICAL.get(f, ())) for f in parse(name).legal_forms]
    sets = [s for s in sets if s]
    return frozenset(set.intersection(*sets)) or frozenset(set.union(*sets)) if sets else frozenset()


def test_countries_are_those_of_the_legal_forms() -> None:
    for name in ("Jansen B.V.", "Siemens AG", "Jansen", "Foo GmbH & Co. KG", "Bar S.A. Ltd", "Baz BV VOF"):
        assert parse(name).countries == _countries_as_computed(name)



def test_parse_takes_out_and_maps_words_only_where_a_name_has_them() -> None:
    """``parse``'s short paths (no structure or country word, no state remark, no "&") and its long ones."""
    plain = parse("Tonkeling Schoonmaak B.V.")
    assert (plain.core, plain.tokens, plain.structure, plain.scope, plain.status) == (
        ("tonkeling", "schoonmaak"), ("tonkeling", "schoonmaak"), (), (), ())
    mapped = parse("Siemens Holdings Nederland N.V. in liquidatie")
    assert (mapped.core, mapped.tokens, mapped.structure, mapped.scope, mapped.status) == (
        ("siemens",), ("siemens", "holding", "nederland"), ("holding",), ("nederland",), ("liquidatie",))
    assert parse("Jansen & Zonen V.O.F.").core == ("jansen", "zonen")
    assert normalise("Jansen & Zonen V.O.F.").tokens == ("jansen", "zonen")
    assert normalise("J.P. Morrel Advies 2").initial_words == (("jp",), ("morrel", "advies", "2"))
    assert normalise("Morrel Advies").initial_words == ((), ("morrel", "advies"))
