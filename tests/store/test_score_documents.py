"""Score reasons and inputs stored once (``score_documents``) and read back unchanged; migrated both ways."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import command
from sqlalchemy import func, select

from store import risk, score_documents
from store.db import Store
from store.migrate import alembic_config
from store.risk_retention import thin_scoring_runs
from store.schema import Organisation, RiskScore, ScoreDocument, ScoringRun

UNKNOWN = {"feature": "(unknown)", "value": None, "contribution": 0.0, "missing": ["company-register data"],
           "text": "risk unknown: no company-register data; review the supplier by hand"}
BASE = {"feature": "(base)", "value": None, "contribution": -4.0, "text": "base log-odds of the model"}
INPUTS = [{"source": "awards", "as_of": "2026-09-04", "ref": "3 wins"}]


def _orgs(session, n: int) -> list[int]:
    now = datetime.now(UTC)
    orgs = [Organisation(org_key=f"NL:kvk:1000000{i}", name=f"Leverancier {i} B.V.", first_seen=now, updated_at=now)
            for i in range(n)]
    session.add_all(orgs)
    session.flush()
    return [o.id for o in orgs]


def _rows(org_ids: list[int]) -> list[dict]:
    return [
        {"organisation_id": org, "category": "", "kind": "failure", "value": 0.1 * (i + 1), "band": "low",
         "confidence": 0.5, "coverage": 0.4,
         "reasons": [UNKNOWN, {"feature": "wins_trend", "value": -0.5 * i, "contribution": 0.2 * i,
                               "text": f"fewer wins ({i})"}, BASE],
         "inputs": INPUTS if i else []}
        for i, org in enumerate(org_ids)
    ]


def _run(session, as_of: date, rows: list[dict]) -> int:
    run_id = risk.start_scoring_run(session, as_of=as_of, model_version="test")
    risk.save_scores(session, run_id, rows)
    risk.finish_scoring_run(session, run_id, status="ok", details={})
    return run_id


def test_scores_read_back_their_reasons_and_inputs_stored_once(store: Store) -> None:
    with store.session() as session, session.begin():
        rows = _rows(_orgs(session, 3))
        run_id = _run(session, date(2026, 11, 1), rows)
    with store.session() as session:
        got = {score.organisation_id: (score.reasons, score.inputs) for score, _ in risk.run_scores(session, run_id)}
        documents = session.scalar(select(func.count()).select_from(ScoreDocument))
        alone = session.scalars(select(RiskScore).where(RiskScore.organisation_id == rows[2]["organisation_id"])).one()
        assert (alone.reasons, alone.inputs) == (rows[2]["reasons"], rows[2]["inputs"])  # read without attach
    assert got == {row["organisation_id"]: (row["reasons"], row["inputs"]) for row in rows}
    # UNKNOWN and BASE once, three wins_trend items, two inputs lists ([] and INPUTS): 7 for 9 items and 3 lists
    assert documents == 7


def test_thinning_runs_prunes_the_documents_only_they_used(store: Store) -> None:
    with store.session() as session, session.begin():
        rows = _rows(_orgs(session, 2))
        _run(session, date(2026, 1, 5), [{**rows[0], "reasons": [{"feature": "old", "text": "only in January 5"}]}])
        kept = _run(session, date(2026, 1, 31), rows)
    with store.session() as session, session.begin():
        assert thin_scoring_runs(session, before=date(2026, 3, 1)) == 1
    with store.session() as session:
        texts = {body.get("text") for body in session.scalars(select(ScoreDocument.body)) if isinstance(body, dict)}
        got = [(score.reasons, score.inputs) for score, _ in risk.run_scores(session, kept)]
    assert "only in January 5" not in texts
    assert sorted(got, key=str) == sorted(((row["reasons"], row["inputs"]) for row in rows), key=str)


def _migrate(store: Store, direction: str, revision: str) -> None:
    cfg = alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, direction)(cfg, revision)


def test_migration_moves_existing_reasons_into_documents_and_back(store: Store) -> None:
    now = datetime.now(UTC)
    with store.session() as session, session.begin():
        org_ids = _orgs(session, 2)
        run = ScoringRun(started_at=now, finished_at=now, as_of=date(2026, 11, 1), model_version="old", status="ok")
        session.add(run)
        session.flush()
        run_id = run.id
    _migrate(store, "downgrade", "0015_issue20_web")
    old = sa.table("risk_scores", *(sa.column(c) for c in ("run_id", "organisation_id", "category", "kind", "value",
                                                          "band", "confidence", "coverage", "scored_at")),
                   sa.column("reasons", sa.JSON()), sa.column("inputs", sa.JSON()))
    rows = _rows(org_ids)
    with store.engine.begin() as conn:
        conn.execute(old.insert(), [{**row, "run_id": run_id, "scored_at": now} for row in rows])
    _migrate(store, "upgrade", "head")
    with store.session() as session:
        got = {score.organisation_id: (score.reasons, score.inputs) for score, _ in risk.run_scores(session, run_id)}
    assert got == {row["organisation_id"]: (row["reasons"], row["inputs"]) for row in rows}
    _migrate(store, "downgrade", "0015_issue20_web")
    with store.engine.connect() as conn:
        back = {org: (reasons, inputs) for org, reasons, inputs in
                conn.execute(sa.select(old.c.organisation_id, old.c.reasons, old.c.inputs))}
    assert back == got
    _migrate(store, "upgrade", "head")


def test_a_key_that_holds_another_document_is_an_error_with_or_without_the_texts(store: Store) -> None:
    """``put`` reads back the keys that were there before its insert (not those it wrote) and compares their texts
    with ours, kept by ``encode`` or made again."""
    with store.session() as session, session.begin():
        documents: dict[int, object] = {}
        texts: dict[int, str] = {}
        (key,), _ = score_documents.encode([BASE], [], documents, texts=texts)
        assert texts[key] == score_documents.text_of(BASE)
        score_documents.put(session, documents, texts)  # stored: its own document, no clash
        score_documents.put(session, documents)  # and again, without the texts: read back, the same
        session.execute(sa.update(ScoreDocument).where(ScoreDocument.id == key).values(body={**BASE, "value": 1}))
        for texts_given in (texts, None):
            try:
                score_documents.put(session, {key: BASE}, texts_given)
            except ValueError as exc:
                assert "hash collision" in str(exc)
            else:
                raise AssertionError("a clash was not found")
