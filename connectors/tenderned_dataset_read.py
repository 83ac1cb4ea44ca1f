"""TenderNed's open-data files read row by row: XLSX sheets and JSON records, streamed.

Domain
  The yearly TenderNed files (``connectors.tenderned_dataset``) come as XLSX workbooks and as JSON.
  This module finds the header row or the record keys (``connectors.tenderned_dataset_columns``) and
  yields each row keyed by canonical field, without holding the file in memory.

Caveats
  - The XLSX has an explanation sheet and sometimes title rows above the header: the header is the
    first row, within ``HEADER_SCAN_ROWS`` rows of any sheet, that has every required column; the
    data sheet ("OpenData sheet") is looked at first.
  - The JSON is a top-level array of objects keyed by the column names (or an object with such an
    array under one key), decoded one record at a time (``iter_json_records``); ijson is not needed.
    A later record lacking a required key the first one had carries ``MISSING_KEYS``: that record's
    error, counted, not dropped.
  - The current yearly JSON is an OCDS release package (``is_ocds_json``), read by ``connectors.ocds``.
  - A truncated workbook or broken JSON is a ``DatasetFileError`` naming the file.

Arguments
  ``read_rows(path, headers)`` yields ``(row_number, raw)`` with ``raw`` keyed by canonical field
  name and fills ``headers`` with field -> the file's own column name. Row numbers are the sheet's
  row numbers (as Excel shows them) for XLSX and the 1-based record position for JSON.
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from connectors.tenderned_dataset_columns import (
    REQUIRED_FIELDS,
    DatasetFileError,
    MissingColumnsError,
    map_headers,
    missing_fields,
    normalise_header,
)

#: The data sheet's name in the real XLSX (normalised), looked at before any other sheet.
DATA_SHEET = "opendata sheet"
#: Set on a JSON record that lacks required keys the first record had (see ``_json_rows``).
MISSING_KEYS = "_missing_keys"
#: How far down each sheet the header row is looked for (title rows sit above it).
HEADER_SCAN_ROWS = 10
#: Characters read from a JSON file at a time.
JSON_CHUNK_CHARS = 1 << 16
#: One JSON record larger than this is not a record but a broken file.
JSON_MAX_RECORD_CHARS = 10_000_000

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


def is_ocds_json(path: Path) -> bool:
    """A JSON file that is an OCDS package (the yearly TenderNed JSON), not rows keyed by column name."""
    from connectors.ocds_read import open_binary

    with open_binary(path) as stream:
        head = stream.read(1 << 16).decode("utf-8", errors="replace")
    return bool(re.search(r'"(?:releases|records|ocid)"\s*:', head))
