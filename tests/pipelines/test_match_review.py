"""``pipelines.match_review``: a person's decision on a candidate is remembered and takes effect at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import Settings
from pipelines.match_review import decide_and_resolve
from pipelines.resolve_suppliers import resolve_suppliers
from store.db import Store
from store.matching import UnknownCandidateError, list_candidates
from store.web_pages import match_decisions
from tests.pipelines.test_identity_resolution import ROWS, links, notices, spend


def test_accepting_links_the_name_in_the_same_call(store: Store, settings: Settings, tmp_path: Path) -> None:
    notices(store)
    spend(tmp_path, store, settings, ROWS)
    resolve_suppliers(store, settings)
    with store.session() as session:
        candidate = next(c for c, _ in list_candidates(session) if c.source_name == "Velmara Software")
    assert links(store)[7] is None, "under review: not linked yet"
    decided = decide_and_resolve(store, settings, candidate.id, "accept", reason=None, decided_by=None)
    assert (decided.name, decided.organisation_id) == ("Velmara Software", candidate.organisation_id)
    assert links(store)[7] == candidate.organisation_id
    with store.session() as session:
        assert all(c.source_name != "Velmara Software" for c, _ in list_candidates(session))
        by = {d["status"]: d["by"] for d in match_decisions(session, candidate.organisation_id)}
    assert by["accept"] == settings.own_data.default_decided_by, "no --by: the settings' name decides"


def test_an_unknown_candidate_changes_nothing(store: Store, settings: Settings) -> None:
    with pytest.raises(UnknownCandidateError):
        decide_and_resolve(store, settings, 999, "reject", reason="not them", decided_by="tester")
