"""Parsing of command-line option values that several commands share."""

from __future__ import annotations

import re
from datetime import date

import typer
from rich.markup import escape


def parse_date(value: str | None, option: str) -> date | None:
    """An ISO date option (``--since 2026-01-01``); a clear usage error naming the option otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-11-01", param_hint=option) from None


_EMOJI_CODE = re.compile(r":(?=[A-Za-z0-9_+-]+:)")


def literal(text: str) -> str:
    """Help text shown as written: rich markup escaped, and no ``:id:`` read as an emoji.

    The help is rendered as rich markup, where ``[x]`` is a style and ``:id:`` the 🆔 emoji (as in
    ``NL:id:12345678``); an empty style between the colon and the word keeps the text as typed.
    """
    return _EMOJI_CODE.sub(":[b][/b]", escape(text))
