"""The rows and text the commands print (reports.risk_tables, alert_tables, alternatives): unknown stays unknown."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from reports.alert_tables import outbox_row
from reports.alternatives import backtest_rows, difference_lines, excluded_line
from reports.risk_tables import marked, metric_rows, ranked_rows, unknown_rows


def test_risk_rows_mark_former_suppliers_and_show_unknown_figures_as_a_dash() -> None:
    current = {"supplier": "Acme B.V.", "status": "current", "category": None, "value": 0.4567, "band": "medium",
               "confidence": 0.8, "trend": "▁▃", "reasons": ["a", "b", "c", "d"], "country": "NL"}
    former = {**current, "supplier": "Oud B.V.", "status": "former", "status_why": "contract ended 2024-01-01",
              "reasons": [], "country": None}
    assert marked(former) == "Oud B.V. [former: contract ended 2024-01-01]"
    assert ranked_rows([current], "combined") == [{"#": 1, "supplier": "Acme B.V.", "category": "–", "combined": "0.457",
                                                    "band": "medium", "confidence": "80%", "trend": "▁▃",
                                                    "reasons": "a; b; c"}]
    assert unknown_rows([former]) == [{"supplier": "Oud B.V. [former: contract ended 2024-01-01]", "country": "–",
                                       "confidence": "80%", "what is missing": ""}]
    model = SimpleNamespace(rows=120, positives=6, roc_auc=None, brier=0.04321)
    assert metric_rows(model, None) == [
        {"model": "trained model", "rows": "120", "positives": "6", "ROC AUC": "–", "Brier": "0.0432"},
        {"model": "baseline", "rows": "–", "positives": "–", "ROC AUC": "–", "Brier": "–"},
    ]


def test_outbox_row_puts_the_snooze_end_in_the_state() -> None:
    row = {"id": 7, "severity": "warning", "state": "snoozed", "snoozed until": datetime(2026, 12, 9, 8, 30),
           "title": "t", "count": 2, "last seen": datetime(2026, 12, 2, 23, 59), "deliveries": "1 sent", "rule": "r"}
    assert outbox_row(row)["state"] == "snoozed → 2026-12-09 08:30"
    assert outbox_row(row)["last seen"] == "2026-12-02"
    assert outbox_row({**row, "state": "open", "snoozed until": None})["state"] == "open"


def test_backtest_rows_say_n_a_for_a_recall_without_cases() -> None:
    block = {"alternatives": {"recall@5": 0.5, "recall@10": None}, "baseline": {"recall@5": 0.25, "recall@10": None}}
    summary = {"rankings": block, "cases": 4, "seen_before": {"rankings": block, "cases": 2}, "divisions": {},
               "buyers": 3, "difference": {"recall@5": {"value": 0.25, "ci95": [-0.1, 0.5], "ratio": 2.0},
                                           "recall@10": {"value": None, "ci95": [None, None], "ratio": None}}}
    rows = backtest_rows(summary)
    assert rows[0] == {"slice": "all cases", "ranking": "alternatives", "cases": 4, "recall@5": "50%", "recall@10": "n/a"}
    assert rows[1] == {"slice": "", "ranking": "baseline", "cases": 4, "recall@5": "25%", "recall@10": "n/a"}
    assert [r["slice"] for r in rows] == ["all cases", "", "winner seen before", ""]
    assert difference_lines(summary) == ["recall@5: alternatives minus baseline +25.0% (95% interval -10.0% to +50.0%, "
                                         "3 buyers resampled); ratio 2.0"]
    assert excluded_line(SimpleNamespace(excluded=[])) is None
    assert excluded_line(SimpleNamespace(excluded=[SimpleNamespace(name="X", why="the supplier itself")])) == \
        "Left out: X (the supplier itself)"


def test_a_rule_nobody_judged_prints_its_precision_as_unknown() -> None:
    from reports.alert_tables import rule_stats_rows

    rows = [{"rule": "bankruptcy", "judged": 0, "precision": None}, {"rule": "news", "judged": 2, "precision": 0.5}]
    assert [row["precision"] for row in rule_stats_rows(rows)] == ["unknown (none judged)", 0.5]
