"""``supplyradar backfill tenders``: months as --from/--to, and --pool only with a Prefect server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from supplyradar.cli import app
from tests.cli.test_cli import data_dir  # noqa: F401 - the store in a temporary folder

runner = CliRunner()


def test_a_month_backfill_here_collects_that_month(data_dir: Path) -> None:
    from store.db import Store
    from store.schema import Notice

    args = ["backfill", "tenders", "--from", "2023-03", "--to", "2023-03", "--source", "ted", "--transport", "demo"]
    assert runner.invoke(app, args).exit_code == 0
    with Store(f"sqlite:///{data_dir / 'supplyradar.db'}") as store, store.session() as session:
        published = session.execute(select(func.min(Notice.published), func.max(Notice.published), func.count())).one()
    assert published[0].isoformat() >= "2023-03-01" and published[1].isoformat() <= "2023-03-31" and published[2] > 0


def test_a_pool_needs_a_prefect_server(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    # and out of Prefect's settings context, where the session's test harness (tests/conftest.py) puts its server
    # once an earlier test has started it
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = runner.invoke(app, ["backfill", "tenders", "--from", "2023-03", "--pool", "supplyradar"])
    assert result.exit_code == 2
    assert "PREFECT_API_URL" in result.output
