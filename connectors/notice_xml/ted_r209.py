"""Legacy TED XML R2.0.9 exports (``TED_EXPORT``, notices published before eForms) -> ``Notice``.

The export repeats the form in every language it was translated into; only the form in the
original language (``@LG`` equal to ``NOTICE_DATA/LG_ORIG``, else the first form) is read, as
the others are machine translations of it and names may be transliterated.

Required, else ``MalformedNoticeError``: the publication number (``@DOC_ID`` or
``NO_DOC_OJS``), ``DATE_PUB``, ``TD_DOCUMENT_TYPE``, a form and a named contracting body.
``procedure_type`` is the ``PR_PROC`` text ("Open procedure"), as ``notice_type`` is the
``TD_DOCUMENT_TYPE`` text: both as TED states them, not mapped to eForms codes.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from datetime import date
from typing import Any, Final

from lxml import etree

from connectors.notice_xml import ted_r209_defence as defence
from connectors.notice_xml.builders import new_lot, new_notice
from connectors.notice_xml.codes import r209_kind
from connectors.notice_xml.namespaces import split_tag
from connectors.notice_xml.ted_r209_awards import SINGLE_LOT, address_party, awards
from connectors.notice_xml.ted_r209_modifications import modifications
from connectors.notice_xml.ted_r209_parts import CodedData, FormParts
from connectors.notice_xml.values import cpv, notice_date, publication_number, unique, with_lot_cpv
from connectors.notice_xml.xpath import element_text, first_attribute, prefixed_compiler, required, text
from connectors.records import Lot, Notice

logger: Final = logging.getLogger(__name__)

ID_FIELD: Final = "@DOC_ID | CODED_DATA_SECTION/NOTICE_DATA/NO_DOC_OJS"
DATE_FIELD: Final = "CODED_DATA_SECTION/REF_OJS/DATE_PUB"
TYPE_FIELD: Final = "CODED_DATA_SECTION/CODIF_DATA/TD_DOCUMENT_TYPE"
FORM_FIELD: Final = "FORM_SECTION/*[@LG]"
BUYER_FIELD: Final = "CONTRACTING_BODY/ADDRESS_CONTRACTING_BODY/OFFICIALNAME"


@dataclasses.dataclass(frozen=True, slots=True)
class _Paths:
    """The paths relative to ``TED_EXPORT`` read one by one: the forms, and two fallbacks read only where the usual
    field is missing (the coded data's usual fields and a form's parts are read by ``ted_r209_parts``)."""

    no_doc_ojs: etree.XPath
    original_cpv: etree.XPath
    forms: etree.XPath


@functools.cache
def _paths(namespace: str) -> _Paths:
    """The XPaths compiled once for each namespace R2.0.9 exports come in."""
    x = prefixed_compiler("t", namespace)
    return _Paths(
        no_doc_ojs=x("t:CODED_DATA_SECTION/t:NOTICE_DATA/t:NO_DOC_OJS/text()"),
        original_cpv=x("t:CODED_DATA_SECTION/t:NOTICE_DATA/t:ORIGINAL_CPV/@CODE"),
        forms=x("t:FORM_SECTION/*[@LG]"),
    )


def parse(root: Any, where: str, *, namespace: str | None = None) -> Notice:
    """The notice in ``root``, a ``TED_EXPORT`` element of schema R2.0.9 (see ``namespaces.is_r209``).

    ``namespace``: the root's namespace ("" for none) where the caller has read it already.
    """
    if namespace is None:
        namespace = etree.QName(root).namespace or ""
    p = _paths(namespace)
    coded = CodedData(root, namespace)
    notice_id = publication_number(root.get("DOC_ID")) or publication_number(text(p.no_doc_ojs, root))
    notice_id = required(notice_id, where, None, ID_FIELD, "publication number")
    published = required(notice_date(coded.date_pub), where, notice_id, DATE_FIELD, "publication date")
    notice_type = required(coded.document_type, where, notice_id, TYPE_FIELD, "document type")
    form = required(_original_form(root, p, coded.lg_orig), where, notice_id, FORM_FIELD, "form")
    form_name = split_tag(form.tag)[1]
    if form_name in defence.DEFENCE_FORMS:
        return _defence_notice(root, form, form_name, namespace, p, coded, where, notice_id, published, notice_type)
    form_code = form.get("FORM") or form_name.split("_")[0]
    parts = FormParts(form, namespace)
    buyer = address_party(parts.buyers[0] if parts.buyers else None, namespace)
    buyer = required(buyer, where, notice_id, BUYER_FIELD, "contracting body")

    title = parts.title
    cpv_main = cpv(_first_stripped(parts.main_cpv)) or cpv(text(p.original_cpv, root))
    lots = _lots(parts, title, cpv_main)
    kind = r209_kind(form_code, first_attribute(parts.notices, "TYPE"))
    changes = modifications(form, namespace, where, notice_id) if kind == "modification" else ()
    return new_notice(
        notice_id=notice_id,
        format="ted-r209",
        notice_type=notice_type,
        subtype=form_code,
        kind=kind,
        published=published,
        buyer=buyer,
        cpv_main=cpv_main,
        cpv=unique(with_lot_cpv([cpv_main], lots)),
        title=title,
        procedure_type=coded.procedure,
        lots=lots,
        # Section V of a modification restates the original award: not a new one.
        awards=() if kind == "modification" else awards(form, parts.awarded, parts.prizes, namespace, where, notice_id),
        modifications=changes,
        same_as=(f"ted:{notice_id}",),
    )


def _defence_notice(
    root: Any, form: Any, form_name: str, namespace: str, p: _Paths, coded: CodedData, where: str, notice_id: str,
    published: date, notice_type: str,
) -> Notice:
    """A defence form (F16-F19), which keeps its R2.0.8 structure inside R2.0.9 exports."""
    found = defence.read(form, form_name, namespace, where, notice_id)
    buyer = required(found.buyer, where, notice_id, defence.BUYER_FIELD, "contracting authority")
    cpv_main = found.cpv_main or cpv(text(p.original_cpv, root))
    return new_notice(
        notice_id=notice_id,
        format="ted-r209",
        notice_type=notice_type,
        subtype=found.form_code,
        kind=found.kind,
        published=published,
        buyer=buyer,
        cpv_main=cpv_main,
        cpv=unique([cpv_main, *found.cpv]),
        title=found.title,
        procedure_type=coded.procedure,
        lots=(),
        awards=found.awards,
        same_as=(f"ted:{notice_id}",),
    )


def _original_form(root: Any, p: _Paths, language: str | None) -> Any | None:
    forms = p.forms(root)
    for form in forms:
        if form.get("LG") == language:
            return form
    if forms:
        logger.debug("no form in the original language %s; taking the %s one", language, forms[0].get("LG"))
        return forms[0]
    return None


def _first_stripped(values: list[str]) -> str | None:
    """The first non-blank of ``values``, stripped (``text`` of a path ending in an attribute)."""
    for value in values:
        value = value.strip()
        if value:
            return value
    return None


def _lots(parts: FormParts, title: str | None, cpv_main: str | None) -> tuple[Lot, ...]:
    """The lots (``OBJECT_DESCR``); the main CPV applies to every lot, as R2.0.9 states it once.

    Each part is found for all lots at once (``FormParts``) and grouped by its ``OBJECT_DESCR``.
    """
    descriptions = parts.lots
    if len(descriptions) == 1:  # most notices: every part found is the one lot's, no grouping
        return (_single_lot(parts, title, cpv_main),)
    numbers: dict[Any, str | None] = {}  # plain loops: on Python 3.11 a comprehension makes a function and a frame
    for element in parts.lot_numbers:
        numbers[element.getparent()] = element_text(element)
    titles: dict[Any, str | None] = {}
    for element in parts.lot_titles:
        titles[element.getparent()] = _title(element)
    codes: dict[Any, list[str | None]] = {}
    for element in parts.lot_cpv:
        codes.setdefault(element.getparent().getparent(), []).append(cpv(element.get("CODE")))
    lots = []
    for position, description in enumerate(descriptions, start=1):
        lot_id = numbers.get(description) or (SINGLE_LOT if len(descriptions) == 1 else str(position))
        lots.append(
            new_lot(
                lot_id=lot_id,
                title=titles.get(description) or title,
                cpv=unique([cpv_main, *codes.get(description, ())]),
            )
        )
    return tuple(lots)


def _single_lot(parts: FormParts, title: str | None, cpv_main: str | None) -> Lot:
    """The lot of a form with one ``OBJECT_DESCR``, as ``_lots`` reads it (the last ``LOT_NO`` and ``TITLE`` count)."""
    numbers, titles = parts.lot_numbers, parts.lot_titles
    codes = [cpv_main]  # a plain loop: on Python 3.11 a generator expression makes a function and a frame
    for element in parts.lot_cpv:
        codes.append(cpv(element.get("CODE")))
    return new_lot(
        lot_id=(element_text(numbers[-1]) if numbers else None) or SINGLE_LOT,
        title=(_title(titles[-1]) if titles else None) or title,
        cpv=unique(codes),
    )


def _title(element: Any) -> str:
    return " ".join(" ".join(element.itertext()).split())
