"""Renders the demo world's pre-eForms notices as legacy TED XML R2.0.9 ``TED_EXPORT`` documents.

Shaped like the real exports: coded data (OJ S reference, original CPV, codified procedure and
authority type), a short translation section, and one original-language form: F03_2014 for contract
award notices, F02_2014 for contract notices. Winners sit at AWARD_CONTRACT/AWARDED_CONTRACT/
CONTRACTORS/CONTRACTOR/ADDRESS_CONTRACTOR; joint winners are a group (AWARDED_TO_GROUP with several
contractors), countries are ISO alpha-2 with "UK" for Great Britain, the NUTS namespace and schema
version change in 2021 as they did on TED.

Written from templates like the eForms documents (:mod:`demo.render_xml`: why, and the escaping rule); each
function takes ``nl``, the newline and indentation of the elements it writes.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from demo.render_eforms import amount, company_id, conclusion_date, tender_deadline, total_value
from demo.render_xml import NL, TAB, attr, document, esc, wrap
from demo.world import (
    CATEGORY_BY_KEY,
    NUTS_NAMES,
    REGION_BY_KEY,
    Buyer,
    Lot,
    Publication,
    Supplier,
    World,
    cpv_reference,
    oj_issue,
    review_body,
    ted_number_parts,
)

TED_NS = "http://publications.europa.eu/resource/schema/ted/R2.0.9/publication"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

#: Authority type per kind of buyer: (CA_TYPE, CA_ACTIVITY, AA_AUTHORITY_TYPE code and text, MA code and text).
_AUTHORITY = {
    "municipality": ("REGIONAL_AUTHORITY", "GENERAL_PUBLIC_SERVICES", "3", "Regional or local authority", "S",
                     "General public services"),
    "province": ("REGIONAL_AUTHORITY", "GENERAL_PUBLIC_SERVICES", "3", "Regional or local authority", "S",
                 "General public services"),
    "water-board": ("REGIONAL_AUTHORITY", "ENVIRONMENT", "3", "Regional or local authority", "E", "Environment"),
    "agency": ("NATIONAL_AGENCY", "GENERAL_PUBLIC_SERVICES", "N", "National or federal agency/office", "S",
               "General public services"),
    "hospital": ("BODY_PUBLIC", "HEALTH", "6", "Body governed by public law", "H", "Health"),
    "university": ("BODY_PUBLIC", "EDUCATION", "6", "Body governed by public law", "L", "Education"),
}
_NATURE = {"works": ("1", "Works", "WORKS"), "supplies": ("2", "Supplies", "SUPPLIES"),
           "services": ("4", "Services", "SERVICES")}
_PROCEDURE = {"open": ("PT_OPEN", "1", "Open procedure"), "restricted": ("PT_RESTRICTED", "2", "Restricted procedure"),
              "neg-w-call": ("PT_COMPETITIVE_NEGOTIATION", "4", "Competitive procedure with negotiation"),
              "comp-dial": ("PT_COMPETITIVE_DIALOGUE", "C", "Competitive dialogue")}
_LINKS = "".join(f'{NL[2]}<{link} xlink:type="simple" xlink:href="https://ted.europa.eu"/>' for link in (
    "XML_SCHEMA_DEFINITION_LINK", "OFFICIAL_FORMS_LINK", "FORMS_LABELS_LINK", "ORIGINAL_CPV_LINK", "ORIGINAL_NUTS_LINK"))


def _nuts_namespace(day: date) -> tuple[str, str]:
    if day < date(2021, 3, 1):
        return "n2016", "http://publications.europa.eu/resource/schema/ted/2016/nuts"
    return "n2021", "http://publications.europa.eu/resource/schema/ted/2021/nuts"


def _version(day: date) -> str:
    return "R2.0.9.S03.E01" if day < date(2021, 3, 1) else ("R2.0.9.S04.E01" if day.year == 2021 else "R2.0.9.S05.E01")


def ted_country(country: str) -> str:
    """TED's legacy schema writes Great Britain as "UK"."""
    return "UK" if country == "GB" else country



def render_r209(notice: Publication, world: World) -> bytes:
    """The TED_EXPORT document TED serves for a notice published before the eForms switch."""
    assert notice.ted_number, "only notices published on TED have a legacy export"
    buyer = world.buyer_by_id[notice.buyer_id]
    serial, year = ted_number_parts(notice.ted_number)
    issue = oj_issue(notice.published)
    nuts_prefix, nuts_uri = _nuts_namespace(notice.published)
    root = (f' xmlns="{TED_NS}" xmlns:{nuts_prefix}="{nuts_uri}" xmlns:xlink="{XLINK}" xmlns:xsi="{XSI}"'
            f' xsi:schemaLocation="{TED_NS} TED_EXPORT.xsd" VERSION="{_version(notice.published)}"'
            f' DOC_ID="{serial:06d}-{year}" EDITION="{year}{issue:03d}"')
    n1, n2, n3 = NL[1], NL[2], NL[3]
    form_name = "F03" if notice.kind == "can" else "F02"
    form = f'{n3}<LEGAL_BASIS VALUE="32014L0024"/>'
    total = total_value(notice)  # stated twice: in the coded data and in the object
    form += _contracting_body(n3, notice, buyer, nuts_prefix) + _object(n3, notice, buyer, nuts_prefix, total)
    if notice.kind == "cn":
        form += f"{n3}<LEFTI/>"
    form += _procedure(n3, notice)
    if notice.kind == "can":
        signed = conclusion_date(notice).isoformat()  # every contract of the notice
        for item, lot in enumerate((lot for lot in notice.lots if lot.winners), start=1):
            form += _award(n3, item, notice, lot, world, nuts_prefix, signed)
    form += _complementary(n3, notice, buyer)
    body = (f"{n1}<TECHNICAL_SECTION>{n2}<RECEPTION_ID>{year % 100:02d}-{serial + 9_000 + issue * 7:06d}-001</RECEPTION_ID>"
            f"{n2}<DELETION_DATE>{_ymd(notice.published + timedelta(days=95))}</DELETION_DATE>"
            f"{n2}<FORM_LG_LIST>NL </FORM_LG_LIST>{n1}</TECHNICAL_SECTION>"
            f"{n1}<LINKS_SECTION>{_LINKS}{n1}</LINKS_SECTION>"
            f"{n1}<CODED_DATA_SECTION>{_coded_data(n2, notice, buyer, nuts_prefix, total)}{n1}</CODED_DATA_SECTION>"
            f"{n1}<TRANSLATION_SECTION>{_translations(n2, notice, buyer)}{n1}</TRANSLATION_SECTION>"
            f"{n1}<FORM_SECTION>{n2}<NOTICE_UUID>{esc(notice.notice_uuid)}</NOTICE_UUID>"
            f'{n2}<{form_name}_2014 CATEGORY="ORIGINAL" FORM="{form_name}" LG="NL">{form}{n2}</{form_name}_2014>'
            f"{n1}</FORM_SECTION>")
    return document("TED_EXPORT", root, body, world.seed)


def _ymd(day: date) -> str:
    """``day.strftime("%Y%m%d")`` for the world's years, at a fifth of its cost (three of these per legacy notice)."""
    return day.isoformat().replace("-", "")


def _coded_data(nl: str, notice: Publication, buyer: Buyer, nuts: str, total: Decimal | None) -> str:
    serial, year = ted_number_parts(notice.ted_number or "")
    issue = oj_issue(notice.published)
    c = nl + TAB
    reference = cpv_reference()
    area = esc(NUTS_NAMES[buyer.nuts])
    data = (f"{c}<NO_DOC_OJS>{year}/S {issue:03d}-{serial:06d}</NO_DOC_OJS>{c}<URI_LIST>"
            f'{c}\t<URI_DOC LG="NL">https://ted.europa.eu/udl?uri=TED:NOTICE:{serial:06d}-{year}:TEXT:NL:HTML</URI_DOC>'
            f'{c}</URI_LIST>{c}<LG_ORIG>NL</LG_ORIG>{c}<ISO_COUNTRY VALUE="NL"/>')
    data += "".join(f'{c}<ORIGINAL_CPV CODE="{attr(code)}">{esc(reference[code].label_en)}</ORIGINAL_CPV>' for code in notice.cpv)
    data += (f'{c}<{nuts}:PERFORMANCE_NUTS CODE="{attr(buyer.nuts)}">{area}</{nuts}:PERFORMANCE_NUTS>'
             f'{c}<{nuts}:CA_CE_NUTS CODE="{attr(buyer.nuts)}">{area}</{nuts}:CA_CE_NUTS>')
    if notice.kind == "can" and total is not None:
        data += f'{c}<VALUES>{c}\t<VALUE TYPE="PROCUREMENT_TOTAL" CURRENCY="EUR">{amount(total)}</VALUE>{c}</VALUES>'
    codif = f"{c}<DS_DATE_DISPATCH>{_ymd(notice.dispatched)}</DS_DATE_DISPATCH>"
    if notice.kind == "cn":
        codif += f"{c}<DT_DATE_FOR_SUBMISSION>{_ymd(tender_deadline(notice))} 12:00</DT_DATE_FOR_SUBMISSION>"
    _, _, aa_code, aa_text, ma_code, ma_text = _AUTHORITY[buyer.kind]
    nature_code, nature_text, _ = _NATURE[CATEGORY_BY_KEY[notice.category].nature]
    _, proc_code, proc_text = _PROCEDURE[notice.procedure]
    document_type = ('CODE="7">Contract award notice' if notice.kind == "can" else 'CODE="3">Contract notice')
    bid = ('CODE="1">Submission for all lots' if notice.kind == "cn" and notice.lotted else 'CODE="9">Not applicable')
    codif += (f'{c}<AA_AUTHORITY_TYPE CODE="{attr(aa_code)}">{esc(aa_text)}</AA_AUTHORITY_TYPE>'
              f"{c}<TD_DOCUMENT_TYPE {document_type}</TD_DOCUMENT_TYPE>"
              f'{c}<NC_CONTRACT_NATURE CODE="{attr(nature_code)}">{esc(nature_text)}</NC_CONTRACT_NATURE>'
              f'{c}<PR_PROC CODE="{attr(proc_code)}">{esc(proc_text)}</PR_PROC>'
              f'{c}<RP_REGULATION CODE="5">European Union, with participation by GPA countries</RP_REGULATION>'
              f"{c}<TY_TYPE_BID {bid}</TY_TYPE_BID>"
              f'{c}<AC_AWARD_CRIT CODE="2">The most economic tender</AC_AWARD_CRIT>'
              f'{c}<MA_MAIN_ACTIVITIES CODE="{attr(ma_code)}">{esc(ma_text)}</MA_MAIN_ACTIVITIES>'
              f"{c}<HEADING>{'01C03' if notice.kind == 'can' else '01B02'}</HEADING>{c}<INITIATOR>01</INITIATOR>")
    return (f"{nl}<REF_OJS>{c}<COLL_OJ>S</COLL_OJ>{c}<NO_OJ>{issue:d}</NO_OJ>{c}<DATE_PUB>{_ymd(notice.published)}</DATE_PUB>"
            f"{nl}</REF_OJS>{nl}<NOTICE_DATA>{data}{nl}</NOTICE_DATA>{nl}<CODIF_DATA>{codif}{nl}</CODIF_DATA>")


def _translations(nl: str, notice: Publication, buyer: Buyer) -> str:
    entry = cpv_reference()[notice.cpv_main]
    town = esc(buyer.town)
    titles = "".join(f'{nl}\t<ML_TI_DOC LG="{language}">{nl}\t\t<TI_CY>{country}</TI_CY>{nl}\t\t<TI_TOWN>{town}</TI_TOWN>'
                     f"{nl}\t\t<TI_TEXT>{nl}\t\t\t<P>{esc(label)}</P>{nl}\t\t</TI_TEXT>{nl}\t</ML_TI_DOC>"
                     for language, country, label in (("EN", "Netherlands", entry.label_en), ("NL", "Nederland", entry.label_nl)))
    return (f"{nl}<ML_TITLES>{titles}{nl}</ML_TITLES>"
            f'{nl}<ML_AA_NAMES>{nl}\t<AA_NAME LG="NL">{esc(buyer.name)}</AA_NAME>{nl}</ML_AA_NAMES>')


def _address(nl: str, tag: str, name: str, national_id: str | None, town: str, postcode: str | None, country: str,
             nuts_prefix: str, nuts: str | None) -> str:
    c = nl + TAB
    out = f"{nl}<{tag}>{c}<OFFICIALNAME>{esc(name)}</OFFICIALNAME>"
    if national_id:
        out += f"{c}<NATIONALID>{esc(national_id)}</NATIONALID>"
    out += f"{c}<TOWN>{esc(town)}</TOWN>"
    if postcode:
        out += f"{c}<POSTAL_CODE>{esc(postcode)}</POSTAL_CODE>"
    out += f'{c}<COUNTRY VALUE="{attr(ted_country(country))}"/>'
    if nuts:
        out += f'{c}<{nuts_prefix}:NUTS CODE="{attr(nuts)}"/>'
    return f"{out}{nl}</{tag}>"


def _contracting_body(nl: str, notice: Publication, buyer: Buyer, nuts: str) -> str:
    c = nl + TAB
    out = _address(c, "ADDRESS_CONTRACTING_BODY", buyer.name, buyer.id, buyer.town, buyer.postcode, buyer.country,
                   nuts, buyer.nuts)
    if notice.kind == "cn":
        out += (f"{c}<DOCUMENT_FULL/>{c}<URL_DOCUMENT>https://www.tenderned.nl/aankondigingen/overzicht</URL_DOCUMENT>"
                f"{c}<ADDRESS_FURTHER_INFO_IDEM/>{c}<ADDRESS_PARTICIPATION_IDEM/>")
    ca_type, ca_activity, *_ = _AUTHORITY[buyer.kind]
    return (f'{nl}<CONTRACTING_BODY>{out}{c}<CA_TYPE VALUE="{attr(ca_type)}"/>{c}<CA_ACTIVITY VALUE="{attr(ca_activity)}"/>'
            f"{nl}</CONTRACTING_BODY>")


def _object(nl: str, notice: Publication, buyer: Buyer, nuts: str, total: Decimal | None) -> str:
    c = nl + TAB
    out = (f"{c}<TITLE>{c}\t<P>{esc(notice.title)}</P>{c}</TITLE>"
           f"{c}<REFERENCE_NUMBER>{notice.published.year}-{esc(notice.key[1:])}</REFERENCE_NUMBER>"
           f'{c}<CPV_MAIN>{c}\t<CPV_CODE CODE="{attr(notice.cpv_main)}"/>{c}</CPV_MAIN>'
           f'{c}<TYPE_CONTRACT CTYPE="{attr(_NATURE[CATEGORY_BY_KEY[notice.category].nature][2])}"/>'
           f"{c}<SHORT_DESCR>{c}\t<P>{esc(notice.description)}</P>{c}</SHORT_DESCR>")
    if notice.kind == "can" and total is not None:
        out += f'{c}<VAL_TOTAL CURRENCY="EUR">{amount(total)}</VAL_TOTAL>'
    if notice.lotted:
        out += wrap(c, "LOT_DIVISION", f"{c}\t<LOT_ALL/>" if notice.kind == "cn" else "")
    else:
        out += f"{c}<NO_LOT_DIVISION/>"
    for item, lot in enumerate(notice.lots, start=1):
        out += _object_descr(c, item, notice, lot, buyer, nuts)
    return f"{nl}<OBJECT_CONTRACT>{out}{nl}</OBJECT_CONTRACT>"


def _object_descr(nl: str, item: int, notice: Publication, lot: Lot, buyer: Buyer, nuts: str) -> str:
    """One OBJECT_DESCR: a lot (or the whole contract when there are no lots)."""
    c = nl + TAB
    out = f"{c}<TITLE>{c}\t<P>{esc(lot.title)}</P>{c}</TITLE>{c}<LOT_NO>{lot.number:d}</LOT_NO>" if notice.lotted else ""
    additional = lot.cpv[1:] if not notice.lotted else lot.cpv
    out += "".join(f'{c}<CPV_ADDITIONAL>{c}\t<CPV_CODE CODE="{attr(code)}"/>{c}</CPV_ADDITIONAL>' for code in additional)
    out += (f'{c}<{nuts}:NUTS CODE="{attr(buyer.nuts)}"/>'
            f"{c}<SHORT_DESCR>{c}\t<P>{esc(lot.title if notice.lotted else notice.description)}</P>{c}</SHORT_DESCR>"
            f"{c}<AC>{c}\t<AC_PROCUREMENT_DOC/>{c}</AC>")
    if notice.kind == "cn":
        out += f'{c}<DURATION TYPE="MONTH">48</DURATION>{c}<NO_RENEWAL/>{c}<NO_ACCEPTED_VARIANTS/>'
    return f'{nl}<OBJECT_DESCR ITEM="{item:d}">{out}{c}<NO_OPTIONS/>{c}<NO_EU_PROGR_RELATED/>{nl}</OBJECT_DESCR>'


def _procedure(nl: str, notice: Publication) -> str:
    c = nl + TAB
    out = f"{c}<{_PROCEDURE[notice.procedure][0]}/>"
    if any(lot.framework for lot in notice.lots):
        out += f"{c}<FRAMEWORK/>"
    out += f"{c}<CONTRACT_COVERED_GPA/>"
    if notice.kind == "cn":
        deadline = tender_deadline(notice).isoformat()
        out += (f"{c}<DATE_RECEIPT_TENDERS>{deadline}</DATE_RECEIPT_TENDERS>{c}<TIME_RECEIPT_TENDERS>12:00</TIME_RECEIPT_TENDERS>"
                f'{c}<LANGUAGES>{c}\t<LANGUAGE VALUE="NL"/>{c}</LANGUAGES>')
        if notice.procedure == "open":
            out += (f"{c}<OPENING_CONDITION>{c}\t<DATE_OPENING_TENDERS>{deadline}</DATE_OPENING_TENDERS>"
                    f"{c}\t<TIME_OPENING_TENDERS>12:30</TIME_OPENING_TENDERS>{c}</OPENING_CONDITION>")
    return f"{nl}<PROCEDURE>{out}{nl}</PROCEDURE>"


def _award(nl: str, item: int, notice: Publication, lot: Lot, world: World, nuts: str, signed: str) -> str:
    """One AWARD_CONTRACT; ``signed``: the notice's conclusion date (ISO), the same for each of its contracts."""
    if lot.losers:  # the world lists them on eForms notices only (demo.world_tail): a mistake there, not here
        raise ValueError(f"{notice.key}: R2.0.9 cannot name the losing tenders of lot {lot.number}")
    c = nl + TAB
    a = c + TAB  # AWARDED_CONTRACT's children
    out = f"{c}<CONTRACT_NO>{item:d}</CONTRACT_NO>"
    if notice.lotted:
        out += f"{c}<LOT_NO>{lot.number:d}</LOT_NO>"
    out += (f"{c}<TITLE>{c}\t<P>{esc(lot.title)}</P>{c}</TITLE>"
            f"{c}<AWARDED_CONTRACT>{a}<DATE_CONCLUSION_CONTRACT>{signed}</DATE_CONCLUSION_CONTRACT>")
    if lot.tenders_received is not None:
        out += (f"{a}<TENDERS>{a}\t<NB_TENDERS_RECEIVED>{lot.tenders_received:d}</NB_TENDERS_RECEIVED>"
                f"{a}\t<NB_TENDERS_RECEIVED_EMEANS>{lot.tenders_received:d}</NB_TENDERS_RECEIVED_EMEANS>{a}</TENDERS>")
    out += f"{a}<CONTRACTORS>{a}\t<{'AWARDED_TO_GROUP' if len(lot.winners) > 1 else 'NO_AWARDED_TO_GROUP'}/>"
    out += "".join(_contractor(a + TAB, notice, world.supplier_by_id[winner], nuts) for winner in lot.winners)
    out += f"{a}</CONTRACTORS>"
    if lot.value is not None:
        out += f'{a}<VALUES>{a}\t<VAL_TOTAL CURRENCY="EUR">{amount(lot.value)}</VAL_TOTAL>{a}</VALUES>'
    return f'{nl}<AWARD_CONTRACT ITEM="{item:d}">{out}{c}</AWARDED_CONTRACT>{nl}</AWARD_CONTRACT>'


def _contractor(nl: str, notice: Publication, supplier: Supplier, nuts: str) -> str:
    address = _address(nl + TAB, "ADDRESS_CONTRACTOR", supplier.name, company_id(notice, supplier), supplier.town,
                       supplier.postcode, supplier.country, nuts, supplier.nuts)
    return f"{nl}<CONTRACTOR>{address}{nl}\t<{'SME' if supplier.size == 'sme' else 'NO_SME'}/>{nl}</CONTRACTOR>"


def _complementary(nl: str, notice: Publication, buyer: Buyer) -> str:
    c = nl + TAB
    court, town = review_body(REGION_BY_KEY[buyer.region])
    recurrent = f"{c}<NO_RECURRENT_PROCUREMENT/>" if notice.kind == "cn" else ""
    return (f"{nl}<COMPLEMENTARY_INFO>{recurrent}{c}<ADDRESS_REVIEW_BODY>{c}\t<OFFICIALNAME>{esc(court)}</OFFICIALNAME>"
            f'{c}\t<TOWN>{esc(town)}</TOWN>{c}\t<COUNTRY VALUE="NL"/>{c}</ADDRESS_REVIEW_BODY>'
            f"{c}<DATE_DISPATCH_NOTICE>{notice.dispatched.isoformat()}</DATE_DISPATCH_NOTICE>{nl}</COMPLEMENTARY_INFO>")
