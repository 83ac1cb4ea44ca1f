"""TenderNed open-data import: column variants, Dutch formats, grouping, dedup, bad files and rows.

Fixtures are synthetic (``tests/fixtures/tenderned_dataset/make_fixtures.py``) with the real
column names of a current and an older release.
"""

from __future__ import annotations

import io
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from config.settings import Settings, TenderNedDatasetSettings
from connectors import cells
from connectors import tenderned_dataset as dataset
from connectors import tenderned_dataset_read as dataset_read
from connectors.records import Award, Lot, Notice, Party
from pipelines.tenderned_dataset import download_and_import, import_tenderned_dataset
from store.bookkeeping import open_quarantine
from store.db import Store
from store.notices import save_notices
from store.queries import award_facts
from tests.conftest import FIXTURES

HERE = FIXTURES / "tenderned_dataset"
CURRENT_XLSX = HERE / "gunningen_2024.xlsx"
CURRENT_JSON = HERE / "gunningen_2024.json"
OLDER_XLSX = HERE / "gunningen_2016_oud.xlsx"


def _facts(store: Store, cpv: str = "") -> list:
    with store.session() as session:
        return award_facts(session, cpv)


def _by_notice(store: Store) -> dict[str, list]:
    facts: dict[str, list] = {}
    for fact in _facts(store):
        facts.setdefault(fact.notice_id, []).append(fact)
    return facts


# --- Values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1.234.567,89", Decimal("1234567.89")),
        ("1234567.89", Decimal("1234567.89")),
        ("€ 80.000", Decimal("80000")),
        ("1,5", Decimal("1.5")),
        ("1,234,567.89", Decimal("1234567.89")),
        (250000, Decimal("250000")),
        (95000.5, Decimal("95000.5")),
        ("", None),
        (None, None),
    ],
)
def test_amounts_dutch_and_plain(cell: object, expected: Decimal | None) -> None:
    assert cells.parse_decimal(cell) == expected


@pytest.mark.parametrize("cell", ["31-12-2024", "2024-12-31", "2024-12-31T00:00:00", "31/12/2024", 45657])
def test_dates_dutch_iso_and_excel(cell: object) -> None:
    assert cells.parse_date(cell) == date(2024, 12, 31)


def test_bad_values_raise_value_error() -> None:
    for parse, cell in ((cells.parse_decimal, "twaalf"), (cells.parse_date, "31-13-2024"), (dataset.parse_count, "2,5")):
        with pytest.raises(ValueError):
            parse(cell)


def test_small_tables() -> None:
    assert dataset.parse_european("Ja") is True and dataset.parse_european("Nee") is False
    assert dataset.parse_european("Europees") is True and dataset.parse_european("Nationaal") is False
    assert [dataset.country_code(c)[0] for c in ("Nederland", "België", "Duitsland", "UK", "nl")] == ["NL", "BE", "DE", "GB", "NL"]
    assert dataset.country_code("Atlantis") == (None, "Atlantis")
    assert dataset.parse_cpv("72000000-5, 48000000-8") == ("72000000", "48000000")
    assert dataset.parse_cpv(3000000) == ("03000000",)
    assert dataset.ted_number("2024/S 052-123456") == "123456-2024"
    assert dataset.ted_number("00353237-2021") == "353237-2021"


def test_header_matching_ignores_case_accents_and_spaces() -> None:
    assert dataset.map_headers(["  id  PUBLICATIE ", "Officiele naam", "Officiële naam"]) == {"publication_id": 0, "buyer_official": 1}


def test_json_reader_streams_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataset_read, "JSON_CHUNK_CHARS", 7)  # the reader's own module reads the chunk size
    text = '{"meta": {"jaar": 2024}, "records": [{"a": "x y"}, {"a": 12345678}, {"a": [1, 2]}]}'
    assert list(dataset.iter_json_records(io.StringIO(text), where="t.json")) == [{"a": "x y"}, {"a": 12345678}, {"a": [1, 2]}]
    assert list(dataset.iter_json_records(io.StringIO(" [ ] "), where="t.json")) == []


# --- Import ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [CURRENT_XLSX, CURRENT_JSON], ids=["xlsx", "json"])
def test_import_current_release(store: Store, path: Path) -> None:
    report = import_tenderned_dataset(store, path, batch_size=2)

    assert report.rows_read == 8
    assert report.publications == 4 and report.notices_added == 4
    assert report.out_of_order == 1  # 900001's third lot is the last row
    assert report.unknown_countries == {"Atlantis": 1}
    facts = _by_notice(store)
    assert set(facts) == {"900001", "900002", "900003", "900004"}
    lots = {f.lot: f for f in facts["900001"]}
    assert sorted(lots) == ["1", "2", "3"]  # rows of one publication merged, wherever they are
    assert lots["1"].value == Decimal("1234567.89") and lots["1"].tenders_received == 3
    assert [(w.name, w.country) for w in lots["2"].winners] == [("Beta Services B.V.", "NL"), ("Gamma Solutions NV", "BE")]
    assert lots["3"].winners[0].country == "DE"
    # 900002: the empty-winner lot is left out, the lot with a winner in an unknown country stays.
    assert [(f.lot, f.winners[0].country) for f in facts["900002"]] == [("2", None)]
    assert report.awards_added == len(_facts(store))
    assert {f.published for f in facts["900002"]} == {date(2024, 12, 31)}  # "31-12-2024"


def test_import_older_release(store: Store) -> None:
    report = import_tenderned_dataset(store, OLDER_XLSX)

    assert (report.rows_read, report.notices_added, report.rows_rejected) == (2, 2, 0)
    facts = _by_notice(store)
    assert facts["800001"][0].value == Decimal("95000.5")
    assert facts["800001"][0].cpv_main == "03000000"
    assert [(w.name, w.country) for w in facts["800002"][0].winners] == [("Iota Data B.V.", "NL"), ("Kappa IT B.V.", "NL")]


def test_notice_fields_and_identifiers(store: Store) -> None:
    import_tenderned_dataset(store, CURRENT_XLSX)
    rows = {}
    headers: dict[str, str] = {}
    for number, raw in dataset.read_rows(CURRENT_XLSX, headers):
        try:
            row = dataset.parse_row(str(CURRENT_XLSX), number, raw, headers)
        except dataset.RowError:
            continue
        rows.setdefault(row.publication_id, []).append(row)
    notice = dataset.build_notice(rows["900001"])
    assert (notice.source, notice.format, notice.kind, notice.notice_id) == ("tenderned", "tenderned", "award", "900001")
    assert notice.same_as == ("tenderned:900001", "ted:123456-2024")
    assert notice.cpv_main == "72000000" and notice.published == date(2024, 3, 15)
    assert dataset.build_notice(rows["900002"]).same_as == ("tenderned:900002",)  # national: no TED copy


def test_reimport_adds_nothing(store: Store) -> None:
    first = import_tenderned_dataset(store, CURRENT_XLSX)
    facts = _facts(store)
    second = import_tenderned_dataset(store, CURRENT_XLSX)
    also_json = import_tenderned_dataset(store, CURRENT_JSON)

    assert first.notices_added == 4
    assert (second.notices_added, second.notices_updated, second.awards_added, second.duplicates_skipped) == (0, 0, 0, 4)
    assert also_json.notices_added == 0 and also_json.awards_added == 0
    assert len(_facts(store)) == len(facts)


def test_ted_copy_is_counted(store: Store) -> None:
    ted = Notice(
        notice_id="353237-2021", format="ted-r209", notice_type="Contract award notice", subtype="F03", kind="award",
        published=date(2024, 2, 1), buyer=Party("Ministerie van Voorbeelden", "NL"), cpv_main="72000000",
        cpv=("72000000",), lots=(Lot("1"),), awards=(Award("1", (Party("Zeta ICT B.V.", "NL"),), Decimal("1950000"), "EUR", 6),),
        source="ted", same_as=("ted:353237-2021",),
    )
    with store.session() as session, session.begin():
        save_notices(session, [ted])

    import_tenderned_dataset(store, CURRENT_XLSX)

    facts = _by_notice(store)
    assert "900004" not in facts and facts["353237-2021"][0].source == "ted"
    assert "900001" in facts  # its TED number is not in the store: the TenderNed copy counts


def test_bad_row_is_quarantined_and_the_rest_goes_on(store: Store) -> None:
    report = import_tenderned_dataset(store, CURRENT_XLSX)

    assert [(r.row, r.column) for r in report.rejected] == [(9, "Definitieve waarde")]
    assert "twaalf" in report.rejected[0].reason
    with store.session() as session:
        (item,) = open_quarantine(session, "tenderned")
    assert (item.record_key, item.field, item.location) == ("gunningen_2024.xlsx row 9", "Definitieve waarde", str(CURRENT_XLSX))
    assert b"twaalf" in item.payload
    assert {f.lot for f in _by_notice(store)["900003"]} == {"1"}


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("truncated.xlsx", dataset.DatasetFileError, "not a readable XLSX"),
        ("no_header.xlsx", dataset.MissingColumnsError, "'ID publicatie' (publication_id)"),
        ("broken.json", dataset.DatasetFileError, "JSON syntax error"),
    ],
)
def test_unreadable_file_is_refused_by_name(store: Store, name: str, error: type, message: str) -> None:
    with pytest.raises(error) as caught:
        import_tenderned_dataset(store, HERE / name)
    assert name in str(caught.value) and message in str(caught.value)
    assert _facts(store) == []


def test_missing_required_column_names_it(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["ID publicatie", "Publicatiedatum", "Naam aanbestedende dienst", "CPV-codes"])
    workbook.save(tmp_path / "zonder_winnaar.xlsx")
    with pytest.raises(dataset.MissingColumnsError) as caught:
        list(dataset.read_rows(tmp_path / "zonder_winnaar.xlsx"))
    assert caught.value.missing == ("winner",) and "zonder_winnaar.xlsx" in str(caught.value)


def test_a_file_without_its_cpv_column_is_refused_not_imported_without_cpv(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["ID publicatie", "Publicatiedatum", "Naam aanbestedende dienst", "Naam gegunde ondernemer"])
    workbook.save(tmp_path / "zonder_cpv.xlsx")
    with pytest.raises(dataset.MissingColumnsError) as caught:
        list(dataset.read_rows(tmp_path / "zonder_cpv.xlsx"))
    assert caught.value.missing == ("cpv",) and "zonder_cpv.xlsx" in str(caught.value)


def test_a_json_record_without_the_winner_key_is_a_counted_row_error(tmp_path: Path) -> None:
    import json

    first = {"ID publicatie": "1", "Publicatiedatum": "2024-01-02", "Naam aanbestedende dienst": "Gemeente A",
             "Naam gegunde ondernemer": "Bouw B.V.", "CPV-codes": "45000000"}
    second = {key: value for key, value in first.items() if key != "Naam gegunde ondernemer"} | {"ID publicatie": "2"}
    path = tmp_path / "records.json"
    path.write_text(json.dumps([first, second]), encoding="utf-8")
    headers: dict[str, str] = {}
    rows = list(dataset.read_rows(path, headers))
    assert len(rows) == 2
    dataset.parse_row(str(path), *rows[0], headers)
    with pytest.raises(dataset.RowError, match="Naam gegunde ondernemer"):  # the file's own spelling
        dataset.parse_row(str(path), *rows[1], headers)


# --- Download (the flow's work) and the command ----------------------------------------------


def test_download_newest_release_and_import(store: Store, tmp_path: Path) -> None:
    page = (
        '<a href="/datasets/gunningen_2023.xlsx">2023</a> <a href="/datasets/gunningen_2024.xlsx">2024</a>'
        ' <a href="/datasets/gunningen_2022.json">2022</a>'
    )
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.path == "/datasets":
            return httpx.Response(200, text=page, headers={"Content-Type": "text/html"})
        if request.url.path == "/datasets/gunningen_2024.xlsx":
            return httpx.Response(200, content=CURRENT_XLSX.read_bytes())
        return httpx.Response(404)

    settings = Settings(
        data_dir=tmp_path / "data", _env_file=None,
        tenderned_dataset=TenderNedDatasetSettings(url="https://www.tenderned.nl/datasets", batch_size=3),
    )
    report = download_and_import(store, settings, dest_dir=tmp_path / "dl", transport=httpx.MockTransport(handler))

    assert asked == ["/datasets", "/datasets/gunningen_2024.xlsx"]
    assert (tmp_path / "dl" / "gunningen_2024.xlsx").exists()
    assert report.notices_added == 4


def test_command_imports_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from supplyradar.commands import tenderned_dataset as command
    from supplyradar.commands.tenderned_dataset import import_app

    monkeypatch.setattr(command, "console", Console(width=250))
    monkeypatch.setenv("SUPPLYRADAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SUPPLYRADAR_CONFIG", str(tmp_path / "none.toml"))
    bad = tmp_path / "truncated.xlsx"
    shutil.copy(HERE / "truncated.xlsx", bad)
    result = CliRunner().invoke(import_app, ["tenderned-dataset", str(OLDER_XLSX), str(bad)])

    assert result.exit_code == 1, result.output
    assert "gunningen_2016_oud.xlsx" in result.output and "truncated.xlsx" in result.output
    with Store(Settings(_env_file=None).resolved_database_url) as store:
        assert {f.notice_id for f in _facts(store)} == {"800001", "800002"}


# --- The real layout: "OpenData sheet", ON/AD columns, the yearly JSON as OCDS ----------------------

REAL_XLSX = HERE / "opendata_2025.xlsx"
REAL_JSON = HERE / "tenderned_2025.json"


def _real_notices() -> dict[str, Notice]:
    headers: dict[str, str] = {}
    rows: dict[str, list] = {}
    for number, raw in dataset.read_rows(REAL_XLSX, headers):
        row = dataset.parse_row(str(REAL_XLSX), number, raw, headers)
        rows.setdefault(row.publication_id, []).append(row)
    assert headers["winner_kvk"] == "ON kvknummer" and headers["winner"] == "Naam gegunde onderneming"
    return {pid: dataset.build_notice(group) for pid, group in rows.items()}


def test_real_layout_reads_the_opendata_sheet_with_kvk_numbers_country_and_town() -> None:
    notices = _real_notices()
    assert set(notices) == {"950001", "950002", "950003"}
    first = notices["950001"]
    assert [(a.lot, a.value, a.currency, a.tenders_received) for a in first.awards] == [
        ("1", Decimal("250000"), "EUR", 4), ("2", Decimal("410000.5"), "EUR", 2)]
    assert first.awards[0].winners == (Party("Delta Groen B.V.", "NL", "12345678", "Utrecht", "3511 AA"),)
    # A foreign company's "ON kvknummer" is TenderNed's reference number, not a KvK number.
    assert first.awards[1].winners == (Party("Epsilon Bouw GmbH", "DE", None, "Keulen", "50667"),)
    assert first.buyer == Party("Provincie Voorbeeld", "NL", town="Den Haag")
    assert (first.cpv_main, first.title, first.source_url) == (
        "77310000", "Groenonderhoud provinciale wegen", "https://www.tenderned.nl/aankondigingen/overzicht/950001")
    assert first.same_as == ("tenderned:950001", "ted:222222-2025")
    # Excel dropped the leading zero of the KvK number.
    assert notices["950002"].awards[0].winners[0].company_id == "01234567"
    assert notices["950003"].awards == () and notices["950003"].kind == "competition"


def test_a_more_specific_spelling_wins_over_a_generic_one() -> None:
    assert dataset.map_headers(["Plaats", "ON plaats", "Land", "ON land"]) == {"winner_town": 1, "winner_country": 3}


def test_unknown_layout_is_refused_naming_missing_and_found_columns() -> None:
    with pytest.raises(dataset.MissingColumnsError) as caught:
        list(dataset.read_rows(HERE / "unknown_layout.xlsx"))
    assert caught.value.missing == ("buyer", "winner", "cpv")  # a file without CPV codes is refused too (issue 19)
    assert caught.value.found == ("ID publicatie", "Publicatiedatum", "Bedrijf", "Bedrag")
    assert "'Naam gegunde onderneming' (winner)" in str(caught.value) and "'Bedrijf'" in str(caught.value)


def test_yearly_json_goes_through_the_ocds_import_and_each_award_counts_once(store: Store) -> None:
    xlsx = import_tenderned_dataset(store, REAL_XLSX)
    json_report = import_tenderned_dataset(store, REAL_JSON)
    assert (xlsx.publications, xlsx.awards_added) == (3, 3)
    assert (json_report.rows_read, json_report.publications, json_report.notices_added, json_report.awards_added) == (2, 1, 1, 2)
    facts = [f for f in _facts(store) if f.published.year == 2025]
    # 950001 is in both files: the OCDS copy (every supplier of lot 1) is counted, the XLSX copy is not.
    assert sorted((f.source, f.notice_id, f.lot, tuple(w.name for w in f.winners)) for f in facts) == [
        ("ocds", "ocds-tndtst-320001", "1", ("Delta Groen B.V.", "Eta Groen B.V.")),
        ("ocds", "ocds-tndtst-320001", "2", ("Epsilon Bouw GmbH",)),
        ("tenderned", "950002", "1", ("Zeta Advies B.V.",)),
    ]
    # KvK numbers: from an NL-KVK identifier, and from TenderNed's bare 8-digit party id; a foreign company's is none.
    keys = {f.lot: [w.key for w in f.winners] for f in facts if f.source == "ocds"}
    assert keys["1"] == ["NL:id:12345678", "NL:id:23456789"]
    assert keys["2"][0].startswith("DE:name:")
    again = import_tenderned_dataset(store, REAL_JSON)
    assert (again.notices_added, again.notices_updated, again.awards_added) == (0, 0, 0)


def test_ted_tenderned_and_ocds_copies_of_one_award_are_linked_transitively(store: Store) -> None:
    # The OCDS process names only the TenderNed publication; the TenderNed row names the TED notice.
    ted = Notice(
        notice_id="222222-2025", format="ted-r209", notice_type="Contract award notice", subtype="F03", kind="award",
        published=date(2025, 3, 12), buyer=Party("Provincie Voorbeeld", "NL"), cpv_main="77310000", cpv=("77310000",),
        awards=(Award(lot="1", winners=(Party("Delta Groen B.V.", "NL"),), value=Decimal("250000"), currency="EUR"),
                Award(lot="2", winners=(Party("Epsilon Bouw GmbH", "DE"),), value=Decimal("410000.50"), currency="EUR")),
    )
    import_tenderned_dataset(store, REAL_JSON)
    with store.session() as session, session.begin():
        save_notices(session, [ted])
    import_tenderned_dataset(store, REAL_XLSX)
    counted = sorted((f.source, f.notice_id, f.lot) for f in _facts(store, "7731"))
    assert counted == [("ted", "222222-2025", "1"), ("ted", "222222-2025", "2")]
