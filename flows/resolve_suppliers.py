"""Flows: resolve every supplier to one organisation; import own spend and contract files.

Thin on purpose. ``resolve-suppliers`` is one task running
``pipelines.resolve_suppliers.resolve_suppliers``, which works in batches of names (one
transaction each), never one task per supplier. ``import-own-data`` is one task per kind of file
(each file one transaction, ``pipelines.import_own_data.import_files``) and then the resolution. Tasks
return summary rows; the flows publish them, and the names awaiting review, as table artifacts.
Safe to retry or run at any time: every step is idempotent and human decisions are never
overwritten.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NONE

from config.settings import Settings
from pipelines.import_own_data import import_files
from pipelines.resolve_suppliers import resolve_suppliers
from store.db import Store
from store.matching import list_candidates

#: Review candidates shown in the artifact (all of them: ``supplyradar match list``).
REVIEW_ROWS = 50


@task(name="resolve-suppliers-batch", cache_policy=NONE, retries=1, retry_delay_seconds=30)
def resolve_all() -> dict:
    logger = get_run_logger()
    settings = Settings()
    with Store(settings.resolved_database_url) as store:
        summary = resolve_suppliers(store, settings)
        with store.session() as session:
            review = [
                {"id": c.id, "name": c.source_name, "organisation": name, "score": round(c.score, 1)}
                for c, name in list_candidates(session, "review")[:REVIEW_ROWS]
            ]
    row = summary.as_row()
    logger.info("supplier resolution: %s", row)
    return {"summary": row, "review": review}


def _publish(result: dict) -> None:
    create_table_artifact(key="resolve-suppliers-summary", table=[result["summary"]],
                          description="Supplier resolution: lines linked by KvK, by name, merged organisations")
    if result["review"]:
        create_table_artifact(key="resolve-suppliers-review", table=result["review"],
                              description="Names awaiting review (supplyradar match list / accept / reject)")


@flow(name="resolve-suppliers", log_prints=False)
def resolve_suppliers_flow() -> dict:
    """Link spend lines, contracts and notice organisations to one organisation per supplier."""
    result = resolve_all()
    _publish(result)
    return result["summary"]


@task(name="import-own-data-files", cache_policy=NONE)
def import_kind(kind: str, files: list[str]) -> dict:
    """Import the files of one kind; a refused file is logged with file, row and column, the others go on."""
    logger = get_run_logger()
    settings = Settings()
    with Store(settings.resolved_database_url) as store:
        reports, failed = import_files(store, files, kind, settings)
    for message in failed:
        logger.error("not imported: %s", message)
    return {"reports": [r.as_row() for r in reports], "failed": failed}


@flow(name="import-own-data", log_prints=False)
def import_own_data(contract_files: list[str] | None = None, spend_files: list[str] | None = None) -> dict:
    """Import contract registers, then spend exports (CSV/XLSX), then resolve the suppliers."""
    rows, failed = [], []
    for kind, files in (("contracts", contract_files or []), ("spend", spend_files or [])):
        if files:
            result = import_kind(kind, files)
            rows += result["reports"]
            failed += result["failed"]
    if rows:
        create_table_artifact(key="import-own-data", table=rows, description="Own spend and contract files imported")
    resolution = resolve_all()
    _publish(resolution)
    if failed:
        raise RuntimeError(f"{len(failed)} file(s) refused: " + "; ".join(failed))
    return {"imports": rows, "resolution": resolution["summary"]}
