"""Award semantics per form, on real notices (``fixtures/ted/corpus-r209``) and on the constructed
eForms result sections (``fixtures/ted/constructed``): who won, who bid and lost, what a
modification is, and what happens with the doubtful cases the issue lists as bad input."""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.notice_xml import parse_file, parse_notice
from connectors.records import Notice

FIXTURES = Path(__file__).parent / "fixtures" / "ted"
LEGACY = FIXTURES / "corpus-r209"
CONSTRUCTED = FIXTURES / "constructed"


def notice(path: Path) -> Notice:
    return parse_file(path)


def names(parties: tuple) -> list[str]:
    return [party.name for party in parties]


# --- legacy R2.0.9 -------------------------------------------------------------------------------


def test_f06_value_in_singular_value_element() -> None:
    n = notice(LEGACY / "2016-269747_F06.xml")
    [award] = n.awards
    assert (n.kind, names(award.winners), award.value, award.currency) == ("award", ["Burgeap"], Decimal("279965"), "EUR")
    assert (award.tenders_received, award.contract_id) == (3, "144800")


def test_f13_winners_inside_winners_are_one_prize_with_three_winners() -> None:
    n = notice(LEGACY / "2019-333997_F13.xml")
    [award] = n.awards
    assert names(award.winners) == ["sander hofrichter planungsgesellschaft", "ackermann + raff", "Menges Scheffler"]
    assert (award.value, award.currency, award.tenders_received) == (Decimal("180000.00"), "EUR", 4)


def test_f13_winner_without_the_winners_wrapper() -> None:
    [award] = notice(LEGACY / "2016-356972_F13.xml").awards
    assert (names(award.winners), award.value, award.currency) == (["POWER-TECH Janusz Marcin Ejma"], Decimal("559125.00"), "EUR")


def test_f15_contract_without_published_contractor_is_an_award_with_unknown_winners() -> None:
    n = notice(LEGACY / "2021-119229_F15.xml")
    [award] = n.awards
    assert (n.kind, award.winners, award.value, award.contract_id) == ("award", (), None, "1.1-4/2021/185")


def test_f20_is_a_modification_with_values_reason_and_original_notice() -> None:
    n = notice(LEGACY / "2020-150863_F20.xml")
    assert (n.kind, n.awards) == ("modification", ())
    [change] = n.modifications
    assert change.original_notice == "431564-2016"  # "2016/S 237-431564"
    assert (change.contract_id, change.value_before, change.value_after, change.currency) == (
        "1", Decimal("2227135.70"), Decimal("3051031.70"), "EUR"
    )
    assert names(change.contractors) == ["Ricoh Deutschland GmbH"]
    assert change.reason.startswith("unforeseen circumstances: Die zeitliche wie auch inhaltliche Anpassung")
    assert change.description.startswith("Die zusätzliche Leistung beinhaltet eine zeitliche Verlängerung")
    assert change.original_award is not None and change.original_award.value == Decimal("2227135.70")


def test_f20_without_original_notice_is_kept_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    path = LEGACY / "2016-436244_F20.xml"
    with caplog.at_level(logging.WARNING):
        n = notice(path)
    [change] = n.modifications
    assert (n.awards, change.original_notice, change.contract_id) == ((), None, "10PU-000819")
    assert names(change.contractors) == ["Mados MT s.r.o.", "Porr a.s."]
    assert (change.value_before, change.value_after, change.currency) == (Decimal("43639272.00"), Decimal("44512485.75"), "CZK")
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert str(path) in warning and "436244-2016" in warning and "NOTICE_NUMBER_OJ" in warning


@pytest.mark.parametrize(
    ("name", "subtype", "winner", "value", "currency"),
    [
        ("2021-108885_F23.xml", "F23", "María Noelia Marquéz", "900.00", "EUR"),  # concession award notice
        ("2021-020804_F25.xml", "F25", "Société des eaux de la Ville de Cambrai — VEOLIA", "47000000", "EUR"),
        ("2020-060135_F22.xml", "F22", "Innovative Training Academy SAS, sucursal en España", "150250.00", "EUR"),
        ("2018-481189_MOVE.xml", "T02", "Městský dopravní podnik Opava, a.s.", "860000000.00", "CZK"),
    ],
)
def test_award_forms_are_awards(name: str, subtype: str, winner: str, value: str, currency: str) -> None:
    n = notice(LEGACY / name)
    [award] = n.awards
    assert (n.kind, n.subtype) == ("award", subtype)
    assert (names(award.winners), award.value, award.currency) == ([winner], Decimal(value), currency)


def test_unknown_currency_is_kept_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    data = (LEGACY / "2016-269747_F06.xml").read_bytes().replace(b'CURRENCY="EUR">279965', b'CURRENCY="XEU">279965')
    with caplog.at_level(logging.WARNING):
        n = parse_notice(data, where="odd.xml")
    assert (n.awards[0].value, n.awards[0].currency) == (Decimal("279965"), "XEU")
    assert any("odd.xml" in m and "269747-2016" in m and "XEU" in m for m in (r.getMessage() for r in caplog.records))


@pytest.mark.parametrize(
    ("name", "subtype", "kind", "country", "cpv_main", "awards"),
    [  # one real notice of every form; country, CPV and award count as the independent reference reads them
        ("2021-314102_F01.xml", "F01", "planning", "ES", "80000000", 0),
        ("2019-438624_F02.xml", "F02", "competition", "PT", "72500000", 0),
        ("2021-331730_F03.xml", "F03", "award", "IT", "42991230", 1),
        ("2021-204277_F04.xml", "F04", "planning", "PT", "71300000", 0),
        ("2022-077761_F05.xml", "F05", "competition", "IT", "48329000", 0),
        ("2016-269747_F06.xml", "F06", "award", "FR", "71354400", 1),
        ("2021-308549_F07.xml", "F07", "competition", "IE", "39130000", 0),
        ("2022-080795_F08.xml", "F08", "planning", "CZ", "34611000", 0),
        ("2020-443005_F12.xml", "F12", "competition", "IT", "71221000", 0),
        ("2019-333997_F13.xml", "F13", "award", "DE", "71220000", 1),
        ("2021-111492_F14.xml", "F14", "other", "BE", "33115000", 0),
        ("2021-119229_F15.xml", "F15", "award", "EE", "50530000", 1),
        ("2020-150863_F20.xml", "F20", "modification", "DE", "30120000", 0),
        ("2021-067618_F21.xml", "F21", "award", "ES", "92311000", 1),
        ("2020-060135_F22.xml", "F22", "award", "ES", "80000000", 1),
        ("2021-108885_F23.xml", "F23", "award", "ES", "55410000", 1),
        ("2021-580891_F24.xml", "F24", "competition", "SE", "60600000", 0),
        ("2021-020804_F25.xml", "F25", "award", "FR", "90480000", 1),
        ("2018-481189_MOVE.xml", "T02", "award", "CZ", "60112000", 1),
    ],
)
def test_every_form_gets_kind_buyer_country_cpv_and_awards(
    name: str, subtype: str, kind: str, country: str, cpv_main: str, awards: int
) -> None:
    n = notice(LEGACY / name)
    assert (n.subtype, n.kind, n.buyer.country, n.cpv_main, len(n.awards)) == (subtype, kind, country, cpv_main, awards)


# --- eForms --------------------------------------------------------------------------------------


def test_eforms_losing_bidders_are_bids_not_winners() -> None:
    n = notice(CONSTRUCTED / "can_cleaning_be_constructed.xml")
    assert [(a.lot, names(a.winners), a.contract_id) for a in n.awards] == [
        ("LOT-0001", ["BFS"], "CON-0001"),
        ("LOT-0002", ["M&G"], "CON-0002"),
        ("LOT-0003", ["BFS"], "CON-0001"),
        ("LOT-0004", ["BFS"], "CON-0001"),
        ("LOT-0005", ["BFS"], "CON-0001"),
    ]
    assert len(n.bids) == 10
    lost = sorted((b.lot, names(b.tenderers)[0], b.rank, b.value) for b in n.bids if b.won is False)
    assert lost == [
        ("LOT-0001", "M&G", 2, Decimal("111000")),
        ("LOT-0002", "BFS", 2, Decimal("102000")),
        ("LOT-0003", "M&G", 2, Decimal("113000")),
        ("LOT-0004", "M&G", 2, Decimal("114000")),
        ("LOT-0005", "M&G", 2, Decimal("115000")),
    ]
    assert all(b.tenderers[0].country == "BE" and b.currency == "EUR" for b in n.bids)


def test_eforms_framework_with_several_winners_is_one_award_and_amounts_are_not_added() -> None:
    n = notice(CONSTRUCTED / "can_framework_no_constructed.xml")
    [award] = n.awards
    assert names(award.winners) == ["Renhold AS", "Vask og Rent AS", "Glans AS"]
    assert (award.value, award.currency, award.contract_id, award.tenders_received) == (None, None, "CON-0001", 4)
    assert [(names(b.tenderers)[0], b.won, b.currency) for b in n.bids] == [
        ("Renhold AS", True, "NOK"), ("Vask og Rent AS", True, "NOK"), ("Glans AS", True, "NOK"), ("Taper AS", False, "NOK"),
    ]


def _belgian(replace: tuple[bytes, bytes]) -> bytes:
    return (CONSTRUCTED / "can_cleaning_be_constructed.xml").read_bytes().replace(*replace)


MISSING_TENDER = (
    b'<efac:LotTender><cbc:ID schemeName="tender">TEN-0004</cbc:ID></efac:LotTender></efac:SettledContract>',
    b'<efac:LotTender><cbc:ID schemeName="tender">TEN-0099</cbc:ID></efac:LotTender></efac:SettledContract>',
)


def test_eforms_settled_contract_pointing_at_a_missing_tender(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        n = parse_notice(_belgian(MISSING_TENDER), where="be.xml")
    lot2 = [(names(a.winners), a.contract_id) for a in n.awards if a.lot == "LOT-0002"]
    assert lot2 == [(["M&G"], "CON-0002")]  # the lot result's tender ranked first stands in
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "be.xml" in messages and "191534-2024" in messages and "CON-0002" in messages and "TEN-0099" in messages


def test_eforms_missing_tender_and_no_ranking_leaves_the_winner_unknown(caplog: pytest.LogCaptureFixture) -> None:
    data = _belgian(MISSING_TENDER).replace(b"<cbc:RankCode>1</cbc:RankCode>", b"").replace(b"<cbc:RankCode>2</cbc:RankCode>", b"")
    with caplog.at_level(logging.WARNING):
        n = parse_notice(data, where="be.xml")
    lot2 = [(a.winners, a.contract_id) for a in n.awards if a.lot == "LOT-0002"]
    assert lot2 == [((), "CON-0002")]  # concluded, winner unknown
    assert any("winner unknown" in r.getMessage() for r in caplog.records)


def test_eforms_result_without_settled_contract_falls_back_to_rank_one(caplog: pytest.LogCaptureFixture) -> None:
    data = _belgian((b'<efac:SettledContract><cbc:ID schemeName="contract">CON-0002</cbc:ID></efac:SettledContract>', b""))
    with caplog.at_level(logging.WARNING):
        n = parse_notice(data, where="be.xml")
    lot2 = [(names(a.winners), a.contract_id) for a in n.awards if a.lot == "LOT-0002"]
    assert lot2 == [(["M&G"], None)]
    assert sorted((names(b.tenderers)[0], b.won) for b in n.bids if b.lot == "LOT-0002") == [("BFS", False), ("M&G", True)]
    assert any("LOT-0002" in r.getMessage() and "without settled contract" in r.getMessage() for r in caplog.records)


def test_eforms_unranked_result_without_contract_takes_all_tenders_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    data = _belgian((b'<efac:SettledContract><cbc:ID schemeName="contract">CON-0002</cbc:ID></efac:SettledContract>', b""))
    data = data.replace(b"<cbc:RankCode>1</cbc:RankCode>", b"").replace(b"<cbc:RankCode>2</cbc:RankCode>", b"")
    with caplog.at_level(logging.WARNING):
        n = parse_notice(data, where="be.xml")
    assert sorted(names(a.winners)[0] for a in n.awards if a.lot == "LOT-0002") == ["BFS", "M&G"]
    assert {b.won for b in n.bids if b.lot == "LOT-0002"} == {None}  # not known who won
    assert any("all 2 tenders" in r.getMessage() for r in caplog.records)


# --- defence forms (R2.0.8 structure inside R2.0.9 exports) ---------------------------------------


def test_f18_defence_award() -> None:
    n = notice(CONSTRUCTED / "f18_defence_award_constructed.xml")
    assert (n.kind, n.subtype, n.cpv) == ("award", "F18", ("35500000", "50241000"))
    assert (n.buyer.name, n.buyer.country, n.buyer.company_id) == (
        "Ministerie van Defensie, Defensie Materieel Organisatie", "NL", "27371203"
    )
    assert [(a.lot, names(a.winners), a.value, a.currency, a.tenders_received, a.contract_id) for a in n.awards] == [
        ("1", ["Voorbeeld Defensie Systemen B.V."], Decimal("1381073.86"), "EUR", 3, "DMO-2019-001"),
        ("2", ["Kustwacht Onderhoud B.V."], Decimal("245000.00"), "EUR", 2, "DMO-2019-002"),
    ]


def test_defence_amount_without_fmtval_is_read_from_the_shown_text() -> None:
    data = (CONSTRUCTED / "f18_defence_award_constructed.xml").read_bytes().replace(b' FMTVAL="1381073.86"', b"")
    assert parse_notice(data, where="f18.xml").awards[0].value == Decimal("1381073.86")


def test_eforms_settled_contract_without_tender_takes_the_lot_results_first_ranked(caplog: pytest.LogCaptureFixture) -> None:
    data = _belgian((b'<efac:LotTender><cbc:ID schemeName="tender">TEN-0004</cbc:ID></efac:LotTender></efac:SettledContract>',
                     b"</efac:SettledContract>"))
    with caplog.at_level(logging.WARNING):
        n = parse_notice(data, where="be.xml")
    assert [(names(a.winners), a.contract_id) for a in n.awards if a.lot == "LOT-0002"] == [(["M&G"], "CON-0002")]
    assert any("names no tender" in r.getMessage() and "TEN-0004" in r.getMessage() for r in caplog.records)


def test_eforms_group_tender_named_by_two_lot_results_is_one_award_and_one_bid() -> None:
    """TEN-0001 (consortium) is for the group GLO-0001; when LOT-0002's result also names its contract
    CON-0001, the contract is still one award and the tender one bid."""
    data = (FIXTURES / "eforms-sdk-examples" / "can_24_maximal.xml").read_bytes()
    data = data.replace(b">clos-nw</cbc:TenderResultCode>", b">selec-w</cbc:TenderResultCode>"
                        b'<efac:LotTender><cbc:ID schemeName="tender">TEN-0001</cbc:ID></efac:LotTender>'
                        b'<efac:SettledContract><cbc:ID schemeName="contract">CON-0001</cbc:ID></efac:SettledContract>')
    n = parse_notice(data, where="group.xml")
    consortium = [a for a in n.awards if a.contract_id == "CON-0001"]
    assert [(a.lot, names(a.winners)) for a in consortium] == [("LOT-0001", ["Gyro Soft SA", "The best App Ltd."])]
    assert [b.tender_id for b in n.bids].count("TEN-0001") == 1
