"""Flows: a backfill split into independent chunks (source x month) that workers run in parallel.

``backfill_tenders`` plans the chunks and either submits each as its own flow run of the
``backfill-chunk/chunk`` deployment on a work pool (every worker polling the pool takes some), or,
without a pool, runs them one after the other in this process as subflows. Each chunk takes a slot
of its source's global concurrency limit (``source-ted``, ``source-tenderned``), sized from the
source's rate limit in the settings, so however many workers there are, a source sees at most that
many chunks at once. Chunks are idempotent (see ``pipelines.backfill.run_chunk``): a chunk run twice,
or a whole backfill started again, fetches only what is not done yet.

The logic lives in ``pipelines.backfill``; this module only talks to Prefect.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from uuid import UUID

from prefect import flow, get_client, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.concurrency.sync import concurrency
from prefect.context import get_run_context
from prefect.deployments import run_deployment

from config.settings import Settings
from pipelines.backfill import (
    Chunk,
    plan_chunks,
    refresh_after_backfill,
    run_chunk,
    source_limit_name,
    source_slots,
)
from pipelines.collect_tenders import SOURCES
from pipelines.transports import note_dataset, settings_for, transport_for
from store.db import Store

CHUNK_FLOW = "backfill-chunk"
CHUNK_DEPLOYMENT_NAME = "chunk"
CHUNK_DEPLOYMENT = f"{CHUNK_FLOW}/{CHUNK_DEPLOYMENT_NAME}"
REPO_ROOT = Path(__file__).resolve().parents[1]
#: How often the backfill looks at its chunks' flow runs while it waits for them.
POLL_SECONDS = 2.0


class BackfillFailed(RuntimeError):
    """Some chunks failed; running the same backfill again retries them (the others are skipped)."""


@flow(name=CHUNK_FLOW, log_prints=False)
def backfill_chunk(source: str, start: date, end: date, transport: str = "live") -> dict:
    """Collect one source's notices of one month, holding a slot of the source's concurrency limit."""
    logger = get_run_logger()
    settings = settings_for(Settings(), transport)
    chunk = Chunk(source, start, end)
    # strict: a chunk never runs unthrottled because its limit is missing (the backfill creates them).
    with concurrency(source_limit_name(source), occupy=1, strict=True), Store(settings.resolved_database_url) as store:
        note_dataset(store, transport)
        outcome = run_chunk(store, settings, chunk, transport=transport_for(transport))
        where = store.display_url
    row = {**outcome.as_row(), "store": where}
    logger.info("%s: %s", chunk.label, row)
    if outcome.status not in ("ok", "skipped"):  # failed, or incomplete (records left pending): not done yet
        raise RuntimeError(f"{chunk.label} {outcome.status}: {row.get('error')}; run the backfill again to retry it")
    return row


def ensure_source_limits(settings: Settings, sources: list[str]) -> dict[str, int]:
    """Create or resize each source's global concurrency limit from its rate limit; name -> slots."""
    limits = {source_limit_name(s): source_slots(settings, s) for s in sources}
    with get_client(sync_client=True) as client:
        for name, slots in limits.items():
            client.upsert_global_concurrency_limit_by_name(name, slots)
    return limits


def deploy_chunk_flow(pool: str, *, source_dir: Path = REPO_ROOT) -> UUID:
    """Register ``backfill-chunk/chunk`` on a process work pool; its workers run it from ``source_dir``.

    The workers need this checkout (same path) with its virtualenv, and the ``SUPPLYRADAR_*`` settings
    (above all ``SUPPLYRADAR_DATABASE_URL``, a store every worker can reach: PostgreSQL) in their environment.
    """
    source = backfill_chunk.from_source(source=str(source_dir), entrypoint="flows/backfill.py:backfill_chunk")
    # ``to_deployment().apply()`` rather than ``Flow.deploy``: the latter first lists the pool's workers
    # with a request that prefect 3.8.8's server refuses (422, null limit and offset).
    deployment = source.to_deployment(name=CHUNK_DEPLOYMENT_NAME, work_pool_name=pool, tags=["supplyradar", "backfill"],
                                      description="One month of one source, for backfill-tenders.")
    return deployment.apply()


@flow(name="backfill-tenders", log_prints=False)
def backfill_tenders(
    start: date,
    end: date,
    sources: list[str] = list(SOURCES),  # noqa: B006
    transport: str = "live",
    pool: str | None = None,
) -> list[dict]:
    """Collect ``sources`` from ``start`` to ``end`` in (source, month) chunks; on ``pool`` if given."""
    logger = get_run_logger()
    chunks = plan_chunks(sources, start, end)
    settings = settings_for(Settings(), transport)
    # The store opened (and migrated) once before any chunk runs: a store that cannot be reached fails the backfill
    # here, not each chunk on its worker.
    with Store(settings.resolved_database_url) as store:
        logger.info("store %s", store.display_url)
    limits = ensure_source_limits(Settings(), list(dict.fromkeys(sources)))
    logger.info("%d chunks; concurrency limits %s", len(chunks), limits)
    if pool is None:
        rows = [_in_process(chunk, transport) for chunk in chunks]
    else:
        rows = _on_pool(chunks, transport)
    create_table_artifact(key="backfill-tenders-chunks", table=rows, description="Backfill chunks and how they ended")
    # Chunks on a pool report only their state here: how much they loaded is unknown (None), so analyse.
    loaded = sum(int(r.get("added", 0)) + int(r.get("updated", 0)) for r in rows) if pool is None else None
    with Store(settings.resolved_database_url) as store:
        if refresh_after_backfill(store, loaded):
            logger.info("ANALYZE done on %s", store.display_url)
    failed = [r["chunk"] for r in rows if r["status"] not in ("ok", "skipped", "Completed")]
    if failed:
        raise BackfillFailed(f"{len(failed)} chunk(s) not done: {', '.join(failed)}; run the same backfill again")
    return rows


def _in_process(chunk: Chunk, transport: str) -> dict:
    state = backfill_chunk(chunk.source, chunk.start, chunk.end, transport, return_state=True)
    if state.is_completed():
        return state.result()
    return {"chunk": chunk.label, "status": "failed", "error": state.message or state.name}


def _on_pool(chunks: list[Chunk], transport: str) -> list[dict]:
    """Submit every chunk as its own flow run, then wait until all of them are final."""
    parent = get_run_context().flow_run.id
    submitted = {
        chunk: run_deployment(
            CHUNK_DEPLOYMENT,
            parameters={"source": chunk.source, "start": chunk.start, "end": chunk.end, "transport": transport},
            flow_run_name=f"{chunk.label}",
            timeout=0,  # submit only; the workers pick them up
            # a retried backfill run does not submit its chunks twice
            idempotency_key=f"{parent}:{chunk.label}",
        ).id
        for chunk in chunks
    }
    final: dict[Chunk, str] = {}
    with get_client(sync_client=True) as client:
        while len(final) < len(submitted):
            for chunk, run_id in submitted.items():
                if chunk in final:
                    continue
                state = client.read_flow_run(run_id).state
                if state is not None and state.is_final():
                    final[chunk] = state.name
            if len(final) < len(submitted):
                time.sleep(POLL_SECONDS)
    return [{"chunk": c.label, "status": final[c], "flow_run": str(submitted[c])} for c in chunks]
