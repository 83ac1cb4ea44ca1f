"""Which branch of a category scheme a code belongs to: CPV and any other hierarchical scheme.

Pure functions, no I/O. Suggestions compare a supplier's past wins with the code of what is
bought; "the same branch" is a prefix of the code at a depth that suits its scheme, and "the
neighbouring codes" are the prefix one level up (the parent), so that a supplier of a sibling
category still counts, with less weight.

- **CPV** (8 digits, check digit after "-" ignored): the branch is the first ``cpv_depth`` digits
  (3 by default: "725" = computer support services), the parent the 2-digit division ("72").
- **UNSPSC** (8 digits in pairs: segment, family, class, commodity): branch = family (4 digits),
  parent = segment (2 digits).
- **Any other scheme**, codes kept as published (an OCDS import gives the scheme's name): a code
  with separators ("62.01", "A-01-2") has one level per segment; a code without separators has
  one level per character. The branch is the first half of the levels (rounded up), the parent
  one level less, but never less than the first level. A 4-digit ISIC/NACE class "6201" gives
  branch "62" and parent "6"; "62.01.1" gives "62.01" and "62". A branch of separated codes
  ends at a level boundary: branch "1.1" holds "1.1" and "1.1.2", never "1.10" (``match_key``).

A branch always carries its scheme: codes of two schemes never match each other.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

CPV = "CPV"
UNSPSC = "UNSPSC"
_SEPARATORS = re.compile(r"[.\-/ _:]")
#: What closes a level in ``match_key``: lower than any character of a code.
_LEVEL_END = "\x00"


def scheme_name(scheme: str | None) -> str:
    """The scheme as the engine compares it: upper case, CPV when none is given."""
    return (scheme or CPV).strip().upper() or CPV


def clean_code(code: str, scheme: str | None = CPV) -> str:
    """The code as it is matched: CPV without its check digit, other schemes as published (trimmed)."""
    code = (code or "").strip()
    if scheme_name(scheme) in (CPV, UNSPSC):
        return code.split("-", 1)[0]
    return code


def match_key(code: str) -> str:
    """The code as the history is sorted and matched by prefix: a code with separators has each level
    closed by a character lower than any other ("1.1.2" -> "1", "1", "2", each closed), so that the key
    of level "1.1" is a prefix of the keys of "1.1" and "1.1.2" but not of "1.10"; other codes as they are."""
    return _SEPARATORS.sub(_LEVEL_END, code) + _LEVEL_END if _SEPARATORS.search(code) else code


@dataclass(frozen=True, slots=True)
class Branch:
    """A prefix of a scheme's codes: the codes counted as "the same branch" (or "neighbouring")."""

    scheme: str
    prefix: str
    #: Whether the prefix is a level of separated codes ("62" of "62.01.1"): it then ends at a level boundary.
    levelled: bool = field(default=False, compare=False, repr=False)

    @property
    def key(self) -> str:
        """The prefix of the ``match_key`` of every code the branch holds (a prefix with a separator is a level)."""
        if self.levelled or _SEPARATORS.search(self.prefix):
            return _SEPARATORS.sub(_LEVEL_END, self.prefix) + _LEVEL_END
        return self.prefix

    def covers(self, code: str, scheme: str | None) -> bool:
        return scheme_name(scheme) == self.scheme and match_key(clean_code(code, scheme)).startswith(self.key)

    @property
    def label(self) -> str:
        """How a message names the codes counted: "CPV 725*" (every CPV code starting with 725)."""
        return f"{self.scheme} {self.prefix}*"


def _levels(code: str) -> list[str]:
    """The code's hierarchy, coarse to fine, as prefixes of the code itself."""
    if _SEPARATORS.search(code):
        ends = [m.start() for m in _SEPARATORS.finditer(code)] + [len(code)]
        return [code[:end] for end in ends if end > 0]
    return [code[: i + 1] for i in range(len(code))]


def branch_of(code: str, scheme: str | None = CPV, *, cpv_depth: int = 3) -> Branch:
    """The branch of ``code`` in its scheme (see the module docstring for the depth of each scheme)."""
    name = scheme_name(scheme)
    cleaned = clean_code(code, scheme)
    if name == CPV:
        return Branch(name, cleaned[:cpv_depth])
    if name == UNSPSC:
        return Branch(name, cleaned[:4])
    levels = _levels(cleaned)
    if not levels:
        return Branch(name, "")
    return Branch(name, levels[max(0, math.ceil(len(levels) / 2) - 1)], _is_levelled(cleaned))


def parent_of(code: str, scheme: str | None = CPV, *, cpv_depth: int = 3) -> Branch:
    """The branch one level up: the neighbouring codes of ``code`` (the CPV division, the UNSPSC segment)."""
    name = scheme_name(scheme)
    cleaned = clean_code(code, scheme)
    if name == CPV:
        return Branch(name, cleaned[: min(2, cpv_depth)])
    if name == UNSPSC:
        return Branch(name, cleaned[:2])
    branch = branch_of(code, scheme, cpv_depth=cpv_depth)
    levels = [level for level in _levels(cleaned) if len(level) < len(branch.prefix)]
    return Branch(name, levels[-1] if levels else branch.prefix, branch.levelled)


def division_of(code: str, scheme: str | None = CPV) -> Branch:
    """The top level of the code (CPV division "72", UNSPSC segment, first level otherwise): for reports."""
    name = scheme_name(scheme)
    cleaned = clean_code(code, scheme)
    if name in (CPV, UNSPSC):
        return Branch(name, cleaned[:2])
    levels = _levels(cleaned)
    return Branch(name, levels[0] if levels else "", bool(levels) and _is_levelled(cleaned))


def _is_levelled(code: str) -> bool:
    return bool(_SEPARATORS.search(code))
