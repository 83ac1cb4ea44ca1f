"""Figures as each reader writes them: English "1,065" and "0.95", Dutch "1.065" and "0,95".

Here, at the bottom of the import rule, because alert messages (``alerts/``), the alternatives' reasons
(``models/``) and the workspace (``web/``) all put figures into Dutch text, and a Dutch reader takes
"1,000 gunningen" for one award and a bit, and "5.9 maanden" for a misprint. Pure; no locale module (its
settings are the process's, not the reader's).
"""

from __future__ import annotations

import re
from decimal import Decimal

#: A figure in text our code wrote the English way: grouped thousands ("1,065", "12,000.5") or decimals ("0.95",
#: "x9.60", "12.3%", "-0.05"). Not part of a word, a code or a dotted or slashed sequence ("v1.5", "1.5.2",
#: "F.16/26/213", "127.0.0.1"), and never a plain whole number or a date, which both languages write alike.
_ENGLISH_FIGURE = re.compile(r"(?<![0-9A-Za-wyz_.,/])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)(?![\d/]|[.,]\d)")


def dutch(text: str) -> str:
    """One figure written the English way, written the Dutch way: "1,065.5" -> "1.065,5"."""
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def figure(value: float | int | Decimal, language: str, spec: str = "") -> str:
    """``format(value, spec)`` in the reader's language (``spec`` as for ``format``: ",.2f", "+.2f"; empty: as
    Python writes the number, "0.999", "5.9")."""
    text = format(value, spec) if spec else str(value)
    return dutch(text) if language == "nl" else text


def in_dutch(text: str) -> str:
    """Running text our code wrote in English, with every figure in it written the Dutch way."""
    return _ENGLISH_FIGURE.sub(lambda match: dutch(match.group(1)), text)
