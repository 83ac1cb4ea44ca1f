"""The quick checks in ``models.company_names`` that let a name skip the marker split and the legal-form spelling:
each must find something wherever the full work would, or names would lose their trade and former names.
"""

from __future__ import annotations

import random

import pytest

from models import company_names
from models.company_names import _ANY_LONG_FORM, _LONG_FORMS_SPACED, _MARKER_TEXT, _MARKERS, parse

MARKER_SAMPLES = (
    "jansen bouw bv h.o.d.n. klusdienst", "jansen t.h.o.d.n. klusdienst", "jansen h. o. d. n. x", "a hodn: b",
    "a h/o/d/n b", "a tevens handelend onder de handelsnaam b", "a handelend onder de naam b", "a trading as b",
    "a t/a b", "a d/b/a b", "a dba b", "a doing business as b", "a handelsnaam b", "a voorheen b", "a v/h b",
    "a v.h. b", "a v. h. b", "a formerly b", "a previously b", "a voormalig b", "a fka b", "a f/k/a b",
)


@pytest.mark.parametrize("text", MARKER_SAMPLES)
def test_every_marker_is_seen_by_the_quick_check(text: str) -> None:
    assert _MARKERS.search(text) and _MARKER_TEXT.search(text)


def test_the_quick_check_never_misses_a_marker_in_random_text() -> None:
    rng = random.Random(20261205)
    alphabet = "abhodnvtfkl./ :&,"
    tried = found = 0
    for _ in range(200_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16)))
        if _MARKERS.search(text):
            found += 1
            assert _MARKER_TEXT.search(text), text
        tried += 1
    assert found > 100  # markers were there to miss


def test_every_long_form_is_seen_by_the_quick_check() -> None:
    for long, short in _LONG_FORMS_SPACED:
        assert _ANY_LONG_FORM.search(f" jansen{long}x ")
        assert company_names._words(f"jansen{long}x") == company_names._words(f"jansen {short} x")


def test_names_with_and_without_markers_parse_as_before() -> None:
    name = parse("Jansen Bouw B.V. h.o.d.n. Klusdienst Jansen (voorheen Jansen & Zn)")
    assert name.trade_names == ("klusdienst jansen",) and name.former_names == ("jansen & zn",)
    assert parse("Jansen Bouw Besloten Vennootschap").legal_forms == ("bv",)
    assert parse("A/S Scan Nordic").tokens == parse("AS Scan Nordic").tokens


HONORIFIC_SAMPLES = (
    "Koninklijke KPN N.V.", "K.o.n. BAM Groep", "Kon. Wagenborg", "Royal Philips", "ROYAL-DUTCH Shell plc",
    "Koninklijk Instituut", "Jansen (Koninklijke) B.V.", "Jansen h.o.d.n. Koninklijke Y", "Bakonyi B.V.", "Kon/inklijke",
    "K'on Bouw", "Royal&Co", "Ko-n Bouw", "Noble Royalty", "Jansen Bouw B.V.", "", "Société Royale Belge",
)


def test_the_honorific_check_holds_every_stem_and_nothing_spells_one() -> None:
    stems = company_names._HONORIFIC_STEMS
    assert all(any(stem in honorific for stem in stems) for honorific in company_names.HONORIFICS)
    spelled = [short for _, short in company_names._LONG_FORMS] + list(company_names.ABBREVIATIONS.values())
    assert not [s for s in spelled if any(stem in s for stem in stems)]


@pytest.mark.parametrize("name", HONORIFIC_SAMPLES)
def test_a_name_with_an_honorific_is_never_skipped(name: str) -> None:
    assert company_names._may_hold_honorific(name) or not parse(name).honorific


def test_the_honorific_check_never_misses_in_random_names() -> None:
    rng = random.Random(20261205)
    pieces = ("kon", "k.o.n.", "k", "on", "roy", "al", "royal", "koninklijk", "e", "bv", "b.v.", "de", "jansen", "(", ")",
              "h.o.d.n.", "voorheen", "-", "/", "'", "&", ",", ".", "groep", "holding")
    found = 0
    for _ in range(50_000):
        name = "".join(rng.choice(pieces) + rng.choice(("", " ", " ", ".")) for _ in range(rng.randint(1, 6)))
        if parse(name).honorific:
            found += 1
            assert company_names._may_hold_honorific(name), name
    assert found > 100  # honorifics were there to miss
