"""Settings of the organisation's own spend and contract files (one section of Settings; see config/settings.py for precedence).

The column mapping itself is editable YAML (``config/own_data_columns.yaml``, or the file named by
``columns_file``): ``load_column_mapping`` reads and validates it and says exactly what is wrong
(file, key, value) instead of importing with a half-understood mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from config.yaml_text import safe_load

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_COLUMNS_FILE = CONFIG_DIR / "own_data_columns.yaml"

#: Canonical fields each kind of file can have; the YAML maps header spellings onto these.
SPEND_FIELDS = (
    "supplier_name", "supplier_kvk", "supplier_vat", "supplier_ref", "category", "cpv", "amount", "currency",
    "booked_on", "invoice_number", "description", "contract_ref",
)
CONTRACT_FIELDS = (
    "contract_ref", "title", "supplier_name", "supplier_kvk", "supplier_vat", "category", "cpv", "start_date",
    "end_date", "extension_until", "extension_options", "extension_count", "extension_months", "value", "currency",
    "owner", "single_sourced",
)
KNOWN_FIELDS = {"spend": SPEND_FIELDS, "contracts": CONTRACT_FIELDS}


class MatchingSettings(BaseModel):
    """Scores 0-100 of ``models.matching``: at or above ``auto_accept`` a name is linked, from ``review`` a person decides."""

    auto_accept: float = Field(92.0, ge=0, le=100)
    review: float = Field(80.0, ge=0, le=100)
    #: The best organisation must lead the runner-up by this much to be taken automatically.
    margin: float = Field(3.0, ge=0, le=100)
    #: Candidates scored per name after blocking (bounds the cost per name).
    candidate_limit: int = Field(40, ge=1)
    #: A token in more organisations than this is not a blocking key on its own.
    max_block_size: int = Field(200, ge=1)


class OwnDataSettings(BaseModel):
    """Column mappings of the spend and contract files and the matching thresholds."""

    #: The YAML column mapping; empty: ``config/own_data_columns.yaml``.
    columns_file: Path | None = None
    #: A file is refused when more than this share of its rows has an amount (or date) that does not parse:
    #: then the column is wrong, not a row. Below it, the rows are kept and reported by ``supplyradar quality``.
    max_bad_value_share: float = Field(0.05, ge=0, le=1)
    #: Rows written per flush inside the file's one transaction.
    batch_size: int = Field(2000, ge=1)
    #: Names resolved per transaction by ``resolve-suppliers``.
    resolve_batch_size: int = Field(1000, ge=1)
    matching: MatchingSettings = Field(default_factory=MatchingSettings)
    #: Who decided, when ``match accept/reject`` is not told (``--by``).
    default_decided_by: str = "cli"

    @property
    def resolved_columns_file(self) -> Path:
        return self.columns_file or DEFAULT_COLUMNS_FILE


class ColumnMappingError(ValueError):
    """The column mapping YAML is unreadable or inconsistent; the message names the file and key."""


@dataclass(frozen=True, slots=True)
class FileMapping:
    """One kind of file: header spellings per canonical field, the required fields, category -> CPV."""

    kind: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    #: Alternatives: at least one field of each group must be present ("supplier_name or supplier_kvk").
    one_of: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    spend: FileMapping
    contracts: FileMapping
    #: Category text (normalised) -> CPV code, for rows that name a category but no code.
    category_cpv: dict[str, str]
    source: str

    def for_kind(self, kind: str) -> FileMapping:
        return self.spend if kind == "spend" else self.contracts


def load_column_mapping(path: Path | None = None) -> ColumnMapping:
    """Read and check the YAML; ``ColumnMappingError`` names what is wrong."""
    path = path or DEFAULT_COLUMNS_FILE
    return _load(str(path))


@lru_cache(maxsize=8)
def _load(path: str) -> ColumnMapping:
    try:
        data = safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ColumnMappingError(f"{path}: cannot read the column mapping: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ColumnMappingError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ColumnMappingError(f"{path}: expected a mapping with 'spend' and 'contracts' at the top")
    kinds = {kind: _file_mapping(path, kind, data.get(kind)) for kind in KNOWN_FIELDS}
    categories = data.get("category_cpv") or {}
    if not isinstance(categories, dict):
        raise ColumnMappingError(f"{path}: category_cpv must map category names to CPV codes")
    category_cpv: dict[str, str] = {}
    for name, code in categories.items():
        code_text = str(code).strip()
        if not code_text.isdigit() or len(code_text) != 8:
            raise ColumnMappingError(f"{path}: category_cpv[{name!r}]: {code!r} is not an 8-digit CPV code")
        category_cpv[" ".join(str(name).casefold().split())] = code_text
    return ColumnMapping(spend=kinds["spend"], contracts=kinds["contracts"], category_cpv=category_cpv, source=path)


def _file_mapping(path: str, kind: str, section: object) -> FileMapping:
    where = f"{path}: {kind}"
    if not isinstance(section, dict):
        raise ColumnMappingError(f"{where}: missing, or not a mapping with 'columns' and 'required'")
    columns_raw = section.get("columns")
    if not isinstance(columns_raw, dict) or not columns_raw:
        raise ColumnMappingError(f"{where}.columns: expected field -> list of header spellings")
    columns: dict[str, tuple[str, ...]] = {}
    seen: dict[str, str] = {}
    for field, spellings in columns_raw.items():
        if field not in KNOWN_FIELDS[kind]:
            raise ColumnMappingError(f"{where}.columns.{field}: unknown field; known: {', '.join(KNOWN_FIELDS[kind])}")
        if isinstance(spellings, str):
            spellings = [spellings]
        if not isinstance(spellings, list) or not spellings or not all(isinstance(s, str) and s.strip() for s in spellings):
            raise ColumnMappingError(f"{where}.columns.{field}: expected a non-empty list of header names")
        for spelling in spellings:
            key = normalise_header(spelling)
            if key in seen and seen[key] != field:
                raise ColumnMappingError(f"{where}.columns.{field}: header {spelling!r} is also listed under {seen[key]}")
            seen[key] = field
        columns[field] = tuple(spellings)
    required = tuple(section.get("required") or ())
    groups = tuple(tuple(g) for g in (section.get("one_of") or ()))
    for field in (*required, *(f for g in groups for f in g)):
        if field not in columns:
            raise ColumnMappingError(f"{where}.required: {field!r} has no header spellings under columns")
    return FileMapping(kind=kind, columns=columns, required=required, one_of=groups)


def normalise_header(value: object) -> str:
    """Headers compare without case, accents, punctuation or extra spaces: "KvK-nummer" == "kvk nummer"."""
    import unicodedata

    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = "".join(c if c.isalnum() else " " for c in text)
    return " ".join(text.split())
