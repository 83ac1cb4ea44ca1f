"""EU critical raw materials (Regulation (EU) 2024/1252) and their main supplier countries.

The table is shipped with the project (see ``data/README.md``). Which categories need which
materials is an editorial mapping in ``config/category_materials.yaml``, loaded and validated by
``config.risk.load_category_materials``; this module only knows the materials themselves.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from reference.countries import country_by_name

_CRM_FILE = "eu_critical_raw_materials.csv"
_PARENTHESIS = re.compile(r"\([^)]*\)")


@dataclass(frozen=True, slots=True)
class CriticalMaterial:
    name: str
    strategic: str  # "yes", "partial", "no"
    #: ISO alpha-2 of the main countries the EU imports it from; empty when the table does not say (unknown).
    supplier_countries: tuple[str, ...]
    supplier_source: str


def parse_supplier_countries(text: str) -> tuple[str, ...]:
    """"China; Malaysia; Russia (together 95% ...)" -> ("CN", "MY", "RU"); unknown names are left out."""
    found = []
    for part in _PARENTHESIS.sub("", text or "").split(";"):
        code = country_by_name(part.strip()) if part.strip() else None
        if code and code not in found:
            found.append(code)
    return tuple(found)


@lru_cache(maxsize=1)
def critical_materials() -> dict[str, CriticalMaterial]:
    """Material name (as the Regulation's list writes it, lower case) -> its row."""
    with resources.files(__package__).joinpath("data", _CRM_FILE).open(encoding="utf-8", newline="") as fh:
        return {
            row["material"]: CriticalMaterial(
                name=row["material"],
                strategic=row["strategic"],
                supplier_countries=parse_supplier_countries(row["main_eu_supplier_countries"]),
                supplier_source=row["supplier_source"],
            )
            for row in csv.DictReader(fh)
        }
