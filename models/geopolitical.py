"""Geopolitical exposure of a supplier (and of a supplier in a category): five components shown apart and combined.

Where this sits: ``models.risk_run`` gathers a supplier's country, its WGI political stability
(``reference.countries``), the critical raw materials of the category
(``config/category_materials.yaml`` + ``reference.materials``), its sanctions hits
(``sanctions.possible_match`` events) and the news tone about its country (``country_tone``), and
calls :func:`geopolitical_score`. Pure: no I/O.

Components (0..1, higher = more exposed); weights in ``config/risk.yaml``:

- ``country_risk``: (2.5 - WGI political stability) / 5, the WGI's own scale turned around;
- ``membership``: EU, EEA or neither (configured risk per class);
- ``materials``: the category's most exposed critical raw material: its strategic weight times the
  country risk of the EU's main supplier country (0.5 when the table names none); a category
  without critical raw materials scores 0, stated, not missing;
- ``sanctions``: the highest confidence of a possible sanctions-list match, or 1 when the country
  is under an EU sanctions regime; a hit is a signal for human review, never a verdict;
- ``tone_trend``: how negative the news about the country is lately and how much it fell against
  the year before (GDELT tone).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from models.features import Component, WeightedScore, weighted_score

STRATEGIC_WEIGHT = {"yes": 1.0, "partial": 0.8, "no": 0.6}
#: Country risk assumed for a material whose main supplier countries the table does not give.
UNKNOWN_SOURCE_RISK = 0.5


def stability_risk(estimate: float | None) -> float | None:
    """WGI political stability (-2.5 .. 2.5, higher is stabler) as a 0..1 risk."""
    if estimate is None:
        return None
    return min(max((2.5 - estimate) / 5.0, 0.0), 1.0)


@dataclass(frozen=True, slots=True)
class MaterialExposure:
    name: str
    strategic: str
    #: (ISO alpha-2, WGI estimate or None) of the EU's main supplier countries; empty when unknown.
    sources: tuple[tuple[str, float | None], ...] = ()


@dataclass(frozen=True, slots=True)
class GeoInputs:
    country: str | None
    stability: float | None  # WGI estimate of the supplier's country
    membership: str  # "eu", "eea", "non-eu", "unknown"
    #: The category's critical raw materials; None when no category is known (component unknown).
    materials: Sequence[MaterialExposure] | None = None
    #: Highest confidence of a sanctions-list match; None when sanctions screening has not run.
    sanctions_match: float | None = None
    #: The EU sanctions regime of the supplier's country, if any.
    sanctioned_country: str | None = None
    tone_recent: float | None = None
    tone_prior: float | None = None


def material_risk(materials: Sequence[MaterialExposure]) -> tuple[float, dict[str, object]]:
    """The most exposed material's risk, and which it is."""
    best, detail = 0.0, {"material": None}
    for material in materials:
        risks = [stability_risk(estimate) for _code, estimate in material.sources]
        known = [r for r in risks if r is not None]
        source_risk = max(known) if known else UNKNOWN_SOURCE_RISK
        risk = STRATEGIC_WEIGHT.get(material.strategic, 0.6) * source_risk
        if risk > best:
            best = risk
            detail = {"material": material.name, "sources": [code for code, _ in material.sources] or None}
    return best, detail


def tone_risk(recent: float | None, prior: float | None) -> float | None:
    """Half the level (tone -6 or worse is 1), half the fall against the year before (3 points is 1)."""
    if recent is None:
        return None
    level = min(max(-recent / 6.0, 0.0), 1.0)
    fall = min(max(((prior if prior is not None else recent) - recent) / 3.0, 0.0), 1.0)
    return 0.5 * level + 0.5 * fall


#: The first reason of a supplier's exposure when its country is unknown (band "unknown", never ranked or alerted on).
UNKNOWN_COUNTRY = ("geopolitical exposure unknown: the supplier's country is unknown (its country's stability, EU "
                   "membership and news tone rest on it); add the country (the company register, a notice or our own "
                   "data)")


def geopolitical_score(inputs: GeoInputs, *, weights: Mapping[str, float],
                       membership_risk: Mapping[str, float]) -> WeightedScore:
    """The combined exposure with every component shown; unknown components lower coverage and confidence, and
    without the supplier's country the exposure is unknown (``WeightedScore.unknown_because``), never "low"."""
    notes = []
    country = inputs.country or "unknown country"
    if inputs.materials is None:
        materials, material_detail = None, {}
        text = "no category: critical raw materials not assessed"
    else:
        materials, material_detail = material_risk(inputs.materials)
        text = (f"critical raw material {material_detail['material']}" if material_detail.get("material")
                else "no critical raw materials in this category (our mapping)")
    if inputs.sanctioned_country:
        sanctions: float | None = 1.0
        sanctions_text = f"{country} is under an EU sanctions regime: {inputs.sanctioned_country}"
    elif inputs.sanctions_match is not None:
        sanctions = inputs.sanctions_match
        sanctions_text = ("possible match on the EU sanctions list (for human review)" if sanctions > 0
                          else "no sanctions-list match")
    else:
        sanctions, sanctions_text = None, "sanctions screening not run"
    tone = tone_risk(inputs.tone_recent, inputs.tone_prior)
    if tone is None:
        notes.append(f"no news tone for {country}")
    components = [
        Component("country_risk", stability_risk(inputs.stability), weights["country_risk"],
                  f"political stability of {country} (WGI)", {"wgi_estimate": inputs.stability}),
        Component("membership", membership_risk[inputs.membership], weights["membership"],
                  {"eu": "EU member state", "eea": "EEA, outside the EU", "non-eu": "outside the EU and the EEA",
                   "unknown": "country unknown"}[inputs.membership], {"membership": inputs.membership}),
        Component("materials", materials, weights["materials"], text, material_detail),
        Component("sanctions", sanctions, weights["sanctions"], sanctions_text),
        Component("tone_trend", tone, weights["tone_trend"], f"news tone about {country}, recent and its trend",
                  {"tone_recent": inputs.tone_recent, "tone_prior": inputs.tone_prior}),
    ]
    score = weighted_score(components, notes)
    if inputs.country is None:  # what the exposure is about: without it the known parts would read as "low"
        return replace(score, unknown_because=UNKNOWN_COUNTRY)
    return score
