"""The TED notice parsers on real notices (``fixtures/ted``, see its README) and on broken input.

Expected values were read from the XML files by hand; where a test needs a broken document it
is made here from a real one (truncated, buyer removed) or written inline (HTML, entity attacks).
"""

from __future__ import annotations

import re
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from connectors.errors import MalformedNoticeError, NotANoticeError, RecordError
from connectors.notice_xml import parse_file, parse_notice
from connectors.notice_xml.codes import country_alpha2, eforms_kind, r209_kind
from connectors.notice_xml.safe_xml import parse_xml
from connectors.notice_xml.values import cpv, notice_date, publication_number
from connectors.records import Notice, Party

TED = Path(__file__).parents[1] / "fixtures" / "ted"
SDK = TED / "eforms-sdk-examples"
PUBLISHED = TED / "eforms-published"
LEGACY = TED / "real-notices" / "ted-r209"
CONVERTED = TED / "real-notices" / "eforms"


def notice(path: Path) -> Notice:
    return parse_file(path)


def winner_names(n: Notice) -> list[list[str]]:
    return [[w.name for w in award.winners] for award in n.awards]


# --- every family parses into the right format, type and kind ---------------------------------


@pytest.mark.parametrize(
    ("path", "format_", "notice_type", "subtype", "kind"),
    [
        (SDK / "pin-only_24.xml", "eforms", "pin-only", "4", "planning"),
        (SDK / "pin-buyer_24_published.xml", "eforms", "pin-buyer", "1", "planning"),
        (SDK / "cn_24_multilingual.xml", "eforms", "cn-standard", "16", "competition"),
        (SDK / "can_24_maximal.xml", "eforms", "can-standard", "29", "award"),
        (SDK / "veat_24.xml", "eforms", "veat", "25", "award"),
        (SDK / "can-modif_24_value.xml", "eforms", "can-modif", "38", "modification"),
        (SDK / "E4_minimal.xml", "eforms", "can-standard", "E4", "award"),
        (SDK / "E5_minimal.xml", "eforms", "compl", "E5", "other"),
        (SDK / "X01_EEIG.xml", "eforms", "brin-eeig", "X01", "other"),
        (PUBLISHED / "st12_295399-2023.xml", "eforms", "pin-cfc-social", "12", "competition"),
        (PUBLISHED / "st16_158253-2023.xml", "eforms", "cn-standard", "16", "competition"),
        (LEGACY / "20-155018-001-EXP.xml", "ted-r209", "Prior information notice without call for competition", "F01", "planning"),
        (LEGACY / "21-064844-001-EXP.xml", "ted-r209", "Contract notice", "F02", "competition"),
        (LEGACY / "20-157399-001-EXP.xml", "ted-r209", "Contract award notice", "F03", "award"),
        (LEGACY / "18-412273-001-EXP.xml", "ted-r209", "Contract award notice", "F06", "award"),
        (LEGACY / "18-156915-001-EXP.xml", "ted-r209", "Results of design contests", "F13", "award"),
        (LEGACY / "23-119901-001-EXP.xml", "ted-r209", "Additional information", "F14", "other"),
        (LEGACY / "21-149886-001-EXP.xml", "ted-r209", "Voluntary ex ante transparency notice", "F15", "award"),
        (LEGACY / "21-205737-001-EXP.xml", "ted-r209", "Concession award notice", "F25", "award"),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else None,
)
def test_each_family_is_recognised(path: Path, format_: str, notice_type: str, subtype: str, kind: str) -> None:
    n = notice(path)
    assert (n.format, n.notice_type, n.subtype, n.kind) == (format_, notice_type, subtype, kind)


# --- legacy R2.0.9: real values ------------------------------------------------------------------


def test_legacy_f03_framework_with_four_contractors_and_no_awarded_value() -> None:
    n = notice(LEGACY / "20-157399-001-EXP.xml")
    assert n.notice_id == "154292-2020" and n.same_as == ("ted:154292-2020",)
    assert n.published == date(2020, 3, 31)
    assert n.buyer == Party("Kåfjord Kommune", "NO", "940 363 586", "Olderdalen", "9148")
    assert n.cpv_main == "90620000" and n.procedure_type == "Open procedure"
    assert winner_names(n) == [["Kurt Steinar Wiik"], ["Manndalen Maskin AS"], ["Myrvoll Maskin AS"], ["Traktor and Maskin"]]
    # Only VAL_ESTIMATED_TOTAL and VAL_RANGE_TOTAL are stated: no awarded value.
    assert {(a.lot, a.value, a.tenders_received) for a in n.awards} == {("1", None, 6)}


def test_legacy_f06_group_award_and_lots_not_awarded_left_out() -> None:
    n = notice(LEGACY / "18-412273-001-EXP.xml")
    assert (n.notice_id, n.published, n.buyer.name, n.buyer.town) == ("404080-2018", date(2018, 9, 15), "CAPL", "Cannes Cedex")
    assert [lot.lot_id for lot in n.lots] == ["1", "2", "3", "4", "5"]
    assert n.lots[1].title == "Élargissement Ouvrage d'Art (OA) sur la Siagne"
    assert n.lots[0].cpv == ("45234116", "45233200", "44113320", "45232410")
    assert n.cpv[0] == "45234116" and len(n.cpv) == len(set(n.cpv)) == 15
    first, second, third = n.awards  # five AWARD_CONTRACT, two of them NO_AWARDED_CONTRACT
    assert [w.name for w in first.winners] == ["Eiffage route mediterranée (mandataire)", "Gagneraud Construction (cotraitant)"]
    assert first.winners[0].company_id == "39876221100298"
    assert (first.lot, first.value, first.currency, first.tenders_received) == ("1", Decimal("4625137.40"), "EUR", 5)
    assert (second.lot, second.value, second.tenders_received) == ("2", Decimal("535873.21"), 3)
    assert (third.lot, third.winners[0].name, third.value) == ("3", "Paysages méditerranéens", Decimal("369648.37"))


def test_legacy_f15_veat_in_french() -> None:
    n = notice(LEGACY / "21-149886-001-EXP.xml")
    assert (n.notice_id, n.published, n.buyer.name) == ("147836-2021", date(2021, 3, 24), "GHR Mulhouse Sud Alsace")
    assert n.procedure_type == "Contract award without prior publication"
    [award] = n.awards
    assert award.winners == (Party("Télécom services", "FR", None, "Nanterre", "92752"),)
    assert (award.value, award.currency, award.tenders_received) == (Decimal("3000000"), "EUR", None)


def test_legacy_f15_four_lots_each_awarded() -> None:
    n = notice(LEGACY / "22-023722-001-EXP.xml")
    assert (n.notice_id, n.buyer.name, n.buyer.country) == ("28132-2022", "Tourism Northern Ireland", "GB")
    assert [(a.lot, a.winners[0].name, a.value, a.currency) for a in n.awards] == [
        ("1", "TRAMWAY INVESTMENT HOLDINGS LIMITED", Decimal("6000000.00"), "GBP"),
        ("2", "LOUD MOUTH MEDIA LTD", Decimal("4500000.00"), "GBP"),
        ("3", "MAMMOTH DESIGN CONSULTANTS LTD", Decimal("9000000.00"), "GBP"),
        ("4", "TRAMWAY INVESTMENT HOLDINGS LIMITED", Decimal("12000000.00"), "GBP"),
    ]
    assert n.awards[0].winners[0].country == "IE"


def test_legacy_f25_uk_becomes_gb() -> None:
    n = notice(LEGACY / "21-205737-001-EXP.xml")
    assert (n.notice_id, n.buyer.name, n.buyer.country) == ("204820-2021", "Network Rail Infrastructure Ltd", "GB")
    [award] = n.awards
    assert award.winners == (Party("Cellnex UK Ltd", "GB", None, "London", "EC2M 1NH"),)
    assert (award.value, award.currency, award.tenders_received) == (Decimal("118114040.00"), "GBP", 3)


def test_legacy_dutch_contract_notice() -> None:
    n = notice(LEGACY / "21-064844-001-EXP.xml")
    assert n.notice_id == "67028-2021" and n.published == date(2021, 2, 9)
    assert n.buyer == Party("Stichting Regionaal Inkoopbureau IJmond & Kennemerland", "NL", "262273306", "Heemstede", "2101 HA")
    assert n.title == "Raamovereenkomst onderhoud openbare verlichting gemeenten Bloemendaal en Heemstede"
    assert (n.cpv_main, n.cpv) == ("50232100", ("50232100",))
    assert [(lot.lot_id, lot.cpv) for lot in n.lots] == [("1", ("50232100",))]
    assert n.awards == ()


def test_legacy_f13_prize_in_older_namespace() -> None:
    n = notice(LEGACY / "18-156915-001-EXP.xml")  # xmlns="ted/R2.0.9.S02/publication"
    assert (n.notice_id, n.buyer.name, n.published) == ("155778-2018", "Stadt Weißenfels", date(2018, 4, 11))
    [award] = n.awards
    assert [w.name for w in award.winners] == [
        "2. Preis: lohrer.hochrein.landschaftsarchitekten und stadtplaner Gmbh",
        "2. Preis: planerzirkel h.g.kleymann",
    ]
    assert (award.value, award.currency, award.tenders_received) == (Decimal("31932.77"), "EUR", 16)


def test_legacy_export_without_namespace_is_read_by_its_version() -> None:
    data = (LEGACY / "21-149886-001-EXP.xml").read_bytes()
    data = re.sub(rb'\sxmlns="[^"]+"', b"", data, count=1)  # VERSION="R2.0.9.S04.E01" stays
    n = parse_notice(data, where="no-namespace.xml")
    assert (n.notice_id, n.awards[0].winners[0].name) == ("147836-2021", "Télécom services")


def test_skipped_parts_are_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("DEBUG", logger="connectors.notice_xml"):
        notice(SDK / "can_24_maximal.xml")
        notice(LEGACY / "18-412273-001-EXP.xml")
    messages = " ".join(record.getMessage() for record in caplog.records)
    assert "LOT-0002 with result code clos-nw: no award" in messages
    assert "not awarded" in messages


def test_legacy_original_language_form_is_read() -> None:
    n = notice(LEGACY / "21-000934-001-EXP.xml")  # 24 language versions; LG_ORIG EN, the third one
    assert n.notice_id == "8689-2021"  # DOC_ID "008689-2021"
    assert n.buyer.name == "European Commission, Directorate General Environment"
    assert n.title == "Assessment Support of Draft cap Strategic Plans with Respect to Environmental Requirements"
    [award] = n.awards
    assert [w.name for w in award.winners] == ["Ecorys Europe EEIG-GEIE", "Ecologics Institute GmbH", "Milieu Consulting SPRL"]
    assert (award.value, award.currency, award.tenders_received) == (Decimal("1490000.00"), "EUR", 1)
    # Two forms marked ORIGINAL (FR and DE): LG_ORIG decides.
    assert notice(LEGACY / "20-162034-001-EXP.xml").title == "Testeur de radiocommunication LTE pour 3.9G et 4.xG"


def test_legacy_discontinued_award_notice_has_no_award() -> None:
    n = notice(LEGACY / "21-364240-001-EXP.xml")
    assert (n.kind, n.buyer.name, n.awards) == ("award", "Uppsala kommun", ())


# --- eForms: real values -------------------------------------------------------------------------


def test_eforms_published_notice() -> None:
    n = notice(PUBLISHED / "st12_295399-2023.xml")
    assert n.notice_id == "295399-2023"  # "00295399-2023"
    assert n.same_as == ("eforms:5fd2d2cf-c1e9-46aa-89bd-0f08150bee7a", "ted:295399-2023")
    assert n.published == date(2023, 5, 17)  # PublicationDate, not IssueDate 2023-05-16
    assert n.buyer == Party("Tallinna 21. Kool", "EE", "75017644", "Tallinn", "10124")
    assert (n.cpv_main, n.title, n.procedure_type) == ("55520000", "21. Kooli toitlustushange", "oth-single")


def test_eforms_dutch_buyer() -> None:
    n = notice(PUBLISHED / "st10_649921-2023.xml")
    assert (n.notice_id, n.published) == ("649921-2023", date(2023, 10, 25))
    assert n.buyer == Party("politie", "NL", "57096317", "'s-Gravenhage", "2514BP")
    assert n.cpv == ("85121100", "85100000", "85141000", "85141200")
    assert notice(PUBLISHED / "st11_671881-2023.xml").buyer.name == "TenneT TSO B.V."


def test_eforms_award_with_consortium_and_lot_without_winner() -> None:
    n = notice(SDK / "can_24_maximal.xml")
    assert n.notice_id == "15377ca1-6cf7-4060-90f0-9290128957a3"  # no publication number: the UUID
    assert n.same_as == ("eforms:15377ca1-6cf7-4060-90f0-9290128957a3",)
    assert n.published == date(2023, 4, 23)
    assert n.buyer == Party("Financial Adinistration for ...", "LU", "998298", "Luxembourg", "1234")
    assert n.cpv == ("79710000", "79720000", "75121000", "33185200")
    assert [lot.lot_id for lot in n.lots] == ["LOT-0001", "LOT-0002"]
    consortium, other = n.awards  # LOT-0002 is "clos-nw": no award
    assert {consortium.lot, other.lot} == {"LOT-0001"}
    assert consortium.winners == (
        Party("Gyro Soft SA", "LU", "927384203", "Luxembourg", "8754"),
        Party("The best App Ltd.", "DE", "928374653", "Frankfurt", "73846"),
    )
    assert (consortium.value, consortium.currency, consortium.tenders_received) == (Decimal("9999999.99"), "EUR", 9)
    assert [w.name for w in other.winners] == ["Competitor"]


def test_eforms_veat_takes_the_notice_value_when_the_tender_has_none() -> None:
    n = notice(SDK / "veat_24.xml")
    [award] = n.awards
    assert [w.name for w in award.winners] == ["Direct Healthcare Services Ltd", "Harvest Healthcare Ltd", "Invacare Ltd"]
    assert (award.lot, award.value, award.currency) == ("LOT-0000", Decimal("350000"), "EUR")


def test_eforms_veat_reaches_the_tender_through_the_settled_contract() -> None:
    n = notice(SDK / "veat_81.xml")
    [award] = n.awards  # both lot results name CON-0001, whose tender is for LOT-0001 only
    assert (award.lot, award.winners[0].name, award.winners[0].town) == ("LOT-0001", "New Org", "Patra")


def test_eforms_veat_without_lot_result_counts_the_settled_contracts() -> None:
    [award] = notice(SDK / "veat_23.xml").awards
    assert award.winners == (Party("Stadtwerke Neckargemünd GmbH", "DE", None, "Neckargemünd", "69151"),)
    assert (award.lot, award.value, award.currency) == ("LOT-0000", Decimal("10000"), "EUR")


def test_eforms_contract_modification() -> None:
    n = notice(SDK / "can-modif_24_value.xml")
    assert (n.kind, n.buyer.name) == ("modification", "London South Bank University")
    assert n.awards == () and n.bids == ()  # the modified contract restated in the result is no new award
    [change] = n.modifications
    assert (change.original_notice, change.contract_id, change.lot) == ("342558-2018", "CON-0001", "LOT-0000")
    assert ([c.name for c in change.contractors], change.value_after, change.currency) == (["PwC UK LLP"], Decimal("6430000"), "GBP")
    assert change.reason.startswith("add-wss: The original business case") and change.description == "Increase in framework value"


def test_eforms_without_winner_has_no_award() -> None:
    assert notice(SDK / "can_24_no_tenders.xml").awards == ()


def test_eforms_names_in_the_notice_language() -> None:
    n = notice(SDK / "cn_24_multilingual.xml")  # every name in 24 languages, notice language ENG
    assert n.title == "Provision of IT Services Related to OP IT Systems (EUR-Lex, N-Lex, Search Layer, and Others)"
    assert n.buyer.name == "Publications Office of the European Union"


def test_eforms_sdk_example_with_publication_number() -> None:
    n = notice(SDK / "pin-buyer_24_published.xml")
    assert (n.notice_id, n.published) == ("12345678-2025", date(2025, 5, 22))
    assert n.same_as == ("eforms:e5dc3c2b-3df5-45e0-af7f-399ca201d7e0", "ted:12345678-2025")


def test_eforms_national_and_business_registration_forms() -> None:
    e4 = notice(SDK / "E4_minimal.xml")
    assert [(a.lot, [w.name for w in a.winners]) for a in e4.awards] == [("LOT-0001", ["Société Espaces Verts"])]
    x01 = notice(SDK / "X01_EEIG.xml")  # no buyer: the registered grouping stands in
    assert x01.buyer == Party("ABC Grouping", "GB", "EU 123 456 7890", "Hornfrestone", "HRN765Z")
    assert (x01.published, x01.lots, x01.awards) == (date(2020, 11, 26), (), ())


@pytest.mark.parametrize("name", ["20-157399-001-EXP.xml", "21-149886-001-EXP.xml", "21-205737-001-EXP.xml"])
def test_both_formats_give_the_same_awards_for_the_same_notice(name: str) -> None:
    legacy, converted = notice(LEGACY / name), notice(CONVERTED / name)
    assert (converted.notice_id, converted.published, converted.buyer) == (legacy.notice_id, legacy.published, legacy.buyer)

    def key(n: Notice) -> list[tuple]:
        return sorted((tuple(w.name for w in a.winners), a.value, a.currency, a.tenders_received) for a in n.awards)

    assert key(converted) == key(legacy) and legacy.awards


# --- errors ---------------------------------------------------------------------------------------


def one_line(error: RecordError) -> str:
    message = str(error)
    assert "\n" not in message
    return message


def test_invalid_sdk_example_names_file_and_field() -> None:
    path = SDK / "INVALID_cn_24_empty.xml"
    with pytest.raises(MalformedNoticeError) as caught:
        parse_file(path)
    message = one_line(caught.value)
    assert str(path) in message and "cbc:ID" in message and caught.value.field


def test_invalid_sdk_example_without_buyer() -> None:
    data = (SDK / "INVALID_pin-only_24_minimal.xml").read_bytes().replace(b"<cbc:ID></cbc:ID>", b"<cbc:ID>x-1</cbc:ID>")
    with pytest.raises(MalformedNoticeError) as caught:
        parse_notice(data, where="INVALID_pin-only_24_minimal.xml")
    assert caught.value.record == "x-1"
    assert caught.value.field == "cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID/text()"
    assert "INVALID_pin-only_24_minimal.xml" in one_line(caught.value)


def test_truncated_file_is_malformed_and_names_the_unclosed_element() -> None:
    data = (SDK / "can_24_maximal.xml").read_bytes()
    cut = data.index(b"</cbc:CompanyID>")  # inside a <cbc:CompanyID>
    with pytest.raises(MalformedNoticeError) as caught:
        parse_notice(data[:cut], where="truncated.xml")
    message = one_line(caught.value)
    assert message.startswith("truncated.xml") and "not well-formed" in message
    assert caught.value.field == "CompanyID"


def test_truncated_legacy_file_still_names_the_notice() -> None:
    data = (LEGACY / "20-157399-001-EXP.xml").read_bytes()
    with pytest.raises(MalformedNoticeError) as caught:
        parse_notice(data[: len(data) // 2], where="half.xml")
    assert caught.value.record == "154292-2020" and "half.xml" in one_line(caught.value)


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>TED</title></head><body><p>Maintenance<br></body></html>",
        b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>Not found</p></body></html>',
    ],
    ids=["html", "xhtml"],
)
def test_an_html_page_is_not_a_notice(page: bytes) -> None:
    with pytest.raises(NotANoticeError) as caught:
        parse_notice(page, where="https://ted.europa.eu/en/notice/1-2024/xml")
    message = one_line(caught.value)
    assert message.startswith("https://ted.europa.eu/en/notice/1-2024/xml") and "html" in message


def test_other_xml_is_not_a_notice_and_names_its_root() -> None:
    invoice = b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>'
    with pytest.raises(NotANoticeError) as caught:
        parse_notice(invoice, where="invoice.xml")
    assert caught.value.field == "Invoice" and "invoice.xml" in one_line(caught.value)


def test_a_ted_export_of_another_schema_is_not_parsed() -> None:
    old = b'<TED_EXPORT xmlns="http://publications.europa.eu/TED_schema/Export" VERSION="R2.0.8.S02.E01"/>'
    with pytest.raises(NotANoticeError, match="only R2.0.9"):
        parse_notice(old, where="old.xml")


def test_legacy_notice_without_contracting_body() -> None:
    data = (LEGACY / "21-064844-001-EXP.xml").read_bytes()
    data = re.sub(rb"<ADDRESS_CONTRACTING_BODY>.*?</ADDRESS_CONTRACTING_BODY>", b"", data, flags=re.S)
    with pytest.raises(MalformedNoticeError) as caught:
        parse_notice(data, where="21-064844-001-EXP.xml")
    assert caught.value.record == "67028-2021"
    assert caught.value.field == "CONTRACTING_BODY/ADDRESS_CONTRACTING_BODY/OFFICIALNAME"
    assert "21-064844-001-EXP.xml" in one_line(caught.value)


def test_eforms_notice_whose_buyer_organisation_is_missing() -> None:
    data = (PUBLISHED / "st12_295399-2023.xml").read_bytes()
    data = re.sub(rb"<efac:Organization>.*?</efac:Organization>", b"", data, count=1, flags=re.S)  # ORG-0001
    with pytest.raises(MalformedNoticeError) as caught:
        parse_notice(data, where="st12.xml")
    assert caught.value.record == "295399-2023" and "ORG-0001" in caught.value.field


def test_notice_without_publication_date() -> None:
    data = re.sub(rb"<DATE_PUB>\d+</DATE_PUB>", b"", (LEGACY / "20-155018-001-EXP.xml").read_bytes())
    with pytest.raises(MalformedNoticeError) as caught:
        parse_notice(data, where="pin.xml")
    assert caught.value.field == "CODED_DATA_SECTION/REF_OJS/DATE_PUB"


# --- safe parsing -----------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""


def test_billion_laughs_is_refused_without_expanding() -> None:
    started = time.perf_counter()
    with pytest.raises(MalformedNoticeError, match="amplification"):
        parse_notice(BILLION_LAUGHS, where="lolz.xml")
    assert time.perf_counter() - started < 1.0


def test_external_entity_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    for target in ("file:///etc/passwd", secret.as_uri()):
        data = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{target}">]><r>a&x;b</r>'.encode()
        root = parse_xml(data, "xxe.xml")
        assert root.xpath("string()") == "ab"


def test_internal_entities_are_dropped_not_expanded() -> None:
    data = b'<!DOCTYPE r [<!ENTITY a "EXPANDED"><!ENTITY b "&a;&a;&a;">]><r>x&b;y<c>&a;</c>z</r>'
    root = parse_xml(data, "entities.xml")
    assert root.xpath("string()") == "xyz" and b"EXPANDED" not in etree.tostring(root)


def test_entities_in_a_notice_field_are_not_expanded() -> None:
    data = (LEGACY / "21-064844-001-EXP.xml").read_bytes()
    data = data.replace(b"<TED_EXPORT", b'<!DOCTYPE TED_EXPORT [<!ENTITY big "HUGE-HUGE-HUGE">]>\n<TED_EXPORT', 1)
    data = data.replace(b"<OFFICIALNAME>Stichting", b"<OFFICIALNAME>&big;Stichting", 1)
    buyer = parse_notice(data, where="entity.xml").buyer
    assert buyer.name == "Stichting Regionaal Inkoopbureau IJmond & Kennemerland"


# --- code lists and values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "alpha2"),
    [("NLD", "NL"), ("GRC", "GR"), ("GBR", "GB"), ("UK", "GB"), ("EL", "GR"), ("nl", "NL"), ("1A0", "XK"), ("ZZZ", "ZZZ"),
     ("", None), (None, None)],
)
def test_country_codes(code: str | None, alpha2: str | None) -> None:
    assert country_alpha2(code) == alpha2


def test_kind_mappings_fall_back_to_other() -> None:
    assert eforms_kind("some-new-type", "result") == "award"
    assert eforms_kind("some-new-type", None) == "other"
    assert r209_kind("F01", "PRI_CALL_COMPETITION") == "competition"
    assert r209_kind("F21", "AWARD_CONTRACT") == "award"
    assert r209_kind("F20", None) == "modification"
    assert r209_kind("F99", None) == "other"


def test_values() -> None:
    assert publication_number("00353237-2021") == "353237-2021"
    assert publication_number("2021/S 006-008689") == "8689-2021"
    assert publication_number("not a number") is None
    assert cpv("45000000-7") == "45000000" and cpv("4500") is None
    assert notice_date("2023-05-16+03:00") == date(2023, 5, 16)
    assert notice_date("2023-05-17Z") == notice_date("20230517") == date(2023, 5, 17)
    assert notice_date("2023-02-30") is None


def test_a_change_notice_is_one_notice_with_the_version_it_changes() -> None:
    """BT-758 names the changed notice by publication number (as TED publishes) or by notice id and version (as the
    SDK's example does); the store then counts the newer of the two (``store.notices.link_duplicates``)."""
    published = notice(PUBLISHED / "st19_368245-2023.xml")
    assert published.same_as == ("eforms:7f55a23d-985b-408c-8763-a6d88bc8bfff", "ted:368245-2023", "ted:259785-2023")
    example = notice(SDK / "change-cn_24_cumbria_suppliers.xml")
    assert example.same_as == ("eforms:92521e66-3cd5-4a5f-bea1-51991d5871ea", "eforms:6bc75979-ce6c-46eb-81a6-eee543697dec")
    # a corrigendum ("corr", kind "other") is not the notice it corrects: it must not stand in for it in counts
    corrigendum = notice(PUBLISHED / "st23_775348-2023.xml")
    assert corrigendum.kind == "other" and "ted:422781-2023" not in corrigendum.same_as
