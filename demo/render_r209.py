"""Renders the demo world's pre-eForms notices as legacy TED XML R2.0.9 ``TED_EXPORT`` documents.

Shaped like the real exports: coded data (OJ S reference, original CPV, codified procedure and
authority type), a short translation section, and one original-language form: F03_2014 for contract
award notices, F02_2014 for contract notices. Winners sit at AWARD_CONTRACT/AWARDED_CONTRACT/
CONTRACTORS/CONTRACTOR/ADDRESS_CONTRACTOR; joint winners are a group (AWARDED_TO_GROUP with several
contractors), countries are ISO alpha-2 with "UK" for Great Britain, the NUTS namespace and schema
version change in 2021 as they did on TED.
"""

from __future__ import annotations

from datetime import date, timedelta

from lxml import etree

from demo.render_eforms import (
    amount,
    company_id,
    conclusion_date,
    document,
    sub,
    tender_deadline,
    total_value,
)
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
_LINKS = ("XML_SCHEMA_DEFINITION_LINK", "OFFICIAL_FORMS_LINK", "FORMS_LABELS_LINK", "ORIGINAL_CPV_LINK",
          "ORIGINAL_NUTS_LINK")


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
    root = etree.Element(f"{{{TED_NS}}}TED_EXPORT",
                         nsmap={None: TED_NS, nuts_prefix: nuts_uri, "xlink": XLINK, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{TED_NS} TED_EXPORT.xsd")
    root.set("VERSION", _version(notice.published))
    root.set("DOC_ID", f"{serial:06d}-{year}")
    root.set("EDITION", f"{year}{issue:03d}")
    technical = sub(root, "TECHNICAL_SECTION")
    sub(technical, "RECEPTION_ID", f"{year % 100:02d}-{serial + 9_000 + issue * 7:06d}-001")
    sub(technical, "DELETION_DATE", _ymd(notice.published + timedelta(days=95)))
    sub(technical, "FORM_LG_LIST", "NL ")
    links = sub(root, "LINKS_SECTION")
    for link in _LINKS:
        element = sub(links, link)
        element.set(f"{{{XLINK}}}type", "simple")
        element.set(f"{{{XLINK}}}href", "https://ted.europa.eu")
    _coded_data(sub(root, "CODED_DATA_SECTION"), notice, buyer, nuts_prefix)
    _translations(sub(root, "TRANSLATION_SECTION"), notice, buyer)
    forms = sub(root, "FORM_SECTION")
    sub(forms, "NOTICE_UUID", notice.notice_uuid)
    form_name = "F03" if notice.kind == "can" else "F02"
    form = sub(forms, f"{form_name}_2014", CATEGORY="ORIGINAL", FORM=form_name, LG="NL")
    sub(form, "LEGAL_BASIS", VALUE="32014L0024")
    _contracting_body(form, notice, buyer, nuts_prefix)
    _object(form, notice, buyer, nuts_prefix)
    if notice.kind == "cn":
        sub(form, "LEFTI")
    _procedure(form, notice)
    if notice.kind == "can":
        for item, lot in enumerate((lot for lot in notice.lots if lot.winners), start=1):
            _award(form, item, notice, lot, world, nuts_prefix)
    _complementary(form, notice, buyer)
    return document(root, world.seed)


def _ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def _coded_data(section: etree._Element, notice: Publication, buyer: Buyer, nuts: str) -> None:
    serial, year = ted_number_parts(notice.ted_number or "")
    issue = oj_issue(notice.published)
    ref = sub(section, "REF_OJS")
    sub(ref, "COLL_OJ", "S")
    sub(ref, "NO_OJ", issue)
    sub(ref, "DATE_PUB", _ymd(notice.published))
    data = sub(section, "NOTICE_DATA")
    sub(data, "NO_DOC_OJS", f"{year}/S {issue:03d}-{serial:06d}")
    sub(sub(data, "URI_LIST"), "URI_DOC", f"https://ted.europa.eu/udl?uri=TED:NOTICE:{serial:06d}-{year}:TEXT:NL:HTML",
        LG="NL")
    sub(data, "LG_ORIG", "NL")
    sub(data, "ISO_COUNTRY", VALUE="NL")
    for code in notice.cpv:
        sub(data, "ORIGINAL_CPV", cpv_reference()[code].label_en, CODE=code)
    sub(data, f"{nuts}:PERFORMANCE_NUTS", NUTS_NAMES[buyer.nuts], CODE=buyer.nuts)
    sub(data, f"{nuts}:CA_CE_NUTS", NUTS_NAMES[buyer.nuts], CODE=buyer.nuts)
    total = total_value(notice)
    if notice.kind == "can" and total is not None:
        sub(sub(data, "VALUES"), "VALUE", amount(total), TYPE="PROCUREMENT_TOTAL", CURRENCY="EUR")
    codif = sub(section, "CODIF_DATA")
    sub(codif, "DS_DATE_DISPATCH", _ymd(notice.dispatched))
    if notice.kind == "cn":
        sub(codif, "DT_DATE_FOR_SUBMISSION", f"{_ymd(tender_deadline(notice))} 12:00")
    _, _, aa_code, aa_text, ma_code, ma_text = _AUTHORITY[buyer.kind]
    sub(codif, "AA_AUTHORITY_TYPE", aa_text, CODE=aa_code)
    if notice.kind == "can":
        sub(codif, "TD_DOCUMENT_TYPE", "Contract award notice", CODE="7")
    else:
        sub(codif, "TD_DOCUMENT_TYPE", "Contract notice", CODE="3")
    nature_code, nature_text, _ = _NATURE[CATEGORY_BY_KEY[notice.category].nature]
    sub(codif, "NC_CONTRACT_NATURE", nature_text, CODE=nature_code)
    _, proc_code, proc_text = _PROCEDURE[notice.procedure]
    sub(codif, "PR_PROC", proc_text, CODE=proc_code)
    sub(codif, "RP_REGULATION", "European Union, with participation by GPA countries", CODE="5")
    if notice.kind == "cn" and notice.lotted:
        sub(codif, "TY_TYPE_BID", "Submission for all lots", CODE="1")
    else:
        sub(codif, "TY_TYPE_BID", "Not applicable", CODE="9")
    sub(codif, "AC_AWARD_CRIT", "The most economic tender", CODE="2")
    sub(codif, "MA_MAIN_ACTIVITIES", ma_text, CODE=ma_code)
    sub(codif, "HEADING", "01C03" if notice.kind == "can" else "01B02")
    sub(codif, "INITIATOR", "01")


def _translations(section: etree._Element, notice: Publication, buyer: Buyer) -> None:
    titles = sub(section, "ML_TITLES")
    entry = cpv_reference()[notice.cpv_main]
    for language, country, label in (("EN", "Netherlands", entry.label_en), ("NL", "Nederland", entry.label_nl)):
        doc = sub(titles, "ML_TI_DOC", LG=language)
        sub(doc, "TI_CY", country)
        sub(doc, "TI_TOWN", buyer.town)
        sub(sub(doc, "TI_TEXT"), "P", label)
    sub(sub(section, "ML_AA_NAMES"), "AA_NAME", buyer.name, LG="NL")


def _address(parent: etree._Element, tag: str, name: str, national_id: str | None, town: str,
             postcode: str | None, country: str, nuts_prefix: str, nuts: str | None) -> None:
    address = sub(parent, tag)
    sub(address, "OFFICIALNAME", name)
    if national_id:
        sub(address, "NATIONALID", national_id)
    sub(address, "TOWN", town)
    if postcode:
        sub(address, "POSTAL_CODE", postcode)
    sub(address, "COUNTRY", VALUE=ted_country(country))
    if nuts:
        sub(address, f"{nuts_prefix}:NUTS", CODE=nuts)


def _contracting_body(form: etree._Element, notice: Publication, buyer: Buyer, nuts: str) -> None:
    body = sub(form, "CONTRACTING_BODY")
    _address(body, "ADDRESS_CONTRACTING_BODY", buyer.name, buyer.id, buyer.town, buyer.postcode, buyer.country,
             nuts, buyer.nuts)
    if notice.kind == "cn":
        sub(body, "DOCUMENT_FULL")
        sub(body, "URL_DOCUMENT", "https://www.tenderned.nl/aankondigingen/overzicht")
        sub(body, "ADDRESS_FURTHER_INFO_IDEM")
        sub(body, "ADDRESS_PARTICIPATION_IDEM")
    ca_type, ca_activity, *_ = _AUTHORITY[buyer.kind]
    sub(body, "CA_TYPE", VALUE=ca_type)
    sub(body, "CA_ACTIVITY", VALUE=ca_activity)


def _object(form: etree._Element, notice: Publication, buyer: Buyer, nuts: str) -> None:
    contract = sub(form, "OBJECT_CONTRACT")
    sub(sub(contract, "TITLE"), "P", notice.title)
    sub(contract, "REFERENCE_NUMBER", f"{notice.published.year}-{notice.key[1:]}")
    sub(sub(contract, "CPV_MAIN"), "CPV_CODE", CODE=notice.cpv_main)
    sub(contract, "TYPE_CONTRACT", CTYPE=_NATURE[CATEGORY_BY_KEY[notice.category].nature][2])
    sub(sub(contract, "SHORT_DESCR"), "P", notice.description)
    total = total_value(notice)
    if notice.kind == "can" and total is not None:
        sub(contract, "VAL_TOTAL", amount(total), CURRENCY="EUR")
    if notice.lotted:
        division = sub(contract, "LOT_DIVISION")
        if notice.kind == "cn":
            sub(division, "LOT_ALL")
    else:
        sub(contract, "NO_LOT_DIVISION")
    for item, lot in enumerate(notice.lots, start=1):
        descr = sub(contract, "OBJECT_DESCR", ITEM=item)
        if notice.lotted:
            sub(sub(descr, "TITLE"), "P", lot.title)
            sub(descr, "LOT_NO", lot.number)
        additional = lot.cpv[1:] if not notice.lotted else lot.cpv
        for code in additional:
            sub(sub(descr, "CPV_ADDITIONAL"), "CPV_CODE", CODE=code)
        sub(descr, f"{nuts}:NUTS", CODE=buyer.nuts)
        sub(sub(descr, "SHORT_DESCR"), "P", lot.title if notice.lotted else notice.description)
        sub(sub(descr, "AC"), "AC_PROCUREMENT_DOC")
        if notice.kind == "cn":
            sub(descr, "DURATION", 48, TYPE="MONTH")
            sub(descr, "NO_RENEWAL")
            sub(descr, "NO_ACCEPTED_VARIANTS")
        sub(descr, "NO_OPTIONS")
        sub(descr, "NO_EU_PROGR_RELATED")


def _procedure(form: etree._Element, notice: Publication) -> None:
    procedure = sub(form, "PROCEDURE")
    sub(procedure, _PROCEDURE[notice.procedure][0])
    if any(lot.framework for lot in notice.lots):
        sub(procedure, "FRAMEWORK")
    sub(procedure, "CONTRACT_COVERED_GPA")
    if notice.kind == "cn":
        deadline = tender_deadline(notice)
        sub(procedure, "DATE_RECEIPT_TENDERS", deadline.isoformat())
        sub(procedure, "TIME_RECEIPT_TENDERS", "12:00")
        sub(sub(procedure, "LANGUAGES"), "LANGUAGE", VALUE="NL")
        if notice.procedure == "open":
            opening = sub(procedure, "OPENING_CONDITION")
            sub(opening, "DATE_OPENING_TENDERS", deadline.isoformat())
            sub(opening, "TIME_OPENING_TENDERS", "12:30")


def _award(form: etree._Element, item: int, notice: Publication, lot: Lot, world: World, nuts: str) -> None:
    award = sub(form, "AWARD_CONTRACT", ITEM=item)
    sub(award, "CONTRACT_NO", item)
    if notice.lotted:
        sub(award, "LOT_NO", lot.number)
    sub(sub(award, "TITLE"), "P", lot.title)
    awarded = sub(award, "AWARDED_CONTRACT")
    sub(awarded, "DATE_CONCLUSION_CONTRACT", conclusion_date(notice).isoformat())
    if lot.tenders_received is not None:
        tenders = sub(awarded, "TENDERS")
        sub(tenders, "NB_TENDERS_RECEIVED", lot.tenders_received)
        sub(tenders, "NB_TENDERS_RECEIVED_EMEANS", lot.tenders_received)
    contractors = sub(awarded, "CONTRACTORS")
    sub(contractors, "AWARDED_TO_GROUP" if len(lot.winners) > 1 else "NO_AWARDED_TO_GROUP")
    for winner in lot.winners:
        _contractor(contractors, notice, world.supplier_by_id[winner], nuts)
    if lot.value is not None:
        sub(sub(awarded, "VALUES"), "VAL_TOTAL", amount(lot.value), CURRENCY="EUR")


def _contractor(contractors: etree._Element, notice: Publication, supplier: Supplier, nuts: str) -> None:
    contractor = sub(contractors, "CONTRACTOR")
    _address(contractor, "ADDRESS_CONTRACTOR", supplier.name, company_id(notice, supplier), supplier.town,
             supplier.postcode, supplier.country, nuts, supplier.nuts)
    sub(contractor, "SME" if supplier.size == "sme" else "NO_SME")


def _complementary(form: etree._Element, notice: Publication, buyer: Buyer) -> None:
    info = sub(form, "COMPLEMENTARY_INFO")
    if notice.kind == "cn":
        sub(info, "NO_RECURRENT_PROCUREMENT")
    court, town = review_body(REGION_BY_KEY[buyer.region])
    review = sub(info, "ADDRESS_REVIEW_BODY")
    sub(review, "OFFICIALNAME", court)
    sub(review, "TOWN", town)
    sub(review, "COUNTRY", VALUE="NL")
    sub(info, "DATE_DISPATCH_NOTICE", notice.dispatched.isoformat())

