"""Flow: import the newest TenderNed open-data release (award history with the winners).

Thin on purpose: one task downloads the newest file named by ``settings.tenderned_dataset.url``
(through ``connectors.http.HttpClient``, so retries and pacing are the shared ones) and imports
it with ``pipelines.tenderned_dataset``, batch by batch. Rows are never tasks: a year is
tens of thousands of rows, and Prefect costs milliseconds per task run. The task returns the
report's flat row, not the notices. A retry downloads and imports again, which is safe because
the import is idempotent.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NONE

from config.settings import Settings
from pipelines.tenderned_dataset import download_and_import
from store.db import Store


@task(name="import-tenderned-dataset-release", cache_policy=NONE, retries=1, retry_delay_seconds=60)
def import_newest_release() -> dict:
    logger = get_run_logger()
    settings = Settings()
    with Store(settings.resolved_database_url) as store:
        report = download_and_import(store, settings)
    logger.info(
        "%s: %d rows, %d publications (%d added, %d updated, %d unchanged), %d awards added, %d rows rejected",
        report.file, report.rows_read, report.publications, report.notices_added, report.notices_updated,
        report.duplicates_skipped, report.awards_added, report.rows_rejected,
    )
    if report.unknown_countries:
        logger.warning("unknown countries (left out of the winners): %s", dict(report.unknown_countries))
    return report.as_row()


@flow(name="import-tenderned-dataset", log_prints=False)
def import_tenderned_dataset_flow() -> dict:
    """Download TenderNed's newest yearly award file and import it (weekly; the files change quarterly)."""
    row = import_newest_release()
    create_table_artifact(key="import-tenderned-dataset", table=[row], description="TenderNed open-data import")
    return row
