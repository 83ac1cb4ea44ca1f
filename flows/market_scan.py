"""Flow: the market scan of one or more CPV categories, as HTML reports and Prefect artifacts."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE

from config.settings import Settings
from models.dates import years_before
from pipelines.market_scan import ScanOutput, normalise_prefix, run_market_scans
from pipelines.market_summaries import summary_builders, write_summaries
from store.db import Store


@task(name="market-scan", cache_policy=NONE)
def scan_categories(cpv: list[str], start: date, end: date | None, period: str) -> list[str]:
    """Every category's scan, and the market summaries (the category pages read these), from one read of
    the store's awards; a report and its artifacts per category."""
    logger = get_run_logger()
    settings = Settings()
    with Store(settings.resolved_database_url) as store:
        summaries = summary_builders(store, today=end, prefixes=[normalise_prefix(code) for code in cpv])
        outputs = run_market_scans(
            store, cpvs=cpv, start=start, end=end, period=period,
            language=settings.language, output_dir=settings.resolved_output_dir, summaries=summaries,
        )
        written = write_summaries(store, summaries, settings.language)
    for output in outputs:
        _artifacts(output)
        logger.info("CPV %s: report at %s", output.scan.cpv_prefix, output.html_path)
    logger.info("market summaries of %d categories refreshed", len(written))
    return [str(output.html_path) for output in outputs]


def _artifacts(output: ScanOutput) -> None:
    key = f"market-scan-{output.scan.cpv_prefix}"
    create_markdown_artifact(key=key, markdown=output.markdown, description=f"Market scan {output.scan.cpv_prefix}")
    for name, rows in output.tables.items():
        if rows:
            create_table_artifact(key=f"{key}-{name}", table=rows, description=f"{name} for CPV {output.scan.cpv_prefix}")
    create_link_artifact(key=f"{key}-report", link=output.html_path.resolve().as_uri(), link_text="HTML report")


@flow(name="market-scan")
def market_scan(
    cpv: list[str],
    start: date | None = None,
    end: date | None = None,
    period: str = "year",
    years_back: int | None = None,
) -> list[str]:
    """One report per category; returns the report paths.

    Scheduled runs pass ``years_back`` so the window moves with the calendar; one-off runs pass ``start``.
    """
    if start is None:
        if years_back is None:
            raise ValueError("give either start or years_back")
        start = years_before(date.today(), years_back)
    return scan_categories(cpv, start, end, period)  # and the summaries the category pages read


