"""CPV 2008 code labels (English and Dutch), shipped with the project.

Source: the eForms SDK translations (CC BY 4.0, Publications Office of the EU) joined with the
official check digits; see ``data/README.md``. Loaded once per process: 9,454 rows, about 5 ms.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_CPV_FILE = "cpv_2008.csv"


def cpv_prefix(code: str) -> str:
    """A CPV code as the prefix it denotes: "09310000" -> "0931", "72000000-5" -> "72", "725" stays "725".

    Trailing zeros of an 8-digit code mark its level in the CPV tree, so "90910000" stands for every
    code under 9091 (cleaning services), not only itself; categories are compared on these prefixes.
    A prefix keeps at least its 2-digit division ("03000000" -> "03").
    """
    digits = code.strip().split("-", 1)[0]
    if len(digits) == 8:
        digits = digits.rstrip("0").ljust(2, "0")
    return digits


class UnknownCpvCodeError(ValueError):
    """A code that is not in CPV 2008 (after normalisation)."""


@dataclass(frozen=True, slots=True)
class CpvCode:
    code: str  # 8 digits
    label_en: str
    label_nl: str
    check_digit: str

    @property
    def official(self) -> str:
        """The form used in notices and on TenderNed: ``72000000-5``."""
        return f"{self.code}-{self.check_digit}"

    def label(self, language: str = "en") -> str:
        return self.label_nl if language == "nl" else self.label_en


@lru_cache(maxsize=1)
def cpv_codes() -> dict[str, CpvCode]:
    with resources.files(__package__).joinpath("data", _CPV_FILE).open(encoding="utf-8", newline="") as fh:
        return {
            row["code"]: CpvCode(row["code"], row["label_en"], row["label_nl"], row["check_digit"])
            for row in csv.DictReader(fh)
        }


def prefix_label(prefix: str, language: str = "en") -> str:
    """The label of a CPV prefix of any length: the code it denotes when padded with zeros.

    A prefix such as ``"72"`` names the division ``72000000``; ``"7221"`` the class ``72210000``.
    When the padded code does not exist, the shortest existing code starting with the prefix is used.
    """
    codes = cpv_codes()
    padded = prefix.ljust(8, "0")
    if padded in codes:
        return codes[padded].label(language)
    candidates = sorted(c for c in codes if c.startswith(prefix))
    if not candidates:
        raise UnknownCpvCodeError(f"no CPV code starts with {prefix!r}")
    return codes[candidates[0]].label(language)


def labels(language: str = "en") -> dict[str, str]:
    """Code -> label, the mapping the market models take (they do no I/O themselves)."""
    return {code: entry.label(language) for code, entry in cpv_codes().items()}
