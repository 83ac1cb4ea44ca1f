"""The caches scoring reads through give what the plain computations give (``NameIndex.idf``, ``countries``)."""

from __future__ import annotations

import math

from models.company_names import LEGAL_FORMS_BY_CANONICAL, parse
from models.matching import Candidate, NameIndex


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
