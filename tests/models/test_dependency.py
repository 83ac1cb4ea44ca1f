"""Dependency scores (models.dependency): components, monotonicity in spend share, missing market data."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from config.risk import RiskConfigError, load_risk_config
from models.dependency import ContractFact, DependencyParams, category_dependencies, lock_in, scarcity

AS_OF = date(2026, 11, 1)
CONFIG = load_risk_config()
PARAMS = DependencyParams(CONFIG.dependency.weights, CONFIG.dependency.lock_in_weights,
                          CONFIG.dependency.alternatives_scale, CONFIG.dependency.lock_in_full_term_months)


def _score(spend, contracts=(), market=None, criticality=0.5):
    return category_dependencies("72", spend, list(contracts), market if market is not None else set(range(100, 105)),
                                 as_of=AS_OF, criticality=criticality, params=PARAMS)


def test_more_spend_share_never_lowers_dependency() -> None:
    rng = random.Random(7)
    for _ in range(300):
        spend = {org: rng.uniform(1, 1_000_000) for org in range(1, rng.randint(2, 8))}
        target = rng.choice(sorted(spend))
        before = _score(spend)[target].value
        more = dict(spend)
        more[target] = spend[target] * rng.uniform(1.01, 20)
        after = _score(more)[target].value
        assert after >= before - 1e-12, (spend, target)


def test_components_are_shown_and_sum_to_the_value() -> None:
    contracts = [ContractFact(1, "72", date(2028, 1, 1), date(2029, 1, 1), 900_000.0, True, "C-1"),
                 ContractFact(2, "72", date(2027, 1, 1), None, 100_000.0, False, "C-2")]
    scores = _score({1: 800_000.0, 2: 200_000.0}, contracts)
    one = scores[1]
    reasons = one.reasons()
    assert {r["feature"] for r in reasons} == {"spend_share", "concentration", "substitutability", "lock_in", "criticality"}
    assert sum(r["contribution"] for r in reasons) == pytest.approx(one.value)
    assert one.features()["spend_share"] == pytest.approx(0.8)
    assert one.features()["concentration"] == pytest.approx(0.8 ** 2 + 0.2 ** 2)
    assert scores[1].features()["lock_in"] > scores[2].features()["lock_in"]
    assert one.coverage == 1.0


def test_fewer_alternatives_mean_more_dependency() -> None:
    many = _score({1: 10.0, 2: 10.0}, market=set(range(1, 20)))[1]
    few = _score({1: 10.0, 2: 10.0}, market={1, 2})[1]
    assert few.value > many.value
    assert scarcity(0, 3.0) == 1.0


def test_category_without_market_data_says_so_and_lowers_coverage() -> None:
    scores = category_dependencies("33", {1: 10.0}, [], None, as_of=AS_OF, criticality=0.4, params=PARAMS)
    score = scores[1]
    assert score.features()["substitutability"] is None
    assert score.coverage < 1.0 and score.confidence < 1.0
    assert any("no market data" in note for note in score.notes)
    assert any(r["feature"] == "(note)" and "no market data" in r["text"] for r in score.reasons())


def test_expired_contract_has_no_lock_in() -> None:
    expired = [ContractFact(1, "72", date(2025, 1, 1), date(2025, 6, 1), 1.0, True)]
    value, detail = lock_in(expired, 1.0, AS_OF, PARAMS)
    assert value == 0.0 and detail["running_contracts"] == 0


def test_config_refuses_weights_that_break_monotonicity(tmp_path: Path) -> None:
    text = Path("config/risk.yaml").read_text(encoding="utf-8").replace("spend_share: 0.35", "spend_share: 0.15")
    bad = tmp_path / "risk.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RiskConfigError, match="spend_share must be at least twice"):
        load_risk_config(bad)
    broken = tmp_path / "broken.yaml"
    broken.write_text("failure: [1, 2", encoding="utf-8")
    with pytest.raises(RiskConfigError, match="broken.yaml"):
        load_risk_config(broken)


def test_category_matching_uses_the_longest_configured_prefix() -> None:
    assert CONFIG.category_of("90911200") == "90910000"
    assert CONFIG.category_of("72500000") == "72"
    assert CONFIG.category_of("33100000") == "33"
    assert CONFIG.criticality("09310000") == 0.9
    assert CONFIG.criticality("33") == CONFIG.default_criticality


def test_a_contract_without_a_value_leaves_its_value_share_unknown_not_zero() -> None:
    """A running contract that states no value (or one in another currency: ``store.risk.contract_facts``) says
    nothing about its share of the category's contract value: the lock-in rests on what is known, where it counted
    a share of 0 (as if the contract were worth nothing) and came out lower."""
    unstated = ContractFact(1, "72", date(2028, 1, 1), date(2029, 1, 1), None, True, "C-1")
    value, detail = lock_in([unstated], 1_000_000.0, AS_OF, PARAMS)
    assert detail["value_share"] is None and detail["contracts_with_value"] == 0
    known = {k: detail[k] for k in ("remaining_term", "extension_options", "single_sourced")}
    weights = {k: PARAMS.lock_in_weights[k] for k in known}
    assert value == pytest.approx(sum(weights[k] * v for k, v in known.items()) / sum(weights.values()))
    stated = ContractFact(1, "72", date(2028, 1, 1), date(2029, 1, 1), 250_000.0, True, "C-1")
    value_stated, detail = lock_in([stated, unstated], 1_000_000.0, AS_OF, PARAMS)
    assert detail["value_share"] == pytest.approx(0.25) and detail["contracts_with_value"] == 1
    assert value_stated < value  # a known share of a quarter weighs in, where the unknown one was left out


def test_spend_in_another_currency_leaves_that_suppliers_share_and_the_concentration_unknown_not_zero() -> None:
    """A supplier we pay (partly) in dollars is still ours and scored, but its share of our category spend cannot be
    known without an exchange rate: unknown, not 0 (it had no spend at all in the scores and dropped out), and so is
    the HHI of our spend. The suppliers paid in euros keep their shares of the euros, which their notes say."""
    scores = category_dependencies("72", {1: 800_000.0, 2: 200_000.0}, [], set(range(100, 105)), as_of=AS_OF,
                                   criticality=0.5, params=PARAMS, unpriced={2, 3})
    assert set(scores) == {1, 2, 3}  # 3 is paid only in another currency: ours all the same
    for org in (2, 3):
        features = scores[org].features()
        assert features["spend_share"] is None and features["concentration"] is None
        assert scores[org].coverage < 1.0
        assert any("another currency" in note and "spend share unknown" in note for note in scores[org].notes)
    euros = scores[1]
    assert euros.features()["spend_share"] == pytest.approx(0.8) and euros.features()["concentration"] is None
    assert any("shares of the euros" in note for note in euros.notes)
    alone = _score({1: 800_000.0, 2: 200_000.0})[1]
    assert alone.features()["concentration"] == pytest.approx(0.8 ** 2 + 0.2 ** 2) and not alone.notes
