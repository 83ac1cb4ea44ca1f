"""``bench.run``: a warning that a benchmark's rounds repeat is shown once, and the table still comes."""

from __future__ import annotations

import io
import logging

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
