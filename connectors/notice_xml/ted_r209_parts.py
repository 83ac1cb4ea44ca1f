"""The parts of a legacy R2.0.9 notice the parser reads, found by one XPath call (a union of their paths) per form
and one for the notice's coded data.

Ten calls per form (buyer, main CPV, notice type, lots and their numbers, titles and CPV codes, awarded
contracts, prizes) cost about 11 us on a demo notice, the one union and sorting its nodes 8 (libxml2 walks
each branch as it would alone; what the union saves is lxml's cost per call: context, namespaces, result
list). Each node goes to its part by tag: the paths end in distinct tags, or in an attribute (the main CPV
codes come as strings), so every part gets exactly the nodes its own path found, in document order (a union
keeps document order, and within one part that is the order of its path). The coded data's four text fields
(``CodedData``) are read the same way, four calls in one.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Final

from lxml import etree

from connectors.notice_xml.xpath import joined, node_text, prefixed_compiler, qualified

#: The parts of a form, relative to it. The main CPV codes come as strings (attribute values); the lots'
#: ``TITLE`` elements are the union's only ``TITLE``s. The notice's title is read by its own ``//text()`` path
#: (``FormParts.title``): it is text, which reading through ``itertext`` would make an element of each descendant.
_FORM: Final = (
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
#: The coded data's text fields, relative to ``TED_EXPORT``: elements, each path ending in its own tag.
_CODED: Final = (
    "t:CODED_DATA_SECTION/t:REF_OJS/t:DATE_PUB",
    "t:CODED_DATA_SECTION/t:NOTICE_DATA/t:LG_ORIG",
    "t:CODED_DATA_SECTION/t:CODIF_DATA/t:TD_DOCUMENT_TYPE",
    "t:CODED_DATA_SECTION/t:CODIF_DATA/t:PR_PROC",
)


@dataclasses.dataclass(frozen=True, slots=True)
class _Reading:
    """One namespace's compiled unions and the tags that sort their elements."""

    form: etree.XPath
    coded: etree.XPath
    title_texts: etree.XPath
    buyer: str
    title: str
    notice: str
    lot: str
    lot_no: str
    lot_cpv: str
    awarded: str
    prize: str
    date_pub: str
    lg_orig: str
    document_type: str
    procedure: str


@functools.cache
def _reading(namespace: str) -> _Reading:
    x = prefixed_compiler("t", namespace)
    q = functools.partial(qualified, namespace)
    return _Reading(
        form=x(" | ".join(_FORM)),
        coded=x(" | ".join(_CODED)),
        title_texts=x("t:OBJECT_CONTRACT/t:TITLE//text()"),
        buyer=q("ADDRESS_CONTRACTING_BODY"),
        title=q("TITLE"),
        notice=q("NOTICE"),
        lot=q("OBJECT_DESCR"),
        lot_no=q("LOT_NO"),
        lot_cpv=q("CPV_CODE"),
        awarded=q("AWARDED_CONTRACT"),
        prize=q("AWARDED_PRIZE"),
        date_pub=q("DATE_PUB"),
        lg_orig=q("LG_ORIG"),
        document_type=q("TD_DOCUMENT_TYPE"),
        procedure=q("PR_PROC"),
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


class CodedData:
    """The notice's coded data: the first non-blank text node of each ``_CODED`` path's elements, stripped (what
    ``text(path/text(), root)`` gives), or ``None``. Each field takes the first element that has such a text, in
    document order, as it comes: no list per field (the four lists and their readers cost about as much as the
    three XPath calls the union saves)."""

    __slots__ = ("date_pub", "document_type", "lg_orig", "procedure")

    def __init__(self, root: Any, namespace: str) -> None:
        reading = _reading(namespace)
        self.date_pub: str | None = None  # CODED_DATA_SECTION/REF_OJS/DATE_PUB
        self.lg_orig: str | None = None  # CODED_DATA_SECTION/NOTICE_DATA/LG_ORIG
        self.document_type: str | None = None  # CODED_DATA_SECTION/CODIF_DATA/TD_DOCUMENT_TYPE
        self.procedure: str | None = None  # CODED_DATA_SECTION/CODIF_DATA/PR_PROC
        for node in reading.coded(root):
            tag = node.tag  # read once: lxml builds the string on every read
            if tag == reading.date_pub:
                if self.date_pub is None:
                    self.date_pub = node_text(node)
            elif tag == reading.document_type:
                if self.document_type is None:
                    self.document_type = node_text(node)
            elif tag == reading.lg_orig:
                if self.lg_orig is None:
                    self.lg_orig = node_text(node)
            elif tag == reading.procedure and self.procedure is None:
                self.procedure = node_text(node)
