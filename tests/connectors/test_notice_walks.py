"""The child walks and unions that replaced XPath calls in the notice parsers read exactly what those XPaths read.

Each case builds an element where the XPath and a naive walk would differ (comments and processing
instructions between text nodes, a blank first match, a second ``cac:PostalAddress``, a tender with two
ids or two monetary totals) and compares the walk with the XPath it replaced, evaluated here.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from connectors.notice_xml.eforms_notice_parts import ExtensionParts, RootParts
from connectors.notice_xml.eforms_parties import Organisations
from connectors.notice_xml.eforms_result_parts import LotResultParts, ResultParts
from connectors.notice_xml.namespaces import EFORMS_NS
from connectors.notice_xml.safe_xml import parse_xml
from connectors.notice_xml.ted_r209_parts import CodedData, FormParts
from connectors.notice_xml.values import count, cpv, notice_date, publication_number
from connectors.notice_xml.xpath import add_node_texts, child_text, compiler, first_node_text, node_text, prefixed_compiler, text, texts

_x = compiler(EFORMS_NS)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ted"
NS = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in EFORMS_NS.items())


def xml(body: str) -> etree._Element:
    return parse_xml(f"<efext:EformsExtension {NS}>{body}</efext:EformsExtension>".encode(), "test")


@pytest.mark.parametrize(
    "content",
    [
        "TEN-1",
        "  ",
        "",
        "<!-- c -->TEN-1",
        " <!-- c --> <?pi x?> TEN-1 <!-- d -->TEN-2",
        "<![CDATA[TEN-]]>1",
        "A<cbc:Note>inner</cbc:Note>B",
        " <cbc:Note>inner</cbc:Note> ",
    ],
)
def test_node_text_reads_the_text_nodes_xpath_reads(content: str) -> None:
    root = xml(f"<cbc:ID>{content}</cbc:ID><cbc:ID>second</cbc:ID>")
    first_id = root[0]
    assert node_text(first_id) == text(_x("text()"), first_id)
    found: list[str] = []
    add_node_texts(found, first_id)
    assert found == texts(_x("text()"), first_id)
    assert child_text(root, first_id.tag) == text(_x("cbc:ID/text()"), root)


def test_company_parts_come_from_its_first_address_and_first_non_blank_legal_id() -> None:
    root = xml(
        "<efac:Organizations><efac:Organization><efac:Company>"
        "<cac:PartyIdentification><cbc:ID>ORG-1</cbc:ID></cac:PartyIdentification>"
        "<cac:PartyName><cbc:Name languageID='ENG'>Acme</cbc:Name></cac:PartyName>"
        "<cac:PartyName><cbc:Name languageID='NLD'>Acme NL</cbc:Name></cac:PartyName>"
        "<cac:PartyLegalEntity><cbc:CompanyID> </cbc:CompanyID></cac:PartyLegalEntity>"
        "<cac:PartyLegalEntity><cbc:CompanyID>123</cbc:CompanyID></cac:PartyLegalEntity>"
        "<cac:PostalAddress><cbc:CityName> </cbc:CityName><cbc:CityName>Delft</cbc:CityName>"
        "<cac:Country><cbc:IdentificationCode>NLD</cbc:IdentificationCode></cac:Country></cac:PostalAddress>"
        "<cac:PostalAddress><cbc:CityName>Elsewhere</cbc:CityName><cbc:PostalZone>9999</cbc:PostalZone>"
        "</cac:PostalAddress>"
        "</efac:Company></efac:Organization></efac:Organizations>"
    )
    party = Organisations(root, "NLD").party("ORG-1")
    assert party is not None
    assert (party.name, party.company_id, party.town, party.postcode, party.country) == ("Acme NL", "123", "Delft", None, "NL")


def test_result_parts_match_the_paths_they_replace() -> None:
    root = xml(
        "<efac:NoticeResult><cbc:TotalAmount currencyID='EUR'>10</cbc:TotalAmount>"
        "<efac:LotTender><cbc:ID>TEN-1</cbc:ID><cbc:ID>TEN-1b</cbc:ID><cbc:RankCode>2</cbc:RankCode>"
        "<cac:LegalMonetaryTotal/><cac:LegalMonetaryTotal><cbc:PayableAmount currencyID='eur'>5.5</cbc:PayableAmount>"
        "</cac:LegalMonetaryTotal><efac:TenderingParty><cbc:ID>TPA-1</cbc:ID></efac:TenderingParty>"
        "<efac:TenderLot><cbc:ID schemeName='LotsGroup'>GLO-1</cbc:ID></efac:TenderLot></efac:LotTender>"
        "<efac:LotTender><cbc:ID>TEN-1</cbc:ID><cbc:RankCode>1</cbc:RankCode></efac:LotTender>"
        "<efac:SettledContract><cbc:ID>CON-1</cbc:ID><efac:LotTender><cbc:ID>TEN-1</cbc:ID></efac:LotTender>"
        "<efac:LotTender><cbc:ID> </cbc:ID></efac:LotTender></efac:SettledContract>"
        "<efac:TenderingParty><cbc:ID>TPA-1</cbc:ID><efac:Tenderer><cbc:ID>ORG-1</cbc:ID></efac:Tenderer>"
        "<efac:Tenderer><cbc:ID>ORG-2</cbc:ID></efac:Tenderer></efac:TenderingParty>"
        "<efac:LotResult><efac:TenderLot><cbc:ID> </cbc:ID></efac:TenderLot><efac:TenderLot><cbc:ID>LOT-1</cbc:ID>"
        "</efac:TenderLot><cbc:TenderResultCode>selec-w</cbc:TenderResultCode>"
        "<efac:LotTender><cbc:ID>TEN-1</cbc:ID></efac:LotTender><efac:LotTender><cbc:ID>TEN-2</cbc:ID></efac:LotTender>"
        "<efac:ReceivedSubmissionsStatistics><efbc:StatisticsCode>t-sme</efbc:StatisticsCode>"
        "<efbc:StatisticsNumeric>1</efbc:StatisticsNumeric></efac:ReceivedSubmissionsStatistics>"
        "<efac:ReceivedSubmissionsStatistics><efbc:StatisticsCode>tenders</efbc:StatisticsCode>"
        "<efbc:StatisticsNumeric>3</efbc:StatisticsNumeric></efac:ReceivedSubmissionsStatistics>"
        "<efac:SettledContract><cbc:ID>CON-1</cbc:ID></efac:SettledContract></efac:LotResult>"
        "</efac:NoticeResult>"
    )
    parts = ResultParts(root[0], "test", "N-1")
    first, also = parts.tenders["TEN-1"], parts.tenders["TEN-1b"]
    assert first == also  # one tender, two ids; the second TEN-1 element does not replace the first
    assert (first.value, first.currency, first.rank, first.party, first.lot, first.for_group) == (
        Decimal("5.5"), "EUR", 2, "TPA-1", "GLO-1", True)
    assert parts.contracts == {"CON-1": ["TEN-1"]}
    assert parts.parties == {"TPA-1": ["ORG-1", "ORG-2"]}
    assert parts.notice_value is not None and parts.notice_value.text == "10"
    (lot_result,) = parts.lot_results
    read = LotResultParts(lot_result)
    assert read.lot == text(_x("efac:TenderLot/cbc:ID/text()"), lot_result) == "LOT-1"
    assert read.code == "selec-w"
    assert read.named == texts(_x("efac:LotTender/cbc:ID/text()"), lot_result) == ["TEN-1", "TEN-2"]
    assert read.contract_ids == ["CON-1"]
    assert read.tenders_received() == 3


@pytest.mark.parametrize("written, read", [("6", 6), (" 06 ", 6), ("6.0", 6), ("-1", None), ("²", None), ("٦", 6),
                                           ("", None), ("x", None), ("1e3", 1000)])
def test_count_reads_digits_as_the_decimal_reading_did(written: str, read: int | None) -> None:
    assert count(written) == read


def test_root_and_extension_walks_read_what_their_paths_read() -> None:
    """Blank first matches, comments, a second extension and a second project: each reader gives its path's answer."""
    extension = (
        "<ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>{}"
        "</efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>"
    )
    first_extension = extension.format(
        "<efac:Publication><efbc:NoticePublicationID> </efbc:NoticePublicationID></efac:Publication>"
        "<efac:Publication><efbc:NoticePublicationID><!-- c --> 00012345-2024 </efbc:NoticePublicationID>"
        "<efbc:PublicationDate>2024-01-02Z</efbc:PublicationDate></efac:Publication>"
        "<efac:NoticeSubType><cbc:SubTypeCode> </cbc:SubTypeCode><cbc:SubTypeCode>29</cbc:SubTypeCode></efac:NoticeSubType>"
        "<efac:NoticeResult><cbc:TotalAmount>1</cbc:TotalAmount></efac:NoticeResult><efac:NoticeResult/>"
    )
    second_extension = extension.format("<efac:Publication><efbc:NoticePublicationID>9-2024</efbc:NoticePublicationID></efac:Publication>")
    root = parse_xml(
        f"<ContractAwardNotice {NS}>{first_extension}{second_extension}<cbc:ID/><cbc:ID>uuid-1</cbc:ID>"
        "<cbc:NoticeTypeCode listName='result'>can-standard</cbc:NoticeTypeCode><cbc:NoticeTypeCode>x</cbc:NoticeTypeCode>"
        "<cbc:NoticeLanguageCode>ENG</cbc:NoticeLanguageCode><cbc:IssueDate>2024-01-01Z</cbc:IssueDate>"
        "<cac:ContractingParty><cac:Party><cac:PartyIdentification><cbc:ID> </cbc:ID></cac:PartyIdentification>"
        "</cac:Party></cac:ContractingParty><cac:ContractingParty><cac:Party><cac:PartyIdentification>"
        "<cbc:ID>ORG-2</cbc:ID></cac:PartyIdentification></cac:Party></cac:ContractingParty>"
        "<cac:TenderingProcess><cbc:ProcedureCode>open</cbc:ProcedureCode></cac:TenderingProcess>"
        "<cac:ProcurementProject><cbc:Name>first</cbc:Name></cac:ProcurementProject><cac:ProcurementProject/>"
        "<cac:ProcurementProjectLot/><cac:ProcurementProjectLot/></ContractAwardNotice>".encode(),
        "test",
    )
    parts = RootParts(root)
    found_extension = parts.extension()
    assert found_extension is _x("ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension")(root)[0]
    assert first_node_text(parts.ids) == text(_x("cbc:ID/text()"), root) == "uuid-1"
    assert parts.type_code is _x("cbc:NoticeTypeCode")(root)[0]
    assert first_node_text(parts.languages) == text(_x("cbc:NoticeLanguageCode/text()"), root)
    assert first_node_text(parts.issue_dates) == text(_x("cbc:IssueDate/text()"), root)
    assert parts.buyer_id() == text(_x("cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID/text()"), root) == "ORG-2"
    assert parts.procedure_type() == text(_x("cac:TenderingProcess/cbc:ProcedureCode/text()"), root)
    assert parts.project is _x("cac:ProcurementProject[1]")(root)[0]
    assert parts.lots == _x("cac:ProcurementProjectLot")(root)
    in_extension = ExtensionParts(found_extension)
    publication_id, publication_date = in_extension.publication()
    assert publication_id == text(_x("efac:Publication/efbc:NoticePublicationID/text()"), found_extension)
    assert publication_id == "00012345-2024"
    assert publication_date == text(_x("efac:Publication/efbc:PublicationDate/text()"), found_extension) == "2024-01-02Z"
    assert in_extension.subtype() == text(_x("efac:NoticeSubType/cbc:SubTypeCode/text()"), found_extension) == "29"
    assert in_extension.result is _x("efac:NoticeResult")(found_extension)[0]


def test_r209_form_parts_are_what_each_path_finds() -> None:
    """The one union gives each part the nodes its own path finds, in document order (two lots, a title out of place)."""
    namespace = "http://publications.europa.eu/resource/schema/ted/R2.0.9/publication"
    form = parse_xml(
        f"<F03_2014 xmlns='{namespace}' LG='EN'><OBJECT_CONTRACT><OBJECT_DESCR><TITLE><P>lot 1</P></TITLE><LOT_NO>1</LOT_NO>"
        "<CPV_ADDITIONAL><CPV_CODE CODE='1'/></CPV_ADDITIONAL></OBJECT_DESCR><TITLE>main <P>title</P></TITLE>"
        "<CPV_MAIN><CPV_CODE CODE=' '/><CPV_CODE CODE='45000000'/></CPV_MAIN><OBJECT_DESCR><LOT_NO>2</LOT_NO>"
        "<CPV_ADDITIONAL><CPV_CODE CODE='2'/><CPV_CODE CODE='3'/></CPV_ADDITIONAL></OBJECT_DESCR></OBJECT_CONTRACT>"
        "<CONTRACTING_BODY><ADDRESS_CONTRACTING_BODY/></CONTRACTING_BODY><NOTICE TYPE='PRI_ONLY'/>"
        "<AWARD_CONTRACT><AWARDED_CONTRACT/></AWARD_CONTRACT><AWARD_CONTRACT><AWARDED_CONTRACT/></AWARD_CONTRACT>"
        "<RESULTS><AWARDED_PRIZE/></RESULTS></F03_2014>".encode(),
        "test",
    )
    x = prefixed_compiler("t", namespace)
    parts = FormParts(form, namespace)
    assert parts.buyers == x("t:CONTRACTING_BODY/t:ADDRESS_CONTRACTING_BODY")(form)
    assert parts.title == "main title"
    assert parts.main_cpv == x("t:OBJECT_CONTRACT/t:CPV_MAIN/t:CPV_CODE/@CODE")(form) == [" ", "45000000"]
    assert parts.notices == x("t:NOTICE")(form)
    assert parts.lots == x("t:OBJECT_CONTRACT/t:OBJECT_DESCR")(form)
    assert parts.lot_numbers == x("t:OBJECT_CONTRACT/t:OBJECT_DESCR/t:LOT_NO")(form)
    assert parts.lot_titles == x("t:OBJECT_CONTRACT/t:OBJECT_DESCR/t:TITLE")(form)
    assert parts.lot_cpv == x("t:OBJECT_CONTRACT/t:OBJECT_DESCR/t:CPV_ADDITIONAL/t:CPV_CODE")(form)
    assert len(parts.lot_cpv) == 3
    assert parts.awarded == x("t:AWARD_CONTRACT/t:AWARDED_CONTRACT")(form)
    assert parts.prizes == x("t:RESULTS/t:AWARDED_PRIZE")(form)


@pytest.mark.parametrize("written", ["45000000", "45000000-7", " 45000000 ", "٤٥٠٠٠٠٠٠", "4500000", "450000000", "4500000x", ""])
def test_cpv_reads_eight_digits_as_the_pattern_does(written: str) -> None:
    match = re.match(r"\s*(\d{8})(?:-\d)?\s*$", written)
    assert cpv(written) == (match.group(1) if written and match else None)


def test_r209_coded_data_is_what_each_path_finds() -> None:
    """The coded data's union gives each field its own path's first non-blank text (blank first match, comments,
    two sections, fields out of their usual order), on a built notice and on every real R2.0.9 fixture."""
    namespace = "http://publications.europa.eu/resource/schema/ted/R2.0.9/publication"
    built = parse_xml(
        f"<TED_EXPORT xmlns='{namespace}'><CODED_DATA_SECTION><CODIF_DATA><PR_PROC> </PR_PROC>"
        "<TD_DOCUMENT_TYPE><!-- c --> Contract award notice</TD_DOCUMENT_TYPE></CODIF_DATA>"
        "<REF_OJS><DATE_PUB/><DATE_PUB>20200102</DATE_PUB></REF_OJS></CODED_DATA_SECTION>"
        "<CODED_DATA_SECTION><CODIF_DATA><PR_PROC>Open procedure</PR_PROC></CODIF_DATA>"
        "<NOTICE_DATA><LG_ORIG>NL</LG_ORIG></NOTICE_DATA></CODED_DATA_SECTION><LG_ORIG>EN</LG_ORIG></TED_EXPORT>".encode(),
        "test",
    )
    roots = [built] + [parse_xml(path.read_bytes(), str(path)) for path in sorted(FIXTURES.rglob("*.xml"))]
    checked = 0
    for root in roots:
        namespace = etree.QName(root).namespace or ""
        if etree.QName(root).localname != "TED_EXPORT":
            continue
        x = prefixed_compiler("t", namespace)
        coded = CodedData(root, namespace)
        assert coded.date_pub == text(x("t:CODED_DATA_SECTION/t:REF_OJS/t:DATE_PUB/text()"), root)
        assert coded.lg_orig == text(x("t:CODED_DATA_SECTION/t:NOTICE_DATA/t:LG_ORIG/text()"), root)
        assert coded.document_type == text(x("t:CODED_DATA_SECTION/t:CODIF_DATA/t:TD_DOCUMENT_TYPE/text()"), root)
        assert coded.procedure == text(x("t:CODED_DATA_SECTION/t:CODIF_DATA/t:PR_PROC/text()"), root)
        checked += 1
    coded = CodedData(built, "http://publications.europa.eu/resource/schema/ted/R2.0.9/publication")
    assert (coded.date_pub, coded.lg_orig, coded.document_type, coded.procedure) == (
        "20200102", "NL", "Contract award notice", "Open procedure"
    )
    assert checked > 5


@pytest.mark.parametrize(
    "written", ["008689-2021", "00353237-2021", "0000-2021", "0-2021", "٠٠٣-2021", "12-202", "12-20211", "-2021",
                "12-2021 ", " 12-2021", "12-２０２１", "2021/S 006-008689", "12-2021-1", ""],
)
def test_publication_number_reads_plain_numbers_as_the_pattern_does(written: str) -> None:
    match = re.match(r"\s*0*(\d+)-(\d{4})\s*$", written)
    reference = re.match(r"\s*(\d{4})\s*/\s*S\s*\d+\s*-\s*0*(\d+)\s*$", written, re.IGNORECASE)
    expected = f"{match.group(1)}-{match.group(2)}" if match else f"{reference.group(2)}-{reference.group(1)}" if reference else None
    assert publication_number(written) == (expected if written else None)


@pytest.mark.parametrize(
    "written", ["20190104", "20191304", "20190230", "00000101", "99991231", "٢٠١٩٠١٠٤", "2019010²", "2019-01-04Z", "2019014", ""]
)
def test_notice_date_reads_eight_digits_as_the_integer_reading_did(written: str) -> None:
    try:
        expected = date(int(written[:4]), int(written[4:6]), int(written[6:])) if len(written) == 8 else None
    except ValueError:
        expected = None
    if written.startswith("2019-"):
        expected = date(2019, 1, 4)
    assert notice_date(written) == expected
