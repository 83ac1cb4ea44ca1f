"""The demo's synthetic Dutch public procurement market: who bought what from whom, 2019-2026.

The demo runs the production code against a replayed API, so its data has to *behave* like the real
market or the statistics built on it show nothing: each category has its own concentration (three
electricity suppliers, two or three software vendors, a few IT integrators and a long tail, a
fragmented consultancy and construction market with regional players), incumbents are re-awarded,
suppliers enter and leave, notices have lots, some lots go to two or three joint winners, some awards
carry no value. Every name is invented and everything is a pure function of the seed; the
``render_*`` modules turn this world into the real formats of the real APIs.

This module builds the world and states facts about it; its parts live beside it, one job each:
``world_records`` (the records and key days), ``world_categories`` (the market's structure),
``world_places`` (invented places, names and identifiers), ``world_suppliers`` (who is in the market),
``world_market`` (the years played out) and ``world_calendar`` (publication numbers and dates). The names
the renderers and tests use are all importable from here.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from demo.world_calendar import assign_identities, brussels_offset, oj_issue, ted_number_parts
from demo.world_categories import CATEGORIES, CATEGORY_BY_KEY, Category, Tier
from demo.world_market import Market
from demo.world_places import NUTS_NAMES, REGION_BY_KEY, REGIONS, TOWNS, Names, Region, dutch_postcode, fill_pattern, review_body, town_nuts
from demo.world_records import (
    ALPHA3,
    DEFAULT_SEED,
    EFORMS_FROM,
    EU_THRESHOLD,
    FIRST_DAY,
    LAST_DAY,
    TENDERNED_EUROPEAN_FROM,
    Buyer,
    Channel,
    Lot,
    Nature,
    NoticeKind,
    Publication,
    Supplier,
    plain_record,
)
from demo.world_suppliers import make_buyers, make_suppliers
from demo.world_tail import LongTail


@dataclass(frozen=True)
class World:
    seed: int
    buyers: tuple[Buyer, ...]
    suppliers: tuple[Supplier, ...]
    notices: tuple[Publication, ...]  # by publication date

    @cached_property
    def buyer_by_id(self) -> dict[str, Buyer]:
        return {b.id: b for b in self.buyers}

    @cached_property
    def supplier_by_id(self) -> dict[str, Supplier]:
        return {s.id: s for s in self.suppliers}

    def ted_notices(self) -> list[Publication]:
        return [n for n in self.notices if n.ted_number]

    def tenderned_notices(self) -> list[Publication]:
        return [n for n in self.notices if n.tenderned_id]

    def awards(self) -> Iterator[tuple[Publication, Lot]]:
        for notice in self.notices:
            for lot in notice.lots:
                if lot.winners:
                    yield notice, lot

    def to_json(self) -> dict[str, Any]:
        """The world's organisations, for later features (KvK profiles, insolvencies, spend).

        The awards themselves are in the notices; :meth:`awards` gives them as ground truth in code.
        """
        return {
            "synthetic": True,
            "seed": self.seed,
            "categories": {c.key: {"label": c.label, "nature": c.nature, "cpv": list(c.cpv)} for c in CATEGORIES},
            "buyers": [plain_record(b) for b in self.buyers],
            "suppliers": [plain_record(s) for s in self.suppliers],
        }


def build_world(seed: int = DEFAULT_SEED, scale: int = 1) -> World:
    """The whole market for one seed; the same seed (and scale) always gives the same world.

    ``scale`` N makes a market N times as large, for benchmarks: N copies of the buyers and of every
    category's suppliers (copy 1 is exactly the scale-1 world's; copy c has its own random streams and a
    " c" suffix on its invented names, so names and identifiers stay unique), and N times the notices,
    each buyer tendering among its own copy's suppliers (N markets of the default shape, and building
    stays linear in N). Copies 2..N also have a long tail of small firms that win now and then and mostly bid
    and lose (``world_tail``), as a real market of that size has; copy 1 never does. Scale 1 is the default
    world, byte for byte.
    """
    if scale < 1:
        raise ValueError(f"scale must be a positive whole number, not {scale}")
    names = Names(random.Random(f"{seed}:names"))
    buyers = make_buyers(random.Random(f"{seed}:buyers"), names)
    suppliers, pools = make_suppliers(random.Random(f"{seed}:suppliers"), names)
    copies = [pools] * len(buyers)  # each buyer's market: the suppliers of its own copy
    names_of: dict[int, Names] = {}
    copy_of: dict[str, int] = {}
    for copy in range(2, scale + 1):
        more_names = Names(random.Random(f"{seed}:names:{copy}"), suffix=f" {copy}", shared=names)
        more_buyers = make_buyers(random.Random(f"{seed}:buyers:{copy}"), more_names, suffix=f" {copy}")
        more, more_pools = make_suppliers(random.Random(f"{seed}:suppliers:{copy}"), more_names)
        buyers += more_buyers
        suppliers += more
        copies += [more_pools] * len(more_buyers)
        names_of[copy] = more_names
        copy_of.update((b.id, copy) for b in more_buyers)
    tail = LongTail(random.Random(f"{seed}:tail"), names_of, copy_of) if scale > 1 else None
    market = Market(random.Random(f"{seed}:awards"), buyers, copies, scale=scale, tail=tail)
    notices = market.run()
    if tail is not None:
        suppliers += tail.suppliers
    notices = assign_identities(random.Random(f"{seed}:identities"), notices, scale=scale)
    return World(seed=seed, buyers=tuple(buyers), suppliers=tuple(suppliers), notices=tuple(notices))


# --------------------------------------------------------------------------------------------
# Facts about the world, for tests and for the README
# --------------------------------------------------------------------------------------------


def value_shares(world: World, category: str) -> dict[str, Decimal]:
    """Each supplier's awarded value in a category; joint winners share a lot's value equally."""
    return _value_shares(world, {category}).get(category, {})


def _value_shares(world: World, categories: set[str]) -> dict[str, dict[str, Decimal]]:
    """:func:`value_shares` of several categories in one pass over the awards (a scale-54 world has ~110,000)."""
    totals: dict[str, dict[str, Decimal]] = {c: defaultdict(Decimal) for c in categories}
    for notice, lot in world.awards():
        shares = totals.get(notice.category)
        if shares is not None and lot.value is not None:
            for winner in lot.winners:
                shares[winner] += lot.value / len(lot.winners)
    return {c: dict(shares) for c, shares in totals.items() if shares}


def hhi(world: World, category: str) -> float:
    """Herfindahl-Hirschman index (0-1) of a category, by awarded value."""
    return _hhi(value_shares(world, category))


def hhi_by_category(world: World) -> dict[str, float]:
    """:func:`hhi` of every category, from one pass over the awards."""
    shares = _value_shares(world, {c.key for c in CATEGORIES})
    return {c.key: _hhi(shares.get(c.key, {})) for c in CATEGORIES}


def _hhi(totals: dict[str, Decimal]) -> float:
    grand = sum(totals.values())
    return float(sum((v / grand) ** 2 for v in totals.values())) if grand else 0.0


# --------------------------------------------------------------------------------------------
# CPV reference (labels and check digits), read once from the package's own copy
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CpvEntry:
    code: str
    label_en: str
    label_nl: str
    check_digit: str


@lru_cache(maxsize=1)
def cpv_reference() -> dict[str, CpvEntry]:
    source = resources.files("reference").joinpath("data/cpv_2008.csv")
    with source.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: CpvEntry(row["code"], row["label_en"], row["label_nl"], row["check_digit"])
                for row in csv.DictReader(handle)}


__all__ = [
    "ALPHA3", "CATEGORIES", "CATEGORY_BY_KEY", "DEFAULT_SEED", "EFORMS_FROM", "EU_THRESHOLD", "FIRST_DAY", "LAST_DAY",
    "NUTS_NAMES", "REGIONS", "REGION_BY_KEY", "TENDERNED_EUROPEAN_FROM", "TOWNS", "Buyer", "Category", "Channel",
    "CpvEntry", "Lot", "Nature", "NoticeKind", "Publication", "Region", "Supplier", "Tier", "World",
    "brussels_offset", "build_world", "cpv_reference", "dutch_postcode", "fill_pattern", "hhi", "hhi_by_category",
    "oj_issue", "review_body", "ted_number_parts", "town_nuts", "value_shares",
]
