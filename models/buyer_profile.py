"""What the alternatives compare buyers by: their kind (read off the name) and their region (postcode area).

Pure functions, no I/O. The notices carry no buyer type that every source fills in, so the kind
is read off the buyer's name ("Gemeente ...", "Waterschap ..."); the region is the postcode area,
which any source with an address gives (an OCDS import too), so it works on imported histories.
"""

from __future__ import annotations

import re

_BUYER_KINDS = (
    (re.compile(r"\bgemeente\b|\bmunicipality\b|\bstad\b", re.I), "municipality"),
    (re.compile(r"\bprovincie\b|\bprovince\b", re.I), "province"),
    (re.compile(r"waterschap|hoogheemraadschap|wetterskip|water board", re.I), "water-board"),
    (re.compile(r"ziekenhuis|medisch centrum|\bumc\b|hospital|zorg", re.I), "hospital"),
    (re.compile(r"universiteit|hogeschool|university", re.I), "university"),
    (re.compile(r"ministerie|rijks|dienst|agentschap|autoriteit|belastingdienst|ministry|agency", re.I), "agency"),
)


def buyer_kind(name: str | None) -> str | None:
    """A buyer's kind from its name, or None when the name does not say."""
    for pattern, kind in _BUYER_KINDS:
        if name and pattern.search(name):
            return kind
    return None


def buyer_region(country: str | None, postcode: str | None) -> str | None:
    """The postcode area: first digit for Dutch buyers ("NL-3"), first two characters elsewhere
    ("FR-75", "DE-10"), the country alone without a postcode, None when neither is known."""
    code = (postcode or "").strip().upper().replace(" ", "")
    if country == "NL" and code[:1].isdigit():
        return f"NL-{code[0]}"
    if country and country != "NL" and len(code) >= 2 and code[:2].isalnum():
        return f"{country}-{code[:2]}"
    return country
