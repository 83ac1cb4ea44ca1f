"""The long tail of a scaled world: small firms that win a contract now and then and mostly bid and lose.

A real procurement market has far more suppliers than regular winners: most win one or two contracts in
years, many only bid and lose. Without them a scaled world (``build_world(seed, scale)``) has ~290 suppliers
per copy, each with ~7 awards, and a benchmark at 100,000 notices measures a market with a sixth of the
organisations a real one of that size has. So copies 2..N get a tail; copy 1 (the scale-1 world, which the
story and the committed bundle are built on) never does:

- a share (``TAIL_WINS``) of a copy's single-winner lots goes to a small firm instead of the field's pick;
- a share (``LISTED``) of its eForms award notices list every tender received, the losing ones too, as
  many real notices do (legacy R2.0.9 cannot name a losing tender, so its notices never do); a losing tender
  is a small firm's (``FROM_TAIL``) or, else, another supplier of the copy's own field, drawn by its weight;
- which small firm: a new one of the category (and of the buyer's region, in the regional trades) with
  probability ``NEW``, else one already in the tail, in proportion to how often it appeared (a Yule-Simon
  process: most appear once, a few often). Every firm of the tail so won or bid at least once.
- electricity has no tail (three suppliers by design); its listed losing tenders come from its own field.

Firms are named and numbered like the rest of the world (``Names`` of their copy: the copy's suffix, KvK
numbers, foreign national ids), mostly Dutch, some from neighbouring countries, and a few sole traders that
notices name without any identifier. Every decision draws from the tail's own random stream, never the
market's: the market's draws, so the whole first copy, stay what they are without a tail.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Protocol

from demo.world_categories import CATEGORIES, Category
from demo.world_places import REGION_BY_KEY, REGIONS, SMALL_FIRM_PATTERNS, TOWNS, Names, dutch_postcode, town_nuts
from demo.world_records import EFORMS_FROM, FIRST_DAY, Buyer, Channel, Lot, Supplier
from demo.world_suppliers import foreign_firm, pick, working_day

TAIL_WINS = 0.10  # share of a copy's single-winner lots that a small firm wins
LISTED = 0.38  # share of a copy's eForms award notices that list the losing tenders too
FROM_TAIL = 0.6  # share of listed losing tenders that are small firms'
NEW = 0.75  # probability that a small firm's appearance is a new firm's
FOREIGN = 0.06  # share of new small firms from abroad
UNIDENTIFIED = 0.03  # share of new Dutch small firms that notices name without a KvK number
_FOREIGN_MIX = (("BE", 0.45), ("DE", 0.35), ("FR", 0.1), ("DK", 0.05), ("IE", 0.05))
_LEGAL_FORMS = (("B.V.", 0.6), ("V.O.F.", 0.2), ("Eenmanszaak", 0.2))
#: The trades whose small firms work near home: a new one is from the buyer's region.
_REGIONAL = {c.key for c in CATEGORIES if any(t.regional for t in c.tiers)}


class Field(Protocol):
    """Who can win a tender (``world_market``'s field): the candidates' ids and their weights."""

    candidates: list[str]
    weights: list[float]

    @property
    def cumulated(self) -> list[float]:
        """The weights cumulated once, as ``choices(weights=...)`` would cumulate them on every call."""


class LongTail:
    """Hands the tail's wins and losing tenders out as the market plays, and keeps the firms it made."""

    def __init__(self, rng: random.Random, names: dict[int, Names], copy_of: dict[str, int]) -> None:
        """``names``: each copy's name generator (2..N); ``copy_of``: the copy of each buyer of copies 2..N."""
        self.rng = rng
        self.names = names
        self.copy_of = copy_of
        self.suppliers: list[Supplier] = []  # in the order they first appeared
        self._seen: dict[tuple[int, str, str | None], list[str]] = {}  # each appearance, for the Yule-Simon draw

    def award(self, day: date, channel: Channel, buyer: Buyer, category: Category, lots: list[Lot],
              field: Callable[[], Field]) -> list[Lot]:
        """The award notice's lots with the tail's wins and, when the notice lists them, the losing tenders."""
        copy = self.copy_of.get(buyer.id)
        if copy is None:
            return lots
        rng = self.rng
        lists = (channel == "national" or day >= EFORMS_FROM) and rng.random() < LISTED
        tail = category.key in SMALL_FIRM_PATTERNS
        out = []
        for lot in lots:
            winners, losers = lot.winners, []
            if tail and len(winners) == 1 and rng.random() < TAIL_WINS:
                losers.append(winners[0])  # the field's pick lost to the small firm
                winners = (self._firm(copy, category, buyer, day, set()),)
            if lists and lot.tenders_received:
                losers = self._losers(copy, category, buyer, day, field(), set(winners), losers,
                                      lot.tenders_received - 1)
            else:
                losers = []
            if winners != lot.winners or losers:
                lot = replace(lot, winners=winners, losers=tuple(losers))
            out.append(lot)
        return out

    def _losers(self, copy: int, category: Category, buyer: Buyer, day: date, field: Field, taken: set[str],
                losers: list[str], count: int) -> list[str]:
        """``count`` losing tenders (fewer when a field without a tail runs out), after those already known."""
        rng = self.rng
        losers = losers[:count]  # a single tender received: the field's displaced pick is not listed
        taken |= set(losers)
        cumulated = field.cumulated
        tail = category.key in SMALL_FIRM_PATTERNS
        while len(losers) < count:
            loser = None
            if not tail or rng.random() >= FROM_TAIL:
                for _ in range(8):  # a few draws by weight; a small field may hold nobody left
                    drawn = rng.choices(field.candidates, cum_weights=cumulated)[0]
                    if drawn not in taken:
                        loser = drawn
                        break
            if loser is None:
                if not tail:
                    break
                loser = self._firm(copy, category, buyer, day, taken)
            taken.add(loser)
            losers.append(loser)
        return losers

    def _firm(self, copy: int, category: Category, buyer: Buyer, day: date, taken: set[str]) -> str:
        """A small firm of the category (and region) tendering: new, or one of the tail in proportion to its
        appearances; never one already in ``taken`` (the lot's other tenders)."""
        rng = self.rng
        region = buyer.region if category.key in _REGIONAL else None
        seen = self._seen.setdefault((copy, category.key, region), [])
        firm = None
        if seen and rng.random() >= NEW:
            drawn = rng.choice(seen)
            firm = drawn if drawn not in taken else None
        if firm is None:
            supplier = self._new_firm(self.names[copy], category, region, day)
            self.suppliers.append(supplier)
            firm = supplier.id
        seen.append(firm)
        return firm

    def _new_firm(self, names: Names, category: Category, region_key: str | None, day: date) -> Supplier:
        rng = self.rng
        founded = rng.randint(1985, day.year)
        active_from = FIRST_DAY if founded <= FIRST_DAY.year else min(day, working_day(date(founded, 3, 1)))
        identified = True
        if rng.random() < FOREIGN:
            country = pick(rng, _FOREIGN_MIX)
            name, legal_form, ident, town, postcode = foreign_firm(rng, names, category.key, country)
            region, nuts = None, None
        else:
            country, legal_form = "NL", pick(rng, _LEGAL_FORMS)
            stem = names.small_firm(SMALL_FIRM_PATTERNS[category.key])
            name = stem if legal_form == "Eenmanszaak" else f"{stem} {legal_form}"
            place = REGION_BY_KEY[region_key] if region_key else rng.choice(REGIONS)
            town = rng.choice(TOWNS[place.key])
            ident, postcode, nuts = names.kvk(), dutch_postcode(rng, place, town), town_nuts(place, town)
            region = place.key
            identified = rng.random() >= UNIDENTIFIED
        return Supplier(id=ident, name=name, legal_form=legal_form, country=country, town=town, postcode=postcode,
                        founded=founded, size="sme", region=region, nuts=nuts, categories=(category.key,),
                        active_from=active_from, identified=identified)
