"""Start-up validation of the alert rules and the routing: a bad file is refused with the file, the
rule or person and the field named, and a secret in a URL never shows up in an error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from alerts.routing import RoutingConfigError, load_routing, parse_routing
from alerts.rules import RuleConfigError, load_rules, parse_rules
from reference.cpv import cpv_prefix

REPO = Path(__file__).resolve().parents[2]

ROUTING = {
    "people": {
        "anna": {"name": "Anna", "digest": "daily", "channels": {"outbox": "srfile://", "hook": {"url": "json://localhost/x"}}},
        "ops": {"channels": {"outbox": "srfile://"}},
    },
    "categories": {"72": {"managers": ["anna"]}, "90910000": ["anna"]},
    "ops": ["ops"],
}


def _routing(**changes) -> dict:
    raw = yaml.safe_load(yaml.safe_dump(ROUTING))
    raw.update(changes)
    return raw


def test_shipped_rules_and_routing_files_load() -> None:
    for routing_file in ("routing.yaml", "routing.demo.yaml"):
        routing = load_routing(REPO / "config" / routing_file, environ={})
        rules = load_rules(REPO / "config" / "alert_rules.yaml", known_categories=routing.categories)
        assert rules.by_id("bankruptcy").severity == "critical"
        assert routing.category_of("90911200") == "9091"


def test_categories_are_branches() -> None:
    assert cpv_prefix("90910000") == "9091"
    assert cpv_prefix("72000000-5") == "72"
    assert cpv_prefix("725") == "725"
    routing = parse_routing(_routing(), where="routing.yaml", environ={})
    assert routing.category_of("72500000") == "72"
    assert routing.category_of("90911200") == "9091"
    assert routing.category_of("45000000") is None


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"id": "x", "type": "event", "kinds": ["insolvency.bankrupt"], "severity": "critical"},
         "rule 'x': kinds: unknown event kind 'insolvency.bankrupt'"),
        ({"id": "x", "type": "event", "kinds": ["kvk.dissolved"], "severity": "loud"}, "rule 'x': severity: 'loud'"),
        ({"id": "x", "type": "event", "kinds": ["kvk.dissolved"], "severity": "info", "categories": ["99"]},
         "rule 'x': categories: unknown category '99'"),
        ({"id": "x", "type": "event", "kinds": ["kvk.dissolved"], "severity": "info", "categories": ["45"]},
         "rule 'x': categories: unknown category '45': the routing has no manager for it"),
        ({"id": "x", "type": "score_band", "score": "vibes", "severity": "info"}, "rule 'x': score: unknown score kind 'vibes'"),
        ({"id": "x", "type": "score_band", "score": "failure", "severity": {"extreme": "critical"}},
         "rule 'x': severity: unknown band 'extreme'"),
        ({"id": "x", "type": "contract_horizon", "months": 0, "severity": "info"}, "rule 'x': months must be between"),
        ({"id": "x", "type": "event", "kinds": ["kvk.dissolved"], "severity": "info", "months": 3},
         "rule 'x': field(s) not used by event rules: months"),
        ({"id": "Bad Id", "type": "event"}, "'id' must be lowercase"),
        ({"id": "x", "type": "gossip", "severity": "info"}, "rule 'x': unknown type 'gossip'"),
    ],
)
def test_bad_rules_are_refused_with_file_and_rule_named(rule: dict, message: str) -> None:
    known = parse_routing(_routing(), where="routing.yaml", environ={}).categories
    with pytest.raises(RuleConfigError) as caught:
        parse_rules({"rules": [rule]}, where="config/alert_rules.yaml", known_categories=known)
    assert str(caught.value).startswith("config/alert_rules.yaml: ")
    assert message in str(caught.value)


def test_duplicate_rule_ids_and_patterns() -> None:
    with pytest.raises(RuleConfigError, match="rule 'a': the id is used twice"):
        parse_rules({"rules": [{"id": "a", "type": "event", "kinds": ["kvk.dissolved"], "severity": "info"}] * 2}, where="f")
    rules = parse_rules({"rules": [{"id": "a", "type": "event", "kinds": ["news.*"], "severity": "ignore"}]}, where="f")
    assert rules.rules[0].matches_kind("news.cyber") and not rules.rules[0].matches_kind("kvk.dissolved")


def test_a_missing_rules_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(RuleConfigError, match="nope.yaml: cannot read"):
        load_rules(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [", encoding="utf-8")
    with pytest.raises(RuleConfigError, match="bad.yaml: not valid YAML"):
        load_rules(bad)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"people": {"anna": {"channels": {}}, "ops": {"channels": {"o": "srfile://"}}}},
         "person 'anna': has no channels"),
        ({"people": {"anna": {"channels": {"mail": "carrierpigeon://coop/1"}}, "ops": {"channels": {"o": "srfile://"}}}},
         "person 'anna': channel 'mail': unknown Apprise URL scheme 'carrierpigeon'"),
        ({"categories": {"72": {"managers": []}}}, "category '72': has no manager"),
        ({"categories": {"72": {"managers": ["bob"]}}}, "category '72': managers: unknown person 'bob'"),
        ({"categories": {"7x": ["anna"]}}, "category '7x': a category is a CPV prefix"),
        ({"ops": []}, "ops: name at least one person"),
        ({"people": {"anna": {"digest": "hourly", "channels": {"o": "srfile://"}}, "ops": {"channels": {"o": "srfile://"}}}},
         "person 'anna': digest must be one of daily, weekly"),
    ],
)
def test_bad_routing_is_refused_with_file_and_person_named(change: dict, message: str) -> None:
    with pytest.raises(RoutingConfigError) as caught:
        parse_routing(_routing(**change), where="config/routing.yaml", environ={})
    assert str(caught.value).startswith("config/routing.yaml: ")
    assert message in str(caught.value)


@pytest.mark.parametrize("line", ['      - url: "slack://TOKENA/s3cret/TOKENC\n', "      - url: slack://TOKENA/s3cret/TOKENC: x\n"])
def test_a_routing_file_that_is_not_yaml_never_shows_its_urls(tmp_path: Path, line: str) -> None:
    bad = tmp_path / "routing.yaml"
    bad.write_text("people:\n  anna:\n    channels:\n" + line, encoding="utf-8")
    with pytest.raises(RoutingConfigError, match=r"routing.yaml: not valid YAML.*line \d+") as caught:
        load_routing(bad)
    shown = str(caught.value) + repr(caught.value.__cause__) + str(caught.value.__cause__ or "")
    assert "s3cret" not in shown


def test_urls_come_from_the_environment_and_stay_secret() -> None:
    raw = _routing(people={"anna": {"channels": {"mail": {"url": "${ANNA_URL}"}}}, "ops": {"channels": {"o": "srfile://"}}})
    routing = parse_routing(raw, where="routing.yaml", environ={"ANNA_URL": "json://user:s3cret@localhost/hook"})
    channel = routing.people["anna"].channels[0]
    assert channel.url == "json://user:s3cret@localhost/hook"
    assert "s3cret" not in repr(channel) and "s3cret" not in repr(routing)
    with pytest.raises(RoutingConfigError, match="channel 'mail': environment variable ANNA_URL is not set"):
        parse_routing(raw, where="routing.yaml", environ={})
    raw = _routing(people={"anna": {"channels": {"mail": "mailto://user:s3cret@"}}, "ops": {"channels": {"o": "srfile://"}}})
    with pytest.raises(RoutingConfigError) as caught:
        parse_routing(raw, where="routing.yaml", environ={})
    assert "s3cret" not in str(caught.value)
