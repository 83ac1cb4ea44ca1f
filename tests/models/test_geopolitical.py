"""Geopolitical exposure (models.geopolitical) and its reference data (WGI, critical raw materials, our mapping)."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.risk import RiskConfigError, load_category_materials, load_risk_config
from models.geopolitical import GeoInputs, MaterialExposure, geopolitical_score, material_risk, stability_risk, tone_risk
from reference.countries import country_by_name, membership, political_stability
from reference.materials import critical_materials, parse_supplier_countries

GEO = load_risk_config().geopolitical


def _score(**kwargs):
    base = dict(country="NL", stability=0.66, membership="eu", materials=[], sanctions_match=0.0,
                tone_recent=-1.0, tone_prior=-1.0)
    return geopolitical_score(GeoInputs(**{**base, **kwargs}), weights=GEO.weights, membership_risk=GEO.membership_risk)


def test_reference_tables_load_with_their_countries() -> None:
    wgi = political_stability()
    assert len(wgi) >= 200 and wgi["NL"].estimate > wgi["RU"].estimate
    assert membership("NL") == "eu" and membership("EL") == "eu" and membership("NO") == "eea"
    assert membership("US") == "non-eu" and membership(None) == "unknown"
    assert country_by_name("Türkiye") == "TR"
    assert parse_supplier_countries("China; Malaysia; Russia (together 95%)") == ("CN", "MY", "RU")
    assert critical_materials()["gallium"].supplier_countries == ("CN",)
    assert len(critical_materials()) == 34


def test_every_component_is_shown_and_combined() -> None:
    score = _score()
    assert set(score.features()) == {"country_risk", "membership", "materials", "sanctions", "tone_trend"}
    assert score.coverage == 1.0
    assert sum(r["contribution"] for r in score.reasons()) == pytest.approx(score.value)
    assert score.features()["materials"] == 0.0  # a category without critical raw materials: a stated zero


def test_riskier_inputs_raise_exposure() -> None:
    home = _score()
    abroad = _score(country="CN", stability=political_stability()["CN"].estimate, membership="non-eu")
    assert abroad.value > home.value
    sanctioned = _score(country="RU", stability=-1.13, membership="non-eu", sanctioned_country="Russia")
    assert sanctioned.features()["sanctions"] == 1.0 and sanctioned.value > abroad.value
    hit = _score(sanctions_match=0.8)
    assert hit.features()["sanctions"] == 0.8 and hit.value > home.value
    assert tone_risk(-4.0, -1.0) > tone_risk(-1.0, -1.0)
    assert stability_risk(2.5) == 0.0 and stability_risk(-2.5) == 1.0


def test_materials_take_the_most_exposed_one() -> None:
    gallium = MaterialExposure("gallium", "yes", (("CN", -0.51),))
    copper = MaterialExposure("copper", "yes", ())
    value, detail = material_risk([copper, gallium])
    assert detail["material"] == "gallium" and value == pytest.approx(stability_risk(-0.51))
    assert _score(materials=[gallium]).value > _score(materials=[]).value


def test_unknown_inputs_lower_coverage_instead_of_scoring_zero() -> None:
    score = _score(country=None, stability=None, membership="unknown", materials=None, sanctions_match=None,
                   tone_recent=None, tone_prior=None)
    assert score.coverage == pytest.approx(GEO.weights["membership"] / sum(GEO.weights.values()))
    assert score.confidence < 0.5
    assert score.unknown_because and "country is unknown" in score.unknown_because
    assert score.reasons()[0]["text"] == score.unknown_because  # said first


def test_without_the_country_the_exposure_is_unknown_never_low() -> None:
    """Sanctions screening and the category's materials may be known, but the exposure is about the country: a
    supplier whose country nobody knows must not read as "low" beside a Dutch one."""
    unknown = _score(country=None, stability=None, membership="unknown", materials=[], sanctions_match=0.0,
                     tone_recent=None, tone_prior=None)
    dutch = _score(country="NL", stability=1.0, membership="eu", materials=[], sanctions_match=0.0)
    assert unknown.unknown_because and dutch.unknown_because is None
    assert unknown.value is not None and unknown.value < 0.3  # the known parts alone would have read "low"


def test_category_materials_mapping_is_validated(tmp_path: Path) -> None:
    mapping = load_category_materials()
    assert "gallium" in mapping.materials_of("72500000")
    assert mapping.materials_of("79410000") == []
    assert "copper" in mapping.materials_of("09310000")
    bad = tmp_path / "materials.yaml"
    bad.write_text('categories:\n  "72": {materials: [unobtainium]}\n', encoding="utf-8")
    with pytest.raises(RiskConfigError, match="unobtainium"):
        load_category_materials(bad)
