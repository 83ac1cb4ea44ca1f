"""Who is in the demo market: the buyers, the suppliers of every category's tiers, and who leaves it when."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache

from demo.world_categories import CATEGORIES, Category, Tier
from demo.world_places import (
    AGENCIES,
    BUILDER_PATTERNS,
    CLEANER_PATTERNS,
    FOREIGN_FORMS,
    FOREIGN_POSTCODES,
    FOREIGN_TOWNS,
    FOREIGN_WORDS,
    REGIONS,
    TOWNS,
    TRANSLATED,
    Names,
    Region,
    dutch_postcode,
    fill_pattern,
    town_nuts,
)
from demo.world_records import FIRST_DAY, Buyer, Supplier


def make_buyers(rng: random.Random, names: Names, suffix: str = "") -> list[Buyer]:
    buyers: list[Buyer] = []

    def add(name: str, kind: str, region: Region, town: str) -> None:
        buyers.append(Buyer(id=names.kvk(), name=name + suffix, kind=kind, town=town,
                            postcode=dutch_postcode(rng, region, town), region=region.key, nuts=town_nuts(region, town)))

    for region in REGIONS:
        towns = list(TOWNS[region.key])
        rng.shuffle(towns)
        for town in towns[:4] if region.key in {"west", "zuid", "zuidwest"} else towns[:3]:
            add(f"Gemeente {town}", "municipality", region, town)
        if region.key != "midden":
            add(region.province, "province", region, towns[4])
        else:
            add(region.water_board, "water-board", region, towns[4])
        if region.key in {"noord", "west", "zuidwest"}:
            add(region.water_board, "water-board", region, towns[5])
    for name in AGENCIES:
        region = rng.choice(REGIONS)
        add(name, "agency", region, rng.choice(TOWNS[region.key]))
    for pattern, kind in (("Ziekenhuis {t}", "hospital"), ("Medisch Centrum {t}", "hospital"),
                          ("Zorggroep {t}", "hospital"), ("Universiteit van {t}", "university"),
                          ("Hogeschool {t}", "university"), ("Technische Hogeschool {t}", "university")):
        region = rng.choice(REGIONS)
        town = rng.choice(TOWNS[region.key])
        add(pattern.format(t=town), kind, region, town)
    return buyers


@dataclass
class Entry:
    """A supplier's standing in one category's market."""

    supplier: Supplier
    weight: float
    value_factor: float
    regional: bool


def _zipf_weights(count: int, total: float, exponent: float, rng: random.Random) -> list[float]:
    raw = [1.0 / (rank + 1) ** exponent for rank in range(count)]
    rng.shuffle(raw)
    scale = total / sum(raw)
    return [w * scale for w in raw]


def make_suppliers(rng: random.Random, names: Names) -> tuple[list[Supplier], dict[str, list[Entry]]]:
    suppliers: list[Supplier] = []
    pools: dict[str, list[Entry]] = defaultdict(list)
    tiers: dict[tuple[str, int], list[Entry]] = {}
    regions = list(REGIONS)
    for category in CATEGORIES:
        for tier_no, tier in enumerate(category.tiers):
            weights = _zipf_weights(tier.count, tier.share, tier.zipf, rng)
            members = tiers[(category.key, tier_no)] = []
            for i in range(tier.count):
                country = pick(rng, tier.foreign + (("NL", max(0.0, 1 - sum(p for _, p in tier.foreign))),))
                region = regions[i % len(regions)] if tier.regional else rng.choice(regions)
                supplier = _make_supplier(rng, names, category, tier, country, region)
                suppliers.append(supplier)
                entry = Entry(supplier, weights[i], tier.value_factor, tier.regional)
                members.append(entry)
                pools[category.key].append(entry)
                for other in tier.also:
                    pools[other].append(Entry(supplier, tier.share * 0.02, 1.0, False))
    _mark_exits(rng, suppliers, pools, tiers)
    return suppliers, pools


def _make_supplier(rng: random.Random, names: Names, category: Category, tier: Tier, country: str,
                   region: Region) -> Supplier:
    large = tier.size == "large"
    if country != "NL":
        name, legal_form, ident, town, postcode = foreign_firm(rng, names, category.key, country)
        nuts = None
    else:
        legal_form = "N.V." if large and rng.random() < 0.5 else ("V.O.F." if rng.random() < 0.08 else "B.V.")
        if category.key == "45" and not large:
            stem = rng.choice(BUILDER_PATTERNS).format(n=names.surname())
        elif category.key == "90910000" and not large:
            stem = rng.choice(CLEANER_PATTERNS).format(n=names.surname())
        elif category.key == "79" and rng.random() < 0.15:
            stem = f"{names.surname()} & {names.surname()} Advies"
        else:
            stem = f"{names.brand()} {rng.choice(category.words)}"
        name = f"{stem} {legal_form}"
        ident, town = names.kvk(), rng.choice(TOWNS[region.key])
        postcode, nuts = dutch_postcode(rng, region, town), town_nuts(region, town)
    entrant = rng.random() < tier.entrants
    active_from = working_day(random_day(rng, date(2020, 3, 1), date(2025, 6, 30))) if entrant else FIRST_DAY
    founded = active_from.year - rng.randint(0, 1) if entrant else rng.randint(1952 if large else 1975, 2017)
    return Supplier(
        id=ident, name=name, legal_form=legal_form, country=country, town=town, postcode=postcode,
        founded=founded, size="large" if large else "sme", region=region.key if country == "NL" else None,
        nuts=nuts, categories=(category.key, *tier.also), active_from=active_from,
    )


def foreign_firm(rng: random.Random, names: Names, category: str, country: str) -> tuple[str, str, str, str, str]:
    """A foreign supplier's (name, legal form, national id, town, postcode): its own words, form and id format."""
    word = rng.choice(FOREIGN_WORDS[category])
    word = TRANSLATED.get(country, {}).get(word, word)
    legal_form = FOREIGN_FORMS[country]
    if country == "BE" and rng.random() < 0.4:
        legal_form = rng.choice(("BV", "SRL"))
    name = f"{names.brand()} {word} {legal_form}"
    ident, town = names.foreign_id(country), rng.choice(FOREIGN_TOWNS[country])
    return name, legal_form, ident, town, fill_pattern(rng, FOREIGN_POSTCODES[country])


#: Suppliers that stop winning (later features give them an insolvency): the largest IT integrator
#: of its tier leaves in 2024, a regional cleaner, a regional builder and a consultant before that.
_EXITS = {("72", 0): date(2024, 5, 17), ("90910000", 1): date(2022, 9, 30), ("45", 1): date(2023, 3, 10),
          ("79", 0): date(2021, 11, 5)}


def _mark_exits(rng: random.Random, suppliers: list[Supplier], pools: dict[str, list[Entry]],
                tiers: dict[tuple[str, int], list[Entry]]) -> None:
    for (key, tier_no), last_day in _EXITS.items():
        candidates = [e for e in tiers[(key, tier_no)] if e.supplier.active_from == FIRST_DAY]
        chosen = max(candidates, key=lambda e: e.weight) if key == "72" else rng.choice(candidates)
        leaving = replace(chosen.supplier, active_until=last_day)
        suppliers[suppliers.index(chosen.supplier)] = leaving
        for pool in pools.values():
            for entry in pool:
                if entry.supplier.id == leaving.id:
                    entry.supplier = leaving


def random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def working_day(day: date) -> date:
    """The day itself, or the working day before: TED publishes neither at weekends nor on public holidays."""
    while day.weekday() >= 5 or (day.month, day.day) in {(1, 1), (12, 25), (12, 26)}:
        day -= timedelta(days=1)
    return max(day, FIRST_DAY)


def pick(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    """One option, drawn by weight."""
    labels, cumulated = _cumulated(options)
    return rng.choices(labels, cum_weights=cumulated)[0]


@cache
def _cumulated(options: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The options' labels and weights cumulated, once per table: what ``choices(weights=...)`` cumulates on every
    call (the same sums, so the same draws; ~150,000 picks at scale 54 among a few fixed tables)."""
    return tuple(o for o, _ in options), tuple(itertools.accumulate(w for _, w in options))
