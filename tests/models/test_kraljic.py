"""The combined view (models.kraljic): the risk matrix and the Kraljic quadrants."""

from __future__ import annotations

import pytest

from config.risk import load_risk_config
from models.kraljic import kraljic_position, risk_cell

CONFIG = load_risk_config()
WEIGHTS = CONFIG.kraljic.supply_risk_weights


def _position(spend: float, hhi: float | None, scarcity: float | None, geo: float | None = 0.2):
    return kraljic_position("72", category_spend=spend, total_spend=100.0, market_hhi=hhi, scarcity=scarcity,
                            geopolitical=geo, weights=WEIGHTS, profit_impact_high_from=0.10, supply_risk_high_from=0.35)


@pytest.mark.parametrize(("spend", "hhi", "scarcity", "quadrant"), [
    (40.0, 8000.0, 0.9, "strategic"),
    (40.0, 500.0, 0.01, "leverage"),
    (2.0, 8000.0, 0.9, "bottleneck"),
    (2.0, 500.0, 0.01, "non-critical"),
])
def test_quadrants(spend: float, hhi: float, scarcity: float, quadrant: str) -> None:
    position = _position(spend, hhi, scarcity)
    assert position.quadrant == quadrant and position.advice
    assert position.coverage == 1.0


def test_no_market_data_is_said_not_scored_zero() -> None:
    position = _position(40.0, None, None, geo=0.5)
    assert position.coverage < 1.0 and position.supply_risk == pytest.approx(0.5)
    assert any("no award market data" in note for note in position.notes)
    unknown = _position(40.0, None, None, geo=None)
    assert unknown.quadrant is None and unknown.supply_risk is None


def test_risk_matrix_multiplies_likelihood_and_impact() -> None:
    thresholds = CONFIG.matrix.model_dump()
    cell = risk_cell(0.5, 0.0, 0.8, geo_weight=0.3, thresholds=thresholds)
    assert cell.likelihood == pytest.approx(0.5) and cell.combined == pytest.approx(0.4)
    assert cell.cell == "likelihood high × impact high"
    geo = risk_cell(0.0, 1.0, 0.8, geo_weight=0.3, thresholds=thresholds)
    assert geo.likelihood == pytest.approx(0.3)
    outsider = risk_cell(0.9, 0.1, None, geo_weight=0.3, thresholds=thresholds)
    assert outsider.combined is None and outsider.impact_band == "unknown"
