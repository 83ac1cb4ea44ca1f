"""``bench.run``: a warning that a benchmark's rounds repeat is shown once, and the table still comes."""

from __future__ import annotations

import io
import json
import logging
import platform
import sys

from rich.console import Console

from bench import OnceEach, run


def _warns_every_round() -> dict:
    log = logging.getLogger("connectors.notice_xml")
    for _ in range(5):
        log.warning("%s: no original notice", "2016-436244_F20.xml")
        log.warning("%s: no original notice", "2017-196935_F20.xml")
    return {"name": "rounds", "target": "none", "passed": True, "rounds": 5}


def test_each_distinct_warning_is_shown_once(capsys, monkeypatch) -> None:
    # Only the run's own handler on the root logger: an earlier test (the CLI's) may have left one of its own.
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    out = io.StringIO()
    code = run([_warns_every_round], console=Console(file=out, width=120))
    shown = [line for line in capsys.readouterr().err.splitlines() if "no original notice" in line]
    assert shown == [
        "WARNING connectors.notice_xml: 2016-436244_F20.xml: no original notice",
        "WARNING connectors.notice_xml: 2017-196935_F20.xml: no original notice",
    ]
    assert "8 repeats of the warnings above not shown" in out.getvalue()
    assert code == 0 and "rounds" in out.getvalue()
    assert not any(isinstance(handler, OnceEach) for handler in logging.getLogger().handlers)  # removed after the run


def test_the_machine_yardstick_is_shown_before_and_after(capsys, monkeypatch) -> None:
    readings = iter([0.091, 0.137])
    monkeypatch.setattr("bench.machine.reference_seconds", lambda: next(readings))
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    out = io.StringIO()
    run([lambda: {"name": "one", "target": "none", "passed": True, "n": 1}], console=Console(file=out, width=200))
    assert "0.091 CPU-s before the benchmarks, 0.137 after" in out.getvalue()
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["machine yardstick cpu s"] == {"before": 0.091, "after": 0.137}
    assert line["python"].startswith(platform.python_version() + " (")  # the yardstick is the interpreter's too
    assert sys.executable in line["python"] and f"on Python {platform.python_version()} (" in out.getvalue()


def test_the_yardstick_does_the_additions() -> None:
    from bench.machine import reference_seconds

    assert 0 < reference_seconds(rounds=1) < 60
