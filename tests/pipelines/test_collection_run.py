"""The one collection-run bookkeeping every collector uses: how each kind of ending is recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from connectors.errors import SourceUnavailableError
from pipelines.collection_run import Outcome, collection_run
from store.db import Store
from store.locks import LOCKED_ADVICE
from store.schema import CollectionRun

LOCKED = OperationalError("INSERT INTO notices ...", {}, Exception("database is locked"))


def _run(store: Store, run_id: int) -> CollectionRun:
    with store.session() as session:
        return session.scalars(select(CollectionRun).where(CollectionRun.id == run_id)).one()


def test_a_clean_run_is_ok_with_its_counts(store: Store) -> None:
    outcome = Outcome()
    with collection_run(store, "kvk", outcome, counts=lambda: {"fetched": 7, "added": 3}) as run_id:
        with store.session() as session:
            assert session.get(CollectionRun, run_id).status == "running"
    run = _run(store, run_id)
    assert (run.source, run.status, run.error, run.fetched, run.added) == ("kvk", "ok", None, 7, 3)
    assert run.finished_at is not None


def test_an_expected_source_failure_ends_the_run_failed_without_raising(store: Store) -> None:
    outcome, stops = Outcome(), []
    with collection_run(store, "cir", outcome, counts=dict, expected=(SourceUnavailableError,),
                        on_stop=stops.append) as run_id:
        raise SourceUnavailableError("cir", "https://example.test/cir.asmx", "HTTP 503 three times")
    run = _run(store, run_id)
    assert outcome.status == run.status == "failed"
    assert "HTTP 503 three times" in run.error and run.error == outcome.error
    assert [type(exc) for exc in stops] == [SourceUnavailableError]


def test_a_locked_store_ends_a_collection_with_the_advice(store: Store) -> None:
    outcome = Outcome()
    with collection_run(store, "eu-fsf", outcome, counts=dict) as run_id:
        raise LOCKED
    run = _run(store, run_id)
    assert (run.status, run.error) == ("failed", LOCKED_ADVICE)


def test_a_file_import_raises_a_locked_store_and_records_the_failure(store: Store) -> None:
    outcome = Outcome()
    with pytest.raises(OperationalError, match="database is locked"):
        with collection_run(store, "ocds", outcome, counts=dict, report_locked=False):
            raise LOCKED
    with store.session() as session:
        run = session.scalars(select(CollectionRun).where(CollectionRun.source == "ocds")).one()
    assert run.status == "failed" and run.error.startswith("OperationalError: ")


def test_any_other_error_is_raised_and_the_run_marked_failed(store: Store) -> None:
    with pytest.raises(KeyError):
        with collection_run(store, "tenderned-dataset", Outcome(), counts=lambda: {"fetched": 2}):
            raise KeyError("publicatieId")
    with store.session() as session:
        run = session.scalars(select(CollectionRun).where(CollectionRun.source == "tenderned-dataset")).one()
    assert (run.status, run.error, run.fetched) == ("failed", "KeyError: 'publicatieId'", 2)
