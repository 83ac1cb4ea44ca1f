"""Reading OCDS files as a stream of releases and records, whatever their packaging.

Domain
  The Open Contracting Data Standard (OCDS 1.1) publishes a contracting process as *releases*
  (one per event: tender, award, contract, amendment) under an ``ocid``, or as *records* (one per
  ``ocid``, holding its releases and usually a ``compiledRelease``). Publishers package them as a
  release package (``{"releases": [...]}``), a record package (``{"records": [...]}``), a bare
  array, or line-delimited JSON (one release, record or package per line). Any of them may be
  gzip-compressed.

API documentation
  https://standard.open-contracting.org/1.1/en/schema/release_package/ and ``record_package/``;
  JSON Lines and packaging: https://standard.open-contracting.org/1.1/en/guidance/build/serialization/.

Caveats
  - A yearly file is hundreds of MB: packages are parsed with ijson, one release or record at a
    time; memory stays flat whatever the file size. Numbers come as ``Decimal`` (amounts exact).
  - The packaging is recognised from the content, not the file name: gzip by its magic bytes,
    JSON Lines by the name (``.jsonl``, ``.ndjson``, ``.jl``, also under ``.gz``) or, for a
    ``.json`` file, by a second top-level value on a later line.
  - Positions: ``line N`` for line-delimited files; ``releases[i]``/``records[i]`` (0-based, as in
    a JSON path) for packages, because a streaming parser has no line numbers.
  - A line that is not JSON is one bad entry (``EntryError``); the file goes on. Broken JSON inside
    a package ends the file (``OcdsFileError``), after the entries read before it.

Arguments
  ``iter_entries(path)`` yields ``Entry(kind, position, data, publisher)``; ``kind`` is
  ``"release"`` or ``"record"``, or ``"invalid"`` for a value that is neither (kept so the caller
  can quarantine it with its position).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal

import ijson
from ijson.common import ObjectBuilder

from connectors.errors import ConnectorError

EntryKind = Literal["release", "record", "invalid"]
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson", ".jl")
GZIP_MAGIC = b"\x1f\x8b"
#: Files saved by Windows tools often start with one; the JSON parser would refuse it.
UTF8_BOM = b"\xef\xbb\xbf"


class OcdsFileError(ConnectorError):
    """The file as a whole cannot be read (not JSON, truncated, not OCDS)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = str(path), reason


@dataclass(frozen=True, slots=True)
class Entry:
    kind: EntryKind
    position: str
    data: Any
    #: The package's publisher name, where the package names one before its releases.
    publisher: str | None = None
    reason: str | None = None


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, gunzipped when it starts with the gzip magic (whatever its name), without a UTF-8 BOM."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    stream = gzip.open(path, "rb") if magic == GZIP_MAGIC else path.open("rb")
    if stream.read(len(UTF8_BOM)) != UTF8_BOM:
        stream.seek(0)
    return stream


def is_json_lines(path: Path) -> bool:
    suffixes = [s.casefold() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return bool(suffixes) and suffixes[-1] in JSON_LINES_SUFFIXES


def iter_entries(path: Path) -> Iterator[Entry]:
    """Every release and record in the file, in file order."""
    try:
        if is_json_lines(path) or _looks_like_json_lines(path):
            yield from _json_lines(path)
        else:
            yield from _package(path)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise OcdsFileError(path, f"cannot be read ({type(exc).__name__}: {exc})") from exc


def classify(value: Any) -> EntryKind:
    """A record has ``releases`` or ``compiledRelease`` next to its ``ocid``; a release has neither."""
    if not isinstance(value, dict):
        return "invalid"
    if "compiledRelease" in value or ("releases" in value and "ocid" in value):
        return "record"
    return "release"


def entry_ocid(entry: Entry) -> str | None:
    """The ocid of a release, or of a record (its own, else its compiled release's); None when missing."""
    if not isinstance(entry.data, dict):
        return None
    ocid = entry.data.get("ocid")
    if ocid is None and entry.kind == "record" and isinstance(entry.data.get("compiledRelease"), dict):
        ocid = entry.data["compiledRelease"].get("ocid")
    return ocid.strip() or None if isinstance(ocid, str) else None


def _looks_like_json_lines(path: Path) -> bool:
    """A ``.json`` file whose first line is a complete JSON object is line-delimited."""
    with open_binary(path) as stream:
        first = stream.readline(1 << 20)
        if not first.strip().startswith(b"{"):
            return False
        try:
            json.loads(first)
        except ValueError:
            return False
        return bool(stream.readline(1 << 20).strip())


def _json_lines(path: Path) -> Iterator[Entry]:
    with open_binary(path) as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            position = f"line {number}"
            try:
                value = json.loads(line, parse_float=_decimal)
            except json.JSONDecodeError as exc:
                yield Entry("invalid", position, None, reason=f"not JSON: {exc.msg} at character {exc.pos + 1}")
                continue
            except ValueError as exc:
                yield Entry("invalid", position, None, reason=f"not JSON: {exc}")
                continue
            if isinstance(value, dict) and "ocid" not in value and isinstance(value.get("releases"), list):
                publisher = _publisher_name(value.get("publisher"))
                for i, release in enumerate(value["releases"]):
                    yield Entry(classify(release), f"{position} releases[{i}]", release, publisher)
            elif isinstance(value, dict) and "ocid" not in value and isinstance(value.get("records"), list):
                publisher = _publisher_name(value.get("publisher"))
                for i, record in enumerate(value["records"]):
                    yield Entry(_record_kind(record), f"{position} records[{i}]", record, publisher)
            else:
                yield Entry(classify(value), position, value)


def _package(path: Path) -> Iterator[Entry]:
    """Releases or records of a package (or a bare array), built one at a time from ijson events."""
    items = {"releases.item": "release", "records.item": "record", "item": None}
    publisher: str | None = None
    publisher_builder: ObjectBuilder | None = None
    builder: ObjectBuilder | None = None
    counts: dict[str, int] = {}
    current = ""
    found = False
    with open_binary(path) as stream:
        try:
            for prefix, event, value in ijson.parse(stream):
                if builder is not None:
                    builder.event(event, value)
                    if prefix == current and event in ("end_map", "end_array"):
                        found = True
                        yield _entry(items[current], current, counts, builder.value, publisher)
                        builder = None
                    continue
                if prefix in items and event in ("start_map", "start_array"):
                    current, builder = prefix, ObjectBuilder()
                    builder.event(event, value)
                elif prefix in items and event not in ("end_array", "start_array"):
                    found = True
                    yield _entry(items[prefix], prefix, counts, value, publisher)
                elif prefix in ("releases", "records", "") and event == "start_array":
                    found = True  # an empty package is a package: nothing to import, nothing wrong
                elif prefix == "publisher" and event == "start_map":
                    publisher_builder = ObjectBuilder()
                    publisher_builder.event(event, value)
                elif publisher_builder is not None and prefix.startswith("publisher"):
                    publisher_builder.event(event, value)
                    if prefix == "publisher" and event == "end_map":
                        publisher, publisher_builder = _publisher_name(publisher_builder.value), None
        except ijson.JSONError as exc:
            raise OcdsFileError(path, f"broken JSON after {sum(counts.values())} entries: {exc}") from exc
    if not found:
        raise OcdsFileError(path, "no releases or records: expected an OCDS release package, record package, "
                                  "array or JSON Lines file")


def _entry(kind: str | None, prefix: str, counts: dict[str, int], value: Any, publisher: str | None) -> Entry:
    index = counts.get(prefix, 0)
    counts[prefix] = index + 1
    label = {"releases.item": "releases", "records.item": "records", "item": ""}[prefix]
    position = f"{label}[{index}]"
    if kind == "record":
        return Entry(_record_kind(value), position, value, publisher)
    return Entry(classify(value), position, value, publisher)


def _record_kind(value: Any) -> EntryKind:
    """Inside ``records``, an object is a record even without ``compiledRelease``."""
    return "record" if isinstance(value, dict) else "invalid"


def _publisher_name(value: Any) -> str | None:
    if isinstance(value, dict):
        name = value.get("name") or value.get("uri")
        return str(name) if name else None
    return None


def _decimal(text: str) -> Decimal:
    """Floats as ``Decimal``, as ijson reads them: amounts stay exact."""
    return Decimal(text)
