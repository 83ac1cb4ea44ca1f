""""Wrong company" on an alert: undo the link that produced the alert, never the supplier's own identity.

Why one module
  An alert reaches a supplier through one link: a news article or a sanctions entry linked by *name*, a
  contract or spend line linked to the organisation by *name*, or the organisation's own KvK-keyed data
  (a KvK change, an insolvency publication found by KvK number, a score computed from its own facts).
  Only the first kinds can be "the wrong company"; rejecting a KvK-identified supplier's own name against
  itself once unlinked its contracts and made the next resolution create a phantom organisation. So:

  - ``plan_wrong_company`` finds the link and says what would change (the preview), or refuses with an
    explanation when the alert came from data keyed by the organisation's own KvK number;
  - ``apply_wrong_company`` makes exactly those changes and keeps what it changed in the alert's history
    (``alert_audit``, change ``wrong-company``), so that
  - ``undo_wrong_company`` can put everything back.

CLI (``supplyradar alerts dismiss --reason wrong-entity``, ``alerts undo-wrong-company``) and web call these
functions, in the caller's transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.matching import normalise
from store.matching import (
    LINE_TABLES,
    canonical_organisation_id,
    merged_into,
    record_decision,
)
from store.schema import Organisation, OrganisationIdentifier, SupplierEvent
from store.schema.alerts import AlertAudit, AlertOccurrence, AlertRow
from store.schema.news import NewsArticle, NewsArticleOrganisation
from store.schema.own_data import MatchDecision

AUDIT_CHANGE = "wrong-company"
UNDONE_CHANGE = "wrong-company-undone"
#: Event sources whose link to an organisation is made by name (an article, a sanctions list entry).
NAME_LINKED_SOURCES = frozenset({"rss", "gdelt", "news", "sanctions-eu", "sanctions"})


class WrongCompanyRefused(ValueError):
    """No link produced by name is behind this alert: "wrong company" would damage the supplier's identity."""


class NothingToUndo(LookupError):
    """The alert has no applied "wrong company" that is not undone yet."""


@dataclass(slots=True)
class WrongCompanyPlan:
    """What "wrong company" on one alert would change; ``allowed`` False carries the reason in ``explanation``."""

    alert_id: int
    organisation_id: int | None
    allowed: bool
    link: str  # "news", "name-event", "name-match" or "none"
    explanation: str
    changes: list[str] = field(default_factory=list)
    #: The explanation and the changes as message codes with their values, for readers in other languages
    #: (``web/i18n.py`` keys ``wrong_company.reason.<code>`` and ``wrong_company.change.<code>``).
    reason: tuple[str, dict[str, Any]] = ("", {})
    change_codes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    article_links: list[tuple[int, int]] = field(default_factory=list)
    name_key: str | None = None
    source_name: str | None = None
    lines: dict[str, list[int]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"alert": self.alert_id, "organisation": self.organisation_id, "allowed": self.allowed,
                "link": self.link, "explanation": self.explanation, "changes": self.changes}


def _kvk_numbers(session: Session, org_ids: list[int]) -> set[str]:
    """The KvK numbers of the organisations: identifiers, and the company id of a row keyed by it (``NL:id:...``)."""
    found = set(session.scalars(select(OrganisationIdentifier.value).where(
        OrganisationIdentifier.organisation_id.in_(org_ids), OrganisationIdentifier.scheme == "kvk")))
    found |= {key.split(":id:", 1)[1] for key in session.scalars(select(Organisation.org_key).where(
        Organisation.id.in_(org_ids), Organisation.org_key.like("NL:id:%")))}
    return found


def plan_wrong_company(session: Session, alert_id: int) -> WrongCompanyPlan:
    """The preview: which link produced the alert and what undoing it changes (nothing is written)."""
    row = session.get(AlertRow, alert_id)
    if row is None:
        raise LookupError(f"no alert {alert_id}; see `supplyradar alerts list`")
    facts = row.facts or {}
    org = row.organisation_id

    def refuse(text: str, code: str, **values: Any) -> WrongCompanyPlan:
        return WrongCompanyPlan(alert_id, org, False, "none", text, reason=(code, values))

    if org is None:
        return refuse("this alert names no organisation: there is no company link to undo", "no-organisation")
    canonical = canonical_organisation_id(session, org)
    group = merged_into(session, canonical)
    kvks = _kvk_numbers(session, group)
    org_name = session.scalar(select(Organisation.name).where(Organisation.id == canonical)) or f"organisation {canonical}"
    kind = facts.get("kind")
    if kind == "event":
        return _plan_event(session, row, group, kvks, org_name) or refuse(
            f"this alert comes from {org_name}'s own data"
            + (f" keyed by its KvK number {', '.join(sorted(kvks))}" if kvks else "")
            + ", not from a link made by name; marking it 'wrong company' would undo the supplier's own identity. "
            "Dismiss it as not relevant instead, or correct the KvK number at the source.",
            "own-data", org=org_name, kvk=", ".join(sorted(kvks)) or "-")
    if kind == "horizon" and row.contract_id is not None:
        return _plan_line(session, row, group, kvks, org_name)
    if kind == "score":
        return refuse(
            f"a score alert is computed from everything known about {org_name}, not from one link; 'wrong company' "
            "cannot say which link is wrong. Check the names matched to it with `supplyradar match list --status auto` "
            "and reject a wrong one with `supplyradar match reject ID`.", "score", org=org_name)
    return refuse("nothing links this alert to the organisation by name: there is no link to undo", "no-name-link")


def _plan_event(session: Session, row: AlertRow, group: list[int], kvks: set[str], org_name: str) -> WrongCompanyPlan | None:
    refs = list(session.scalars(select(AlertOccurrence.ref).where(AlertOccurrence.alert_id == row.id)))
    pairs = [tuple(r.split(":", 2)[1:]) for r in refs if r.startswith("event:") and r.count(":") >= 2]
    events = []
    for source, source_ref in pairs:
        events += list(session.execute(select(SupplierEvent.id, SupplierEvent.source, SupplierEvent.source_ref,
                                              SupplierEvent.confidence, SupplierEvent.title).where(
            SupplierEvent.organisation_id.in_(group), SupplierEvent.source == source,
            SupplierEvent.source_ref == source_ref)))
    by_name = [e for e in events if e.source in NAME_LINKED_SOURCES or (e.confidence < 1.0 and not kvks)]
    if not by_name or len(by_name) != len(events):
        return None
    plan = WrongCompanyPlan(row.id, row.organisation_id, True, "name-event",
                            f"the alert came from {len(by_name)} item(s) linked to {org_name} by name; "
                            "those links are undone, the supplier itself is not touched",
                            reason=("named-items", {"n": len(by_name), "org": org_name}))
    plan.events = [e.id for e in by_name]
    for e in by_name:
        plan.changes.append(f"remove the link of {e.source} item {e.title!r} to {org_name}")
        plan.change_codes.append(("remove-link", {"source": e.source, "title": e.title, "org": org_name}))
        article = session.scalar(select(NewsArticle.id).where(NewsArticle.url_hash == e.source_ref))
        if article is not None:
            plan.link = "news"
            plan.article_links += [(article, o) for o in session.scalars(select(NewsArticleOrganisation.organisation_id).where(
                NewsArticleOrganisation.article_id == article, NewsArticleOrganisation.organisation_id.in_(group)))]
    return plan


def _plan_line(session: Session, row: AlertRow, group: list[int], kvks: set[str], org_name: str) -> WrongCompanyPlan:
    from store.schema import Contract

    contract = session.get(Contract, row.contract_id)
    if contract is None or contract.organisation_id not in group:
        return WrongCompanyPlan(row.id, row.organisation_id, False, "none",
                                "the contract of this alert is no longer linked to the organisation: nothing to undo",
                                reason=("contract-unlinked", {}))
    if contract.supplier_kvk and (contract.supplier_kvk in kvks or not contract.supplier_name):
        return WrongCompanyPlan(row.id, row.organisation_id, False, "none",
                                f"contract {contract.contract_ref} names its supplier by KvK number {contract.supplier_kvk}, "
                                f"which is {org_name}'s own: no name link to undo. If the number in the contract "
                                "register is wrong, correct it there and import it again.",
                                reason=("contract-kvk", {"contract": contract.contract_ref, "kvk": contract.supplier_kvk,
                                                         "org": org_name}))
    key = normalise(contract.supplier_name or "").group_key
    plan = WrongCompanyPlan(row.id, row.organisation_id, True, "name-match",
                            f"contract {contract.contract_ref} was linked to {org_name} by the name "
                            f"{contract.supplier_name!r}; that name match is undone and remembered as rejected",
                            reason=("contract-name", {"contract": contract.contract_ref, "org": org_name,
                                                      "name": contract.supplier_name}))
    plan.name_key, plan.source_name = key, contract.supplier_name
    for table in LINE_TABLES:
        rows = session.execute(select(table.id, table.supplier_name, table.supplier_kvk).where(table.organisation_id.in_(group)))
        ids = [pk for pk, name, kvk in rows if name and (kvk is None or kvk not in kvks) and normalise(name).group_key == key]
        if ids:
            plan.lines[table.__tablename__] = ids
            plan.changes.append(f"unlink {len(ids)} {table.__tablename__.replace('_', ' ')} named {contract.supplier_name!r} "
                                f"from {org_name} (they wait for review)")
            plan.change_codes.append((f"unlink-{table.__tablename__}", {"n": len(ids), "name": contract.supplier_name,
                                                                        "org": org_name}))
    plan.changes.append(f"remember: {contract.supplier_name!r} is not {org_name} (never matched again)")
    plan.change_codes.append(("remember", {"name": contract.supplier_name, "org": org_name}))
    return plan


def apply_wrong_company(session: Session, alert_id: int, *, decided_by: str, note: str | None = None,
                        now: datetime | None = None) -> WrongCompanyPlan:
    """Undo the link behind the alert (see ``plan_wrong_company``); ``WrongCompanyRefused`` when there is none."""
    plan = plan_wrong_company(session, alert_id)
    if not plan.allowed:
        raise WrongCompanyRefused(plan.explanation)
    now = now or datetime.now(UTC)
    undo: dict[str, Any] = {"events": [], "article_links": [], "lines": {}, "decisions": []}
    for event in session.scalars(select(SupplierEvent).where(SupplierEvent.id.in_(plan.events))):
        undo["events"].append({
            "organisation_id": event.organisation_id, "kind": event.kind, "occurred_on": event.occurred_on.isoformat(),
            "source": event.source, "source_ref": event.source_ref, "source_url": event.source_url, "title": event.title,
            "details": event.details, "confidence": event.confidence, "detected_at": event.detected_at.isoformat(),
        })
        session.delete(event)
    for article, org in plan.article_links:
        link = session.get(NewsArticleOrganisation, (article, org))
        if link is not None:
            undo["article_links"].append({"article_id": article, "organisation_id": org, "confidence": link.confidence,
                                          "matched": link.matched, "reasons": link.reasons})
            session.delete(link)
    if plan.name_key and plan.organisation_id is not None:
        canonical = canonical_organisation_id(session, plan.organisation_id)
        for org_id in {plan.organisation_id, canonical}:
            previous = session.scalar(select(MatchDecision.decision).where(
                MatchDecision.name_key == plan.name_key[:500], MatchDecision.organisation_id == org_id))
            undo["decisions"].append({"organisation_id": org_id, "previous": previous})
            record_decision(session, plan.name_key, org_id, "reject",
                            reason=note or f"alert {alert_id}: wrong company", decided_by=decided_by)
        for table in LINE_TABLES:
            ids = plan.lines.get(table.__tablename__, [])
            if ids:
                undo["lines"][table.__tablename__] = [
                    [pk, org] for pk, org in session.execute(select(table.id, table.organisation_id).where(table.id.in_(ids)))]
                session.execute(update(table).where(table.id.in_(ids)).values(organisation_id=None))
        undo["name_key"] = plan.name_key
    session.add(AlertAudit(alert_id=alert_id, change=AUDIT_CHANGE, old_value=plan.link, new_value="undone link",
                           detail=json.dumps(undo, default=str), actor=decided_by[:100], at=now))
    session.flush()
    return plan


def can_undo(session: Session, alert_id: int) -> bool:
    """Whether the alert has an applied "wrong company" that is not undone yet."""
    changes = list(session.scalars(select(AlertAudit.change).where(
        AlertAudit.alert_id == alert_id, AlertAudit.change.in_((AUDIT_CHANGE, UNDONE_CHANGE))).order_by(AlertAudit.id)))
    return bool(changes) and changes[-1] == AUDIT_CHANGE


def wrong_company_preview(session: Session, alert_id: int) -> dict[str, Any]:
    """For a page: what "wrong company" would change (or why it is refused) and whether it can be undone."""
    plan = plan_wrong_company(session, alert_id)
    return {**plan.as_json(), "undoable": can_undo(session, alert_id), "reason": list(plan.reason),
            "change_codes": [list(c) for c in plan.change_codes]}


def undo_wrong_company(session: Session, alert_id: int, *, decided_by: str, now: datetime | None = None) -> list[str]:
    """Put back what the last ``apply_wrong_company`` on the alert changed; what was restored, in words."""
    audits = list(session.scalars(select(AlertAudit).where(
        AlertAudit.alert_id == alert_id, AlertAudit.change.in_((AUDIT_CHANGE, UNDONE_CHANGE))).order_by(AlertAudit.id)))
    if not audits or audits[-1].change != AUDIT_CHANGE:
        raise NothingToUndo(f"alert {alert_id} has no 'wrong company' to undo")
    undo = json.loads(audits[-1].detail or "{}")
    done = _restore_events(session, undo.get("events", []))
    session.flush()
    done += _restore_article_links(session, undo.get("article_links", []))
    key = undo.get("name_key")
    for decision in undo.get("decisions", []):
        where = (MatchDecision.name_key == key[:500], MatchDecision.organisation_id == decision["organisation_id"])
        if decision["previous"] is None:
            session.execute(delete(MatchDecision).where(*where))
        else:
            session.execute(update(MatchDecision).where(*where).values(decision=decision["previous"]))
    for table in LINE_TABLES:
        for pk, org in undo.get("lines", {}).get(table.__tablename__, []):
            session.execute(update(table).where(table.id == pk, table.organisation_id.is_(None)).values(organisation_id=org))
        if undo.get("lines", {}).get(table.__tablename__):
            done.append(f"relinked {len(undo['lines'][table.__tablename__])} {table.__tablename__.replace('_', ' ')}")
    if key:
        done.append(f"forgot the rejection of {key!r}")
    session.add(AlertAudit(alert_id=alert_id, change=UNDONE_CHANGE, old_value="undone link", new_value="restored",
                           detail="; ".join(done), actor=decided_by[:100], at=now or datetime.now(UTC)))
    session.flush()
    return done


def _restore_events(session: Session, events: list[dict[str, Any]]) -> list[str]:
    """Put back the events "wrong company" removed, in words. An event the flows have made again since (same
    company, source, kind and reference) is kept as it is, and one whose company is gone is not restored: either
    would otherwise stop the whole undo on a key conflict."""
    done: list[str] = []
    for e in events:
        item = f"the {e['source']} item {e['title']!r}"
        if session.get(Organisation, e["organisation_id"]) is None:
            done.append(f"did not restore {item}: organisation {e['organisation_id']} is no longer in the store")
            continue
        again = session.scalar(select(SupplierEvent.id).where(
            SupplierEvent.organisation_id == e["organisation_id"], SupplierEvent.source == e["source"],
            SupplierEvent.kind == e["kind"], SupplierEvent.source_ref == e["source_ref"]))
        if again is not None:
            done.append(f"kept {item}: it is in the store again")
            continue
        session.add(SupplierEvent(**{**e, "occurred_on": date.fromisoformat(e["occurred_on"]),
                                     "detected_at": datetime.fromisoformat(e["detected_at"])}))
        done.append(f"restored {item}")
    return done


def _restore_article_links(session: Session, links: list[dict[str, Any]]) -> list[str]:
    """Put back the article links "wrong company" removed, in words; one made again since is kept as it is, and
    one whose article or organisation is gone is not restored."""
    done: list[str] = []
    for link in links:
        article, org = link["article_id"], link["organisation_id"]
        where = f"the article link to organisation {org}"
        if session.get(NewsArticleOrganisation, (article, org)) is not None:
            done.append(f"kept {where}: it is in the store again")
        elif session.get(NewsArticle, article) is None or session.get(Organisation, org) is None:
            done.append(f"did not restore {where}: the article or the organisation is no longer in the store")
        else:
            session.add(NewsArticleOrganisation(**link))
            done.append(f"restored {where}")
    return done


__all__ = [
    "NothingToUndo", "WrongCompanyPlan", "WrongCompanyRefused", "apply_wrong_company", "can_undo",
    "plan_wrong_company", "undo_wrong_company", "wrong_company_preview",
]
