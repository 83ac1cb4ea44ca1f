"""Reading the organisation's own CSV and XLSX exports: encoding, delimiter, header, rows, streamed.

Domain
  Spend and contract registers come out of ERP and contract-management systems as CSV (Dutch
  Excel writes ``;`` and cp1252; newer systems UTF-8, often with a BOM) or as XLSX. This module
  turns one such file into ``(row_number, {field: raw value})`` for a ``config.own_data.FileMapping``,
  without holding the file in memory; ``connectors.spend_file`` and ``connectors.contract_register``
  give the values their meaning.

Caveats
  - **Encoding** is decided from the whole file, read once in chunks: a BOM wins (UTF-8, UTF-16);
    else strict UTF-8; else cp1252, but only when no byte sequence in the file is valid UTF-8
    (a file mixing both would be garbled either way) and every non-ASCII character cp1252 gives
    is a letter or common punctuation. Anything else is an ``UnknownEncodingError`` naming the
    row and column of the first byte that does not fit: never silently garbled text.
  - **Delimiter**: the header line is split by ``;``, ``,``, tab and ``|``; the one that yields
    the most known columns wins. A data row that comes out as one field holding another of those
    delimiters, or with more filled fields than the header, is a ``DelimiterError`` (the file is
    refused: its columns cannot be trusted). Shorter rows are padded (exports drop empty trailing
    fields).
  - **Header**: lines (CSV) or rows (XLSX) before the header that start with ``#`` are comments
    (our synthetic demo files say so there); the XLSX header is the first row within
    ``HEADER_SCAN_ROWS`` of the first sheet that has every required column.
  - Row numbers are the ones a person sees: the line in a text editor (CSV), the Excel row (XLSX).

Arguments
  ``open_table(path, file_mapping)`` -> ``(TableInfo, rows)``: layout errors raise at once, row-level
  structure errors (a wrong delimiter on row 5000) while iterating ``rows``, each a
  ``TabularFileError`` with ``path``, ``row`` and ``column``. The cells' values are read by
  ``connectors.cells``.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.own_data import FileMapping, normalise_header
from connectors.errors import ConnectorError

DELIMITERS = (";", ",", "\t", "|")
HEADER_SCAN_ROWS = 10
CHUNK_BYTES = 1 << 20
#: Non-letters that cp1252 text from an ERP plausibly contains.
_CP1252_PUNCTUATION = set("€‘’“”„–—•…°±²³µ·¹º»«¼½¾×÷§©®¬¢£¥¦¨¯´¸ª¿¡ ")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_UTF8_LEAD = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


class TabularFileError(ConnectorError):
    """The file as a whole is refused; the message names the file and, when known, the row and column."""

    def __init__(self, path: Path | str, reason: str, *, row: int | None = None, column: str | None = None) -> None:
        where = [str(path)]
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {reason}")
        self.path, self.reason, self.row, self.column = str(path), reason, row, column


class UnknownEncodingError(TabularFileError):
    """Bytes that are neither UTF-8 nor plausible cp1252 (or a mix): refused rather than garbled."""


class DelimiterError(TabularFileError):
    """The header or a row does not split into the file's columns with one delimiter."""


class QuoteError(DelimiterError):
    """An unbalanced quote: the rows after it would be merged into one value."""


class FieldTooLargeError(TabularFileError):
    """A field or line a workbook part over its bound (``MAX_*`` below): refused, naming the row and the limit."""


class MissingColumnsError(TabularFileError):
    """Required columns are missing; the message names them and the mapping file that lists spellings."""


@dataclass(slots=True)
class TableInfo:
    path: Path
    encoding: str
    delimiter: str | None
    header_row: int = 0
    #: canonical field -> the file's own header text (errors name columns as the user sees them)
    headers: dict[str, str] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)

    def column(self, field_name: str) -> str:
        return self.headers.get(field_name, field_name)


Raw = dict[str, Any]


def open_table(path: Path, mapping: FileMapping) -> tuple[TableInfo, Iterator[tuple[int, Raw]]]:
    """Detect the layout now (file-level errors raise here); the rows stream from the iterator."""
    path = Path(path)
    if not path.is_file():
        raise TabularFileError(path, "no such file")
    suffix = path.suffix.casefold()
    if suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path, mapping)
    if suffix in (".csv", ".txt", ".tsv", ""):
        return _open_csv(path, mapping)
    raise TabularFileError(path, f"unknown file type {path.suffix!r}: expected .csv or .xlsx")


# --- Header mapping -----------------------------------------------------------------------------


def _lookup(mapping: FileMapping) -> dict[str, str]:
    return {normalise_header(s): f for f, spellings in mapping.columns.items() for s in spellings}


def map_headers(headers: list[object], mapping: FileMapping) -> tuple[dict[str, int], list[str]]:
    """Canonical field -> column index (first match wins), and the headers nobody knows."""
    lookup = _lookup(mapping)
    found: dict[str, int] = {}
    unknown: list[str] = []
    for index, header in enumerate(headers):
        if header is None or str(header).strip() == "":
            continue
        name = lookup.get(normalise_header(header))
        if name and name not in found:
            found[name] = index
        elif not name:
            unknown.append(str(header).strip())
    return found, unknown


def missing_columns(found: dict[str, int], mapping: FileMapping) -> list[str]:
    missing = [f for f in mapping.required if f not in found]
    missing += ["/".join(group) for group in mapping.one_of if not any(f in found for f in group)]
    return missing


def _missing_error(path: Path, mapping: FileMapping, missing: list[str], row: int, source: str) -> MissingColumnsError:
    names = ", ".join(
        f"{m} (e.g. {mapping.columns[m.split('/')[0]][0]!r})" for m in missing
    )
    return MissingColumnsError(path, f"required columns not found: {names}; known spellings are in {source}", row=row)


# --- Encoding -----------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """"utf-8-sig", "utf-16", "utf-8" or "cp1252"; ``UnknownEncodingError`` otherwise (see the module docstring)."""
    with path.open("rb") as stream:
        head = stream.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    offset = _first_undecodable(path, "utf-8")
    if offset is None:
        return "utf-8"
    if _has_utf8_sequences(path):
        raise _encoding_error(path, offset, "mixes UTF-8 with another encoding (byte {byte}); save it again as UTF-8")
    bad = _first_undecodable(path, "cp1252")
    if bad is None:
        bad = _first_implausible_cp1252(path)
    if bad is not None:
        raise _encoding_error(path, bad, "byte {byte} is neither UTF-8 nor Windows-1252 text; save the file as UTF-8")
    return "cp1252"


def _first_undecodable(path: Path, encoding: str) -> int | None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start - len(getattr(decoder, "buffer", b"") or b"")
            if b"\x00" in chunk:
                return offset + chunk.index(b"\x00")
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset - 1
    return None


def _has_utf8_sequences(path: Path) -> bool:
    tail = b""
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            # tried only where a lead byte meets a continuation byte (where every match starts; a lead byte is
            # never a continuation byte): the alternation tried at every byte cost ~0.1 CPU-s per 3 MB of cp1252
            data = tail + chunk
            if any(_UTF8_SEQUENCE.match(data, lead.start()) for lead in _UTF8_LEAD.finditer(data)):
                return True
            tail = chunk[-3:]
    return False


def _implausible_cp1252_byte(byte: int) -> bool:
    """A byte above 0x7f that no cp1252 text holds: not a letter, listed punctuation or a currency sign."""
    try:
        char = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # undefined in cp1252 (files holding these are refused earlier)
        return True
    return not (char.isalpha() or char in _CP1252_PUNCTUATION or unicodedata.category(char) == "Sc")


#: The implausible bytes as one byte class, decided once: a scan byte by byte in Python cost ~1 CPU-s per
#: 20 MB (the scale-54 demo's spend export) for a verdict that depends on the byte alone.
_IMPLAUSIBLE_CP1252 = re.compile(b"[" + b"".join(re.escape(bytes([b])) for b in range(0x80, 0x100)
                                                 if _implausible_cp1252_byte(b)) + b"]")


def _first_implausible_cp1252(path: Path) -> int | None:
    offset = 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            if found := _IMPLAUSIBLE_CP1252.search(chunk):
                return offset + found.start()
            offset += len(chunk)
    return None


def _encoding_error(path: Path, offset: int, template: str) -> UnknownEncodingError:
    """Name the line and, where the header allows, the column of the byte at ``offset``."""
    line, line_start, byte = 1, 0, b""
    with path.open("rb") as stream:
        position = 0
        while chunk := stream.read(CHUNK_BYTES):
            end = min(len(chunk), offset - position)
            if end < 0:
                break
            part = chunk[:end]
            line += part.count(b"\n")
            if b"\n" in part:
                line_start = position + part.rindex(b"\n") + 1
            if offset < position + len(chunk):
                byte = chunk[offset - position : offset - position + 1]
                break
            position += len(chunk)
        stream.seek(line_start)
        raw_line = stream.readline()
        stream.seek(0)
        header = ""
        for raw in stream:
            header = raw.decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r\n")
            if header.strip() and not header.lstrip().startswith("#"):
                break
    column = _column_at(header, raw_line[: offset - line_start].decode("utf-8", "replace"))
    return UnknownEncodingError(path, template.format(byte=f"0x{byte.hex()}" if byte else "?"), row=line, column=column)


def _column_at(header: str, before: str) -> str | None:
    """The header name of the field the text ``before`` ends in, guessing the delimiter from the header."""
    delimiter = max(DELIMITERS, key=header.count)
    if header.count(delimiter) == 0:
        return None
    names = next(csv.reader([header], delimiter=delimiter))
    index = before.count(delimiter)
    return names[index].strip() if index < len(names) else None


# --- CSV ----------------------------------------------------------------------------------------


def _open_csv(path: Path, mapping: FileMapping) -> tuple[TableInfo, Iterator[tuple[int, Raw]]]:
    encoding = detect_encoding(path)
    header_line, header_row = _header_line(path, encoding)
    if header_line is None:
        raise TabularFileError(path, "no header line: the file is empty")
    best: tuple[int, int, str, dict[str, int], list[str], list[str]] | None = None
    for delimiter in DELIMITERS:
        names = next(csv.reader([header_line], delimiter=delimiter))
        found, unknown = map_headers(names, mapping)
        candidate = (len(found), len(names), delimiter, found, unknown, names)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    assert best is not None
    count, _, delimiter, found, unknown, names = best
    if count < 2:
        raise DelimiterError(
            path, f"the header {header_line[:120]!r} does not split into known columns with ';', ',', tab or '|'",
            row=header_row,
        )
    if missing := missing_columns(found, mapping):
        raise _missing_error(path, mapping, missing, header_row, "config/own_data_columns.yaml")
    info = TableInfo(path, encoding, delimiter, header_row, {f: names[i].strip() for f, i in found.items()}, unknown)
    return info, _csv_rows(info, found, len(names))


def _header_line(path: Path, encoding: str) -> tuple[str | None, int]:
    with path.open(encoding=encoding, newline="") as stream:
        for number, line in enumerate(stream, start=1):
            text = line.lstrip("\ufeff").strip()
            if text and not text.startswith("#"):
                return line.lstrip("\ufeff").rstrip("\r\n"), number
    return None, 0


def _csv_rows(info: TableInfo, found: dict[str, int], width: int) -> Iterator[tuple[int, Raw]]:
    """The data rows; any row whose structure cannot be trusted refuses the file (``DelimiterError``,
    ``QuoteError``, ``FieldTooLargeError``), naming the row a person finds in a text editor."""
    others = [d for d in DELIMITERS if d != info.delimiter]
    with info.path.open(encoding=info.encoding, newline="") as stream:
        for _ in range(info.header_row):
            stream.readline()
        reader = csv.reader(_bounded_lines(stream, info), delimiter=info.delimiter or ";", strict=True)
        last_line = info.header_row
        while True:
            row = last_line + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _csv_error(info, row, str(exc)) from None
            last_line = info.header_row + reader.line_num
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) == 1 and width > 1 and any(d in values[0] for d in others):
                used = next(d for d in others if d in values[0])
                raise DelimiterError(
                    info.path, f"the row is separated by {used!r} but the header by {info.delimiter!r}", row=row,
                )
            if len(values) > width and any(v.strip() for v in values[width:]):
                raise DelimiterError(
                    info.path,
                    f"the row has {len(values)} fields, the header {width}: a {info.delimiter!r} inside an unquoted value?",
                    row=row,
                )
            _check_quoting(info, row, last_line, values, width)
            if len(values) < width:
                column = info.column(next((f for f, i in found.items() if i == len(values)), "")) or None
                raise DelimiterError(
                    info.path, f"the row has {len(values)} fields, the header {width}: a value or delimiter is missing",
                    row=row, column=column,
                )
            yield row, {f: _clean(values[i]) if i < len(values) else None for f, i in found.items()}


#: Longest physical line and longest field read from a CSV (Python's csv module stops at 128 KiB).
MAX_LINE_CHARS = 1_000_000
MAX_FIELD_CHARS = csv.field_size_limit()
#: A quoted value may hold line breaks (a description), but not this many: rows swallowed by a stray quote.
MAX_LINES_PER_ROW = 20


def _bounded_lines(stream: Iterator[str], info: TableInfo) -> Iterator[str]:
    for number, line in enumerate(stream, start=info.header_row + 1):
        if len(line) > MAX_LINE_CHARS:
            raise FieldTooLargeError(info.path, f"a line of {len(line)} characters (at most {MAX_LINE_CHARS})", row=number)
        yield line


def _check_quoting(info: TableInfo, row: int, last_line: int, values: list[str], width: int) -> None:
    """A quoted value that runs over many lines, or holds a line that looks like a whole row, is a stray quote."""
    lines = last_line - row + 1
    delimiter = info.delimiter or ";"
    for value in values:
        if "\n" not in value and "\r" not in value:
            continue
        swallowed = width > 2 and any(part.count(delimiter) >= width - 1 for part in value.splitlines())
        if lines > MAX_LINES_PER_ROW or swallowed:
            raise QuoteError(
                info.path,
                f"a quoted value runs from row {row} to row {last_line} and holds whole rows: an unbalanced quote "
                "(nothing of the file was imported)",
                row=row,
            )


def _csv_error(info: TableInfo, row: int, message: str) -> TabularFileError:
    if "field larger than field limit" in message:
        return FieldTooLargeError(info.path, f"a field over {MAX_FIELD_CHARS} characters (the CSV field limit)", row=row)
    if "EOF" in message or "quote" in message.lower() or "delimiter" in message:
        return QuoteError(info.path, f"unbalanced quote ({message})", row=row)
    return DelimiterError(info.path, f"the row cannot be read as CSV: {message}", row=row)


def _clean(value: object) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# --- XLSX ---------------------------------------------------------------------------------------

_XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError)


#: Bounds on a workbook, checked in the ZIP directory before openpyxl inflates anything (it keeps
#: the shared strings in memory: 843 KB of XLSX once became 1.5 GB). Excel's own limits for the rest.
MAX_XLSX_UNCOMPRESSED = 300_000_000
MAX_XLSX_RATIO = 100
MAX_XLSX_SHARED_STRINGS = 50_000_000
MAX_XLSX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767


def check_xlsx_archive(path: Path) -> None:
    """Refuse a workbook whose parts inflate beyond the bounds above, naming the part and the limit."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise TabularFileError(path, f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from exc
    total = sum(m.file_size for m in members)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise FieldTooLargeError(path, f"the workbook unpacks to {total} bytes (at most {MAX_XLSX_UNCOMPRESSED}); refused")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 10_000_000 and ratio > MAX_XLSX_RATIO:
            raise FieldTooLargeError(
                path, f"part {member.filename} unpacks {ratio:.0f} times its size (at most {MAX_XLSX_RATIO}x): a ZIP bomb?")
        if member.filename.endswith("sharedStrings.xml") and member.file_size > MAX_XLSX_SHARED_STRINGS:
            raise FieldTooLargeError(
                path, f"part {member.filename} holds {member.file_size} bytes of text (at most {MAX_XLSX_SHARED_STRINGS})")


def _open_xlsx(path: Path, mapping: FileMapping) -> tuple[TableInfo, Iterator[tuple[int, Raw]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx_archive(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, *_XLSX_ERRORS) as exc:
        raise TabularFileError(path, f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        best_missing: list[str] | None = None
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > HEADER_SCAN_ROWS:
                break
            if _is_comment(values):
                continue
            found, unknown = map_headers(list(values), mapping)
            missing = missing_columns(found, mapping)
            if missing:
                if len(found) >= 2 and (best_missing is None or len(missing) < len(best_missing)):
                    best_missing = missing
                continue
            headers = {f: str(values[i]).strip() for f, i in found.items()}
            info = TableInfo(path, "xlsx", None, number, headers, unknown)
            return info, _xlsx_rows(info, found)
    except _XLSX_ERRORS as exc:
        workbook.close()
        raise TabularFileError(path, f"workbook broken while reading ({type(exc).__name__}: {exc})") from exc
    workbook.close()
    raise _missing_error(path, mapping, best_missing or list(mapping.required), 1, "config/own_data_columns.yaml")


def _is_comment(values: tuple[object, ...]) -> bool:
    first = next((v for v in values if v not in (None, "")), None)
    return isinstance(first, str) and first.lstrip().startswith("#")


def _xlsx_rows(info: TableInfo, found: dict[str, int]) -> Iterator[tuple[int, Raw]]:
    from openpyxl import load_workbook

    workbook = load_workbook(info.path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(min_row=info.header_row + 1, values_only=True)
        for number, values in enumerate(rows, start=info.header_row + 1):
            if number > MAX_XLSX_ROWS:
                raise FieldTooLargeError(info.path, f"more than {MAX_XLSX_ROWS} rows (Excel's limit)", row=number)
            if not values or all(v in (None, "") for v in values):
                continue
            for field_name, i in found.items():
                if i < len(values) and isinstance(values[i], str) and len(values[i]) > MAX_CELL_CHARS:
                    raise FieldTooLargeError(info.path, f"a cell of {len(values[i])} characters (at most {MAX_CELL_CHARS})",
                                             row=number, column=info.column(field_name))
            yield number, {f: _clean(values[i]) if i < len(values) else None for f, i in found.items()}
    except _XLSX_ERRORS as exc:
        raise TabularFileError(info.path, f"workbook broken while reading ({type(exc).__name__}: {exc})") from exc
    finally:
        workbook.close()


__all__ = [
    "DelimiterError", "MissingColumnsError", "TableInfo", "TabularFileError", "UnknownEncodingError", "detect_encoding",
    "map_headers", "open_table",
]
