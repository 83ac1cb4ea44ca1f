"""Parsing of command-line option values that several commands share."""

from __future__ import annotations

from datetime import date

import typer


def parse_date(value: str | None, option: str) -> date | None:
    """An ISO date option (``--since 2026-01-01``); a clear usage error naming the option otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-11-01", param_hint=option) from None
