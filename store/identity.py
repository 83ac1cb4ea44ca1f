"""The organisation key: one row per organisation, whatever source names it.

This is the first, conservative rung of identity (issue "supplier watch" adds KvK look-ups,
fuzzy matching and human decisions): a published company id wins; otherwise the name,
normalised for case, accents, punctuation and spacing, within its country. Two spellings of
one company therefore stay two organisations until matching merges them: a missed merge is
visible and fixable, a wrong merge silently corrupts market shares.
"""

from __future__ import annotations

import re
import unicodedata

from connectors.records import Party

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
#: Prefixes that notices put before a Dutch KvK number.
_KVK_PREFIX = re.compile(r"^(?:kvk|kvknr|kvknummer|kvk-nummer|coc)[\s:.\-]*", re.IGNORECASE)


def normalise_name(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").casefold()
    return _NON_ALNUM.sub(" ", folded).strip()


def normalise_company_id(company_id: str) -> str:
    stripped = _KVK_PREFIX.sub("", company_id.strip())
    return re.sub(r"[\s.\-/]", "", stripped).upper()


def org_key(party: Party) -> str:
    country = (party.country or "XX").upper()
    if party.company_id:
        normalised = normalise_company_id(party.company_id)
        if len(normalised) >= 4:
            return f"{country}:id:{normalised}"
    return f"{country}:name:{normalise_name(party.name)}"
