"""The parts of a legacy R2.0.9 form the parser reads, found by one XPath call (a union of their paths).

Ten calls per form (buyer, main CPV, notice type, lots and their numbers, titles and CPV codes, awarded
contracts, prizes) cost about 11 us on a demo notice, the one union and sorting its nodes 8 (libxml2 walks
each branch as it would alone; what the union saves is lxml's cost per call: context, namespaces, result
list). Each node goes to its part by tag: the paths end in distinct tags, or in an attribute (the main CPV
codes come as strings), so every part gets exactly the nodes its own path found, in document order (a union
keeps document order, and within one part that is the order of its path).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from lxml import etree

from connectors.notice_xml.xpath import joined, prefixed_compiler, qualified

#: The parts of a form, relative to it. The main CPV codes come as strings (attribute values); the lots'
#: ``TITLE`` elements are the union's only ``TITLE``s. The notice's title is read by its own ``//text()`` path
#: (``FormParts.title``): it is text, which reading through ``itertext`` would make an element of each descendant.
_FORM = (
    "t:CONTRACTING_BODY/t:ADDRESS_CONTRACTING_BODY",
    "t:OBJECT_CONTRACT/t:CPV_MAIN/t:CPV_CODE/@CODE",
    "t:NOTICE",
    "t:OBJECT_CONTRACT/t:OBJECT_DESCR",
    "t:OBJECT_CONTRACT/t:OBJECT_DESCR/t:LOT_NO",
    "t:OBJECT_CONTRACT/t:OBJECT_DESCR/t:TITLE",
    "t:OBJECT_CONTRACT/t:OBJECT_DESCR/t:CPV_ADDITIONAL/t:CPV_CODE",
    "t:AWARD_CONTRACT/t:AWARDED_CONTRACT",
    "t:RESULTS/t:AWARDED_PRIZE",
)


@dataclasses.dataclass(frozen=True, slots=True)
class _Reading:
    """One namespace's compiled unions and the tags that sort their elements."""

    form: etree.XPath
    title_texts: etree.XPath
    buyer: str
    title: str
    notice: str
    lot: str
    lot_no: str
    lot_cpv: str
    awarded: str
    prize: str


@functools.cache
def _reading(namespace: str) -> _Reading:
    x = prefixed_compiler("t", namespace)
    q = functools.partial(qualified, namespace)
    return _Reading(
        form=x(" | ".join(_FORM)),
        title_texts=x("t:OBJECT_CONTRACT/t:TITLE//text()"),
        buyer=q("ADDRESS_CONTRACTING_BODY"),
        title=q("TITLE"),
        notice=q("NOTICE"),
        lot=q("OBJECT_DESCR"),
        lot_no=q("LOT_NO"),
        lot_cpv=q("CPV_CODE"),
        awarded=q("AWARDED_CONTRACT"),
        prize=q("AWARDED_PRIZE"),
    )


class FormParts:
    """The parts of a (non-defence) form: each path of ``_FORM``'s nodes, in document order."""

    __slots__ = ("awarded", "buyers", "lot_cpv", "lot_numbers", "lot_titles", "lots", "main_cpv", "notices", "prizes",
                 "title")

    def __init__(self, form: Any, namespace: str) -> None:
        reading = _reading(namespace)
        self.buyers: list[Any] = []  # CONTRACTING_BODY/ADDRESS_CONTRACTING_BODY
        self.title = joined(reading.title_texts, form)  # OBJECT_CONTRACT/TITLE//text(), joined
        self.main_cpv: list[str] = []  # OBJECT_CONTRACT/CPV_MAIN/CPV_CODE/@CODE
        self.notices: list[Any] = []  # NOTICE
        self.lots: list[Any] = []  # OBJECT_CONTRACT/OBJECT_DESCR
        self.lot_numbers: list[Any] = []  # .../OBJECT_DESCR/LOT_NO
        self.lot_titles: list[Any] = []  # .../OBJECT_DESCR/TITLE
        self.lot_cpv: list[Any] = []  # .../OBJECT_DESCR/CPV_ADDITIONAL/CPV_CODE
        self.awarded: list[Any] = []  # AWARD_CONTRACT/AWARDED_CONTRACT
        self.prizes: list[Any] = []  # RESULTS/AWARDED_PRIZE
        for node in reading.form(form):
            if isinstance(node, str):
                self.main_cpv.append(node)
                continue
            tag = node.tag  # read once: lxml builds the string on every read
            if tag == reading.lot:
                self.lots.append(node)
            elif tag == reading.title:
                self.lot_titles.append(node)
            elif tag == reading.lot_cpv:
                self.lot_cpv.append(node)
            elif tag == reading.lot_no:
                self.lot_numbers.append(node)
            elif tag == reading.awarded:
                self.awarded.append(node)
            elif tag == reading.buyer:
                self.buyers.append(node)
            elif tag == reading.notice:
                self.notices.append(node)
            elif tag == reading.prize:
                self.prizes.append(node)
