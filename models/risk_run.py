"""One scoring run composed from facts: failure, geopolitical exposure, dependency, Kraljic and the combined view.

Where this sits: ``pipelines.score_suppliers`` loads :class:`models.risk_facts.ScoringInputs` from the
store, calls :func:`build_scores` and writes the rows back as one scoring run; the benchmark calls
:func:`build_scores` on synthetic inputs. The maths of each score is in its own module
(:mod:`models.failure`, :mod:`models.geopolitical`, :mod:`models.dependency`, :mod:`models.kraljic`);
this module decides who is scored on what, and :mod:`models.risk_rows` words the rows. Pure: no files, no database.

Who is scored:

- failure and geopolitics: every supplier with public awards, and every supplier of ours, so the
  alternatives engine can prefer low-risk suppliers;
- dependency (per category and overall) and the combined risk cell: the suppliers in our spend or
  contracts; the Kraljic quadrant per category of ours goes into the run's details.

Unknown is not low: a failure score without company-register and insolvency-register inputs is
"unknown" (``models.failure.score_rows``), and so is the combined view that rests on it; neither is
ranked (:func:`top_risks`). Every scored supplier carries its relationship (current, former, dissolved,
not ours: ``models.relationship``) so readers show the suppliers we depend on now. Bad input lowers
coverage and confidence, never fails the run: no company data, no contracts, no news tone, no market
data for a category are all stated in the notes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from config.risk import MaterialsConfig, RiskConfig
from models.concentration import concentration
from models.dates import add_months
from models.dependency import ContractFact, DependencyParams, category_dependencies, scarcity
from models.failure import BaselineModel, FailureScore, Model, score_rows
from models.features import FeatureInputs, WeightedScore, as_date, feature_row, sector_rates, uncovered_by_registers
from models.geopolitical import GeoInputs, MaterialExposure, geopolitical_score
from models.kraljic import KraljicPosition, kraljic_position
from models.relationship import relationship
from models.risk_facts import ScoringInputs
from models.risk_rows import CategoryOf, dependency_rows, dependency_sources, failure_rows, geo_rows, overall_rows
from reference.countries import membership, normalise_country, political_stability
from reference.materials import critical_materials


@dataclass
class ScoreSet:
    """What one run computed: the rows to store, the scores behind them, and the run's details."""

    rows: list[dict[str, Any]]
    failure: dict[int, FailureScore]
    dependency: dict[tuple[int, str], WeightedScore]
    geopolitical: dict[tuple[int, str], WeightedScore]
    kraljic: list[KraljicPosition]
    combined: dict[int, dict[str, Any]]
    category_spend: dict[str, float]
    notes: list[str]
    #: per category, the suppliers paid there (also) in another currency: what ``category_spend`` leaves out
    category_unpriced: dict[str, int] = field(default_factory=dict)


def baseline_model(config: RiskConfig) -> BaselineModel:
    """The transparent failure model with the published weights of ``config/risk.yaml``."""
    return BaselineModel(config.failure.baseline.intercept, dict(config.failure.baseline.weights))


def build_scores(inputs: ScoringInputs, config: RiskConfig, materials: MaterialsConfig, model: Model) -> ScoreSet:
    """Every score of one run, from loaded inputs; no I/O."""
    category_of = category_lookup(config)
    ours = our_business(inputs, config, category_of)
    market = award_market(inputs, config, category_of)
    population = sorted((set(market.wins) | ours.suppliers) & set(inputs.organisations))
    notes = input_notes(inputs)
    failures = failure_scores(inputs, population, market.wins, model, config)
    unknown = sum(s.unknown for s in failures.values())
    if unknown:
        notes.append(f"{unknown} failure scores are unknown (no company register and no insolvency register data, "
                     "e.g. foreign suppliers): not ranked, never counted as low risk")
    status = relationships(inputs, population, config.dependency.current_spend_months)
    geo = GeoScorer(inputs, config, materials)
    geos = {(org, ""): geo(org, market.main_category_of(org)) for org in population}
    view = categories_of_ours(inputs, config, ours, market, geo, geos)
    sources = dependency_sources(inputs, category_of)
    dependency, by_supplier = dependency_rows(view.dependencies, sources, status, config)
    overall, combined = overall_rows(by_supplier, failures, geos, sources, status, config)
    rows = failure_rows(failures, status) + geo_rows(geos, inputs, config) + dependency + overall
    return ScoreSet(rows, failures, view.dependencies, geos, view.kraljic, combined, view.category_spend, notes,
                    {category: len(orgs) for category, orgs in sorted(ours.unpriced.items())})


def category_lookup(config: RiskConfig) -> CategoryOf:
    """``config.category_of`` remembered per CPV code: one run asks for the same few codes many thousand times."""
    cache: dict[str | None, str | None] = {}

    def category_of(cpv: str | None) -> str | None:
        if cpv not in cache:
            cache[cpv] = config.category_of(cpv)
        return cache[cpv]

    return category_of


def input_notes(inputs: ScoringInputs) -> list[str]:
    """What the run must say about missing inputs: each lowers coverage or confidence, none fails the run."""
    notes = []
    if not inputs.spend:
        notes.append("no spend lines resolved to suppliers: dependency rests on contracts only")
    if not inputs.contracts_known:
        notes.append("no contract register imported: lock-in unknown")
    if not inputs.profiles:
        notes.append("no company snapshots available: failure scores rest on events and awards (lower confidence)")
    return notes


# --------------------------------------------------------------------------------------------
# Our business and the award market
# --------------------------------------------------------------------------------------------


@dataclass
class OurBusiness:
    """Our spend per category in the spend window (category -> supplier -> amount in euros), contracts per
    category, and per category the suppliers with spend in another currency in the window (``unpriced``: their
    amount in euros is unknown, no exchange rate being fetched)."""

    spend: dict[str, dict[int, float]]
    contracts: dict[str, list[ContractFact]]
    suppliers: set[int]
    unpriced: dict[str, set[int]] = field(default_factory=dict)


def our_business(inputs: ScoringInputs, config: RiskConfig, category_of: CategoryOf) -> OurBusiness:
    """Our spend in the window and our contracts, per category; our suppliers are those in either."""
    spend_start = add_months(inputs.as_of, -config.dependency.spend_window_months)
    spend: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    unpriced: dict[str, set[int]] = defaultdict(set)
    for line in inputs.spend:
        category = category_of(line.cpv)
        if category and (line.booked_on is None or spend_start <= line.booked_on <= inputs.as_of):
            if line.in_euros:
                spend[category][line.organisation_id] += line.amount
            else:  # we buy from it there, for an amount we cannot add to euros
                unpriced[category].add(line.organisation_id)
    contracts: dict[str, list[ContractFact]] = defaultdict(list)
    for contract in inputs.contracts:
        if contract.category:
            contracts[contract.category].append(contract)
    suppliers = ({org for per in [*spend.values(), *unpriced.values()] for org in per}
                 | {c.organisation_id for c in inputs.contracts})
    return OurBusiness(spend, contracts, suppliers, dict(unpriced))


@dataclass
class AwardMarket:
    """Who wins public contracts: per supplier its win dates, per category its recent winners."""

    #: Supplier -> the days it won, oldest first (every win up to the run's day).
    wins: dict[int, list[date]]
    #: Category -> supplier -> wins in the alternatives window.
    winners: dict[str, dict[int, int]]
    #: Supplier -> category -> wins (every win up to the run's day).
    categories: dict[int, dict[str, int]]
    #: Suppliers with a bankruptcy on record: never a credible alternative.
    bankrupt: set[int]

    def credible(self, category: str) -> set[int] | None:
        """The category's recent winners without a bankruptcy; None when the market has no data for it."""
        if category not in self.winners:
            return None
        return {org for org in self.winners[category] if org not in self.bankrupt}

    def main_category_of(self, org: int) -> str | None:
        """The category a supplier wins most in (ties: the lowest key); None without categorised wins."""
        categories = self.categories.get(org) or {}
        return max(sorted(categories), key=lambda c: categories[c]) if categories else None


def award_market(inputs: ScoringInputs, config: RiskConfig, category_of: CategoryOf) -> AwardMarket:
    """The award market as of the run's day, from the wins published on or before it."""
    bankrupt = {org for org, events in inputs.events.items()
                if any(e.kind == "insolvency.bankruptcy_declared" for e in events)}
    market_start = add_months(inputs.as_of, -config.dependency.alternatives_window_months)
    wins: dict[int, list[date]] = defaultdict(list)
    winners: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    categories: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for win in inputs.wins:
        if win.published > inputs.as_of:
            continue
        wins[win.organisation_id].append(win.published)
        category = category_of(win.cpv)
        if category:
            categories[win.organisation_id][category] += 1
            if win.published >= market_start:
                winners[category][win.organisation_id] += 1
    for days in wins.values():
        days.sort()
    return AwardMarket(wins, winners, categories, bankrupt)


# --------------------------------------------------------------------------------------------
# Failure, relationships, geopolitics
# --------------------------------------------------------------------------------------------


def related_by_address(profiles: Mapping[int, Mapping[str, Any]], *, max_group: int = 6) -> dict[int, list[int]]:
    """Organisations registered at the same postcode and town: a proxy for group companies.

    Groups larger than ``max_group`` (business parks, registered-office providers) are ignored.
    """
    return related_groups(((org, address_key(profile)) for org, profile in profiles.items()), max_group=max_group)


def address_key(profile: Mapping[str, Any]) -> tuple[str, str] | None:
    """The registered address as ``related_by_address`` compares it: (postcode without spaces, town); None without
    a postcode."""
    postcode = str(profile.get("postcode") or "").replace(" ", "").upper()
    return (postcode, str(profile.get("town") or "").casefold()) if postcode else None


def related_groups(keys: Iterable[tuple[int, tuple[str, str] | None]], *, max_group: int = 6) -> dict[int, list[int]]:
    """Per organisation, the others with its address key (``address_key``), in groups of at most ``max_group``."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for org, key in keys:
        if key is not None:
            groups[key].append(org)
    related: dict[int, list[int]] = {}
    for members in groups.values():
        if 1 < len(members) <= max_group:
            for org in members:
                related[org] = [m for m in members if m != org]
    return related


def failure_scores(inputs: ScoringInputs, population: Sequence[int], wins: Mapping[int, list[date]], model: Model,
                   config: RiskConfig) -> dict[int, FailureScore]:
    """Failure scores of ``population`` (in its order); a supplier outside the registers' reach scores unknown."""
    feature_inputs = FeatureInputs(
        profiles=inputs.profiles, profiles_year_ago=inputs.profiles_year_ago, events=inputs.events,
        wins=wins, related=related_by_address(inputs.profiles),
        sector_rates=sector_rates(inputs.profiles, inputs.events, inputs.as_of), sources=inputs.sources,
        uncovered=uncovered_by_registers(
            {org: inputs.organisations[org].country for org in population}, inputs.kvk_registered),
    )
    rows = [feature_row(org, inputs.as_of, feature_inputs, half_life_days=config.failure.decay_half_life_days)
            for org in population]
    countries = {org: normalise_country(inputs.organisations[org].country) for org in population}
    return {s.organisation_id: s for s in score_rows(rows, model, medium_from=config.failure.medium_from,
                                                     high_from=config.failure.high_from, countries=countries)}


def relationships(inputs: ScoringInputs, population: Sequence[int], recent_months: int) -> dict[int, dict[str, str]]:
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


def tone_averages(series: Sequence[tuple[date, float]], as_of: date, recent_days: int,
                  prior_days: int) -> tuple[float | None, float | None]:
    """Mean news tone of the recent window and of the window before it; None for a window without data."""
    recent_start = as_of - timedelta(days=recent_days)
    prior_start = recent_start - timedelta(days=prior_days)
    recent = [t for d, t in series if recent_start < d <= as_of]
    prior = [t for d, t in series if prior_start < d <= recent_start]
    return (sum(recent) / len(recent) if recent else None, sum(prior) / len(prior) if prior else None)


def material_exposures(names: Sequence[str]) -> list[MaterialExposure]:
    """The named critical raw materials with their supplier countries and those countries' stability."""
    table, stability = critical_materials(), political_stability()
    out = []
    for name in names:
        material = table[name]
        sources = tuple((code, stability[code].estimate if code in stability else None)
                        for code in material.supplier_countries)
        out.append(MaterialExposure(name, material.strategic, sources))
    return out


class GeoScorer:
    """Geopolitical exposure of a (supplier, category): computed once per country, category and sanctions hit.

    Exposure depends on nothing else, so a run over 50,000 suppliers computes a few hundred scores.
    """

    def __init__(self, inputs: ScoringInputs, config: RiskConfig, materials: MaterialsConfig) -> None:
        self._inputs, self._cfg, self._materials = inputs, config.geopolitical, materials
        self._stability = political_stability()
        self._screened = "sanctions" in inputs.sources
        self._hits = {org: max(e.confidence for e in events if e.kind == "sanctions.possible_match")
                      for org, events in inputs.events.items()
                      if any(e.kind == "sanctions.possible_match" for e in events)}
        self._tone: dict[str, tuple[float | None, float | None]] = {}
        self._exposures: dict[str, list[MaterialExposure]] = {}
        self._scores: dict[tuple[object, ...], WeightedScore] = {}

    def __call__(self, org: int, category: str | None) -> WeightedScore:
        country = normalise_country(self._inputs.organisations[org].country)
        hit = self._hits.get(org, 0.0) if self._screened or org in self._hits else None
        key = (country, category, hit)
        if key not in self._scores:
            self._scores[key] = self._score(country, category, hit)
        return self._scores[key]

    def _score(self, country: str | None, category: str | None, hit: float | None) -> WeightedScore:
        cfg = self._cfg
        if country and country not in self._tone:
            self._tone[country] = tone_averages(self._inputs.tone.get(country, []), self._inputs.as_of,
                                                cfg.tone_recent_days, cfg.tone_prior_days)
        recent, prior = self._tone.get(country or "", (None, None))
        exposures = None
        if category is not None:
            if category not in self._exposures:
                self._exposures[category] = material_exposures(self._materials.materials_of(category))
            exposures = self._exposures[category]
        return geopolitical_score(GeoInputs(
            country=country, stability=self._stability[country].estimate if country in self._stability else None,
            membership=membership(country), materials=exposures, sanctions_match=hit,
            sanctioned_country=cfg.sanctioned_countries.get(country or ""), tone_recent=recent, tone_prior=prior,
        ), weights=cfg.weights, membership_risk=cfg.membership_risk)


# --------------------------------------------------------------------------------------------
# Dependency and Kraljic per category of ours
# --------------------------------------------------------------------------------------------


@dataclass
class CategoryView:
    """Per category of ours: each supplier's dependency, the Kraljic position, our spend."""

    dependencies: dict[tuple[int, str], WeightedScore]
    kraljic: list[KraljicPosition]
    category_spend: dict[str, float]


def categories_of_ours(inputs: ScoringInputs, config: RiskConfig, ours: OurBusiness, market: AwardMarket,
                       geo: GeoScorer, geos: dict[tuple[int, str], WeightedScore]) -> CategoryView:
    """Dependency per (supplier, category) of ours and each category's Kraljic position.

    Adds each supplier's exposure in the category to ``geos`` (keyed (supplier, category)): the Kraljic
    supply risk weighs those by our spend.
    """
    dep_cfg = config.dependency
    params = DependencyParams(dep_cfg.weights, dep_cfg.lock_in_weights, dep_cfg.alternatives_scale,
                              dep_cfg.lock_in_full_term_months)
    view = CategoryView({}, [], {})
    total_spend = sum(sum(per.values()) for per in ours.spend.values())
    for category in sorted(set(ours.spend) | set(ours.contracts) | set(ours.unpriced)):
        credible = market.credible(category)
        spend = ours.spend.get(category, {})
        deps = category_dependencies(
            category, spend, ours.contracts.get(category, []), credible, as_of=inputs.as_of,
            criticality=config.criticality(category), params=params, contracts_known=inputs.contracts_known,
            unpriced=ours.unpriced.get(category, frozenset()),
        )
        view.category_spend[category] = spent = sum(spend.values())
        weighted_geo, weight = 0.0, 0.0
        for org, score in deps.items():
            if org not in inputs.organisations:
                continue
            view.dependencies[(org, category)] = score
            geos[(org, category)] = g = geo(org, category)
            share = spend.get(org, 0.0) or 1.0
            if g.value is not None and not g.unknown_because:
                weighted_geo += share * g.value
                weight += share
        view.kraljic.append(category_position(
            category, config, market, spent=None if ours.unpriced.get(category) else spent, total_spend=total_spend,
            credible=credible,
            geopolitical=weighted_geo / weight if weight else None))
    return view


def category_position(category: str, config: RiskConfig, market: AwardMarket, *, spent: float | None, total_spend: float,
                      credible: set[int] | None, geopolitical: float | None) -> KraljicPosition:
    """The Kraljic quadrant of one category: our share of spend against the market's supply risk."""
    hhi = None
    if category in market.winners:
        conc = concentration({str(k): float(v) for k, v in market.winners[category].items()})  # type: ignore[misc]
        hhi = conc.hhi if conc else None
    return kraljic_position(
        category, category_spend=spent, total_spend=total_spend, market_hhi=hhi,
        scarcity=scarcity(len(credible), config.dependency.alternatives_scale) if credible is not None else None,
        geopolitical=geopolitical, weights=config.kraljic.supply_risk_weights,
        profit_impact_high_from=config.kraljic.profit_impact_high_from,
        supply_risk_high_from=config.kraljic.supply_risk_high_from,
    )


def top_risks(scores: ScoreSet, inputs: ScoringInputs, limit: int = 10) -> list[dict[str, Any]]:
    """Our suppliers by combined risk, with the first reason: the run summary's table (unknown ones are not ranked)."""
    ranked = sorted(((org, c) for org, c in scores.combined.items() if not c.get("unknown")),
                    key=lambda kv: -(kv[1]["combined"] or 0))[:limit]
    return [{"supplier": inputs.organisations[org].name, "category": c["category"],
             "failure": round(scores.failure[org].probability, 4), "dependency": round(c["impact"] or 0, 3),
             "combined": round(c["combined"] or 0, 4), "cell": c["cell"],
             "reason": scores.failure[org].reasons[0]["text"]} for org, c in ranked]
