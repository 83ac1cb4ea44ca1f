"""Score suppliers: dependency, failure probability, geopolitical exposure and the combined view, stored with reasons.

Two halves. :func:`load_inputs` reads everything from the store in a few bulk queries (never one
per supplier) into :class:`ScoringInputs`; :func:`build_scores` turns those into score rows with
the pure models (the benchmark calls it on synthetic inputs); :func:`score_suppliers` writes the
rows as one scoring run. Who is scored:

- failure and geopolitics: every supplier with public awards, and every supplier of ours, so the
  alternatives engine can prefer low-risk suppliers;
- dependency (per category and overall) and the combined risk cell: the suppliers in our spend or
  contracts; the Kraljic quadrant per category of ours goes into the run's details.

Bad input lowers coverage and confidence, never fails the run: no company data, no contracts, no
news tone, no market data for a category are all stated in the notes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from config.risk import MaterialsConfig, RiskConfig, load_category_materials, load_risk_config, match_prefix
from config.settings import Settings
from models.concentration import concentration
from models.dependency import ContractFact, DependencyParams, category_dependencies, scarcity
from models.failure import BaselineModel, FailureScore, Model, add_months, score_rows
from models.features import (
    EventFact,
    FeatureInputs,
    WeightedScore,
    as_date,
    band,
    feature_row,
    sector_rates,
    uncovered_by_registers,
)
from models.geopolitical import GeoInputs, MaterialExposure, geopolitical_score
from models.kraljic import KraljicPosition, kraljic_position, risk_cell
from models.relationship import CURRENT, SHOWN_BY_DEFAULT, relationship
from pipelines.model_files import ModelFileError, load_model
from reference.countries import membership, normalise_country, political_stability
from reference.materials import critical_materials
from store import risk as risk_store
from store.bookkeeping import SYNTHETIC_MARKER, get_meta
from store.companies import latest_profiles
from store.db import Store
from store.risk_retention import thin_scoring_runs

log = logging.getLogger(__name__)

ProfileLoader = Callable[[Any, Sequence[int], date], dict[int, dict]]


# --------------------------------------------------------------------------------------------
# Company data (the companies area's snapshots), optional
# --------------------------------------------------------------------------------------------


def load_profiles(session: Any, organisation_ids: Sequence[int], as_of: date) -> dict[int, dict]:
    """Latest company snapshot per organisation on or before ``as_of`` (``store.companies.latest_profiles``).

    A database error is an error, not "no company data": quietly scoring without it would lower
    every failure score's confidence and hide the fault.
    """
    return dict(latest_profiles(session, list(organisation_ids), as_of))


def related_by_address(profiles: Mapping[int, Mapping[str, Any]], *, max_group: int = 6) -> dict[int, list[int]]:
    """Organisations registered at the same postcode and town: a proxy for group companies.

    Groups larger than ``max_group`` (business parks, registered-office providers) are ignored.
    """
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for org, profile in profiles.items():
        postcode = str(profile.get("postcode") or "").replace(" ", "").upper()
        if postcode:
            groups[(postcode, str(profile.get("town") or "").casefold())].append(org)
    related: dict[int, list[int]] = {}
    for members in groups.values():
        if 1 < len(members) <= max_group:
            for org in members:
                related[org] = [m for m in members if m != org]
    return related


# --------------------------------------------------------------------------------------------
# Failure model selection
# --------------------------------------------------------------------------------------------


def baseline_model(config: RiskConfig) -> BaselineModel:
    return BaselineModel(config.failure.baseline.intercept, dict(config.failure.baseline.weights))


def model_dir(settings: Settings) -> Path:
    return settings.risk.model_dir or settings.data_dir / "models"


def select_model(directory: Path, baseline: BaselineModel) -> tuple[Model, str | None]:
    """The trained model when training chose it and it loads; else the baseline and the reason why."""
    try:
        return load_model(directory), None
    except ModelFileError as exc:
        if str(exc).startswith("training selected the transparent baseline"):
            return baseline, str(exc)
        return baseline, f"{exc}; falling back to the transparent baseline"


# --------------------------------------------------------------------------------------------
# Inputs and the pure core
# --------------------------------------------------------------------------------------------


@dataclass
class ScoringInputs:
    as_of: date
    organisations: dict[int, risk_store.OrgFact]
    wins: list[risk_store.WinFact]
    events: dict[int, list[EventFact]]
    spend: list[risk_store.SpendFact]
    contracts: list[ContractFact]
    contracts_known: bool
    profiles: dict[int, dict] = field(default_factory=dict)
    profiles_year_ago: dict[int, dict] = field(default_factory=dict)
    tone: dict[str, list[tuple[date, float]]] = field(default_factory=dict)
    sources: frozenset[str] = frozenset()
    #: Organisations with a KvK number (the Dutch registers cover them); None: judge by country alone.
    kvk_registered: frozenset[int] | None = None


@dataclass
class ScoreSet:
    rows: list[dict[str, Any]]
    failure: dict[int, FailureScore]
    dependency: dict[tuple[int, str], WeightedScore]
    geopolitical: dict[tuple[int, str], WeightedScore]
    kraljic: list[KraljicPosition]
    combined: dict[int, dict[str, Any]]
    category_spend: dict[str, float]
    notes: list[str]


def _tone(series: Sequence[tuple[date, float]], as_of: date, recent_days: int, prior_days: int) -> tuple[float | None, float | None]:
    recent_start = as_of - timedelta(days=recent_days)
    prior_start = recent_start - timedelta(days=prior_days)
    recent = [t for d, t in series if recent_start < d <= as_of]
    prior = [t for d, t in series if prior_start < d <= recent_start]
    return (sum(recent) / len(recent) if recent else None, sum(prior) / len(prior) if prior else None)


def _material_exposures(names: Sequence[str]) -> list[MaterialExposure]:
    table, stability = critical_materials(), political_stability()
    out = []
    for name in names:
        material = table[name]
        sources = tuple((code, stability[code].estimate if code in stability else None)
                        for code in material.supplier_countries)
        out.append(MaterialExposure(name, material.strategic, sources))
    return out


def _score_row(org: int, category: str, kind: str, value: float, band_name: str, confidence: float, coverage: float,
               reasons: Sequence[dict], inputs: Sequence[dict], features: Mapping[str, Any] | None) -> dict[str, Any]:
    return {"organisation_id": org, "category": category, "kind": kind, "value": float(value), "band": band_name,
            "confidence": float(confidence), "coverage": float(coverage), "reasons": list(reasons),
            "inputs": list(inputs), "features": dict(features) if features is not None else None}


def build_scores(inputs: ScoringInputs, config: RiskConfig, materials: MaterialsConfig, model: Model) -> ScoreSet:
    """Every score of one run, from loaded inputs; no I/O."""
    as_of, notes = inputs.as_of, []
    category_cache: dict[str | None, str | None] = {}

    def category_of(cpv: str | None) -> str | None:
        if cpv not in category_cache:
            category_cache[cpv] = config.category_of(cpv)
        return category_cache[cpv]

    # Our spend per category in the window, and our suppliers.
    spend_start = add_months(as_of, -config.dependency.spend_window_months)
    spend: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for line in inputs.spend:
        category = category_of(line.cpv)
        if category and (line.booked_on is None or spend_start <= line.booked_on <= as_of):
            spend[category][line.organisation_id] += line.amount
    contracts_by_category: dict[str, list[ContractFact]] = defaultdict(list)
    for contract in inputs.contracts:
        if contract.category:
            contracts_by_category[contract.category].append(contract)
    ours = {org for per in spend.values() for org in per} | {c.organisation_id for c in inputs.contracts}
    if not inputs.spend:
        notes.append("no spend lines resolved to suppliers: dependency rests on contracts only")
    if not inputs.contracts_known:
        notes.append("no contract register imported: lock-in unknown")

    # The award market per category: credible suppliers and concentration.
    bankrupt = {org for org, events in inputs.events.items()
                if any(e.kind == "insolvency.bankruptcy_declared" for e in events)}
    market_start = add_months(as_of, -config.dependency.alternatives_window_months)
    wins_by_org: dict[int, list[date]] = defaultdict(list)
    market: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    main_category: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for win in inputs.wins:
        if win.published > as_of:
            continue
        wins_by_org[win.organisation_id].append(win.published)
        category = category_of(win.cpv)
        if category:
            main_category[win.organisation_id][category] += 1
            if win.published >= market_start:
                market[category][win.organisation_id] += 1
    for days in wins_by_org.values():
        days.sort()

    # Failure: every supplier with awards or in our spend.
    population = sorted((set(wins_by_org) | ours) & set(inputs.organisations))
    feature_inputs = FeatureInputs(
        profiles=inputs.profiles, profiles_year_ago=inputs.profiles_year_ago, events=inputs.events,
        wins=wins_by_org, related=related_by_address(inputs.profiles),
        sector_rates=sector_rates(inputs.profiles, inputs.events, as_of), sources=inputs.sources,
        uncovered=uncovered_by_registers(
            {org: inputs.organisations[org].country for org in population}, inputs.kvk_registered),
    )
    if not inputs.profiles:
        notes.append("no company snapshots available: failure scores rest on events and awards (lower confidence)")
    rows = [feature_row(org, as_of, feature_inputs, half_life_days=config.failure.decay_half_life_days)
            for org in population]
    countries = {org: normalise_country(inputs.organisations[org].country) for org in population}
    failures = {s.organisation_id: s for s in score_rows(rows, model, medium_from=config.failure.medium_from,
                                                          high_from=config.failure.high_from, countries=countries)}
    unknown = sum(s.unknown for s in failures.values())
    if unknown:
        notes.append(f"{unknown} failure scores are unknown (no company register and no insolvency register data, "
                     "e.g. foreign suppliers): not ranked, never counted as low risk")
    status = _relationships(inputs, population, config.dependency.current_spend_months)
    out: list[dict[str, Any]] = [
        _score_row(org, "", "failure", s.probability, s.band, s.confidence, s.coverage, s.reasons, s.inputs,
                   {**s.features, "model_version": s.model_version, "logit": s.logit, **status[org]})
        for org, s in failures.items()
    ]

    # Geopolitics: per supplier (materials of its main category) and per (supplier, category) of ours.
    geo_cfg = config.geopolitical
    stability = political_stability()
    tone_cache: dict[str, tuple[float | None, float | None]] = {}
    sanctions_screened = "sanctions" in inputs.sources
    sanction_hits = {org: max(e.confidence for e in events if e.kind == "sanctions.possible_match")
                     for org, events in inputs.events.items() if any(e.kind == "sanctions.possible_match" for e in events)}
    material_cache: dict[str, list[MaterialExposure]] = {}

    geo_cache: dict[tuple[object, ...], WeightedScore] = {}

    def geo(org: int, category: str | None) -> WeightedScore:
        """Exposure depends on the country, the category and the sanctions hit only: computed once per combination."""
        country = normalise_country(inputs.organisations[org].country)
        hit = sanction_hits.get(org, 0.0) if sanctions_screened or org in sanction_hits else None
        key = (country, category, hit)
        if key not in geo_cache:
            geo_cache[key] = _geo(country, category, hit)
        return geo_cache[key]

    def _geo(country: str | None, category: str | None, hit: float | None) -> WeightedScore:
        if country and country not in tone_cache:
            tone_cache[country] = _tone(inputs.tone.get(country, []), as_of, geo_cfg.tone_recent_days,
                                        geo_cfg.tone_prior_days)
        recent, prior = tone_cache.get(country or "", (None, None))
        exposures = None
        if category is not None:
            if category not in material_cache:
                material_cache[category] = _material_exposures(materials.materials_of(category))
            exposures = material_cache[category]
        return geopolitical_score(GeoInputs(
            country=country, stability=stability[country].estimate if country in stability else None,
            membership=membership(country), materials=exposures,
            sanctions_match=hit,
            sanctioned_country=geo_cfg.sanctioned_countries.get(country or ""),
            tone_recent=recent, tone_prior=prior,
        ), weights=geo_cfg.weights, membership_risk=geo_cfg.membership_risk)

    geos: dict[tuple[int, str], WeightedScore] = {}
    for org in population:
        categories = main_category.get(org) or {}
        main = max(sorted(categories), key=lambda c: categories[c]) if categories else None
        geos[(org, "")] = geo(org, main)

    # Dependency per (supplier, category) of ours.
    dep_cfg = config.dependency
    params = DependencyParams(dep_cfg.weights, dep_cfg.lock_in_weights, dep_cfg.alternatives_scale,
                              dep_cfg.lock_in_full_term_months)
    dependencies: dict[tuple[int, str], WeightedScore] = {}
    kraljic: list[KraljicPosition] = []
    total_spend = sum(sum(per.values()) for per in spend.values())
    category_spend: dict[str, float] = {}
    for category in sorted(set(spend) | set(contracts_by_category)):
        credible = ({org for org in market[category] if org not in bankrupt} if category in market else None)
        deps = category_dependencies(
            category, spend.get(category, {}), contracts_by_category.get(category, []), credible, as_of=as_of,
            criticality=config.criticality(category), params=params, contracts_known=inputs.contracts_known,
        )
        spent = sum(spend.get(category, {}).values())
        category_spend[category] = spent
        weighted_geo, weight = 0.0, 0.0
        for org, score in deps.items():
            if org not in inputs.organisations:
                continue
            dependencies[(org, category)] = score
            geos[(org, category)] = g = geo(org, category)
            share = spend.get(category, {}).get(org, 0.0) or 1.0
            if g.value is not None:
                weighted_geo += share * g.value
                weight += share
        hhi = None
        if category in market:
            conc = concentration({str(k): float(v) for k, v in market[category].items()})  # type: ignore[misc]
            hhi = conc.hhi if conc else None
        kraljic.append(kraljic_position(
            category, category_spend=spent, total_spend=total_spend, market_hhi=hhi,
            scarcity=scarcity(len(credible), dep_cfg.alternatives_scale) if credible is not None else None,
            geopolitical=weighted_geo / weight if weight else None, weights=config.kraljic.supply_risk_weights,
            profit_impact_high_from=config.kraljic.profit_impact_high_from,
            supply_risk_high_from=config.kraljic.supply_risk_high_from,
        ))

    for (org, category), score in geos.items():
        if score.value is not None:
            out.append(_score_row(org, category, "geopolitical", score.value,
                                  band(score.value, geo_cfg.medium_from, geo_cfg.high_from), score.confidence,
                                  score.coverage, score.reasons(), _geo_inputs(inputs, org), score.features()))
    dep_inputs = _dependency_inputs(inputs, category_of)
    by_supplier: dict[int, tuple[str, WeightedScore]] = {}
    for (org, category), score in dependencies.items():
        if score.value is None:
            continue
        out.append(_score_row(org, category, "dependency", score.value,
                              band(score.value, dep_cfg.medium_from, dep_cfg.high_from), score.confidence,
                              score.coverage, score.reasons(), dep_inputs(org, category),
                              {**score.features(), **status.get(org, {})}))
        if org not in by_supplier or score.value > (by_supplier[org][1].value or 0):
            by_supplier[org] = (category, score)

    combined: dict[int, dict[str, Any]] = {}
    m = config.matrix
    thresholds = m.model_dump()
    for org, (category, dep) in by_supplier.items():
        reasons = [{"feature": "dependency", "value": dep.value, "category": category,
                    "text": f"highest dependency in category {category}"}] + dep.reasons()[:3]
        out.append(_score_row(org, "", "dependency", dep.value or 0.0,
                              band(dep.value, dep_cfg.medium_from, dep_cfg.high_from), dep.confidence, dep.coverage,
                              reasons, dep_inputs(org, category), {**dep.features(), "category": category,
                                                                   **status.get(org, {})}))
        failure = failures.get(org)
        geo_score = geos.get((org, ""))
        if failure is None:
            continue
        cell = risk_cell(failure.probability, geo_score.value if geo_score else None, dep.value,
                         geo_weight=m.geo_weight, thresholds=thresholds)
        reasons = [
            {"feature": "likelihood", "value": cell.likelihood, "band": cell.likelihood_band,
             "text": f"likelihood of disruption {cell.likelihood:.1%} (failure {failure.probability:.1%}, "
                     f"geopolitical {geo_score.value if geo_score and geo_score.value is not None else 0:.2f})"},
            {"feature": "impact", "value": cell.impact, "band": cell.impact_band,
             "text": f"impact: dependency {dep.value:.2f} in category {category}"},
            *failure.reasons[:3],
        ]
        confidence = min(failure.confidence, dep.confidence)
        combined_band = cell.combined_band
        if failure.unknown:  # the likelihood rests on an unknown failure score: so does the combined view
            combined_band = "unknown"
            reasons.insert(0, {"feature": "(unknown)", "value": None, "text": failure.unknown_because})
        combined[org] = {"cell": cell.cell, "likelihood": cell.likelihood, "impact": cell.impact,
                         "combined": cell.combined, "category": category, "unknown": failure.unknown}
        out.append(_score_row(org, "", "combined", cell.combined or 0.0, combined_band, confidence,
                              min(failure.coverage, dep.coverage), reasons, failure.inputs,
                              {"likelihood": cell.likelihood, "impact": cell.impact, "cell": cell.cell, "category": category,
                               "failure": failure.probability, "failure_band": failure.band,
                               "geopolitical": geo_score.value if geo_score else None, **status.get(org, {})}))
    return ScoreSet(out, failures, dependencies, geos, kraljic, combined, category_spend, notes)


def _relationships(inputs: ScoringInputs, population: Sequence[int], recent_months: int) -> dict[int, dict[str, str]]:
    """Per scored organisation: current, former, dissolved or not ours (models.relationship), with why."""
    spend_days: dict[int, list[date | None]] = defaultdict(list)
    for line in inputs.spend:
        spend_days[line.organisation_id].append(line.booked_on)
    ends: dict[int, list[tuple[str, date | None]]] = defaultdict(list)
    for contract in inputs.contracts:
        last = max((d for d in (contract.end_date, contract.extension_until) if d is not None), default=None)
        ends[contract.organisation_id].append((contract.ref, last))
    out = {}
    for org in population:
        bankrupt = [e.occurred_on for e in inputs.events.get(org, ()) if e.kind == "insolvency.bankruptcy_declared"]
        ended = as_date((inputs.profiles.get(org) or {}).get("registration_end"))
        dissolved = min([*bankrupt, *([ended] if ended else [])], default=None)
        rel = relationship(inputs.as_of, spend_days=spend_days.get(org, ()), contract_ends=ends.get(org, ()),
                           dissolved_on=dissolved, recent_months=recent_months)
        out[org] = {"relationship": rel.status, "relationship_why": rel.why}
    return out


def _geo_inputs(inputs: ScoringInputs, org: int) -> list[dict[str, Any]]:
    country = normalise_country(inputs.organisations[org].country)
    used = [{"source": "wgi-political-stability", "as_of": "2023", "ref": country}]
    series = inputs.tone.get(country or "", [])
    if series:
        used.append({"source": "gdelt-tone", "as_of": max(d for d, _ in series).isoformat(), "ref": country})
    hits = [e for e in inputs.events.get(org, ()) if e.kind == "sanctions.possible_match"]
    if hits:
        used.append({"source": hits[-1].source or "sanctions", "as_of": hits[-1].occurred_on.isoformat(), "ref": None})
    return used


def _dependency_inputs(inputs: ScoringInputs, category_of: Callable[[str | None], str | None]
                      ) -> Callable[[int, str], list[dict[str, Any]]]:
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


# --------------------------------------------------------------------------------------------
# Loading and writing
# --------------------------------------------------------------------------------------------


def load_inputs(session: Any, as_of: date, config: RiskConfig, *,
                profile_loader: ProfileLoader = load_profiles) -> ScoringInputs:
    """Everything one scoring run needs, in a few bulk queries."""
    wins = risk_store.win_facts(session, until=as_of)
    events = risk_store.event_facts(session, until=as_of)
    spend = risk_store.spend_facts(session, start=add_months(as_of, -config.dependency.spend_window_months), end=as_of)
    contracts, contracts_known = risk_store.contract_facts(session, config.category_of)
    ids = {w.organisation_id for w in wins} | {s.organisation_id for s in spend} | {c.organisation_id for c in contracts}
    orgs = risk_store.organisations(session, ids)
    tone_days = config.geopolitical.tone_recent_days + config.geopolitical.tone_prior_days
    return ScoringInputs(
        as_of=as_of, organisations=orgs, wins=wins, events=events, spend=spend, contracts=contracts,
        contracts_known=contracts_known,
        profiles=profile_loader(session, sorted(orgs), as_of),
        profiles_year_ago=profile_loader(session, sorted(orgs), as_of - timedelta(days=365)),
        tone=risk_store.tone_series(session, start=as_of - timedelta(days=tone_days), end=as_of),
        sources=risk_store.event_sources(session),
        kvk_registered=frozenset(risk_store.kvk_numbers(session, orgs)),
    )


@dataclass
class ScoringSummary:
    run_id: int
    as_of: date
    model_version: str
    counts: dict[str, int]
    warnings: list[str]
    notes: list[str]
    kraljic: list[dict[str, Any]]
    top: list[dict[str, Any]]
    synthetic: bool

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "as_of": self.as_of.isoformat(), "model_version": self.model_version,
                "counts": self.counts, "warnings": self.warnings, "notes": self.notes, "kraljic": self.kraljic,
                "top": self.top, "synthetic": self.synthetic}


def score_suppliers(store: Store, settings: Settings, *, as_of: date | None = None,
                    profile_loader: ProfileLoader = load_profiles) -> ScoringSummary:
    """One scoring run as of ``as_of`` (default today), written to ``scoring_runs`` and ``risk_scores``."""
    as_of = as_of or date.today()
    config = load_risk_config(settings.risk.config_file)
    materials = load_category_materials(settings.risk.materials_file)
    model, warning = select_model(model_dir(settings), baseline_model(config))
    warnings = [warning] if warning else []
    if warning:
        log.warning("failure model: %s", warning)
    with store.sessions.begin() as session:
        inputs = load_inputs(session, as_of, config, profile_loader=profile_loader)
        synthetic = get_meta(session, SYNTHETIC_MARKER) is not None
    scores = build_scores(inputs, config, materials, model)
    counts: dict[str, int] = defaultdict(int)
    for row in scores.rows:
        counts[row["kind"] + ("" if not row["category"] else "/category")] += 1
    top = _top_risks(scores, inputs)
    details = {
        "as_of": as_of.isoformat(), "failure_model": model.version, "warnings": warnings, "notes": scores.notes,
        "counts": dict(counts), "kraljic": [k.as_dict() for k in scores.kraljic],
        "category_spend": scores.category_spend, "config": config.model_dump(mode="json"), "synthetic": synthetic,
    }
    with store.sessions.begin() as session:
        run_id = risk_store.start_scoring_run(session, as_of=as_of, model_version=model.version)
        risk_store.save_scores(session, run_id, scores.rows)
        risk_store.finish_scoring_run(session, run_id, status="ok", details=details)
        thinned = thin_scoring_runs(session, before=as_of - timedelta(days=settings.risk.keep_daily_runs_days))
    log.info("scoring run %d as of %s: %d scores (%s); %d older runs thinned to monthly", run_id, as_of,
             len(scores.rows), model.version, thinned)
    return ScoringSummary(run_id, as_of, model.version, dict(counts), warnings, scores.notes,
                          details["kraljic"], top, synthetic)


def _top_risks(scores: ScoreSet, inputs: ScoringInputs, limit: int = 10) -> list[dict[str, Any]]:
    """Our suppliers by combined risk, with the first reason: the run summary's table (unknown ones are not ranked)."""
    ranked = sorted(((org, c) for org, c in scores.combined.items() if not c.get("unknown")),
                    key=lambda kv: -(kv[1]["combined"] or 0))[:limit]
    return [{"supplier": inputs.organisations[org].name, "category": c["category"],
             "failure": round(scores.failure[org].probability, 4), "dependency": round(c["impact"] or 0, 3),
             "combined": round(c["combined"] or 0, 4), "cell": c["cell"],
             "reason": scores.failure[org].reasons[0]["text"]} for org, c in ranked]




# --------------------------------------------------------------------------------------------
# Reading scores back (CLI, market scan)
# --------------------------------------------------------------------------------------------


@dataclass
class RankedScores:
    run_id: int
    as_of: date
    model_version: str
    synthetic: bool
    warnings: list[str]
    note: str | None
    rows: list[dict[str, Any]]
    #: Scores with band "unknown" (main inputs missing): listed apart, never ranked.
    unknown: list[dict[str, Any]] = field(default_factory=list)
    #: How many former, dissolved or market-only suppliers were left out (shown with ``include_all``).
    hidden: int = 0


def _trend(history: Sequence[tuple[date, float, str]]) -> str:
    """"0.12 → 0.31" over the last runs of different days; "new" with one run."""
    by_day: dict[date, float] = {}
    for day, value, _version in history:
        by_day[day] = value
    values = [by_day[d] for d in sorted(by_day)][-4:]
    return "new" if len(values) < 2 else " → ".join(f"{v:.2f}" for v in values)


def ranked_scores(session: Any, *, kind: str = "combined", category: str | None = None,
                  limit: int = 20, include_all: bool = False) -> RankedScores | None:
    """The newest finished run's scores of ``kind``, highest first, with reasons and trend; None without a run.

    Only suppliers we depend on now (``relationship`` "current", see models.relationship) unless
    ``include_all``; then former, dissolved and market-only ones follow the same order, marked. Scores
    whose band is "unknown" (main inputs missing) are never ranked: they are listed in ``unknown``.
    """
    run = risk_store.latest_run(session)
    if run is None:
        return None
    details = run.details or {}
    note = None
    if kind == "combined" and not risk_store.run_scores(session, run.id, kind="combined"):
        kind, note = "failure", "No combined scores (no spend or contracts of ours): ranking by failure risk."
    per_category = kind in ("dependency", "geopolitical") and category is not None
    scores = risk_store.run_scores(session, run.id, kind=kind, category=category if per_category else "")
    if category is not None and not per_category:
        members = {s.organisation_id for s, _ in risk_store.run_scores(session, run.id, kind="dependency", category=category)}
        scores = [(s, o) for s, o in scores if s.organisation_id in members]
    # Runs from before statuses were stored carry none: every supplier counts as shown.
    shown = [(s, o) for s, o in scores if include_all or (s.features or {}).get("relationship", CURRENT) in SHOWN_BY_DEFAULT]
    hidden = len(scores) - len(shown)
    unknown = sorted(((s, o) for s, o in shown if s.band == "unknown"), key=lambda pair: pair[1].name)
    known = [(s, o) for s, o in shown if s.band != "unknown"]
    known.sort(key=lambda pair: (-pair[0].value, pair[1].name))
    known = known[:limit]
    history = risk_store.score_history(session, [s.organisation_id for s, _ in known], kind,
                                       category if per_category and category else "")

    def row(s: Any, o: Any) -> dict[str, Any]:
        features = s.features or {}
        return {
            "organisation_id": s.organisation_id, "supplier": o.name, "org_key": o.org_key, "country": o.country,
            "category": s.category or features.get("category"), "kind": s.kind,
            "value": None if s.band == "unknown" else s.value, "band": s.band, "confidence": s.confidence,
            "coverage": s.coverage, "status": features.get("relationship"), "status_why": features.get("relationship_why"),
            "reasons": [r.get("text", "") for r in s.reasons if r.get("feature") != "(base)"],
            "inputs": s.inputs, "trend": _trend(history.get(s.organisation_id, [])),
        }

    return RankedScores(run.id, run.as_of, run.model_version, bool(details.get("synthetic")),
                        list(details.get("warnings") or []), note, [row(s, o) for s, o in known],
                        unknown=[row(s, o) for s, o in unknown], hidden=hidden)


@dataclass
class OurPosition:
    """Our place in one category for the market scan: spend, our suppliers' risks, the Kraljic quadrant."""

    category: str
    as_of: date | None
    spend: float
    suppliers: list[dict[str, Any]]
    kraljic: dict[str, Any] | None
    message: str | None  # why there is nothing to show
    spend_months: int | None = None  # the spend window the run used (store.spend_period: one meaning everywhere)


def our_position(session: Any, cpv_prefix: str) -> OurPosition:
    """What the newest scoring run says about our spend in the category that ``cpv_prefix`` denotes."""
    run = risk_store.latest_run(session)
    if run is None:
        return OurPosition(cpv_prefix, None, 0.0, [], None, "No scoring run yet: our position is not known.")
    details = run.details or {}
    keys = [k for k in (details.get("category_spend") or {}) if match_prefix(k).startswith(cpv_prefix)
            or cpv_prefix.startswith(match_prefix(k))]
    if not keys:
        return OurPosition(cpv_prefix, run.as_of, 0.0, [], None,
                           f"We have no spend or contracts in this category (scoring run of {run.as_of}).")
    spend = sum(float(details["category_spend"][k]) for k in keys)
    kraljic = next((k for k in details.get("kraljic") or [] if k["category"] in keys), None)
    deps = [pair for key in keys for pair in risk_store.run_scores(session, run.id, kind="dependency", category=key)]
    failures = {s.organisation_id: s for s, _ in risk_store.run_scores(session, run.id, kind="failure")}
    suppliers = []
    for dep, org in sorted(deps, key=lambda pair: -pair[0].value):
        if (dep.features or {}).get("relationship", CURRENT) != CURRENT:
            continue  # former and dissolved suppliers are not our position now
        failure = failures.get(dep.organisation_id)
        known = failure is not None and failure.band != "unknown"
        suppliers.append({
            "name": org.name, "category": dep.category, "spend": (dep.features or {}).get("spend_share"),
            "dependency": dep.value, "dependency_band": dep.band,
            "failure": failure.value if known else None, "failure_band": failure.band if failure else "unknown",
            "reason": next((r.get("text") for r in (failure.reasons if failure else [])), None),
            "confidence": min(dep.confidence, failure.confidence) if failure else dep.confidence,
        })
    months = ((details.get("config") or {}).get("dependency") or {}).get("spend_window_months")
    return OurPosition(cpv_prefix, run.as_of, spend, suppliers, kraljic, None, spend_months=months)
