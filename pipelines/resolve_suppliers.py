"""Resolve every supplier of spend, contracts and award notices to one organisation.

A plain function (the ``resolve-suppliers`` flow and the import commands call it). Steps, each
idempotent, so running it again changes nothing:

1. **Identifiers from notices**: award winners keyed by a company id get it recorded in
   ``organisation_identifiers`` (``kvk`` for an 8-digit Dutch id, ``vat`` when it looks like
   one, else ``national``), so the companies area knows which KvK numbers to watch.
2. **By KvK number**: spend lines and contracts that carry a KvK number join the organisation with
   that identifier (or ``NL:id:<kvk>`` from notices); when none exists yet one is created. No
   scoring: a KvK number is the identity.
3. **Merging organisations**: winners that notices name without an id, and suppliers only our
   files knew, are matched against the organisations that have an id; an automatic match or an
   accepted decision merges them (``organisation_merges``), a close one waits for review.
4. **By name**: the remaining lines are grouped by normalised name; an accepted decision is used
   as is, else the name is matched (rejected organisations excluded). Auto: linked. Review: left
   unlinked and listed by ``supplyradar match list``. No match: a supplier only our files know,
   with a stable internal id.
5. Lines pointing at a merged organisation are moved to its canonical one.

Names are matched in batches of ``settings.own_data.resolve_batch_size``, one transaction each.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from config.settings import Settings
from models.matching import NameIndex, NormalisedName, Thresholds, normalise
from store.current_facts import refresh_current_facts
from store.db import Store
from store.matching import (
    INTERNAL_SCHEME,
    add_identifiers,
    candidate_row,
    canonical_organisation_ids,
    decisions_for,
    drop_review,
    ensure_organisations,
    existing_org_keys,
    index_candidates,
    internal_id,
    link_lines_to,
    merge_organisation,
    name_keyed_organisations,
    organisations_by_identifier,
    relink_merged,
    unresolved_lines,
    upsert_candidates,
    winners_with_company_id,
)

log = logging.getLogger(__name__)

_KVK = re.compile(r"^\d{8}$")
_VAT = re.compile(r"^[A-Z]{2}[0-9A-Z]{8,12}$")


@dataclass(slots=True)
class ResolutionSummary:
    identifiers_added: int = 0
    lines_by_kvk: int = 0
    organisations_created: int = 0
    organisations_merged: int = 0
    names_seen: int = 0
    lines_by_decision: int = 0
    lines_auto_matched: int = 0
    lines_internal: int = 0
    lines_pending_review: int = 0
    review_candidates: int = 0
    lines_relinked: int = 0
    #: Organisations renamed or moved to their newest KvK name and address (``store.current_facts``).
    names_refreshed: int = 0

    def as_row(self) -> dict[str, Any]:
        return {k.replace("_", " "): v for k, v in asdict(self).items()}


def thresholds(settings: Settings) -> Thresholds:
    m = settings.own_data.matching
    return Thresholds(auto_accept=m.auto_accept, review=m.review, margin=m.margin)


def resolve_suppliers(store: Store, settings: Settings) -> ResolutionSummary:
    summary = ResolutionSummary()
    with store.session() as session, session.begin():
        summary.identifiers_added += _notice_identifiers(session)
    with store.session() as session, session.begin():
        _resolve_by_kvk(session, summary)
        summary.names_refreshed = refresh_current_facts(session)
    with store.session() as session, session.begin():
        earlier = _merge_organisations(session, settings, summary)
    _resolve_by_name(store, settings, summary, reuse=earlier)
    with store.session() as session, session.begin():
        summary.lines_relinked = relink_merged(session)
    log.info("supplier resolution: %s", summary.as_row())
    return summary


# --- 1. identifiers of notice winners -----------------------------------------------------------


def identifier_scheme(country: str | None, company_id: str) -> str:
    if (country or "").upper() == "NL" and _KVK.match(company_id):
        return "kvk"
    if _VAT.match(company_id):
        return "vat"
    return "national"


def _notice_identifiers(session) -> int:  # a Session
    new = []
    for org_id, key, country in winners_with_company_id(session):
        company_id = key.split(":id:", 1)[1]
        new.append((org_id, identifier_scheme(country, company_id), company_id, "notices"))
    return add_identifiers(session, new)


# --- 2. by KvK number ---------------------------------------------------------------------------


def _resolve_by_kvk(session, summary: ResolutionSummary) -> None:  # a Session
    lines = unresolved_lines(session, with_kvk=True)
    if not lines:
        return
    names: dict[str, Counter[str]] = defaultdict(Counter)
    sources: dict[str, str] = {}
    for table, _pk, name, kvk in lines:
        if name:
            names[kvk][name] += 1
        sources.setdefault(kvk, "spend" if table == "spend_lines" else "contracts")
    kvks = {kvk for *_, kvk in lines}
    known = organisations_by_identifier(session, "kvk", kvks)
    missing = kvks - set(known)
    rows = [{"org_key": f"NL:id:{kvk}", "name": (names[kvk].most_common(1)[0][0] if names[kvk] else f"KvK {kvk}")[:500],
             "country": "NL", "company_id": kvk} for kvk in sorted(missing)]
    before = existing_org_keys(session, [r["org_key"] for r in rows])
    created = ensure_organisations(session, rows)
    summary.organisations_created += len(set(created) - before)
    add_identifiers(session, [(created[f"NL:id:{kvk}"], "kvk", kvk, sources[kvk]) for kvk in sorted(missing)])
    known.update({kvk: created[f"NL:id:{kvk}"] for kvk in missing})
    canonical = canonical_organisation_ids(session, known.values())
    targets: dict[str, dict[int, int]] = defaultdict(dict)  # table -> line id -> organisation id
    for table, pk, _name, kvk in lines:
        targets[table][pk] = canonical[known[kvk]]
    for table, by_line in targets.items():
        summary.lines_by_kvk += link_lines_to(session, table, by_line)


# --- 3. merging organisations -------------------------------------------------------------------


def _merge_organisations(session, settings: Settings, summary: ResolutionSummary) -> NameIndex | None:  # a Session
    """Merge organisations known by name only into one with an identifier; returns the index it built (the
    names of the organisations with an identifier, for the name resolution to take again), if any."""
    pending = name_keyed_organisations(session)
    if not pending:
        return None
    m = settings.own_data.matching
    index = NameIndex.build(index_candidates(session, only_with_id=True), max_block_size=m.max_block_size)
    if not len(index):
        return None
    normalised = {org_id: normalise(name) for org_id, name, *_ in pending}  # once: the key and the lookup's query
    keys = {org_id: found.group_key for org_id, found in normalised.items()}
    decisions = decisions_for(session, keys.values())
    limits = thresholds(settings)
    candidates: list[dict[str, Any]] = []  # written together at the end, in this order (merges never read them)
    for org_id, name, country, postcode, town in pending:
        key = keys[org_id]
        decided = decisions.get(key, {})
        accepted = [o for o, d in decided.items() if d == "accept" and o != org_id]
        if accepted:
            if merge_organisation(session, org_id, accepted[0], method="accepted", score=None):
                summary.organisations_merged += 1
            continue
        rejected = {o for o, d in decided.items() if d == "reject"}
        matches = index.lookup(normalised[org_id], country=country, postcode=postcode, town=town, thresholds=limits,
                               exclude=rejected | {org_id}, limit=m.candidate_limit)
        if not matches or matches[0].decision == "reject":
            continue
        best = matches[0]
        status = "auto" if best.decision == "auto" else "review"
        candidates.append(candidate_row(name_key=key, source_name=name, organisation_id=best.org_id, score=best.score,
                                        status=status, sources=["notices"], explanation=best.as_json()))
        if status == "auto" and merge_organisation(session, org_id, best.org_id, method="auto", score=best.score):
            summary.organisations_merged += 1
        elif status == "review":
            summary.review_candidates += 1
    _write_candidates(session, candidates)
    return index


def _write_candidates(session, rows: list[dict[str, Any]]) -> None:  # a Session
    """``upsert_candidate`` for each row in turn, as ``upsert_candidates`` of runs of rows with distinct names (two
    organisations of one name are two rows of one key: the second is written after the first, as one by one)."""
    run: list[dict[str, Any]] = []
    names: set[str] = set()
    for row in rows:
        if row["key"] in names:
            upsert_candidates(session, run)
            run, names = [], set()
        run.append(row)
        names.add(row["key"])
    if run:
        upsert_candidates(session, run)


# --- 4. by name ---------------------------------------------------------------------------------


def _resolve_by_name(store: Store, settings: Settings, summary: ResolutionSummary, *,
                     reuse: NameIndex | None = None) -> None:
    with store.session() as session:
        lines = unresolved_lines(session, with_kvk=False)
        if not lines:
            return
        m = settings.own_data.matching
        index = NameIndex.build(index_candidates(session), max_block_size=m.max_block_size, reuse=reuse)
    # each spelling normalised once, however many lines carry it (and again by nobody: the lookup takes it)
    normalised: dict[str, NormalisedName] = {}
    groups: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for table, pk, name, _kvk in lines:
        found = normalised.get(name)
        if found is None:
            found = normalised[name] = normalise(name)
        if key := found.group_key:
            groups[key].append((table, pk, name))
    summary.names_seen += len(groups)
    keys = sorted(groups)
    size = settings.own_data.resolve_batch_size
    for start in range(0, len(keys), size):
        with store.session() as session, session.begin():
            batch = {k: groups[k] for k in keys[start : start + size]}
            _resolve_names(session, index, settings, batch, summary, normalised)


def _resolve_names(session, index: NameIndex, settings: Settings, groups: dict[str, list[tuple[str, int, str]]],
                   summary: ResolutionSummary, normalised: dict[str, NormalisedName]) -> None:
    """``normalised``: every spelling in ``groups``, normalised (``_resolve_by_name`` did it while grouping)."""
    decisions = decisions_for(session, groups)
    limits = thresholds(settings)
    m = settings.own_data.matching
    targets: dict[str, tuple[int, str]] = {}  # key -> (org id, how)
    internal: dict[str, str] = {}  # key -> display name
    resolved: list[str] = []
    candidates: list[dict[str, Any]] = []  # written together (store.matching.upsert_candidates), in this order
    for key, rows in groups.items():
        decided = decisions.get(key, {})
        accepted = [o for o, d in decided.items() if d == "accept"]
        display = Counter(name for *_, name in rows).most_common(1)[0][0]
        sources = sorted({"spend" if t == "spend_lines" else "contracts" for t, *_ in rows})
        if accepted:
            targets[key] = (accepted[0], "decision")
            resolved.append(key)
            continue
        rejected = {o for o, d in decided.items() if d == "reject"}
        matches = index.lookup(normalised[display], thresholds=limits, exclude=rejected, limit=m.candidate_limit)
        best = matches[0] if matches else None
        if _rejected_self_pair(index, key, rejected) and (best is None or best.decision != "auto"):
            # a person said this name is not the organisation that bears it: never a new one of the same name
            summary.lines_pending_review += len(rows)
            continue
        if best is not None and best.decision in ("auto", "review"):
            candidates.append(candidate_row(name_key=key, source_name=display, organisation_id=best.org_id,
                                            score=best.score, status=best.decision, sources=sources,
                                            explanation=best.as_json()))
        if best is not None and best.decision == "auto":
            targets[key] = (best.org_id, "auto")
            resolved.append(key)
        elif best is not None and best.decision == "review":
            summary.review_candidates += 1
            summary.lines_pending_review += len(rows)
        else:
            internal[key] = display
            resolved.append(key)
    upsert_candidates(session, candidates)
    drop_review(session, resolved)
    if internal:
        _create_internal(session, internal, groups, decisions, targets, summary)
    canonical = canonical_organisation_ids(session, [org for org, _ in targets.values()])
    linking: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)  # (how, table) -> line id -> organisation id
    for key, (org_id, how) in targets.items():
        for table, pk, _name in groups[key]:
            linking[(how, table)][pk] = canonical[org_id]
    for (how, table), by_line in linking.items():
        linked = link_lines_to(session, table, by_line)
        if how == "decision":
            summary.lines_by_decision += linked
        elif how == "auto":
            summary.lines_auto_matched += linked
        else:
            summary.lines_internal += linked


def _rejected_self_pair(index: NameIndex, key: str, rejected: set[int]) -> bool:
    """True when the name was rejected for an organisation of that very name (a phantom would follow)."""
    return any(org_id in index.names and index.names[org_id].group_key == key for org_id in rejected)


def _create_internal(session, internal: dict[str, str], groups: dict[str, list[tuple[str, int, str]]],
                     decisions: dict[str, dict[int, str]], targets: dict[str, tuple[int, str]],
                     summary: ResolutionSummary) -> None:
    """Suppliers only our files know: one organisation per normalised name, keyed by a stable internal id."""
    ids = {key: internal_id(key) for key in internal}
    known = organisations_by_identifier(session, INTERNAL_SCHEME, ids.values())
    missing = [key for key in internal if ids[key] not in known]
    rows = [{"org_key": f"XX:internal:{ids[key].removeprefix('own:')}", "name": internal[key][:500]} for key in missing]
    created = ensure_organisations(session, rows)
    summary.organisations_created += len(missing)
    add_identifiers(session, [(created[r["org_key"]], INTERNAL_SCHEME, ids[key], _source(groups[key]))
                              for key, r in zip(missing, rows, strict=True)])
    for key, r in zip(missing, rows, strict=True):
        known[ids[key]] = created[r["org_key"]]
    for key in internal:
        org_id = known[ids[key]]
        if decisions.get(key, {}).get(org_id) == "reject":
            summary.lines_pending_review += len(groups[key])  # a person said no even to this: left for them
            continue
        targets[key] = (org_id, "internal")


def _source(rows: list[tuple[str, int, str]]) -> str:
    return "spend" if any(t == "spend_lines" for t, *_ in rows) else "contracts"


__all__ = ["ResolutionSummary", "identifier_scheme", "resolve_suppliers", "thresholds"]
