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
  The column table lives in ``connectors.tenderned_dataset_columns`` and the streamed XLSX/JSON
  reading in ``connectors.tenderned_dataset_read``; their names are importable from here too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from config.settings import HttpSettings
from connectors.cells import parse_date, parse_decimal
from connectors.errors import RecordError
from connectors.http import HttpClient
from connectors.notice_xml.codes import ISO_ALPHA2, country_alpha2
from connectors.notice_xml.values import publication_number
from connectors.records import Award, Lot, Notice, NoticeKind, Party

# The column table and the row reader have modules of their own; their names stay importable from here.
from connectors.tenderned_dataset_columns import (
    COLUMNS_FILE,
    FIELD_VARIANTS,
    REQUIRED_FIELDS,
    DatasetFileError,
    MissingColumnsError,
    load_columns,
    map_headers,
    missing_fields,
    normalise_header,
)
from connectors.tenderned_dataset_read import (
    HEADER_SCAN_ROWS,
    MISSING_KEYS,
    Raw,
    is_ocds_json,
    iter_json_records,
    read_rows,
)

SOURCE = "tenderned"

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


__all__ = [
    "COLUMNS_FILE", "FIELD_VARIANTS", "HEADER_SCAN_ROWS", "MISSING_KEYS", "REQUIRED_FIELDS", "SOURCE",
    "DatasetFileError", "DatasetRow", "MissingColumnsError", "Raw", "RowError", "build_notice", "country_code",
    "download_release", "is_ocds_json", "iter_json_records", "kvk_number", "load_columns", "map_headers",
    "missing_fields", "normalise_header", "notice_kind", "parse_count", "parse_cpv", "parse_european", "parse_row",
    "read_rows", "release_url", "split_cell", "ted_number", "text",
]
