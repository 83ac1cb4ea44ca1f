"""The one way connectors say that a source sent fields they do not know."""

from __future__ import annotations

import logging

import pytest

from connectors.errors import note_unexpected_fields

log = logging.getLogger("supplyradar.test.unexpected")


def test_each_unknown_field_is_said_once_per_process_at_warning(caplog: pytest.LogCaptureFixture) -> None:
    known = {"id", "title"}
    with caplog.at_level(logging.WARNING, logger=log.name):
        note_unexpected_fields(log, "testsource", "row", ["id", "extra", "more"], known, where="page 0")
        note_unexpected_fields(log, "testsource", "row", ["id", "extra"], known, where="page 1")
        note_unexpected_fields(log, "testsource", "row", ["id", "title"], known)
        note_unexpected_fields(log, "testsource", "row", ["newer"], known, where="page 2")
        note_unexpected_fields(log, "testsource", "other kind", ["extra"], known)
    messages = [r.getMessage() for r in caplog.records]
    assert all(r.levelno == logging.WARNING for r in caplog.records)
    assert messages == [
        "testsource: unexpected row field(s) 'extra', 'more' at page 0 (not kept; format change?)",
        "testsource: unexpected row field(s) 'newer' at page 2 (not kept; format change?)",
        "testsource: unexpected other kind field(s) 'extra' (not kept; format change?)",
    ]
