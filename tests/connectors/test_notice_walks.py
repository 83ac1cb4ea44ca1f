"""The child walks that replaced XPath calls in the eForms parser read exactly what those XPaths read.

Each case builds an element where the XPath and a naive walk would differ (comments and processing
instructions between text nodes, a blank first match, a second ``cac:PostalAddress``, a tender with two
ids or two monetary totals) and compares the walk with the XPath it replaced, evaluated here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from connectors.notice_xml.eforms_parties import Organisations
from connectors.notice_xml.eforms_result_parts import LotResultParts, ResultParts
from connectors.notice_xml.namespaces import EFORMS_NS
from connectors.notice_xml.safe_xml import parse_xml
from connectors.notice_xml.values import count
from connectors.notice_xml.xpath import add_node_texts, child_text, compiler, node_text, text, texts

_x = compiler(EFORMS_NS)
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
