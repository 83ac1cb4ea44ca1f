"""Which organisations have a possible match on the sanctions list: every screen that names a company marks it.

A match is a ``sanctions.possible_match`` supplier event (``pipelines.screen_sanctions``), a signal for a
person to check, never a verdict; a dismissal as wrong-entity removes the link, and with it the mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.schema import Organisation, SupplierEvent

KIND = "sanctions.possible_match"
_CHUNK = 900


def possible_matches_by_id(session: Session, organisation_ids: Iterable[int]) -> dict[int, date]:
    """Organisation id -> the newest possible-match date, for the ids that have one."""
    ids = sorted(set(organisation_ids))
    out: dict[int, date] = {}
    for start in range(0, len(ids), _CHUNK):
        out.update(session.execute(
            select(SupplierEvent.organisation_id, func.max(SupplierEvent.occurred_on))
            .where(SupplierEvent.kind == KIND, SupplierEvent.organisation_id.in_(ids[start:start + _CHUNK]))
            .group_by(SupplierEvent.organisation_id)
        ).all())
    return out


def possible_matches_by_key(session: Session, org_keys: Iterable[str]) -> dict[str, date]:
    """Organisation key (``NL:id:12345678``) -> the newest possible-match date, for the keys that have one."""
    keys = sorted(set(org_keys))
    out: dict[str, date] = {}
    for start in range(0, len(keys), _CHUNK):
        out.update(session.execute(
            select(Organisation.org_key, func.max(SupplierEvent.occurred_on))
            .join(SupplierEvent, SupplierEvent.organisation_id == Organisation.id)
            .where(SupplierEvent.kind == KIND, Organisation.org_key.in_(keys[start:start + _CHUNK]))
            .group_by(Organisation.org_key)
        ).all())
    return out
