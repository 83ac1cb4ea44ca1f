"""Round trip: the ``supplyradar`` command line as a user types it, on files and a small store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from store.db import Store
from store.notices import save_notices
from supplyradar.cli import app
from tests.store.test_store import ted_notice

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ted"
runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYRADAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SUPPLYRADAR_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_notices_parse_prints_json_and_names_the_bad_file(tmp_path: Path) -> None:
    good = FIXTURES / "real-notices" / "ted-r209" / "20-157399-001-EXP.xml"
    bad = tmp_path / "broken.xml"
    bad.write_bytes(good.read_bytes()[:2000])
    result = runner.invoke(app, ["notices", "parse", str(good), str(bad), str(tmp_path / "missing.xml")])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1
    notice = lines[0]
    assert {"notice_id", "format", "notice_type", "subtype", "published", "buyer", "cpv_main", "cpv", "awards"} <= set(notice)
    assert notice["format"] == "ted-r209" and notice["notice_id"] == "154292-2020"  # DOC_ID; the file name is another number
    assert notice["file"] == str(good) and next(iter(notice)) == "file"
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert str(bad) in errors[0] and "missing.xml" in errors[1]


def test_scan_writes_a_report_for_the_stored_notices(data_dir: Path) -> None:
    with Store(f"sqlite:///{data_dir / 'supplyradar.db'}") as store, store.session() as session, session.begin():
        save_notices(session, [ted_notice("100-2024"), ted_notice("101-2024", uuid="uuid-2")])
    out = data_dir / "scan.html"
    result = runner.invoke(app, ["scan", "--cpv", "72", "--from", "2024-01-01", "--to", "2024-12-31", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Acme ICT B.V." in html and "IT services" in html
    assert "Synthetic data" not in html


def test_scan_refuses_a_category_that_is_not_cpv(data_dir: Path) -> None:
    result = runner.invoke(app, ["scan", "--cpv", "7x", "--from", "2024-01-01"])
    assert result.exit_code == 2
    assert "1 to 8 digits" in result.output


def test_quarantine_says_when_it_is_empty(data_dir: Path) -> None:
    result = runner.invoke(app, ["quarantine"])
    assert result.exit_code == 0 and "empty" in result.output


def test_quarantine_retry_names_what_it_fetched_and_refuses_unknown_sources(data_dir: Path) -> None:
    result = runner.invoke(app, ["quarantine", "retry", "--source", "ted"])
    assert result.exit_code == 0 and "ted: 0 of 0 fetched and stored" in result.output
    assert runner.invoke(app, ["quarantine", "retry", "--source", "kvk"]).exit_code == 2


def test_a_database_that_is_down_is_one_clear_line_and_exit_code_3(monkeypatch, capsys) -> None:
    """No traceback, the database named with its password hidden, nothing written."""
    import pytest

    from supplyradar import cli

    monkeypatch.setenv("SUPPLYRADAR_DATABASE_URL", "postgresql+psycopg://ops:s3cret@127.0.0.1:1/supplyradar")
    monkeypatch.setattr("sys.argv", ["supplyradar", "status"])
    with pytest.raises(SystemExit) as exited:
        cli.run()
    assert exited.value.code == 3
    err = capsys.readouterr().err
    assert err.startswith("error: cannot use the database postgresql+psycopg://ops:***@127.0.0.1:1/supplyradar")
    assert "s3cret" not in err and "Traceback" not in err


@pytest.mark.parametrize("scale", ["0", "-2"])
def test_demo_refuses_a_scale_below_one(data_dir: Path, scale: str) -> None:
    result = runner.invoke(app, ["demo", "--scale", scale])
    assert result.exit_code == 2
    assert "--scale" in result.output
    assert not (data_dir / "supplyradar.db").exists()  # refused before anything ran


def test_demo_at_another_scale_refuses_a_store_with_notices(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    with Store(f"sqlite:///{data_dir / 'supplyradar.db'}") as store, store.session() as session, session.begin():
        save_notices(session, [ted_notice()])
    result = runner.invoke(app, ["demo", "--scale", "2"])
    assert result.exit_code == 2
    assert "holds 1 notices of a world at scale 1" in result.output
    assert "SUPPLYRADAR_DATA_DIR=" in result.output
