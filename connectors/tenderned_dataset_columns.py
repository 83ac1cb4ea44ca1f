"""TenderNed's open-data files: which column is which, whatever the release calls it.

Domain
  The yearly TenderNed files (``connectors.tenderned_dataset``) name their columns in Dutch, and
  the names changed between releases. This module is the one table of known spellings and the
  matching of a file's header row (or a JSON record's keys) against it.

Caveats
  - ``config/tenderned_dataset_columns.yaml`` holds the table (``FIELD_VARIANTS``: canonical field ->
    spellings, current first; ``REQUIRED_FIELDS``). Spellings are compared without case, accents or
    extra whitespace; of two matching columns the spelling listed first wins ("ON plaats" over "Plaats").
  - A file without a required column is refused whole (``MissingColumnsError``), naming the columns it
    lacks and the ones it has: a new spelling is added to the table, never guessed.

Arguments
  ``map_headers(headers)`` -> canonical field -> column index; ``missing_fields(found)`` -> the
  required fields not among ``found``; ``normalise_header(value)`` is the comparison used throughout.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from config.yaml_text import safe_load
from connectors.errors import ConnectorError

#: The column table (canonical field -> header spellings, current first; the required fields) is editable YAML.
COLUMNS_FILE = Path(__file__).resolve().parent.parent / "config" / "tenderned_dataset_columns.yaml"


def load_columns(path: Path = COLUMNS_FILE) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """``(field -> spellings, required fields)`` from the YAML; a broken table names the file and the key."""

    document = safe_load(path.read_text(encoding="utf-8"))
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
