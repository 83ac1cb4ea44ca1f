"""Flow: collect tender notices from TED and TenderNed into the store.

Thin on purpose: one task per source (each pages through its API and writes the pages in groups in
``pipelines.collect_tenders``), a run summary as a Prefect table artifact. Retries of single
requests happen inside the HTTP helper; a task retry would start the source again from its
watermark, which is safe because every write is an idempotent upsert.
"""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NONE

from config.settings import Settings
from pipelines.collect_tenders import SOURCES, CollectionSummary, collect_all
from pipelines.transports import note_dataset, settings_for, transport_for
from store.db import Store


@task(name="collect-source", cache_policy=NONE, retries=1, retry_delay_seconds=30)
def collect_source(source: str, since: date | None, until: date | None, transport: str) -> dict:
    logger = get_run_logger()
    settings = settings_for(Settings(), transport)
    with Store(settings.resolved_database_url) as store:
        note_dataset(store, transport)

        def progress(src: str, page_size: int, summary: CollectionSummary) -> None:
            logger.info(  # pages are stored in groups: the stored counts are those of the groups stored so far
                "%s page %d read: %d notices; stored so far: added %d, updated %d, unchanged %d, quarantined %d",
                src, summary.pages, page_size, summary.saved.added, summary.saved.updated,
                summary.saved.unchanged, summary.quarantined,
            )

        (summary,) = collect_all(
            store, settings, sources=[source], since=since, until=until,
            transport=transport_for(transport), progress=progress,
        )
    if summary.status != "ok":
        logger.error("%s stopped early: %s", source, summary.error)
    return summary.as_row()


@flow(name="collect-tenders", log_prints=False)
def collect_tenders(
    sources: list[str] = list(SOURCES),  # noqa: B006
    since: date | None = None,
    until: date | None = None,
    transport: str = "live",
) -> list[dict]:
    """Collect award notices incrementally (from each source's watermark unless ``since`` is given).

    ``transport`` is "live" for the real APIs or "demo" for the bundled synthetic data set.
    """
    rows = [collect_source(source, since, until, transport) for source in sources]
    create_table_artifact(key="collect-tenders-summary", table=rows, description="Notices collected per source")
    failed = [r["source"] for r in rows if r["status"] != "ok"]
    if failed:
        raise RuntimeError(f"collection failed for {', '.join(failed)}; see the task logs, it resumes next run")
    return rows
