"""``upsert_candidates`` (a batch of names in one executemany) leaves exactly the rows ``upsert_candidate`` one by
one leaves, ids included: a decided candidate keeps its status, a name's review on another organisation goes, and
on SQLite (which reuses the highest id once it is deleted) the ids come out the same because the deletes happen
where they happened one by one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from store.db import Store
from store.matching import candidate_row, upsert_candidate, upsert_candidates
from store.schema import Organisation
from store.schema.own_data import MatchCandidate

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _organisations(store: Store) -> list[int]:
    with store.session() as session, session.begin():
        orgs = [Organisation(org_key=f"NL:name:{n}", name=n, first_seen=NOW, updated_at=NOW) for n in "abc"]
        session.add_all(orgs)
        session.flush()
        a, b, c = (o.id for o in orgs)
        earlier = [("k0", a, "review"), ("k1", a, "review"), ("k2", b, "review"), ("k3", a, "accepted"),
                   ("k4", c, "review"), ("k0", b, "review")]  # k0's review on b has the highest id
        for key, org, status in earlier:
            session.add(MatchCandidate(name_key=key, source_name=key.upper(), organisation_id=org, score=85.0,
                                       status=status, sources=["notices"], explanation={}, created_at=NOW, updated_at=NOW))
    return [a, b, c]


def _rows(a: int, b: int, c: int) -> list[dict]:
    wanted = [("k0", a, "auto"), ("k1", a, "auto"), ("k2", c, "review"), ("k3", a, "auto"), ("k4", a, "review"),
              ("k5", b, "auto")]
    return [candidate_row(name_key=key, source_name=f"{key} B.V.", organisation_id=org, score=95.0, status=status,
                          sources=["spend", "contracts"], explanation={"org_id": org}) for key, org, status in wanted]


def _state(session) -> list[tuple]:
    return [tuple(r) for r in session.execute(select(
        MatchCandidate.id, MatchCandidate.name_key, MatchCandidate.organisation_id, MatchCandidate.status,
        MatchCandidate.score, MatchCandidate.source_name, MatchCandidate.sources, MatchCandidate.explanation,
    ).order_by(MatchCandidate.id))]


def test_a_batch_leaves_what_one_by_one_leaves(store: Store) -> None:
    a, b, c = _organisations(store)
    rows = _rows(a, b, c)
    states = []
    for batched in (False, True):
        with store.session() as session:
            session.begin()
            if batched:
                upsert_candidates(session, rows)
            else:
                for row in rows:
                    upsert_candidate(session, name_key=row["key"], source_name=row["source_name"],
                                     organisation_id=row["organisation_id"], score=row["score"], status=row["status"],
                                     sources=row["sources"], explanation=row["explanation"])
            states.append(_state(session))
            session.rollback()
    one_by_one, batch = states
    if store.engine.dialect.name == "sqlite":
        assert batch == one_by_one
    else:  # a sequence is not rolled back: the new rows' ids differ by a constant, their order does not
        assert [r[1:] for r in batch] == [r[1:] for r in one_by_one]
    by_pair = {(r[1], r[2]): r[3] for r in batch}
    assert (("k0", b) not in by_pair and ("k2", b) not in by_pair and ("k4", c) not in by_pair)  # other reviews gone
    assert by_pair[("k3", a)] == "accepted" and by_pair[("k0", a)] == "auto" and by_pair[("k2", c)] == "review"


def test_each_name_once() -> None:
    row = candidate_row(name_key="k", source_name="K", organisation_id=1, score=90.0, status="auto", sources=[],
                        explanation={})
    with pytest.raises(ValueError, match="each name once"):
        upsert_candidates(None, [row, dict(row)])  # refused before anything is read or written
