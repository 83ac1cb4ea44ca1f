"""Routing: categories to their managers, ops apart, one Apprise tag per person and channel (Apprise
sends an untagged notify to every service), critical at once and the rest by digest, and the
file outbox channel (srfile://) that the demo uses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from alerts.file_outbox import set_outbox_dir
from alerts.routing import Routing, build_apprise, parse_routing
from pipelines.send_alerts import delivery_plan

RAW = {
    "people": {
        "anna": {"digest": "daily", "channels": {"chat": "srtest://anna-chat",
                                                 "sms": {"url": "srtest://anna-sms", "min_severity": "critical"}}},
        "bob": {"digest": "weekly", "channels": {"chat": "srtest://bob-chat"}},
        "ops": {"channels": {"pager": "srtest://ops"}},
    },
    "categories": {"72": ["anna"], "7226": ["bob"], "90910000": ["bob", "anna"]},
    "ops": ["ops"],
    "fallback": ["bob"],
}


@pytest.fixture
def received() -> Iterator[list[str]]:
    from apprise.decorators import notify
    from apprise.manager_plugins import NotificationManager

    hosts: list[str] = []

    def deliver(body: str, title: str, notify_type: object, meta: dict, **_: object) -> bool:
        hosts.append(meta["host"])
        return True

    notify(on="srtest", name="test")(deliver)
    try:
        yield hosts
    finally:
        NotificationManager().remove("srtest")


@pytest.fixture
def routing(received: list[str]) -> Routing:
    return parse_routing(RAW, where="routing.yaml", environ={})


def test_categories_go_to_their_managers_and_ops_apart(routing: Routing) -> None:
    assert [p.key for p in routing.recipients(routing.categories_of(["72500000"]))] == ["anna"]
    assert routing.category_of("72260000") == "7226"  # the longest prefix wins
    assert [p.key for p in routing.recipients(routing.categories_of(["72260000"]))] == ["bob"]
    assert [p.key for p in routing.recipients(["9091"])] == ["bob", "anna"]
    assert [p.key for p in routing.recipients([], ops=True)] == ["ops"]
    assert [p.key for p in routing.recipients([])] == ["bob"]  # fallback for watched suppliers outside our categories


def test_each_notify_reaches_only_its_tagged_channel(routing: Routing, received: list[str]) -> None:
    apobj = build_apprise(routing)
    assert apobj.notify(body="b", title="t", tag=Routing.tag("anna", "sms"))
    assert received == ["anna-sms"]
    assert apobj.notify(body="b", title="t", tag=Routing.tag("ops", "pager"))
    assert received == ["anna-sms", "ops"]


def test_critical_goes_at_once_the_rest_by_each_persons_digest(routing: Routing) -> None:
    plan = delivery_plan(routing)
    warning = SimpleNamespace(categories=["9091"], ops=False, severity="warning")
    assert sorted(plan(warning)) == [("anna", "chat", "daily"), ("bob", "chat", "weekly")]  # no SMS below critical
    critical = SimpleNamespace(categories=["9091"], ops=False, severity="critical")
    assert sorted(plan(critical)) == [("anna", "chat", "immediate"), ("anna", "sms", "immediate"),
                                      ("bob", "chat", "immediate")]
    ops = SimpleNamespace(categories=[], ops=True, severity="critical")
    assert plan(ops) == [("ops", "pager", "immediate")]


def test_the_file_outbox_writes_one_file_per_message(tmp_path: Path) -> None:
    routing = parse_routing(
        {"people": {"anna": {"channels": {"outbox": "srfile://", "copy": {"url": f"srfile://{tmp_path / 'audit'}", "format": "html"}}}},
         "categories": {"72": ["anna"]}, "ops": ["anna"]},
        where="routing.demo.yaml", environ={},
    )
    set_outbox_dir(tmp_path / "outbox")
    apobj = build_apprise(routing)
    import apprise

    assert apobj.notify(body="**body**", title="A <title> [x](y)", body_format=apprise.NotifyFormat.MARKDOWN,
                        tag=Routing.tag("anna", "outbox"))
    assert apobj.notify(body="<p>hi</p>", title="t", body_format=apprise.NotifyFormat.HTML, tag=Routing.tag("anna", "copy"))
    (markdown,) = (tmp_path / "outbox").iterdir()
    assert markdown.suffix == ".md"
    assert markdown.read_text(encoding="utf-8") == "# A &lt;title&gt; \\[x\\]\\(y\\)\n\n**body**\n"
    (html,) = (tmp_path / "audit").iterdir()
    assert html.suffix == ".html" and html.read_text(encoding="utf-8") == "<p>hi</p>"
