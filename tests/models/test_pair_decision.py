"""Pair decisions (``models.pair_decision``) and ``supplyradar match explain``: Dutch company structures, KvK numbers,
trade and former names, and precision/recall on the real-looking hard cases (``fixtures/matching/hard_pairs.csv``)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.company_names import parse
from models.match_evaluation import evaluate
from models.pair_decision import decide_pair, kvk_number
from supplyradar.cli import app

HARD = Path(__file__).parents[1] / "fixtures" / "matching" / "hard_pairs.csv"
runner = CliRunner()


@pytest.mark.parametrize(
    ("a", "b", "decision"),
    [
        ("Asito Holding B.V.", "Asito B.V.", "review"),
        ("Jansen Beheer B.V.", "Jansen B.V.", "review"),
        ("Stichting Asito", "Asito B.V.", "review"),
        ("Gemeente Bergen (NH)", "Gemeente Bergen (L)", "review"),
        ("Jansen Schilderwerken V.O.F.", "Jansen Schilderwerken B.V.", "review"),
        ("Siemens AG", "Siemens Nederland N.V.", "different"),
        ("Zwevant Energie N.V.", "Zwevant Energie GmbH", "different"),
        ("Asito B.V.", "ASITO BV", "merge"),
        ("Koninklijke KPN N.V.", "KPN", "merge"),
        ("Tonkeling Schoonmaak B.V. (hoofdkantoor)", "Tonkeling Schoonmaak", "merge"),
        ("Gemeente Amsterdam, afdeling Inkoop", "Gemeente Amsterdam", "merge"),
        ("Atlas Technologies B.V. h.o.d.n. Lightyear", "Lightyear", "merge"),
        ("Groenvision B.V. (voorheen Groenkracht Hoveniers B.V.)", "Groenkracht Hoveniers", "merge"),
        ("J. de Vries Transport B.V.", "P. de Vries Transport B.V.", "review"),
        ("Schoonmaak Service B.V.", "Schoonmaak Service", "review"),
        ("Heijmans Infra B.V.", "Heijmans Vastgoed B.V.", "different"),
        ("J. Jansen h.o.d.n. Jansen Klussen", "Jansen Klussen B.V.", "review"),  # a sole trader's trade name
        ("Stg. Humanitas", "Humanitas B.V.", "review"),
        ("Van Dijk Transport 2 B.V.", "Van Dijk Transport B.V.", "review"),
        ("Amazon EU S.à r.l.", "Amazon EU SARL", "merge"),
        ("Asito B. V.", "ASITO BV", "merge"),
        ("Tauw B.V.", "Tuaw B.V.", "review"),  # one slip in a short name: a person looks
        ("Centric Netherlands B.V.", "Centirc Netherlands B.V.", "merge"),
    ],
)
def test_structure_decides_what_a_name_score_cannot(a: str, b: str, decision: str) -> None:
    result = decide_pair(a, b)
    assert result.decision == decision, result.explanation
    assert decide_pair(b, a).decision == decision  # symmetric


def test_a_kvk_number_on_both_sides_decides_whatever_the_names() -> None:
    same = decide_pair("Vattenfall N.V.", "Nuon Energy N.V.", kvk_a="33292246", kvk_b="33292246")
    assert (same.decision, same.score) == ("merge", 100.0) and "33292246" in same.explanation
    other = decide_pair("De Vries Transport B.V.", "De Vries Transport B.V.", kvk_a="12345678", kvk_b="87654321")
    assert (other.decision, other.score) == ("different", 0.0)
    assert decide_pair("Asito B.V.", "Asito", kvk_a="04028976", kvk_b="4028976").decision == "merge"  # zero lost
    one_sided = decide_pair("Asito Holding B.V.", "Asito B.V.", kvk_a="04028976")
    assert one_sided.decision == "review" and any("one side only" in r for r in one_sided.reasons)


def test_a_value_that_is_not_a_kvk_number_is_set_aside_and_said() -> None:
    assert kvk_number("000017047016") == (None, "'000017047016' is an establishment number, not a KvK number (set aside)")
    assert kvk_number("KvK 17047016") == ("17047016", None)
    assert kvk_number("17047016.0") == ("17047016", None)  # a spreadsheet's number cell
    assert kvk_number("n.v.t.")[0] is None and "not a KvK number" in (kvk_number("n.v.t.")[1] or "")
    result = decide_pair("Heijmans Infra B.V.", "Heijmans Infra B.V.", kvk_a="17047016", kvk_b="000017047016")
    assert result.decision == "merge" and any("establishment number" in r for r in result.reasons)


def test_other_known_names_are_evidence() -> None:
    assert decide_pair("CleanPro", "Sprokkelaar Schoonmaakdiensten B.V.").decision == "different"
    result = decide_pair("CleanPro", "Sprokkelaar Schoonmaakdiensten B.V.", other_names_b=("trade:CleanPro",))
    assert result.decision == "merge" and any("trade name" in r for r in result.reasons)


def test_parse_keeps_entity_words_and_sets_remarks_aside() -> None:
    name = parse("Koninklijke Jansen Holding Nederland B.V. (vestiging Utrecht) i.o.")
    assert name.core == ("jansen",) and name.structure == ("holding",) and name.scope == ("nederland",)
    assert name.legal_forms == ("bv",) and name.branch[0] == "vestiging" and name.status == ("io",) and name.honorific
    assert parse("Installatiebedrijf Bos B.V. te Zwolle").qualifiers == ("zwolle",)
    assert parse("Müller GmbH & Co. KG").legal_forms == ("gmbh", "kg")
    assert parse("Jansen B.V. (voorheen Pietersen B.V.)").former_names == ("pietersen b.v.",)
    assert parse("Atlas Technologies B.V. h.o.d.n. Lightyear").trade_names == ("lightyear",)
    assert parse("Voorheen & Nu B.V.").key == "voorheen nu"  # a name that starts like a remark is a name
    assert parse("VH Techniek B.V.").key == "vh techniek"


def _hard_rows() -> list[dict[str, str]]:
    with HARD.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_hard_cases_through_the_cli_keep_automatic_merges_right() -> None:
    """Measured as a user would: ``match explain --pairs FILE --json``, one line per row in file order.
    Automatic merges must be right in >= 0.99 of cases; every kind of different-entity pair stays out of them."""
    rows = _hard_rows()
    assert len(rows) >= 100 and len({r["case"] for r in rows}) >= 20
    result = runner.invoke(app, ["match", "explain", "--pairs", str(HARD), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(o["a"], o["b"]) for o in lines] == [(r["a"], r["b"]) for r in rows]
    assert all({"decision", "score", "explanation"} <= set(o) for o in lines)
    report = evaluate((o["decision"], r["same"] == "1") for o, r in zip(lines, rows, strict=True))
    assert report.merge_precision.value is not None and report.merge_precision.value >= 0.99, report.rows()
    assert report.merge_recall.value is not None and report.merge_recall.value >= 0.8, report.rows()
    assert report.reach.value is not None and report.reach.value >= 0.9, report.rows()
    wrong = [(r["a"], r["b"]) for o, r in zip(lines, rows, strict=True) if o["decision"] == "merge" and r["same"] == "0"]
    assert wrong == []


def test_explain_one_pair_for_people_and_as_json() -> None:
    result = runner.invoke(app, ["match", "explain", "Asito Holding B.V.", "Asito B.V."])
    assert result.exit_code == 0 and result.stdout.startswith("review (score")
    assert "holding" in result.stdout
    result = runner.invoke(app, ["match", "explain", "Asito B.V.", "Asito", "--kvk-a", "04028976", "--kvk-b", "4028976", "--json"])
    line = json.loads(result.stdout)
    assert (line["decision"], line["score"]) == ("merge", 100.0) and line["explanation"]


def test_a_bad_pairs_file_is_named_with_row_and_column_and_the_rest_goes_on(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    result = runner.invoke(app, ["match", "explain", "--pairs", str(missing)])
    assert result.exit_code == 1 and "missing.csv" in result.stderr and "cannot read" in result.stderr
    no_b = tmp_path / "no_b.csv"
    no_b.write_text("a,name\nAsito,Asito B.V.\n", encoding="utf-8")
    result = runner.invoke(app, ["match", "explain", "--pairs", str(no_b)])
    assert result.exit_code == 1 and "no_b.csv: row 1: no column 'b'" in result.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b;kvk_a;kvk_b\nAsito B.V.;;;\nAsito Holding B.V.;Asito B.V.;;\n", encoding="utf-8-sig")
    result = runner.invoke(app, ["match", "explain", "--pairs", str(bad), "--json"])
    assert result.exit_code == 1 and "bad.csv: row 2, column 'b': empty name" in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["decision"] for o in lines] == [None, "review"] and lines[0]["error"]
