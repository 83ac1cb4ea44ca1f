"""Spend files into the store (``pipelines.import_own_data.import_file`` over ``connectors.tabular`` and
``connectors.spend_file``): encodings, delimiters, Dutch amounts and dates, refused files that leave nothing
behind, and idempotent re-import on SQLite and PostgreSQL. The files are written by the tests, shaped like
real ERP exports (cp1252 or UTF-8 with BOM, ``;`` and Dutch numbers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.settings import Settings
from connectors.cells import parse_amount, parse_kvk
from connectors.tabular import DelimiterError, MissingColumnsError, UnknownEncodingError
from pipelines.import_own_data import TooManyBadValuesError, import_file
from store.db import Store
from store.schema import SpendLine
from store.schema.own_data import OwnDataIssue, SpendLineDetail

HEADER = "Leverancier;KvK-nummer;Categorie;Bedrag;Boekdatum;Factuurnummer;Omschrijving"
ROWS = [
    "Tonkeling Schoonmaak B.V.;45968655;Schoonmaak;€ 1.234,56;31-12-2024;F-1;Schoonmaak december",
    "TONKELING SCHOONMAAK BV;;Schoonmaak;1.234,56;31-12-2024;F-1;Schoonmaak december",
    "Café De Zwaan;;;-250,00;2024-11-02;F-2;Creditnota lunch",
    "Kwavant ICT;KvK 1234.5678;ICT-diensten;12.000;2024-11-03;F-3;Licenties",
]


def write(path: Path, lines: list[str], encoding: str = "cp1252") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Store:
    """Refusals are decided before any SQL dialect matters: SQLite is enough (the PostgreSQL rollback is
    covered by ``test_too_many_bad_amounts_refuse_the_whole_file``)."""
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as db:
        yield db


def spend_count(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count(SpendLine.id)))


def test_cp1252_semicolon_file_with_dutch_amounts_and_dates(store: Store, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "spend.csv", ["# export", HEADER, *ROWS])
    report = import_file(store, path, "spend", settings)
    assert (report.encoding, report.delimiter, report.rows_read, report.added) == ("cp1252", ";", 4, 4)
    with store.session() as session:
        lines = {line.row_number: line for line in session.scalars(select(SpendLine))}
        details = {d.spend_line_id: d.invoice_number for d in session.scalars(select(SpendLineDetail))}
    assert lines[3].amount == Decimal("1234.56") and lines[3].booked_on == date(2024, 12, 31)
    assert lines[3].supplier_kvk == "45968655" and lines[3].cpv == "90910000"  # category name -> CPV
    assert lines[5].supplier_name == "Café De Zwaan" and lines[5].amount == Decimal("-250.00")
    assert lines[6].amount == Decimal("12000") and lines[6].supplier_kvk == "12345678"
    assert details[lines[3].id] == "F-1"


def test_utf8_bom_and_comma_delimiter(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    lines = ["Supplier,KvK,Amount,Date", '"Olmora Beratung GmbH",,"1,234.50",2024-05-01', "Müller,,12.5,2024-05-02"]
    path = tmp_path / "spend-en.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8"))
    report = import_file(sqlite_store, path, "spend", settings)
    assert (report.encoding, report.delimiter, report.added) == ("utf-8-sig", ",", 2)
    with sqlite_store.session() as session:
        amounts = sorted(session.scalars(select(SpendLine.amount)))
        names = set(session.scalars(select(SpendLine.supplier_name)))
    assert amounts == [Decimal("12.5"), Decimal("1234.50")] and "Müller" in names


def test_reimport_adds_nothing_and_keeps_real_duplicates(store: Store, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "spend.csv", [HEADER, *ROWS, ROWS[1]])  # the same invoice booked twice
    first = import_file(store, path, "spend", settings)
    again = import_file(store, path, "spend", settings)
    assert (first.added, again.added, again.unchanged, again.removed) == (5, 0, 5, 0)
    assert spend_count(store) == 5
    renamed = write(tmp_path / "spend-copy.csv", [HEADER, *ROWS, ROWS[1]])
    assert import_file(store, renamed, "spend", settings).added == 0


def test_a_corrected_export_replaces_its_earlier_version(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    """Replacing is explicit (issue 19: by name alone it deleted the lines of last month's export.csv)."""
    path = write(tmp_path / "spend.csv", [HEADER, *ROWS])
    import_file(sqlite_store, path, "spend", settings)
    write(path, [HEADER, *ROWS[:2], ROWS[2].replace("-250,00", "-25,00")])
    report = import_file(sqlite_store, path, "spend", settings, replace=True)
    assert (report.added, report.unchanged, report.removed) == (1, 2, 2)
    assert spend_count(sqlite_store) == 3


def test_a_new_export_with_an_old_name_adds_its_lines(store: Store, settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "y2024").mkdir()
    (tmp_path / "y2025").mkdir()
    first = import_file(store, write(tmp_path / "y2024" / "export.csv", [HEADER, *ROWS[:3]]), "spend", settings)
    later = import_file(store, write(tmp_path / "y2025" / "export.csv", [HEADER, *ROWS[3:]]), "spend", settings)
    assert (first.added, later.added, later.removed) == (3, len(ROWS) - 3, 0)
    assert spend_count(store) == len(ROWS)
    again = import_file(store, tmp_path / "y2024" / "export.csv", "spend", settings)  # recognised by content
    assert (again.added, again.unchanged, again.removed) == (0, 3, 0) and spend_count(store) == len(ROWS)
    with store.session() as session:
        from store.schema.own_data import OwnDataImport

        assert session.scalar(select(func.count()).select_from(OwnDataImport)) == 2


def test_a_stray_quote_refuses_the_file_naming_row_and_column(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    good = [f"Leverancier {i};;Bouw;{i},00;01-02-2024;F{i};x" for i in range(1, 200)]
    stray = ['"Kwavant ICT;;ICT;10,00;01-02-2024;F0;x', *good]  # the quote never closes
    error = _refused(sqlite_store, settings, write(tmp_path / "spend.csv", [HEADER, *stray]), DelimiterError)
    assert error.row == 2 and "quote" in str(error)
    closing = ['"Kwavant ICT;;ICT;10,00;01-02-2024;F0;x', *good[:50], 'x";;ICT;1,00;01-02-2024;F;x', *good[50:]]
    error = _refused(sqlite_store, settings, write(tmp_path / "spend.csv", [HEADER, *closing]), DelimiterError)
    assert error.row == 2 and "quote" in str(error)


def test_a_short_or_long_row_refuses_the_file(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    error = _refused(sqlite_store, settings, write(tmp_path / "spend.csv", [HEADER, *ROWS, "Kwavant ICT;;ICT;10,00"]),
                     DelimiterError)
    assert error.row == len(ROWS) + 2 and error.column == "Boekdatum" and "4 fields, the header 7" in str(error)


def test_missing_amounts_count_towards_the_refusal(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    rows = [f"Leverancier {i};;Bouw;{'1,00' if i < 15 else ''};01-02-2024;F{i};x" for i in range(20)]
    error = _refused(sqlite_store, settings, write(tmp_path / "spend.csv", [HEADER, *rows]), TooManyBadValuesError)
    assert error.column == "Bedrag" and "5 of 20 rows" in str(error)


def test_a_currency_column_that_names_no_currency_refuses_the_file(sqlite_store: Store, settings: Settings,
                                                                    tmp_path: Path) -> None:
    """A wrong column mapped as the currency would keep every line out of our spend: refused like a wrong amount."""
    header = HEADER + ";Valuta"
    rows = [f"Leverancier {i};;Bouw;1,00;01-02-2024;F{i};x;{'EUR' if i < 18 else 'Bouw'}" for i in range(20)]
    error = _refused(sqlite_store, settings, write(tmp_path / "spend.csv", [header, *rows]), TooManyBadValuesError)
    assert error.column == "Valuta" and "2 of 20 rows" in str(error) and "'Bouw' is not an ISO 4217" in str(error)


def test_an_oversized_field_refuses_that_file_and_the_next_file_still_imports(
        sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    from connectors.tabular import FieldTooLargeError
    from pipelines.import_own_data import import_files

    huge = write(tmp_path / "huge.csv", [HEADER, *ROWS[:1], f'Kwavant;;ICT;1,00;01-02-2024;F;"{"x" * 200_000}"'])
    fine = write(tmp_path / "fine.csv", [HEADER, *ROWS])
    reports, failed = import_files(sqlite_store, [huge, fine], "spend", settings)
    assert [r.added for r in reports] == [len(ROWS)] and len(failed) == 1
    assert "huge.csv" in failed[0] and "row 3" in failed[0] and "131072" in failed[0]
    with pytest.raises(FieldTooLargeError):
        import_file(sqlite_store, huge, "spend", settings)


def test_a_few_bad_amounts_are_kept_and_reported(store: Store, settings: Settings, tmp_path: Path) -> None:
    good = [f"Leverancier {i};;Bouw;{i},00;01-02-2024;F{i};x" for i in range(1, 40)]
    path = write(tmp_path / "spend.csv", [HEADER, *good, "Kwavant ICT;;;#WAARDE!;01-02-2024;F99;x"])
    report = import_file(store, path, "spend", settings)
    assert report.added == 40 and report.issues["amount_unparsed"] == 1
    with store.session() as session:
        issue = session.scalars(select(OwnDataIssue)).one()
    assert (issue.source_file, issue.row_number, issue.column, issue.raw_value) == ("spend.csv", 41, "Bedrag", "#WAARDE!")


def _refused(store: Store, settings: Settings, path: Path, error: type[Exception]) -> Exception:
    with pytest.raises(error) as caught:
        import_file(store, path, "spend", settings)
    assert spend_count(store) == 0, "nothing of a refused file may be stored"
    assert str(path) in str(caught.value)
    return caught.value


def test_too_many_bad_amounts_refuse_the_whole_file(store: Store, settings: Settings, tmp_path: Path) -> None:
    rows = [f"Leverancier {i};;Bouw;{'1.000,00' if i < 5 else 'EUR ??'};01-02-2024;F{i};x" for i in range(20)]
    error = _refused(store, settings, write(tmp_path / "spend.csv", [HEADER, *rows]), TooManyBadValuesError)
    assert (error.row, error.column) == (7, "Bedrag")
    assert "row 7" in str(error) and "'Bedrag'" in str(error) and "15 of 20 rows" in str(error)


def test_wrong_delimiter_in_a_row_refuses_the_file(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    rows = [*ROWS, "Kwavant ICT,,ICT,100,01-02-2024,F9,x"]
    error = _refused(sqlite_store, settings, write(tmp_path / "spend.csv", [HEADER, *rows]), DelimiterError)
    assert error.row == 6 and "','" in str(error)


def test_header_that_splits_into_nothing_known_is_a_delimiter_error(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "spend.csv", [HEADER.replace(";", "#"), *(r.replace(";", "#") for r in ROWS)])
    error = _refused(sqlite_store, settings, path, DelimiterError)
    assert error.row == 1


def test_missing_required_columns_are_named(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    header = "Leverancier;KvK-nummer;Categorie;Omschrijving"
    error = _refused(sqlite_store, settings, write(tmp_path / "spend.csv", [header, "Tonkeling;;Schoonmaak;x"]), MissingColumnsError)
    assert "amount" in str(error) and "booked_on" in str(error) and "Bedrag" in str(error)


def test_unknown_encoding_names_row_and_column(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    # UTF-8 text with one stray Latin-1 byte: no single encoding reads it right.
    path.write_bytes((HEADER + "\r\n" + ROWS[0] + "\r\n").encode("utf-8") + b"Caf\xe9 De Zwaan;;;1,00;01-02-2024;F;x\r\n")
    error = _refused(sqlite_store, settings, path, UnknownEncodingError)
    assert (error.row, error.column) == (3, "Leverancier")


def test_binary_junk_is_an_unknown_encoding(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    path.write_bytes(HEADER.encode() + b"\r\nTonkeling;;;1,00;01-02-2024;F;\x81\x8d\r\n")
    error = _refused(sqlite_store, settings, path, UnknownEncodingError)
    assert error.row == 2


def test_xlsx_spend_is_streamed_with_excel_dates_and_numbers(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["# synthetic test file"])
    sheet.append(["Crediteur", "KvK", "Bedrag", "Factuurdatum", "Categorie"])
    sheet.append(["Tonkeling Schoonmaak B.V.", 45968655, 1234.56, date(2024, 3, 31), "Schoonmaak"])
    sheet.append(["Kwavant ICT", None, "1.000,00", "31-03-2024", None])
    path = tmp_path / "spend.xlsx"
    workbook.save(path)
    report = import_file(sqlite_store, path, "spend", settings)
    assert (report.encoding, report.added) == ("xlsx", 2)
    with sqlite_store.session() as session:
        rows = {r.row_number: r for r in session.scalars(select(SpendLine))}
    assert rows[3].supplier_kvk == "45968655" and rows[3].booked_on == date(2024, 3, 31)
    assert rows[4].amount == Decimal("1000.00")


@pytest.mark.parametrize(
    ("text", "value"),
    [("1.234,56", "1234.56"), ("€ 1.234,56", "1234.56"), ("-1.234,56", "-1234.56"), ("1.234,56-", "-1234.56"),
     ("(250,00)", "-250.00"), ("1234.56", "1234.56"), ("12.000", "12000"), ("EUR 10", "10")],
)
def test_dutch_amounts(text: str, value: str) -> None:
    assert parse_amount(text) == Decimal(value)


def test_amounts_and_kvk_numbers_that_are_not() -> None:
    for bad in ("#WAARDE!", "1.234,5O", "n.t.b."):
        with pytest.raises(ValueError):
            parse_amount(bad)
    assert parse_kvk("0123.4567") == "01234567" and parse_kvk(1234567.0) == "01234567"
    with pytest.raises(ValueError):
        parse_kvk("NL123456789B01")


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("spend: [1, 2]\ncontracts: {}\n", "spend: missing, or not a mapping"),
        ("spend:\n  required: [amount]\n  columns: {amount: [Bedrag], colour: [Kleur]}\ncontracts: {columns: {contract_ref: [Nr]}}\n",
         "spend.columns.colour: unknown field"),
        ("spend:\n  required: [amount, booked_on]\n  columns: {amount: [Bedrag]}\ncontracts: {columns: {contract_ref: [Nr]}}\n",
         "spend.required: 'booked_on' has no header spellings"),
        ("spend:\n  columns: {amount: [Bedrag], description: [bedrag]}\ncontracts: {columns: {contract_ref: [Nr]}}\n",
         "header 'bedrag' is also listed under amount"),
        ("spend: {columns: {amount: [Bedrag]}}\ncontracts: {columns: {contract_ref: [Nr]}}\ncategory_cpv: {Bouw: 45}\n",
         "category_cpv['Bouw']: 45 is not an 8-digit CPV code"),
        ("spend: {columns: {amount: [Bedrag]\n", "not valid YAML"),
    ],
)
def test_the_column_mapping_is_validated_with_clear_errors(tmp_path: Path, yaml_text: str, expected: str) -> None:
    from config.own_data import ColumnMappingError, load_column_mapping

    path = tmp_path / "columns.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ColumnMappingError) as caught:
        load_column_mapping(path)
    assert str(path) in str(caught.value) and expected in str(caught.value)


def test_the_shipped_column_mapping_loads() -> None:
    from config.own_data import load_column_mapping

    mapping = load_column_mapping()
    assert mapping.spend.required == ("supplier_name", "amount", "booked_on")
    assert "KvK-nummer" in mapping.spend.columns["supplier_kvk"] and "Crediteur" in mapping.spend.columns["supplier_name"]
    assert {"extension_until", "extension_options", "extension_count", "owner", "single_sourced"} <= set(mapping.contracts.columns)
    assert mapping.category_cpv["schoonmaak"] == "90910000"


def test_an_implausible_supplier_name_refuses_the_file(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    from pipelines.import_own_data import ImplausibleValueError

    rows = [*ROWS, f"{'Kwavant ICT ' * 40};;ICT;10,00;01-02-2024;F0;x"]
    error = _refused(sqlite_store, settings, write(tmp_path / "spend.csv", [HEADER, *rows]), ImplausibleValueError)
    assert (error.row, error.column) == (len(ROWS) + 2, "Leverancier")
