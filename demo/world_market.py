"""The demo market played out, 2019-2026: buyers tender, suppliers win, incumbents tend to win again."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from demo.world_categories import CATEGORIES, KIND_APPETITE, KIND_VOLUME, PROCEDURES, Category
from demo.world_records import (
    CONTRACT_NOTICE_SHARE,
    EU_THRESHOLD,
    FIRST_DAY,
    LAST_DAY,
    NATIONAL_AWARD_NOTICES,
    TED_AWARD_NOTICES,
    Buyer,
    Channel,
    Draft,
    Lot,
    NoticeKind,
)
from demo.world_suppliers import Entry, pick, working_day
from demo.world_tail import LongTail

#: How likely a notice of each channel is in each category, cumulated once (what ``choices(weights=...)`` would
#: cumulate for every notice: the same numbers, so the same draws).
_CATEGORY_WEIGHTS = {channel: list(itertools.accumulate(c.notice_share if channel == "ted" else c.national_share
                                                        for c in CATEGORIES)) for channel in ("ted", "national")}


def uuid4_text(bits: int) -> str:
    """``str(uuid.UUID(int=bits, version=4))``, without building the object (a fifth of the world's building time):
    the version and RFC 4122 variant bits set as ``uuid`` sets them, then the 8-4-4-4-12 hex groups."""
    value = (bits & ~(0xF000 << 64) & ~(0xC000 << 48)) | (4 << 76) | (0x8000 << 48)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class Market:
    """Plays the years 2019-2026: buyers tender, suppliers win, incumbents tend to win again."""

    def __init__(self, rng: random.Random, buyers: list[Buyer], pools: list[dict[str, list[Entry]]], scale: int = 1,
                 tail: LongTail | None = None) -> None:
        """``pools``: per buyer (same order), the category markets it buys in. A scaled world is N copies of
        the market, each buyer tendering among its own copy's suppliers: N times the size, the same shape,
        and the work per award does not grow with N. ``tail``: the small firms of copies 2..N (``world_tail``)."""
        self.rng = rng
        self.tail = tail
        self.buyers = buyers
        self.pools_of = {b.id: p for b, p in zip(buyers, pools, strict=True)}
        self.scale = scale
        self.entries: dict[tuple[str, str], Entry] = {}  # a supplier's first standing in a category, found at once
        for market in {id(p): p for p in pools}.values():
            for key, pool in market.items():
                for entry in pool:
                    self.entries.setdefault((key, entry.supplier.id), entry)
        self.incumbent: dict[tuple[str, str], str] = {}
        self.count = 0
        self.buyer_volume = [KIND_VOLUME[b.kind] * rng.uniform(0.5, 1.8) for b in buyers]
        self._cumulated: dict[str, list[float]] = {}
        self._changes: dict[int, list[date]] = {}  # per pool: the days a supplier enters or leaves it
        self._fields: dict[tuple[int, str], _Field] = {}  # per (pool, buyer's region): the latest field

    def run(self) -> list[Draft]:
        """Every notice of 2019-2026 in publication order, without its identities (``world_calendar`` gives them)."""
        plan: list[tuple[date, Channel, NoticeKind]] = []
        contract_notices = round(CONTRACT_NOTICE_SHARE * (TED_AWARD_NOTICES + NATIONAL_AWARD_NOTICES))
        for channel, kind, count in (("ted", "can", TED_AWARD_NOTICES), ("national", "can", NATIONAL_AWARD_NOTICES),
                                     ("ted", "cn", contract_notices)):
            plan += [(self._growing_day(), channel, kind) for _ in range(count * self.scale)]
        plan.sort()
        return [self._notice(day, channel, kind) for day, channel, kind in plan]

    def _buyer_weights(self, category: str) -> list[float]:
        """How likely each buyer tenders in a category, cumulated once per category (what ``choices`` would
        cumulate on every call: the same numbers, so the same draws, without a pass over all buyers per notice)."""
        if category not in self._cumulated:
            weights = [v * KIND_APPETITE[b.kind].get(category, 1.0) for b, v in zip(self.buyers, self.buyer_volume, strict=True)]
            self._cumulated[category] = list(itertools.accumulate(weights))
        return self._cumulated[category]

    def _growing_day(self) -> date:
        """More notices in later years, as the market grows a little: mostly uniform, partly rising linearly."""
        u = self.rng.random()
        share = math.sqrt(u) if self.rng.random() < 0.3 else u
        return working_day(FIRST_DAY + timedelta(days=int((LAST_DAY - FIRST_DAY).days * share)))

    def _notice(self, day: date, channel: Channel, kind: NoticeKind) -> Draft:
        rng = self.rng
        category = rng.choices(CATEGORIES, cum_weights=_CATEGORY_WEIGHTS[channel])[0]
        buyer = rng.choices(self.buyers, cum_weights=self._buyer_weights(category.key))[0]
        self.count += 1
        subject, main_cpv = rng.choice(category.subjects)
        cpv = [main_cpv]
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            extra = rng.choice(category.cpv)
            if category.cross_cpv and rng.random() < 0.25:
                extra = rng.choice(category.cross_cpv)
            if extra not in cpv:
                cpv.append(extra)
        years = rng.choice((2, 3, 4))
        title = f"{subject} {buyer.name} {day.year}"
        description = (f"{buyer.name} besteedt {subject[0].lower() + subject[1:]} aan voor een periode van "
                       f"{years} jaar, met opties tot verlenging.")
        n_lots = min(rng.choice((2, 2, 3, 4)), len(category.lot_subjects)) if rng.random() < 0.18 else 1
        subjects = rng.sample(category.lot_subjects, k=n_lots)
        total = self._total_value(category, channel)
        shares_of_total = [rng.uniform(0.5, 1.5) for _ in range(n_lots)]
        lots = []
        for number in range(1, n_lots + 1):
            lot_title = title if n_lots == 1 else f"Perceel {number}: {subjects[number - 1]}"
            # every code of the notice belongs to some lot, as legacy forms only state codes per lot
            lot_cpv = tuple(cpv[number - 1::n_lots]) or (rng.choice(cpv),)
            if kind == "cn":
                lots.append(Lot(number=number, title=lot_title, cpv=lot_cpv))
                continue
            value = total * shares_of_total[number - 1] / sum(shares_of_total)
            cap = EU_THRESHOLD[category.nature] * 0.97 if channel == "national" else None
            lots.append(self._award(day, buyer, category, number, lot_title, lot_cpv, value, cap))
        if self.tail is not None and kind == "can":  # after the market's own draws, from the tail's own stream
            lots = self.tail.award(day, channel, buyer, category, lots, lambda: self._field(day, buyer, category))
        procedure = "open" if channel == "national" and rng.random() < 0.8 else pick(rng, PROCEDURES)
        # TED publishes a few days after a notice is sent; TenderNed publishes a national notice the same day.
        dispatched = day - timedelta(days=rng.randint(2, 5)) if channel == "ted" else day
        return Draft(
            key=f"N{self.count:05d}", kind=kind, channel=channel, published=day, dispatched=dispatched,
            buyer_id=buyer.id, category=category.key, cpv=tuple(cpv), title=title, description=description,
            procedure=procedure, lots=tuple(lots), notice_uuid=uuid4_text(rng.getrandbits(128)),
            folder_uuid=uuid4_text(rng.getrandbits(128)),
        )

    def _total_value(self, category: Category, channel: Channel) -> float:
        """What a procedure is worth: below the EU threshold when national, log-normal (and rarely below
        the threshold) when European."""
        threshold = EU_THRESHOLD[category.nature]
        if channel == "national":
            low = 40_000 if category.nature != "works" else 150_000
            return low + (threshold - low) * self.rng.betavariate(1.3, 2.2)
        value = self.rng.lognormvariate(math.log(category.value_median), category.value_sigma)
        return max(value, threshold * self.rng.uniform(0.85, 1.4))

    def _award(self, day: date, buyer: Buyer, category: Category, number: int, title: str, cpv: tuple[str, ...],
               value: float, cap: float | None) -> Lot:
        rng = self.rng
        joint = rng.random() < category.joint_share
        winners = self._winners(day, buyer, category, 3 if joint and rng.random() < 0.35 else 2 if joint else 1)
        factor = max(self._entry(category, w).value_factor for w in winners)
        amount: Decimal | None = None
        if rng.random() >= 0.06:
            raw = value * factor * rng.uniform(0.9, 1.1)
            raw = min(raw, cap) if cap else raw
            style = rng.random()
            if style < 0.25:
                amount = Decimal(round(raw, -3)).quantize(Decimal("0.01"))
            elif style < 0.75:
                amount = Decimal(round(raw)).quantize(Decimal("0.01"))
            else:
                amount = Decimal(f"{raw:.2f}")
        tenders: int | None = None
        if rng.random() >= 0.03:
            tenders = 1 if rng.random() < category.single_bid else min(12, 2 + poisson(rng, category.tenders_mean - 2))
        return Lot(number=number, title=title, cpv=cpv, winners=winners, value=amount, tenders_received=tenders,
                   framework=joint or rng.random() < 0.1)

    def _entry(self, category: Category, supplier_id: str) -> Entry:
        return self.entries[(category.key, supplier_id)]

    def _winners(self, day: date, buyer: Buyer, category: Category, count: int) -> tuple[str, ...]:
        rng = self.rng
        field = self._field(day, buyer, category)
        incumbent = self.incumbent.get((buyer.id, category.key))
        at = field.position.get(incumbent) if incumbent is not None else None
        # what ``choices(weights=...)`` cumulates on every call, once: the same numbers, so the same draws
        cumulated = field.cumulated
        if at is not None:  # the incumbent's edge: on a copy, the field is shared by every tender of its epoch
            weights = field.weights.copy()
            weights[at] *= category.incumbency
            cumulated = list(itertools.accumulate(weights))
        chosen: list[str] = []
        while len(chosen) < count and len(chosen) < len(field.candidates):
            pick = rng.choices(field.candidates, cum_weights=cumulated)[0]
            if pick not in chosen:
                chosen.append(pick)
        self.incumbent[(buyer.id, category.key)] = chosen[0]
        return tuple(chosen)

    def _field(self, day: date, buyer: Buyer, category: Category) -> _Field:
        """Who can win a buyer's tender in a category on a day, weighted (before the incumbent's edge).

        The field only changes when a supplier enters or leaves the market, and every buyer of one copy and
        region sees the same one, so it is kept per (market, region) and rebuilt when the day passes an entry
        or an exit: tenders come in date order, so each field is built a few times, not once per award."""
        pool = self.pools_of[buyer.id][category.key]
        key = (id(pool), buyer.region)
        changes = self._changes.get(id(pool))
        if changes is None:
            days = {e.supplier.active_from for e in pool}
            days |= {e.supplier.active_until + timedelta(days=1) for e in pool if e.supplier.active_until is not None}
            changes = self._changes[id(pool)] = sorted(days)
        epoch = bisect.bisect_right(changes, day)
        field = self._fields.get(key)
        if field is None or field.epoch != epoch:
            candidates, weights = [], []
            for entry in pool:
                s = entry.supplier
                if day < s.active_from or (s.active_until is not None and day > s.active_until):
                    continue
                weight = entry.weight
                if entry.regional:
                    weight *= 6.0 if s.region == buyer.region else 0.15
                candidates.append(s.id)
                weights.append(weight)
            if not candidates:
                raise RuntimeError(f"nobody can win {category.key} on {day}: the market design leaves it empty")
            field = self._fields[key] = _Field(epoch, candidates, weights, {c: i for i, c in enumerate(candidates)})
        return field


@dataclass(frozen=True)
class _Field:
    """The suppliers that can win in one market for one region between two entries or exits, with their weights."""

    epoch: int  # which stretch between the market's entries and exits
    candidates: list[str]
    weights: list[float]
    position: dict[str, int]

    @cached_property
    def cumulated(self) -> list[float]:
        """The weights cumulated, as ``choices`` cumulates them: once per field, not once per draw of a tender
        without an incumbent or of the losing tenders (the same sums, so the same draws)."""
        return list(itertools.accumulate(self.weights))
