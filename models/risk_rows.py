"""The rows one scoring run stores, each with its band, reasons, inputs and features: what readers show.

Where this sits: :func:`models.risk_run.build_scores` computes the scores and calls these to word them
as ``risk_scores`` rows (``store.risk.save_scores`` writes them). Every row carries the supplier's
relationship (current, former, dissolved, not ours) so lists show the suppliers we depend on now; a
combined row resting on an unknown failure score is "unknown" itself, its reason first. Pure: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from config.risk import RiskConfig
from models.failure import FailureScore
from models.features import WeightedScore, band
from models.kraljic import risk_cell
from models.risk_facts import ScoringInputs
from reference.countries import normalise_country

#: A CPV code -> our category key (``RiskConfig.category_of``), or None.
CategoryOf = Callable[[str | None], str | None]
#: (supplier, category) -> the sources a dependency score rests on.
DependencySources = Callable[[int, str], list[dict[str, Any]]]


def score_row(org: int, category: str, kind: str, value: float, band_name: str, confidence: float, coverage: float,
              reasons: Sequence[dict], inputs: Sequence[dict], features: Mapping[str, Any] | None) -> dict[str, Any]:
    """One ``risk_scores`` row (without run id and time)."""
    return {"organisation_id": org, "category": category, "kind": kind, "value": float(value), "band": band_name,
            "confidence": float(confidence), "coverage": float(coverage), "reasons": list(reasons),
            "inputs": list(inputs), "features": dict(features) if features is not None else None}


def failure_rows(failures: Mapping[int, FailureScore], status: Mapping[int, dict[str, str]]) -> list[dict[str, Any]]:
    """One failure row per scored supplier, with the model version, the logit and the relationship."""
    return [
        score_row(org, "", "failure", s.probability, s.band, s.confidence, s.coverage, s.reasons, s.inputs,
                  {**s.features, "model_version": s.model_version, "logit": s.logit, **status[org]})
        for org, s in failures.items()
    ]


def geo_rows(geos: Mapping[tuple[int, str], WeightedScore], inputs: ScoringInputs,
             config: RiskConfig) -> list[dict[str, Any]]:
    """Geopolitical rows, overall ("") and per category of ours; an exposure without any input is not stored."""
    cfg = config.geopolitical
    newest_tone = {country: max(d for d, _ in series) for country, series in inputs.tone.items() if series}
    reasons: dict[int, list[dict[str, Any]]] = {}  # per score: the scores of one country and category are one object
    return [
        score_row(org, category, "geopolitical", score.value,
                  "unknown" if score.unknown_because else band(score.value, cfg.medium_from, cfg.high_from),
                  score.confidence, score.coverage, reasons.get(id(score)) or reasons.setdefault(id(score), score.reasons()),
                  geo_sources(inputs, org, newest_tone), score.features())
        for (org, category), score in geos.items() if score.value is not None
    ]


def geo_sources(inputs: ScoringInputs, org: int, newest_tone: Mapping[str, date] | None = None) -> list[dict[str, Any]]:
    """The sources a supplier's exposure rests on: WGI, news tone of its country, a sanctions-list match.

    ``newest_tone``: the day of each country's newest tone (worked out once per run, not per supplier).
    """
    country = normalise_country(inputs.organisations[org].country)
    used = [{"source": "wgi-political-stability", "as_of": "2023", "ref": country}]
    series = inputs.tone.get(country or "", [])
    if series:
        newest = newest_tone[country or ""] if newest_tone is not None else max(d for d, _ in series)
        used.append({"source": "gdelt-tone", "as_of": newest.isoformat(), "ref": country})
    hits = [e for e in inputs.events.get(org, ()) if e.kind == "sanctions.possible_match"]
    if hits:
        used.append({"source": hits[-1].source or "sanctions", "as_of": hits[-1].occurred_on.isoformat(), "ref": None})
    return used


def dependency_sources(inputs: ScoringInputs, category_of: CategoryOf) -> DependencySources:
    """The sources of each (supplier, category) dependency: newest spend line, contract references."""
    newest: dict[tuple[int, str | None], date] = {}
    for line in inputs.spend:
        key = (line.organisation_id, category_of(line.cpv))
        if line.booked_on and (key not in newest or line.booked_on > newest[key]):
            newest[key] = line.booked_on
    refs: dict[tuple[int, str], list[str]] = defaultdict(list)
    for contract in inputs.contracts:
        refs[(contract.organisation_id, contract.category)].append(contract.ref)

    def sources(org: int, category: str) -> list[dict[str, Any]]:
        day = newest.get((org, category))
        used = [{"source": "spend", "as_of": day.isoformat() if day else None, "ref": category}]
        if refs.get((org, category)):
            used.append({"source": "contracts", "as_of": inputs.as_of.isoformat(),
                         "ref": ", ".join(refs[(org, category)][:5])})
        return used

    return sources


def dependency_rows(dependencies: Mapping[tuple[int, str], WeightedScore], sources: DependencySources,
                    status: Mapping[int, dict[str, str]], config: RiskConfig
                    ) -> tuple[list[dict[str, Any]], dict[int, tuple[str, WeightedScore]]]:
    """Per-category dependency rows, and per supplier the category it depends on us most in (its highest score)."""
    cfg = config.dependency
    rows: list[dict[str, Any]] = []
    by_supplier: dict[int, tuple[str, WeightedScore]] = {}
    for (org, category), score in dependencies.items():
        if score.value is None:
            continue
        rows.append(score_row(org, category, "dependency", score.value,
                              band(score.value, cfg.medium_from, cfg.high_from), score.confidence,
                              score.coverage, score.reasons(), sources(org, category),
                              {**score.features(), **status.get(org, {})}))
        if org not in by_supplier or score.value > (by_supplier[org][1].value or 0):
            by_supplier[org] = (category, score)
    return rows, by_supplier


def overall_rows(by_supplier: Mapping[int, tuple[str, WeightedScore]], failures: Mapping[int, FailureScore],
                 geos: Mapping[tuple[int, str], WeightedScore], sources: DependencySources,
                 status: Mapping[int, dict[str, str]], config: RiskConfig
                 ) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """Per supplier of ours: its overall dependency row and, with a failure score, its combined row."""
    cfg = config.dependency
    rows: list[dict[str, Any]] = []
    combined: dict[int, dict[str, Any]] = {}
    for org, (category, dep) in by_supplier.items():
        reasons = [{"feature": "dependency", "value": dep.value, "category": category,
                    "text": f"highest dependency in category {category}"}] + dep.reasons()[:3]
        rows.append(score_row(org, "", "dependency", dep.value or 0.0, band(dep.value, cfg.medium_from, cfg.high_from),
                              dep.confidence, dep.coverage, reasons, sources(org, category),
                              {**dep.features(), "category": category, **status.get(org, {})}))
        failure = failures.get(org)
        if failure is None:
            continue
        combined[org], row = combined_row(org, category, dep, failure, geos.get((org, "")), status.get(org, {}),
                                          config)
        rows.append(row)
    return rows, combined


def combined_row(org: int, category: str, dep: WeightedScore, failure: FailureScore, geo_score: WeightedScore | None,
                 status: Mapping[str, str], config: RiskConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    """The combined risk cell of one supplier of ours (likelihood x impact), as a summary and a stored row.

    The likelihood rests on the failure score: when that is unknown, so is the combined view (band
    "unknown", the reason first), and the summary marks it so it is never ranked.
    """
    m = config.matrix
    geo = geo_score.value if geo_score and not geo_score.unknown_because else None  # unknown adds nothing, and says so
    cell = risk_cell(failure.probability, geo, dep.value, geo_weight=m.geo_weight, thresholds=m.model_dump())
    reasons = [
        {"feature": "likelihood", "value": cell.likelihood, "band": cell.likelihood_band,
         "text": f"likelihood of disruption {cell.likelihood:.1%} (failure {failure.probability:.1%}, "
                 f"geopolitical {'unknown' if geo is None else f'{geo:.2f}'})"},
        {"feature": "impact", "value": cell.impact, "band": cell.impact_band,
         "text": f"impact: dependency {dep.value:.2f} in category {category}"},
        *failure.reasons[:3],
    ]
    combined_band = cell.combined_band
    if failure.unknown:
        combined_band = "unknown"
        reasons.insert(0, {"feature": "(unknown)", "value": None, "text": failure.unknown_because})
    summary = {"cell": cell.cell, "likelihood": cell.likelihood, "impact": cell.impact,
               "combined": cell.combined, "category": category, "unknown": failure.unknown}
    row = score_row(org, "", "combined", cell.combined or 0.0, combined_band, min(failure.confidence, dep.confidence),
                    min(failure.coverage, dep.coverage), reasons, failure.inputs,
                    {"likelihood": cell.likelihood, "impact": cell.impact, "cell": cell.cell, "category": category,
                     "failure": failure.probability, "failure_band": failure.band,
                     "geopolitical": geo_score.value if geo_score else None, **status})
    return summary, row
