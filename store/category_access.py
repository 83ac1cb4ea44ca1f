"""Which rows a reader may see: the CPV prefixes of their categories, as SQL filters and as a check.

Every read that can reveal a category takes ``prefixes`` (``None``: all of them), so a category
manager's pages are built only from rows inside their categories.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import false, or_


def in_categories(column: Any, prefixes: Sequence[str] | None) -> Any:  # SQL expressions
    """A filter keeping rows whose CPV starts with one of ``prefixes`` (all rows for ``None``)."""
    if prefixes is None:
        return column.is_not(None) | column.is_(None)
    if not prefixes:
        return false()
    return or_(*(column.startswith(p) for p in prefixes))


def covers(prefixes: Sequence[str] | None, cpv: str | None) -> bool:
    """May a reader with ``prefixes`` see something filed under ``cpv``?"""
    if prefixes is None:
        return True
    return bool(cpv) and any(cpv.startswith(p) for p in prefixes)


def disjoint(prefixes: Sequence[str]) -> list[str]:
    """Prefixes with those inside another left out, so no spend line is counted twice."""
    ordered = sorted(set(prefixes), key=len)
    return [p for i, p in enumerate(ordered) if not any(p.startswith(q) for q in ordered[:i])]
