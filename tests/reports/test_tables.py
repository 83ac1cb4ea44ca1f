"""Tables on a terminal (``reports.tables.emit``): they read at 80 columns, plain lines when piped, JSON for scripts."""

from __future__ import annotations

import json
import sys

from rich.console import Console

from reports.tables import emit

ROWS = [{"id": 1, "severity": "critical", "state": "open", "title": "Tonkeling Schoonmaak B.V.: Uitspraak faillissement "
         "na beëindiging surseance op 20 oktober 2026, F.16/26/175, Rechtbank Middenwaard", "count": 1,
         "last seen": "2026-12-02", "deliveries": "2 sent", "rule": "bankruptcy"}]


def test_tables_fit_80_columns_and_wrap_names_between_words() -> None:
    console = Console(width=80, force_terminal=True, record=True, color_system=None)
    emit(console, "Alerts", ROWS, wide=("title",))
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    words = set(ROWS[0]["title"].replace(",", " ").split())
    cells = " ".join(line.replace("│", " ") for line in text.splitlines()).split()
    broken = [w for w in cells if w.strip(",") not in words and any(w in x for x in words) and len(w) > 3
              and w not in ("critical", "open", "sent", "bankruptcy", "2026-12-02")]
    assert "Schoonmaak" in cells and "Middenwaard" in cells, text  # whole words, not "Schoonmaa k"
    assert not [w for w in broken if w.isalpha()], (broken, text)


def test_piped_output_is_one_plain_line_per_row_and_json_for_scripts(capsys) -> None:
    console = Console(width=80, force_terminal=False, file=sys.stdout)
    emit(console, "Alerts", ROWS, wide=("title",))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == list(ROWS[0]) and lines[1].split("\t")[3] == ROWS[0]["title"]
    emit(console, "Alerts", ROWS, as_json=True)
    assert json.loads(capsys.readouterr().out.splitlines()[0])["title"] == ROWS[0]["title"]
