"""The data-quality report (``pipelines.import_own_data.quality_report``, ``supplyradar quality``): what it finds
in a small dirty file, and the bundled SYNTHETIC demo files (``demo/data/own_data``) importing
cleanly with the findings their README promises."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.settings import Settings
from demo.build_own_data import CONTRACTS_FILE, OUT_DIR, SPEND_FILE, UNPARSEABLE_AMOUNTS
from pipelines.import_own_data import import_file, quality_report
from pipelines.resolve_suppliers import resolve_suppliers
from store.db import Store
from store.matching import list_candidates

ROWS = [
    "Leverancier;KvK-nummer;Categorie;Bedrag;Boekdatum;Factuurnummer",
    "Tonkeling Schoonmaak B.V.;45968655;Schoonmaak;100,00;01-01-2024;F1",
    "TONKELING SCHOONMAAK BV;;Schoonmaak;100,00;01-01-2024;F1",  # the same invoice again, without KvK
    "Brommel Drukwerk;;;50,00;01-03-2024;F2",
    *[f"Tonkeling Schoonmaak B.V.;45968655;Schoonmaak;{i},00;0{i}-02-2024;G{i}" for i in range(1, 10)],
    *[f"Tonkeling Schoonmaak B.V.;45968655;Schoonmaak;{i},00;0{i}-03-2024;H{i}" for i in range(1, 10)],
    "Kwavant ICT;;ICT-diensten;#WAARDE!;01-03-2024;F3",
]


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Store:
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        yield store


def test_findings_name_their_rows(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    path.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    import_file(sqlite_store, path, "spend", settings)
    resolve_suppliers(sqlite_store, settings)
    report = quality_report(sqlite_store)
    f = report.findings
    no_id = {item["supplier"]: item["rows"] for item in f["spend rows without supplier id"]}
    assert no_id == {"TONKELING SCHOONMAAK BV": ["spend.csv:3"], "Brommel Drukwerk": ["spend.csv:4"],
                     "Kwavant ICT": ["spend.csv:23"]}
    assert [item["rows"] for item in f["spend rows without category"]] == [["spend.csv:4"]]
    assert [item["rows"] for item in f["duplicate spend rows"]] == [["spend.csv:2", "spend.csv:3"]]
    assert {u["supplier"] for u in f["suppliers not matched"]} == {"Brommel Drukwerk", "Kwavant ICT"}
    (unparsed,) = f["values that did not parse"]
    assert (unparsed["rows"], unparsed["column"], unparsed["value"]) == (["spend.csv:23"], "Bedrag", "#WAARDE!")
    assert report.matched_share == pytest.approx(290 / 340)  # Tonkeling 100 + 100 + 2 x (1..9), of 340 with Brommel


def test_quality_command_prints_json(sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from supplyradar.cli import app

    path = tmp_path / "spend.csv"
    path.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    monkeypatch.setenv("SUPPLYRADAR_DATABASE_URL", sqlite_store.url)
    runner = CliRunner()
    imported = runner.invoke(app, ["import", "spend", str(path)])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(app, ["quality", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["spend_lines"] == 22 and data["findings"]["duplicate spend rows"]
    refused = runner.invoke(app, ["import", "spend", str(tmp_path / "missing.csv"), str(path)])
    assert refused.exit_code == 1 and "missing.csv" in refused.output


def test_the_demo_files_import_cleanly_with_the_expected_findings(store: Store, settings: Settings) -> None:
    contracts = import_file(store, OUT_DIR / CONTRACTS_FILE, "contracts", settings)
    spend = import_file(store, OUT_DIR / SPEND_FILE, "spend", settings)
    assert spend.encoding == "cp1252" and spend.delimiter == ";"
    with (OUT_DIR / SPEND_FILE).open(encoding="cp1252") as stream:
        rows = list(csv.reader((line for line in stream if not line.startswith("#")), delimiter=";"))[1:]
    assert 3000 <= spend.rows_read == spend.added == len(rows) <= 6000
    assert contracts.added > 100 and not contracts.skipped
    assert dict(spend.issues) == {"amount_unparsed": len(UNPARSEABLE_AMOUNTS)}
    resolve_suppliers(store, settings)
    report = quality_report(store)
    f = report.findings
    without_id = sum(len(i["rows"]) for i in f["spend rows without supplier id"])
    assert 0.25 <= without_id / spend.rows_read <= 0.45
    assert f["duplicate spend rows"] and f["spend rows without category"]
    assert {i["value"] for i in f["values that did not parse"]} == set(UNPARSEABLE_AMOUNTS)
    assert {"Café De Zwaan", "Drukkerij Van Dommel"} <= {u["supplier"] for u in f["suppliers not matched"]}
    assert report.matched_share is not None and report.matched_share > 0.5
    # Name variants of a supplier with a KvK number meet it: "TONKELING SCHOONMAAK BV" is not unmatched.
    assert not any(u["supplier"].casefold().startswith("tonkeling") for u in f["suppliers not matched"])
    # The one misspelt supplier waits for a person.
    with store.session() as session:
        assert [c.source_name for c, _ in list_candidates(session)] == ["Ruyema Partners"]
