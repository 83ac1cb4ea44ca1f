"""``web.server.prepare`` compiles every page template before the first request (``compile_templates``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.app import HERE, templates
from web.server import compile_templates


def test_every_template_is_compiled_and_then_served_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    env = templates().env
    names = sorted(path.name for path in (HERE / "templates").glob("*.html"))
    assert compile_templates(env) == len(names) > 10

    def no_source(*_args: object) -> None:  # a template compiled again would read its source
        raise AssertionError("compiled again at its first use")

    monkeypatch.setattr(env.loader, "get_source", no_source)
    for name in names:
        assert env.get_template(name).name == name


def test_a_template_that_does_not_compile_stops_the_start(tmp_path: Path) -> None:
    from jinja2 import Environment, FileSystemLoader, TemplateSyntaxError

    (tmp_path / "broken.html").write_text("{% if %}")
    with pytest.raises(TemplateSyntaxError):
        compile_templates(Environment(loader=FileSystemLoader(tmp_path)))
