"""The notice renderers write XML as text (``demo.render_xml``): escaping must be exactly lxml's, and total.

The byte-for-byte test of the committed bundle (``test_demo_world``) holds the layout; these tests hold what
that bundle cannot show: every value the world puts in a notice survives any character a name may carry,
and a character XML cannot hold is refused, as lxml refuses it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree

from demo.build import notice_xml
from demo.render_xml import attr, esc
from demo.world import Publication, World, build_world

HOSTILE = ' & <b>"Zonen"</b> \'s-Hertogenbosch ]]> \ttab\r\nline &amp; é €'
STRINGS = [HOSTILE, "", " ", "Kwintstra & Zonen", "a\rb", "a\r\nb", "\t\n", "]]>", "😀", "\x7f\x85\xa0", "'\"'"]


@pytest.fixture(scope="module")
def world() -> World:
    return build_world()


@pytest.mark.parametrize("value", STRINGS)
def test_text_and_attributes_are_escaped_as_lxml_escapes_them(value: str) -> None:
    element = etree.Element("x", a=value)
    element.text = value
    expected = etree.tostring(element, encoding="UTF-8")
    written = f'<x a="{attr(value)}">{esc(value)}</x>'.encode() if value else b'<x a=""></x>'
    assert written == expected
    parsed = etree.fromstring(written)
    assert (parsed.get("a"), parsed.text or "") == (value, value)


@pytest.mark.parametrize("value", ["a\x00b", "\x01", "bell\x07", "\x1f", "\ufffe", "\uffff", "\ud800"])
def test_a_character_xml_cannot_hold_is_refused_like_lxml_refuses_it(value: str) -> None:
    with pytest.raises(ValueError):
        etree.Element("x").text = value
    with pytest.raises(ValueError, match="XML compatible"):
        esc(value)
    with pytest.raises(ValueError, match="XML compatible"):
        attr(value)


def _hostile(world: World) -> World:
    """The world with every name, place, title and description ending in characters XML must escape."""
    buyers = tuple(replace(b, name=b.name + HOSTILE, town=b.town + HOSTILE, postcode=b.postcode + HOSTILE)
                   for b in world.buyers)
    suppliers = tuple(replace(s, name=s.name + HOSTILE, town=s.town + HOSTILE, postcode=s.postcode + HOSTILE)
                      for s in world.suppliers)
    notices = tuple(replace(n, title=n.title + HOSTILE, description=n.description + HOSTILE,
                            lots=tuple(replace(lot, title=lot.title + HOSTILE) for lot in n.lots)) for n in world.notices)
    return World(world.seed, buyers, suppliers, notices)


def _samples(world: World) -> list[Publication]:
    """A notice of every shape: legacy and eForms, award and contract notice, national, with a consortium."""
    shapes: dict[tuple[str, str, str, bool], Publication] = {}
    for notice in world.notices:
        joint = any(len(lot.winners) > 1 for lot in notice.lots)
        shapes.setdefault((notice.format, notice.kind, notice.channel, joint), notice)
    return list(shapes.values())


def test_every_value_with_hostile_characters_reads_back_unchanged(world: World) -> None:
    hostile = _hostile(world)
    samples = _samples(hostile)
    assert {(n.format, n.kind) for n in samples} == {("ted-r209", "can"), ("ted-r209", "cn"), ("eforms", "can"),
                                                     ("eforms", "cn")}
    consortia: list[str] = []
    for notice in samples:
        root = etree.fromstring(notice_xml(notice, hostile))
        texts = {element.text for element in root.iter() if element.text and element.text.strip()}
        buyer = hostile.buyer_by_id[notice.buyer_id]
        expected = {notice.title, buyer.name} | {lot.title for lot in notice.lots if notice.lotted or lot.winners}
        expected |= {hostile.supplier_by_id[w].name for lot in notice.lots for w in lot.winners}
        expected |= {buyer.postcode} | ({buyer.town} if notice.format == "ted-r209" else set())
        assert expected <= texts, (notice.key, expected - texts)
        consortia += [t for t in texts if t.startswith("Combinatie ")]
    assert consortia and all(t.count(HOSTILE) >= 2 for t in consortia)


def test_a_name_xml_cannot_hold_is_refused_not_written(world: World) -> None:
    notice = next(n for n in world.notices if n.format == "eforms")
    legacy = next(n for n in world.notices if n.format == "ted-r209")
    for n in (notice, legacy):
        with pytest.raises(ValueError, match="XML compatible"):
            notice_xml(replace(n, title=n.title + "\x0b"), world)
