"""Country reference data for geopolitical exposure: WGI political stability, EU / EEA membership.

The WGI table (World Bank, CC BY 4.0; see ``data/README.md``) is shipped with the project and
loaded once per process. Membership lists are facts of the treaties, kept here in code, one list
for the market scan's regions and the risk models alike.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_WGI_FILE = "wgi_political_stability.csv"
#: EU member states (EU-27 since 1 February 2020) as ISO 3166-1 alpha-2; "EL" is the EU's own code for Greece.
EU27: frozenset[str] = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)
COUNTRY_ALIASES: dict[str, str] = {"EL": "GR", "UK": "GB"}
#: The EEA beyond the EU (EEA Agreement): Iceland, Liechtenstein, Norway.
EEA_NON_EU: frozenset[str] = frozenset({"IS", "LI", "NO"})
#: Names the reference tables use for countries that the WGI spell differently.
NAME_ALIASES = {
    "turkiye": "TR", "turkey": "TR", "russia": "RU", "south korea": "KR", "north korea": "KP", "iran": "IR",
    "congo drc": "CD", "democratic republic of the congo": "CD", "vietnam": "VN", "taiwan": "TW", "syria": "SY",
    "laos": "LA", "venezuela": "VE", "egypt": "EG", "united states of america": "US",
}


@dataclass(frozen=True, slots=True)
class CountryStability:
    iso2: str
    iso3: str
    name: str
    year: int
    estimate: float  # WGI PV.EST, about -2.5 (unstable) .. +2.5 (stable)


def normalise_country(code: str | None) -> str | None:
    """ISO alpha-2 in upper case, with the EU's "EL" and the UK's "UK" mapped to ISO; None for blanks."""
    if not code or not code.strip():
        return None
    upper = code.strip().upper()
    return COUNTRY_ALIASES.get(upper, upper)


@lru_cache(maxsize=1)
def political_stability() -> dict[str, CountryStability]:
    """ISO alpha-2 -> the latest WGI political-stability estimate."""
    with resources.files(__package__).joinpath("data", _WGI_FILE).open(encoding="utf-8", newline="") as fh:
        return {
            row["iso2"]: CountryStability(row["iso2"], row["iso3"], row["country"], int(row["year"]), float(row["estimate"]))
            for row in csv.DictReader(fh)
            if row["estimate"]
        }


def membership(country: str | None) -> str:
    """"eu", "eea" (EEA outside the EU), "non-eu" or "unknown"."""
    code = normalise_country(country)
    if code is None:
        return "unknown"
    if code in EU27:
        return "eu"
    if code in EEA_NON_EU:
        return "eea"
    return "non-eu"


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").casefold().strip()


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names = {_fold(c.name): c.iso2 for c in political_stability().values()}
    names.update(NAME_ALIASES)
    return names


def country_by_name(name: str) -> str | None:
    """ISO alpha-2 of a country name as the reference tables write it ("China", "Türkiye"); None if unknown."""
    return _names().get(_fold(name))
