"""eForms (UBL 2.3) notices -> ``Notice``.

Required, else ``MalformedNoticeError``: an identifier (the OJ S publication number, or the
notice's UUID for the unpublished SDK examples), the notice type, a date (publication date,
else issue date) and a named buyer. Everything else is optional and left empty when absent.

The buyer is the first ``cac:ContractingParty``; joint procurements name several, but the first
is the lead buyer the notice is filed under. Business registration notices (X01, X02) have no
buyer: their registered business stands in, so they are kept (kind "other") rather than lost.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from connectors.notice_xml.builders import new_lot, new_notice
from connectors.notice_xml.codes import eforms_kind
from connectors.notice_xml.eforms_awards import results
from connectors.notice_xml.eforms_modifications import modifications
from connectors.notice_xml.eforms_notice_parts import ExtensionParts, RootParts
from connectors.notice_xml.eforms_parties import Organisations, business_party
from connectors.notice_xml.namespaces import eforms_tag
from connectors.notice_xml.values import cpv, notice_date, notice_uuid, publication_number, unique, with_lot_cpv
from connectors.notice_xml.xpath import add_node_texts, child_text, element_text, first_node_text, in_language, required
from connectors.records import Lot, Notice, Party

logger: Final = logging.getLogger(__name__)

# The notice's own fields are read in one walk over the root's children and one over the extension's
# (eforms_notice_parts); the parts of a lot in one walk over its children and its project's (``_lot_parts``,
# ``_project_parts``).
_ID: Final = eforms_tag("cbc:ID")
_PROJECT: Final = eforms_tag("cac:ProcurementProject")
_NAME: Final = eforms_tag("cbc:Name")
_CODE: Final = eforms_tag("cbc:ItemClassificationCode")
_MAIN_CLASSIFICATION: Final = eforms_tag("cac:MainCommodityClassification")
_ADDITIONAL_CLASSIFICATION: Final = eforms_tag("cac:AdditionalCommodityClassification")

ID_FIELD: Final = "efac:Publication/efbc:NoticePublicationID | cbc:ID"
DATE_FIELD: Final = "efac:Publication/efbc:PublicationDate | cbc:IssueDate"
TYPE_FIELD: Final = "cbc:NoticeTypeCode"
BUYER_FIELD: Final = "cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID/text()"


def parse(root: Any, where: str) -> Notice:
    """The notice in ``root``, an element of ``namespaces.EFORMS_ROOT_TAGS``."""
    parts = RootParts(root)
    extension = parts.extension()
    found_in = ExtensionParts(extension)
    uuid = first_node_text(parts.ids)
    publication_id, publication_date = found_in.publication()
    published_id = None if extension is None else publication_number(publication_id)
    notice_id = required(published_id or uuid, where, None, ID_FIELD, "publication number nor notice id")

    type_code: Any = parts.type_code  # there: the notice type read from it is required
    notice_type = required(element_text(type_code), where, notice_id, TYPE_FIELD, "notice type")
    published = None if extension is None else notice_date(publication_date)
    published = required(published or notice_date(first_node_text(parts.issue_dates)), where, notice_id, DATE_FIELD, "date")

    language = first_node_text(parts.languages)
    organisations = Organisations(extension, language)
    project_names, main_code, additional_codes = _project_parts(parts.project)
    lots = _lots(parts.lots, language)
    cpv_main = cpv(main_code)
    kind = eforms_kind(notice_type, type_code.get("listName"))
    found = results(found_in.result, organisations, where, notice_id)
    # A modification notice restates the modified contract in its result: that is no new award, and
    # its tenders were already counted as bids by the award notice.
    modified = kind == "modification"
    changes = modifications(extension, found, organisations, language, where, notice_id) if modified else ()
    return new_notice(
        notice_id=notice_id,
        format="eforms",
        notice_type=notice_type,
        subtype=None if extension is None else found_in.subtype(),
        kind=kind,
        published=published,
        buyer=_buyer(root, parts.buyer_id(), organisations, language, where, notice_id),
        cpv_main=cpv_main,
        cpv=unique(with_lot_cpv([cpv_main, *map(cpv, additional_codes)], lots)),
        title=in_language(project_names, language),
        procedure_type=parts.procedure_type(),
        lots=lots,
        awards=() if modified else found.awards,
        bids=() if modified else found.bids,
        modifications=changes,
        # a change notice (BT-758) republishes the notice it changes, corrected: one notice in two versions
        same_as=_same_as(uuid, published_id, found_in.changed_notice() if kind != "other" else None),
    )


def _buyer(root: Any, buyer_id: str | None, organisations: Organisations, language: str | None, where: str,
           record: str) -> Party:
    if buyer_id is None:
        registered = business_party(root, language)
        return required(registered, where, record, BUYER_FIELD, "buyer")
    party: Party | None = organisations.party(buyer_id)
    if party is None:  # the field's path and the message are built only for the error
        field = f"efac:Organizations/efac:Organization/efac:Company[cac:PartyIdentification/cbc:ID='{buyer_id}']"
        return required(party, where, record, field, f"named buyer organisation {buyer_id}")
    return party


def _lots(elements: list[Any], language: str | None) -> tuple[Lot, ...]:
    lots = []
    for element in elements:
        id_element, project = _lot_parts(element)
        lot_id = element_text(id_element)
        if id_element is None or lot_id is None:
            logger.debug("cac:ProcurementProjectLot without cbc:ID skipped")
            continue
        if id_element.get("schemeName") == "LotsGroup":
            logger.debug("group of lots %s is not a lot: skipped", lot_id)
            continue
        names, main, additional = _project_parts(project)
        lots.append(
            new_lot(
                lot_id=lot_id,
                title=in_language(names, language),
                cpv=unique([cpv(main), *map(cpv, additional)]),
            )
        )
    return tuple(lots)


def _lot_parts(lot: Any) -> tuple[Any | None, Any | None]:
    """A lot's first ``cbc:ID`` and first ``cac:ProcurementProject``, in one walk over its children."""
    id_element = project = None
    for child in lot[:]:
        tag = child.tag  # read once: lxml builds the string on every read
        if tag == _ID:
            id_element = child if id_element is None else id_element
        elif tag == _PROJECT:
            project = child if project is None else project
    return id_element, project


def _project_parts(project: Any | None) -> tuple[list[Any], str | None, list[str]]:
    """(``cbc:Name`` elements, main CPV text, additional CPV texts) of a ``cac:ProcurementProject``: what
    the paths ``cac:ProcurementProject[1]/cbc:Name``, ``.../cac:MainCommodityClassification/cbc:ItemClassificationCode/text()``
    (first non-blank) and ``.../cac:AdditionalCommodityClassification/cbc:ItemClassificationCode/text()`` (all) give from
    its parent, in one walk over its children."""
    names: list[Any] = []
    main: str | None = None
    additional: list[str] = []
    if project is None:
        return names, main, additional
    for child in project[:]:
        tag = child.tag
        if tag == _NAME:
            names.append(child)
        elif tag == _MAIN_CLASSIFICATION:
            main = child_text(child, _CODE) if main is None else main
        elif tag == _ADDITIONAL_CLASSIFICATION:
            for code in child[:]:
                if code.tag == _CODE:
                    add_node_texts(additional, code)
    return names, main, additional


def _same_as(uuid: str | None, published_id: str | None, changed: str | None = None) -> tuple[str, ...]:
    """The notice's identifiers, and those of the earlier version a change notice names (``changed``): the store
    then counts one of the two, the newer (``store.notices.link_duplicates``). A corrigendum ("corr", kind "other")
    is left apart: it would otherwise stand in for the notice it corrects in every count."""
    ids = []
    if uuid:
        ids.append(f"eforms:{uuid}")
    if published_id:
        ids.append(f"ted:{published_id}")
    if changed:
        earlier_uuid = notice_uuid(changed)
        earlier_number = None if earlier_uuid else publication_number(changed)
        ids += [f"eforms:{earlier_uuid}"] if earlier_uuid else [f"ted:{earlier_number}"] if earlier_number else []
    return tuple(dict.fromkeys(ids))
