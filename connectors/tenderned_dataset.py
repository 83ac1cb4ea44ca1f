"""TenderNed's open-data files: Dutch award history with the winners, read row by row.

Domain
  TenderNed publishes its notices as yearly CC0 files (XLSX and JSON, refreshed every quarter)
  on the "datasets aanbestedingen" page. Unlike the TNS API (``connectors.tenderned``), whose
  JSON has no winners, these files have one row per lot award: the winner, its place, postcode
  and country, the tenders received and the final value. Each row becomes part of a ``Notice``
  (source and format "tenderned", ``notice_id`` = ``ID publicatie``), so a notice collected from
  the API too is the same notice and is updated with its winners instead of counted twice.

API documentation
  https://www.tenderned.nl/cms/nl/aanbesteden-in-cijfers/datasets-aanbestedingen (download page
  with a "leeswijzer", the field guide, as a second sheet of each XLSX). The column names below
  come from files and importers seen in the wild; TenderNed does not publish a schema.

Caveats
  - Column names are Dutch and changed between releases ("ID publicatie" / "Publicatie ID",
    "Naam gegunde onderneming" / "Naam gegunde ondernemer" / "Gegunde ondernemer", ...).
    ``config/tenderned_dataset_columns.yaml`` is the one table of known spellings (``FIELD_VARIANTS``),
    compared without case, accents or extra whitespace; of two matching columns the spelling listed
    first wins ("ON plaats" over "Plaats"). A file that lacks a ``REQUIRED_FIELDS`` column is refused
    whole (``MissingColumnsError``), naming the file, the columns it lacks and the ones it has; a new
    spelling is added to the table, never guessed.
  - The current XLSX has a sheet "OpenData sheet" (read first) with the winner's columns prefixed
    "ON" (``ON kvknummer``: the winner's KvK number, kept as ``Party.company_id`` for a Dutch winner
    only, since foreign companies get a TenderNed reference number there) and the buyer's "AD".
  - The current yearly JSON is an OCDS release package (``is_ocds_json``): the import hands it to the
    OCDS import (``connectors.ocds``). Older JSON files of column-keyed rows are still read here.
  - The XLSX has an explanation sheet and sometimes title rows above the header: the header is
    the first row, within ``HEADER_SCAN_ROWS`` rows of any sheet, that has every required column.
  - The JSON is a top-level array of objects keyed by the same column names (or an object with
    such an array under one key). It is decoded one record at a time (``iter_json_records``),
    so a year of data never sits in memory; ijson is not needed.
  - Numbers and dates come in Dutch (``1.234.567,89``, ``31-12-2024``) or plain (``1234567.89``,
    ISO dates, Excel dates and numbers); a lone dot before exactly three digits is read as a
    thousands separator (``1.234`` is 1234), as in Dutch. Several winners of one lot share a
    cell, separated by ``;``, ``|`` or a line break; their place/postcode/country cells are split
    the same way when the counts match. Country names are Dutch (``Nederland``, ``België``) or
    codes; ``COUNTRY_NAMES`` and the TED country codes map them to ISO alpha-2. An unknown country is left out of the
    party (the store keeps two letters) and counted in the import report.
  - A row whose date, amount or count cannot be read is a ``RowError`` (row number and column);
    the import quarantines it and goes on. A truncated workbook or broken JSON is a
    ``DatasetFileError`` naming the file.

Arguments
  ``read_rows(path)`` yields ``(row_number, raw)`` with ``raw`` keyed by canonical field name;
  ``parse_row(path, row_number, raw)`` turns one into a ``DatasetRow``; ``build_notice(rows)``
  merges the rows of one publication into a ``Notice``. Row numbers are the sheet's row numbers
  (as Excel shows them) for XLSX and the 1-based record position for JSON.
  ``release_url`` / ``download_release`` find and fetch the newest file from the settings' URL.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin

from config.settings import HttpSettings
from connectors.cells import parse_date, parse_decimal
from connectors.errors import ConnectorError, RecordError
from connectors.http import HttpClient
from connectors.notice_xml.codes import ISO_ALPHA2, country_alpha2
from connectors.notice_xml.values import publication_number
from connectors.records import Award, Lot, Notice, NoticeKind, Party

SOURCE = "tenderned"

#: The column table (canonical field -> header spellings, current first; the required fields) is editable YAML.
COLUMNS_FILE = Path(__file__).resolve().parent.parent / "config" / "tenderned_dataset_columns.yaml"


def load_columns(path: Path = COLUMNS_FILE) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """``(field -> spellings, required fields)`` from the YAML; a broken table names the file and the key."""
    import yaml

    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    columns = document.get("columns") if isinstance(document, dict) else None
    if not isinstance(columns, dict) or not columns:
        raise ValueError(f"{path}: no 'columns' mapping")
    variants: dict[str, tuple[str, ...]] = {}
    seen: dict[str, str] = {}
    for field_name, spellings in columns.items():
        if not isinstance(spellings, list) or not spellings or not all(isinstance(v, str) for v in spellings):
            raise ValueError(f"{path}: columns.{field_name} must be a list of column names")
        for spelling in spellings:
            if (other := seen.setdefault(normalise_header(spelling), field_name)) != field_name:
                raise ValueError(f"{path}: {spelling!r} is listed under both {other} and {field_name}")
        variants[str(field_name)] = tuple(spellings)
    required = tuple(document.get("required") or ())
    if unknown := [f for f in required if f not in variants]:
        raise ValueError(f"{path}: required fields without columns: {', '.join(unknown)}")
    return variants, required


#: The data sheet's name in the real XLSX (normalised), looked at before any other sheet.
DATA_SHEET = "opendata sheet"
#: Set on a JSON record that lacks required keys the first record had (see ``_json_rows``).
MISSING_KEYS = "_missing_keys"
#: How far down each sheet the header row is looked for (title rows sit above it).
HEADER_SCAN_ROWS = 10
#: Separators between several winners (and their places) in one cell.
WINNER_SEPARATORS = re.compile(r"\s*(?:;|\||\r?\n)\s*")

#: Country names as the files write them (keys normalised) -> ISO 3166-1 alpha-2. Codes (NL, NLD,
#: UK, ...) go through ``connectors.notice_xml.codes.country_alpha2``, like TED's.
COUNTRY_NAMES: dict[str, str] = {
    "nederland": "NL", "the netherlands": "NL", "netherlands": "NL", "belgie": "BE", "belgium": "BE",
    "duitsland": "DE", "germany": "DE", "frankrijk": "FR", "luxemburg": "LU",
    "verenigd koninkrijk": "GB", "groot-brittannie": "GB", "ierland": "IE", "denemarken": "DK", "zweden": "SE",
    "noorwegen": "NO", "finland": "FI", "oostenrijk": "AT", "zwitserland": "CH", "spanje": "ES", "italie": "IT",
    "portugal": "PT", "polen": "PL", "verenigde staten": "US",
}

#: Words in "Publicatie soort" (or TNS type codes) -> place in the procurement cycle.
KIND_WORDS: tuple[tuple[str, NoticeKind], ...] = (
    ("rectificatie", "modification"), ("wijziging", "modification"), ("wno", "modification"),
    ("gegund", "award"), ("gunning", "award"), ("ago", "award"),
    ("vooraankondiging", "planning"), ("vop", "planning"),
    ("aankondiging", "competition"), ("aao", "competition"),
)

JSON_CHUNK_CHARS = 1 << 16
#: One JSON record larger than this is not a record but a broken file.
JSON_MAX_RECORD_CHARS = 10_000_000


class DatasetFileError(ConnectorError):
    """The file as a whole cannot be read (truncated workbook, broken JSON, unknown format)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = str(path), reason


class MissingColumnsError(DatasetFileError):
    """No sheet or record has every required column: named, so a new spelling can be added."""

    def __init__(self, path: Path | str, missing: Sequence[str], found: Sequence[str] = ()) -> None:
        names = ", ".join(f"{FIELD_VARIANTS[f][0]!r} ({f})" for f in missing)
        shown = ", ".join(repr(h) for h in found[:60]) + (f" and {len(found) - 60} more" if len(found) > 60 else "")
        super().__init__(
            path,
            f"required columns not found: {names}; columns found: {shown or 'none'}; "
            f"known spellings are in {COLUMNS_FILE.name}",
        )
        self.missing, self.found = tuple(missing), tuple(found)


class RowError(RecordError):
    """One row is unusable (a date, amount or count that does not parse, a missing id)."""


@dataclass(frozen=True, slots=True)
class DatasetRow:
    """One parsed row: the publication's fields and, when it names a winner, one lot's award."""

    row_number: int
    publication_id: str
    published: date
    publication_type: str
    buyer: Party
    cpv: tuple[str, ...]
    title: str | None
    procedure: str | None
    ted_number: str | None
    european: bool | None
    lot_id: str
    lot_title: str | None
    award: Award | None
    unknown_countries: tuple[str, ...] = ()
    url: str | None = None


# --- Column mapping -------------------------------------------------------------------------


def normalise_header(value: object) -> str:
    """Case, accents and whitespace do not matter: "Officiële  naam" == "officiele naam"."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


FIELD_VARIANTS, REQUIRED_FIELDS = load_columns()
#: Normalised header -> (canonical field, rank of the spelling: 0 is the current name).
_HEADER_LOOKUP: dict[str, tuple[str, int]] = {
    normalise_header(v): (field, rank) for field, vs in FIELD_VARIANTS.items() for rank, v in enumerate(vs)
}


def map_headers(headers: Iterable[object]) -> dict[str, int]:
    """Canonical field -> column index; of two matching columns the better-ranked spelling wins, then the first."""
    found: dict[str, tuple[int, int]] = {}
    for index, header in enumerate(headers):
        if header is None:
            continue
        match = _HEADER_LOOKUP.get(normalise_header(header))
        if match and (match[0] not in found or match[1] < found[match[0]][0]):
            found[match[0]] = (match[1], index)
    return {field: index for field, (_, index) in found.items()}


def missing_fields(found: Iterable[str]) -> list[str]:
    present = set(found)
    return [f for f in REQUIRED_FIELDS if f not in present]


# --- Readers --------------------------------------------------------------------------------

Raw = dict[str, Any]


def read_rows(path: Path, headers: dict[str, str] | None = None) -> Iterator[tuple[int, Raw]]:
    """Rows of an XLSX or JSON file as ``(row_number, {field: raw value})``, streamed.

    ``headers``, when given, is filled with field -> the file's own column name, so errors can
    name the column as the user sees it.
    """
    headers = {} if headers is None else headers
    suffix = path.suffix.casefold()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path, headers)
    if suffix == ".json":
        return _json_rows(path, headers)
    raise DatasetFileError(path, f"unknown file type {path.suffix!r}: expected .xlsx or .json")


_XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError)


def _xlsx_rows(path: Path, headers: dict[str, str]) -> Iterator[tuple[int, Raw]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, *_XLSX_ERRORS) as exc:
        raise DatasetFileError(path, f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from exc
    try:
        yield from _workbook_rows(path, workbook, headers)
    except _XLSX_ERRORS as exc:
        raise DatasetFileError(path, f"workbook broken while reading ({type(exc).__name__}: {exc})") from exc
    finally:
        workbook.close()


def _workbook_rows(path: Path, workbook: Any, headers: dict[str, str]) -> Iterator[tuple[int, Raw]]:  # openpyxl workbook
    best: list[str] = list(REQUIRED_FIELDS)
    best_found: list[str] = []
    # The data sheet first: the real files name it "OpenData sheet", next to "Leeswijzer" and "Mapping OCDS".
    sheets = sorted(workbook.worksheets, key=lambda ws: normalise_header(ws.title) != DATA_SHEET)
    for sheet in sheets:
        rows = sheet.iter_rows(values_only=True)
        for header_number, header in enumerate(rows, start=1):
            if header_number > HEADER_SCAN_ROWS:
                break
            columns = map_headers(header)
            missing = missing_fields(columns)
            if missing:
                named = [str(h).strip() for h in header if h not in (None, "")]
                if len(missing) < len(best) or (len(missing) == len(best) and len(named) > len(best_found)):
                    best, best_found = missing, named
                continue
            headers.update({f: str(header[i]).strip() for f, i in columns.items()})
            for number, values in enumerate(rows, start=header_number + 1):
                if values and any(v not in (None, "") for v in values):
                    yield number, {f: values[i] if i < len(values) else None for f, i in columns.items()}
            return
    raise MissingColumnsError(path, best, best_found)


def _json_rows(path: Path, headers: dict[str, str]) -> Iterator[tuple[int, Raw]]:
    """Records keyed by column name; the required columns are checked on the first record."""
    with path.open(encoding="utf-8-sig") as stream:
        for number, record in enumerate(iter_json_records(stream, where=str(path)), start=1):
            if not isinstance(record, Mapping):
                raise DatasetFileError(path, f"record {number} is a {type(record).__name__}, not an object")
            keys = list(record)
            columns = map_headers(keys)
            raw: Raw = {field: record[keys[i]] for field, i in columns.items()}
            for field, i in columns.items():
                headers.setdefault(field, keys[i])
            missing = missing_fields(raw)
            if number == 1 and missing:
                raise MissingColumnsError(path, missing, [str(k) for k in keys])
            if missing:  # a later record without a key the file has: that record's error, counted, not dropped
                raw[MISSING_KEYS] = missing
            yield number, raw


class _JsonReader:
    """Just enough of a streaming JSON reader: values one by one with ``raw_decode`` over chunks."""

    def __init__(self, stream: IO[str], where: str) -> None:
        self.stream, self.where = stream, where
        self.buffer, self.pos, self.offset, self.eof = "", 0, 0, False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(JSON_CHUNK_CHARS)
        if not chunk:
            self.eof = True
            return False
        self.offset += self.pos
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next non-blank character ("" at the end), not consumed."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos].isspace():
                self.pos += 1
            if self.pos < len(self.buffer) or not self._fill():
                return self.buffer[self.pos : self.pos + 1]

    def expect(self, chars: str) -> str:
        char = self.peek()
        if not char or char not in chars:
            self.fail(f"expected one of {chars!r}, found {char or 'end of file'!r}")
        self.pos += 1
        return char

    def value(self) -> Any:  # any JSON value
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buffer) - self.pos > JSON_MAX_RECORD_CHARS or not self._fill():
                    self.fail(exc.msg, exc.pos)
                continue
            # A number at the very end of the buffer may go on in the next chunk.
            if end == len(self.buffer) and not isinstance(value, (dict, list, str)) and self._fill():
                continue
            self.pos = end
            return value

    def fail(self, message: str, pos: int | None = None) -> None:
        at = self.offset + (self.pos if pos is None else pos)
        raise DatasetFileError(self.where, f"JSON syntax error at character {at}: {message}")


def iter_json_records(stream: IO[str], *, where: str) -> Iterator[Any]:
    """Items of a top-level array, or of the first array inside a top-level object."""
    reader = _JsonReader(stream, where)
    opening = reader.expect("[{")
    if opening == "{":
        while True:
            if reader.peek() == "}":
                reader.fail("no array of records in the top-level object")
            reader.value()  # the key
            reader.expect(":")
            if reader.peek() == "[":
                reader.expect("[")
                break
            reader.value()
            if reader.expect(",}") == "}":
                reader.fail("no array of records in the top-level object")
    if reader.peek() == "]":
        return
    while True:
        yield reader.value()
        if reader.expect(",]") == "]":
            return


# --- Values ---------------------------------------------------------------------------------


def text(value: object) -> str | None:
    """Cell text, stripped; lists (JSON) joined with "; ". Empty is None."""
    if value is None:
        return None
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value if v not in (None, ""))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = str(value).strip()
    return result or None


def parse_count(value: object) -> int | None:
    amount = parse_decimal(value)
    if amount is None:
        return None
    if amount != amount.to_integral_value() or amount < 0:
        raise ValueError(f"{value!r} is not a number of tenders")
    return int(amount)


def parse_european(value: object) -> bool | None:
    """``Europees``/``Nationaal`` (current) or ``Ja``/``Nee`` (older "Europese aanbesteding")."""
    raw = normalise_header(value) if value not in (None, "") else ""
    if raw in ("europees", "ja", "yes", "true", "1", "eu"):
        return True
    if raw in ("nationaal", "nee", "no", "false", "0"):
        return False
    return None


def country_code(value: object) -> tuple[str | None, str | None]:
    """(ISO alpha-2, None) for a known country; (None, the value) for an unknown one."""
    raw = text(value)
    if raw is None:
        return None, None
    code = COUNTRY_NAMES.get(normalise_header(raw))
    if code is None and raw.isalpha() and len(raw) in (2, 3):
        code = country_alpha2(raw)
    return (code, None) if code in ISO_ALPHA2 else (None, raw)


_CPV = re.compile(r"(?<!\d)(\d{7,8})(?:-\d)?(?!\d)")


def parse_cpv(value: object) -> tuple[str, ...]:
    """Every CPV code in the cell, as 8 digits (Excel drops the leading zero of "03..."), in order."""
    if value is None:
        return ()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (f"{int(value):08d}",)
    raw = text(value) or ""
    return tuple(dict.fromkeys(code.zfill(8) for code in _CPV.findall(raw)))


def ted_number(value: object) -> str | None:
    """The TED publication number as TED shows it ("353237-2021"), from that or "2021/S 123-353237"."""
    return publication_number(text(value))


def split_cell(value: object) -> list[str]:
    raw = text(value)
    return [part for part in WINNER_SEPARATORS.split(raw) if part] if raw else []


def notice_kind(publication_type: str) -> NoticeKind:
    words = normalise_header(publication_type)
    for word, kind in KIND_WORDS:
        if word in words.split() or (len(word) > 3 and word in words):
            return kind
    return "award"


# --- Rows -----------------------------------------------------------------------------------


def parse_row(where: str, row_number: int, raw: Raw, headers: Mapping[str, str] | None = None) -> DatasetRow:
    """One row -> ``DatasetRow``; a value that does not parse raises ``RowError`` naming the column."""
    record = f"{Path(where).name} row {row_number}"

    def column(field: str) -> str:
        return (headers or {}).get(field) or FIELD_VARIANTS[field][0]

    def parsed(field: str, parse):  # a parse function and its result
        try:
            return parse(raw.get(field))
        except ValueError as exc:
            raise RowError(where, str(exc), record=record, field=column(field)) from None

    if missing := raw.get(MISSING_KEYS):
        raise RowError(where, f"the record lacks the field(s) {', '.join(column(f) for f in missing)} that the file has",
                       record=record, field=column(missing[0]))
    publication_id = text(raw.get("publication_id"))
    if publication_id is None:
        raise RowError(where, "no publication id", record=record, field=column("publication_id"))
    published = parsed("published", parse_date)
    if published is None:
        raise RowError(where, "no publication date", record=record, field=column("published"))
    buyer_name = text(raw.get("buyer_official")) or text(raw.get("buyer"))
    if buyer_name is None:
        raise RowError(where, "no buyer name", record=record, field=column("buyer"))
    final_value = parsed("final_value", parse_decimal)
    parsed("estimated_value", parse_decimal)  # not stored, but a broken one says the row is suspect
    tenders = parsed("tenders_received", parse_count)
    parsed("award_date", parse_date)
    winners, unknown = _winners(raw)
    lot_id = text(raw.get("lot_id")) or "1"
    award = None
    if winners:
        currency = (text(raw.get("currency")) or ("EUR" if final_value is not None else None))
        award = Award(lot=lot_id, winners=winners, value=final_value, currency=currency and currency.upper()[:3], tenders_received=tenders)
    return DatasetRow(
        row_number=row_number,
        publication_id=publication_id,
        published=published,
        publication_type=text(raw.get("publication_type")) or "",
        buyer=Party(name=buyer_name, country="NL", town=text(raw.get("buyer_town"))),
        cpv=parse_cpv(raw.get("cpv")),
        title=text(raw.get("title")),
        procedure=text(raw.get("procedure")),
        ted_number=ted_number(raw.get("ted_number")),
        european=parse_european(raw.get("european")),
        lot_id=lot_id,
        lot_title=text(raw.get("lot_title")),
        award=award,
        unknown_countries=tuple(unknown),
        url=_tenderned_url(raw.get("url")),
    )


def _tenderned_url(value: object) -> str | None:
    """The row's own TenderNed link, only when it points at TenderNed over https (never any link a cell holds)."""
    url = text(value)
    return url if url and url.startswith("https://www.tenderned.nl/") and len(url) <= 1000 else None


def kvk_number(value: object, country: str | None) -> str | None:
    """An ``ON kvknummer`` cell -> 8 digits, for a Dutch (or country-less) winner only.

    TenderNed gives foreign companies an automatic reference number in the same column; that is no
    KvK number and is left out. Excel drops leading zeros ("1234567" is "01234567").
    """
    raw = text(value)
    if raw is None or country not in (None, "NL"):
        return None
    digits = re.sub(r"[\s.]", "", raw)
    return digits.zfill(8) if digits.isdigit() and len(digits) <= 8 else None


def _winners(raw: Raw) -> tuple[tuple[Party, ...], list[str]]:
    """Several winners in one cell -> several parties; places line up when their counts match."""
    names = split_cell(raw.get("winner"))
    towns, postcodes, countries = (split_cell(raw.get(f)) for f in ("winner_town", "winner_postcode", "winner_country"))
    kvks = split_cell(raw.get("winner_kvk"))

    def nth(values: list[str], i: int) -> str | None:
        if len(values) == len(names):
            return values[i]
        return values[0] if len(values) == 1 else None

    parties, unknown = [], []
    for i, name in enumerate(names):
        code, strange = country_code(nth(countries, i))
        if strange:
            unknown.append(strange)
        # A KvK number names one company: only taken when each winner has its own.
        kvk = kvk_number(kvks[i], code) if len(kvks) == len(names) else None
        parties.append(Party(name=name, country=code, company_id=kvk, town=nth(towns, i), postcode=nth(postcodes, i)))
    return tuple(parties), unknown


def build_notice(rows: Sequence[DatasetRow]) -> Notice:
    """All rows of one publication -> one ``Notice``: one lot per ``ID perceel``, winners merged per lot."""
    first = rows[0]
    lots: dict[str, Lot] = {}
    awards: dict[str, Award] = {}
    for row in rows:
        lots.setdefault(row.lot_id, Lot(lot_id=row.lot_id, title=row.lot_title))
        if row.award is None:
            continue
        known = awards.get(row.lot_id)
        awards[row.lot_id] = row.award if known is None else _merge_awards(known, row.award)
    cpv = tuple(dict.fromkeys(code for row in rows for code in row.cpv))
    ted = next((r.ted_number for r in rows if r.ted_number), None)
    same_as = [f"{SOURCE}:{first.publication_id}"]
    if ted and first.european is not False:
        same_as.append(f"ted:{ted}")
    return Notice(
        notice_id=first.publication_id,
        format="tenderned",
        notice_type=first.publication_type,
        subtype=None,
        kind=notice_kind(first.publication_type),
        published=first.published,
        buyer=first.buyer,
        cpv_main=cpv[0] if cpv else None,
        cpv=cpv,
        title=first.title,
        procedure_type=first.procedure,
        lots=tuple(lots.values()),
        awards=tuple(awards.values()),
        source=SOURCE,
        source_url=first.url or f"https://www.tenderned.nl/aankondigingen/overzicht/{first.publication_id}",
        same_as=tuple(same_as),
    )


def is_ocds_json(path: Path) -> bool:
    """A JSON file that is an OCDS package (the yearly TenderNed JSON), not rows keyed by column name."""
    from connectors.ocds_read import open_binary

    with open_binary(path) as stream:
        head = stream.read(1 << 16).decode("utf-8", errors="replace")
    return bool(re.search(r'"(?:releases|records|ocid)"\s*:', head))


def _merge_awards(a: Award, b: Award) -> Award:
    """A lot listed twice (one row per winner): one award, all winners, the first value given."""
    winners = tuple(dict.fromkeys((*a.winners, *b.winners)))
    return Award(
        lot=a.lot,
        winners=winners,
        value=a.value if a.value is not None else b.value,
        currency=a.currency or b.currency,
        tenders_received=a.tenders_received if a.tenders_received is not None else b.tenders_received,
    )


# --- Download -------------------------------------------------------------------------------

_RELEASE_LINK = re.compile(r"""href=["']([^"']+\.(?:xlsx|json))(?:\?[^"']*)?["']""", re.IGNORECASE)


def release_url(client: HttpClient, url: str) -> str:
    """The newest file behind ``url``: the URL itself if it is a file, else the page's newest link.

    "Newest" is the link with the highest year in its name (the files are yearly), the last
    such link on the page breaking ties (TenderNed lists them in order).
    """
    if re.search(r"\.(xlsx|json)(\?|$)", url, re.IGNORECASE):
        return url
    page = client.request("GET", url, headers={"Accept": "text/html"}).text
    links = [urljoin(url, link) for link in _RELEASE_LINK.findall(page)]
    if not links:
        raise DatasetFileError(url, "no .xlsx or .json link on the download page")

    def year(link: str) -> int:
        years = re.findall(r"(?<!\d)(20\d\d)(?!\d)", link.rsplit("/", 1)[-1])
        return max(map(int, years)) if years else 0

    return max(enumerate(links), key=lambda item: (year(item[1]), item[0]))[1]


def download_release(url: str, dest_dir: Path, http: HttpSettings, *, transport: Any = None) -> Path:
    """Download the newest release into ``dest_dir``; the path of the file written."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    with HttpClient(f"{SOURCE}-dataset", http, transport=transport) as client:
        file_url = release_url(client, url)
        response = client.request("GET", file_url)
        name = file_url.split("?", 1)[0].rsplit("/", 1)[-1] or "tenderned-dataset.xlsx"
        target = dest_dir / name
        partial = target.with_suffix(target.suffix + ".part")
        partial.write_bytes(response.content)
        partial.replace(target)
    return target
