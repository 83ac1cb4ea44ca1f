"""An organisation's current facts from its newest KvK state, with the history kept: "formerly ...".

Why
  An organisation row is created with the name the first source used (a notice, a spend line). After a
  KvK rename that name went stale: alerts and alternatives kept offering a renamed company under its old
  name, and the supplier page kept an address it had left. The KvK register is the authority on a
  company's name and address, and every state it showed is kept (``company_snapshots``), so:

  - ``refresh_current_facts`` sets ``organisations.name``, ``town`` and ``postcode`` to the newest
    "found" KvK state (``save_snapshot`` calls it for the one company it stored; resolution runs call it
    for all, which also repairs rows written before this existed);
  - ``known_names`` gives, per organisation, the current name, its trade names and its former names
    (earlier statutory names, earlier trade names no longer used) and former addresses with the day they
    were last seen: what matching, news linking and the supplier page use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from store.schema import Organisation
from store.schema.companies import CompanySnapshot

CHUNK = 900


@dataclass(slots=True)
class KnownNames:
    """Every name and address the register has shown for one organisation, newest state first."""

    organisation_id: int
    current_name: str | None = None
    statutory_name: str | None = None
    trade_names: list[str] = field(default_factory=list)
    #: (name, the last day a KvK state still showed it)
    former_names: list[tuple[str, date]] = field(default_factory=list)
    address: dict[str, Any] | None = None
    address_since: date | None = None
    former_addresses: list[tuple[dict[str, Any], date]] = field(default_factory=list)

    def other_names(self) -> tuple[str, ...]:
        """For ``models.matching.Candidate.other_names``: "trade:NAME" and "former:NAME"."""
        names = [f"trade:{n}" for n in self.trade_names if n != self.current_name]
        if self.statutory_name and self.statutory_name != self.current_name:
            names.append(f"trade:{self.statutory_name}")
        return tuple(dict.fromkeys(names + [f"former:{n}" for n, _ in self.former_names]))

    def as_json(self) -> dict[str, Any]:
        return {
            "current_name": self.current_name, "statutory_name": self.statutory_name, "trade_names": self.trade_names,
            "former_names": [{"name": n, "until": d.isoformat()} for n, d in self.former_names],
            "address": self.address, "address_since": self.address_since.isoformat() if self.address_since else None,
            "former_addresses": [{"address": a, "until": d.isoformat()} for a, d in self.former_addresses],
        }


def _snapshots(session: Session, organisation_ids: Iterable[int] | None) -> dict[int, list[CompanySnapshot]]:
    """Found KvK states per organisation, oldest first."""
    query = select(CompanySnapshot).where(CompanySnapshot.status == "found").order_by(
        CompanySnapshot.organisation_id, CompanySnapshot.observed_on, CompanySnapshot.id)
    by_org: dict[int, list[CompanySnapshot]] = {}
    if organisation_ids is None:
        for row in session.scalars(query):
            by_org.setdefault(row.organisation_id, []).append(row)
        return by_org
    ids = sorted(set(organisation_ids))
    for start in range(0, len(ids), CHUNK):
        for row in session.scalars(query.where(CompanySnapshot.organisation_id.in_(ids[start : start + CHUNK]))):
            by_org.setdefault(row.organisation_id, []).append(row)
    return by_org


def _newest_states(session: Session, organisation_ids: Iterable[int] | None) -> dict[int, dict[str, Any]]:
    """The payload of each organisation's newest found KvK state (``known_names``'s newest state, without the
    history: a refresh after every stored batch needs only this), read as plain rows."""
    newest: dict[int, dict[str, Any]] = {}
    ids = None if organisation_ids is None else sorted(set(organisation_ids))
    for start in range(0, 1 if ids is None else len(ids), CHUNK):
        rows = session.execute(_FOUND_STATES) if ids is None else session.execute(
            _FOUND_STATES_OF, {"ids": ids[start : start + CHUNK]})
        for org_id, payload in rows:
            newest[org_id] = payload or {}  # ordered by day: the last one wins
    return newest


# The statements of a refresh, built once: ``save_snapshots`` refreshes the organisations of every stored batch, and
# building them cost as much as running them.
_FOUND_STATES = select(CompanySnapshot.organisation_id, CompanySnapshot.payload).where(
    CompanySnapshot.status == "found").order_by(CompanySnapshot.organisation_id, CompanySnapshot.observed_on,
                                                CompanySnapshot.id)
_FOUND_STATES_OF = _FOUND_STATES.where(CompanySnapshot.organisation_id.in_(bindparam("ids", expanding=True)))
_FACTS_OF = select(Organisation.id, Organisation.name, Organisation.town, Organisation.postcode).where(
    Organisation.id.in_(bindparam("ids", expanding=True)))
#: A plain UPDATE, one executemany for all changed organisations (the reads before it flushed the session; an
#: organisation object loaded in the session has those three attributes expired after it, so none is left out of step).
_SET_FACTS = update(Organisation.__table__).where(Organisation.__table__.c.id == bindparam("b_id")).values(
    name=bindparam("b_name"), town=bindparam("b_town"), postcode=bindparam("b_postcode"))


def _address_key(address: dict[str, Any] | None) -> tuple[Any, ...]:
    a = address or {}
    return tuple(str(a.get(k) or "").strip().upper() for k in ("street", "house_number", "postcode", "town"))


def known_names(session: Session, organisation_ids: Iterable[int] | None = None) -> dict[int, KnownNames]:
    """Organisation id -> ``KnownNames`` from its KvK states (organisations without any are left out)."""
    result: dict[int, KnownNames] = {}
    for org_id, states in _snapshots(session, organisation_ids).items():
        newest = states[-1].payload or {}
        known = KnownNames(org_id, current_name=newest.get("name") or newest.get("statutory_name"),
                           statutory_name=newest.get("statutory_name"),
                           trade_names=[str(t) for t in newest.get("trade_names") or () if t],
                           address=newest.get("address"))
        current = {n for n in (known.current_name, known.statutory_name, *known.trade_names) if n}
        former: dict[str, date] = {}
        addresses: dict[tuple[Any, ...], tuple[dict[str, Any], date]] = {}
        since = states[-1].observed_on
        newest_address = _address_key(known.address)
        for state in reversed(states[:-1]):
            payload = state.payload or {}
            for name in (payload.get("name"), payload.get("statutory_name"), *(payload.get("trade_names") or ())):
                if name and name not in current:
                    former.setdefault(str(name), state.confirmed_on)
            key = _address_key(payload.get("address"))
            if key == newest_address and not addresses:
                since = state.observed_on  # the current address goes back at least this far
            elif payload.get("address") and key != newest_address:
                addresses.setdefault(key, (payload["address"], state.confirmed_on))
        known.former_names = sorted(former.items(), key=lambda item: item[1], reverse=True)
        known.former_addresses = sorted(addresses.values(), key=lambda item: item[1], reverse=True)
        known.address_since = since
        result[org_id] = known
    return result


def refresh_current_facts(session: Session, organisation_ids: Iterable[int] | None = None) -> int:
    """Organisations whose name, town or postcode differ from their newest KvK state get it; how many changed."""
    rows = {org_id: (name, town, postcode) for org_id, name, town, postcode in session.execute(
        select(Organisation.id, Organisation.name, Organisation.town, Organisation.postcode))} if organisation_ids is None \
        else {}
    facts = _newest_states(session, organisation_ids)
    if organisation_ids is not None:
        ids = list(facts)
        for start in range(0, len(ids), CHUNK):
            rows.update({org_id: (name, town, postcode) for org_id, name, town, postcode in session.execute(
                _FACTS_OF, {"ids": ids[start : start + CHUNK]})})
    changes = []
    for org_id, newest in facts.items():
        current_name = newest.get("name") or newest.get("statutory_name")  # as known_names reads the newest state
        if org_id not in rows or not current_name:
            continue
        address = newest.get("address") or {}
        new = (current_name[:500], address.get("town") or rows[org_id][1], address.get("postcode") or rows[org_id][2])
        if new != rows[org_id]:
            changes.append({"b_id": org_id, "b_name": new[0], "b_town": new[1], "b_postcode": new[2]})
    if changes:
        session.connection().execute(_SET_FACTS, changes)
        for change in changes:  # as the ORM UPDATE did: an organisation loaded in this session reads the new facts
            if (loaded := session.identity_map.get(identity_key(Organisation, change["b_id"]))) is not None:
                session.expire(loaded, ["name", "town", "postcode"])
    return len(changes)


__all__ = ["KnownNames", "known_names", "refresh_current_facts"]
