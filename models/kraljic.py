"""The combined view: a likelihood × impact risk matrix per supplier and the Kraljic quadrant per category.

Where this sits: ``models.risk_run`` calls :func:`risk_cell` with a supplier's failure probability,
geopolitical exposure and dependency, and :func:`kraljic_position` with a category's spend and market
facts. Thresholds in ``config/risk.yaml``. Pure: no I/O.

- Likelihood that supply is disrupted: ``1 - (1 - p_failure) * (1 - geo_weight * geopolitical)``.
- Impact: our dependency on the supplier (its highest over categories).
- Combined: likelihood × impact, with the matrix cell (likelihood band, impact band).
- Kraljic (1983): profit impact from the category's share of our spend; supply risk from the award
  market's concentration (HHI), the scarcity of credible suppliers and the spend-weighted
  geopolitical exposure of our suppliers in it. Quadrants: strategic (high, high), leverage (high
  impact, low risk), bottleneck (low impact, high risk), non-critical (low, low).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from models.features import Component, band, weighted_score

QUADRANTS = {
    (True, True): "strategic",
    (True, False): "leverage",
    (False, True): "bottleneck",
    (False, False): "non-critical",
}
ADVICE = {
    "strategic": "partnership: manage the supplier closely, plan for continuity and exit",
    "leverage": "use buying power: tender competitively, bundle spend",
    "bottleneck": "secure supply: buffer, qualify alternatives, longer contracts",
    "non-critical": "simplify: standardise, framework agreements, low management effort",
}


@dataclass(frozen=True, slots=True)
class RiskCell:
    likelihood: float
    impact: float | None
    combined: float | None
    likelihood_band: str
    impact_band: str
    combined_band: str

    @property
    def cell(self) -> str:
        return f"likelihood {self.likelihood_band} × impact {self.impact_band}"


def risk_cell(failure_probability: float, geopolitical: float | None, dependency: float | None, *,
              geo_weight: float, thresholds: Mapping[str, float]) -> RiskCell:
    """A supplier's place in the risk matrix; without a dependency (not our supplier) there is no impact."""
    likelihood = 1 - (1 - failure_probability) * (1 - geo_weight * (geopolitical or 0.0))
    combined = likelihood * dependency if dependency is not None else None
    t = thresholds
    return RiskCell(
        likelihood=likelihood, impact=dependency, combined=combined,
        likelihood_band=band(likelihood, t["likelihood_medium_from"], t["likelihood_high_from"]),
        impact_band=band(dependency, t["impact_medium_from"], t["impact_high_from"]),
        combined_band=band(combined, t["combined_medium_from"], t["combined_high_from"]),
    )


@dataclass(frozen=True, slots=True)
class KraljicPosition:
    category: str
    quadrant: str | None  # None when supply risk cannot be judged at all
    profit_impact: float | None  # the category's share of our spend; None when part of it is in another currency
    supply_risk: float | None
    components: dict[str, float | None]
    coverage: float
    advice: str | None
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {"category": self.category, "quadrant": self.quadrant, "profit_impact": self.profit_impact,
                "supply_risk": self.supply_risk, "components": self.components, "coverage": self.coverage,
                "advice": self.advice, "notes": list(self.notes)}


def kraljic_position(category: str, *, category_spend: float | None, total_spend: float, market_hhi: float | None,
                     scarcity: float | None, geopolitical: float | None, weights: Mapping[str, float],
                     profit_impact_high_from: float, supply_risk_high_from: float) -> KraljicPosition:
    """The category's quadrant; ``market_hhi`` on 0..10,000, ``scarcity`` and ``geopolitical`` 0..1.

    Missing market data lowers the coverage and is said in the notes, never read as "no risk". ``category_spend``
    None: part of our spend in the category is in another currency (no exchange rate), so its share of our spend,
    the profit impact, is unknown and so is the quadrant (it read as the share of the euros alone, too low).
    """
    profit = None if category_spend is None else category_spend / total_spend if total_spend > 0 else 0.0
    score = weighted_score([
        Component("concentration", None if market_hhi is None else market_hhi / 10_000, weights["concentration"],
                  "concentration of the award market (HHI)"),
        Component("scarcity", scarcity, weights["scarcity"], "scarcity of credible suppliers in the market"),
        Component("geopolitical", geopolitical, weights["geopolitical"], "geopolitical exposure of our suppliers"),
    ])
    notes = []
    if market_hhi is None:
        notes.append(f"no award market data for category {category}: supply risk rests on geopolitics only")
    quadrant = None
    if profit is None:
        notes.append(f"part of our spend in category {category} is in another currency (no exchange rate): "
                     "profit impact unknown, no quadrant")
    elif score.value is not None:
        quadrant = QUADRANTS[(profit >= profit_impact_high_from, score.value >= supply_risk_high_from)]
    else:
        notes.append("supply risk unknown: no quadrant")
    return KraljicPosition(category, quadrant, profit, score.value, score.features(), score.coverage,
                           ADVICE.get(quadrant or ""), tuple(notes))
