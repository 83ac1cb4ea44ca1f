"""What ``supplyradar match accept|reject`` runs: a person's decision on a match candidate, remembered,
then supplier resolution again so that the decision takes effect at once (links by a rejected name undone)."""

from __future__ import annotations

from dataclasses import dataclass

from config.settings import Settings
from pipelines.resolve_suppliers import ResolutionSummary, resolve_suppliers
from store.db import Store
from store.matching import decide_candidate


@dataclass(frozen=True, slots=True)
class Decided:
    """The name decided on, the organisation it is (or is not), and the resolution run after it."""

    name: str
    organisation_id: int
    resolution: ResolutionSummary


def decide_and_resolve(store: Store, settings: Settings, candidate_id: int, decision: str, *, reason: str | None,
                       decided_by: str | None) -> Decided:
    """Remember ``decision`` ("accept" or "reject") in its own transaction, then resolve every supplier again.

    Raises ``store.matching.UnknownCandidateError`` for an id that is not a candidate (nothing is changed).
    """
    with store.session() as session, session.begin():
        candidate = decide_candidate(session, candidate_id, decision, reason=reason,
                                     decided_by=decided_by or settings.own_data.default_decided_by)
        name, org = candidate.source_name, candidate.organisation_id
    return Decided(name, org, resolve_suppliers(store, settings))
