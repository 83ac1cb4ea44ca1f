"""What happens to the demo world's companies: failures, the signals before them, and the noise.

The award world (``world.py``) says who won what. This module adds the companies' lives on top,
as a pure function of the world and the seed, so that every renderer (KvK profiles, insolvency
register, news feeds, GDELT, spend files) tells the same story. The signals are meant to be honest,
not helpful: a model trained on them has to live with what real registers give.

- **Failures**: about 35 Dutch companies go bankrupt between 2020 and October 2026, each some
  months after its last award, spread over the years (:data:`YEARLY_FAILURES`) so that every period
  a model is fitted, calibrated and evaluated on holds failing companies. Most show distress first
  (staff falls, a move, news of losses or a reorganisation, often a provisional suspension of payments
  weeks before the bankruptcy); some fail silently (``story_lives.WARNED_SHARE``).
- **Rescues**: some suspensions of payments end in an agreement and the company carries on
  (:data:`YEARLY_RESCUES`); the insolvency register, and so the model's label, counts them as failures.
- **False alarms and noise**: healthy companies go through bad patches drawn exactly like a failure's
  run-up (staff falls, moves, worrying news) and recover; they move, rename, grow and shrink, get
  acquired, suffer a strike or a cyber incident.
- **Us**: the demo organisation is one buyer of the world (``OUR_BUYER_NAME``); its suppliers
  are the winners of its awards. One of them, in a concentrated category, fails in October 2026
  so that the demo shows the chain from insolvency to alert and alternatives. Its life before the
  suspension is drawn like any failing company's: whether anything warned of it is up to the draw,
  and whether the score saw it coming is up to the model.

Everything is SYNTHETIC. The model trained on it learns the patterns put here, no more: its
model card says so.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from demo.story_lives import (
    CompanyLife,
    Signal,
    day_between,
    employees_at_start,
    failing_life,
    ordinary_life,
    rescued_life,
    resolve_employees,
)
from demo.world import DEFAULT_SEED, World, build_world

#: The day the demo world is looked at: everything later has not happened yet.
STORY_TODAY = date(2026, 11, 1)
#: The organisation whose spend and contracts the demo imports: the buyer with the most awards.
OUR_BUYER_NAME: str | None = None  # resolved by ``our_buyer_id``; None means "the busiest buyer"
#: The supplier of ours that fails in October 2026 (chosen by ``_our_failure``), and its dates.
OUR_FAILURE_SUSPENSION = date(2026, 10, 6)
OUR_FAILURE_BANKRUPTCY = date(2026, 10, 20)

#: Signal kinds use the ``supplier_events.kind`` names (see store/schema/shared.py, SupplierEvent).
NEWS_CLASSES = (
    "insolvency", "strike", "cyber", "disaster", "sanctions_legal", "reorganisation", "acquisition",
    "export_controls", "other",
)


@dataclass(frozen=True)
class Story:
    seed: int
    today: date
    our_buyer_id: str
    our_failure_id: str
    lives: dict[str, CompanyLife]

    def failures(self) -> list[CompanyLife]:
        return sorted((life for life in self.lives.values() if life.failed_on), key=lambda life: life.failed_on)

    def signals(self, until: date | None = None) -> list[tuple[str, Signal]]:
        """Every (supplier id, signal) up to ``until`` (default: today), by day."""
        end = until or self.today
        rows = [(sid, s) for sid, life in self.lives.items() for s in life.signals if s.day <= end]
        return sorted(rows, key=lambda row: (row[1].day, row[0], row[1].kind))


def our_buyer_id(world: World) -> str:
    """The buyer with the most awarded lots: the demo organisation ("us")."""
    counts: dict[str, int] = defaultdict(int)
    for notice, _lot in world.awards():
        counts[notice.buyer_id] += 1
    return max(sorted(counts), key=lambda bid: counts[bid])


def our_suppliers(world: World, buyer_id: str) -> dict[str, list[tuple[date, str]]]:
    """Supplier id -> [(award day, category)] of the awards ``buyer_id`` made."""
    result: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for notice, lot in world.awards():
        if notice.buyer_id == buyer_id:
            for sid in lot.winners:
                result[sid].append((notice.published, notice.category))
    return dict(result)


_CONCENTRATED = ("09310000", "48", "90910000")


def _our_failure(world: World, buyer_id: str, rng: random.Random) -> str:
    """A Dutch SME supplier of ours, preferably in a concentrated category, that won from us recently."""
    ours = our_suppliers(world, buyer_id)
    candidates = []
    for sid, awards in ours.items():
        supplier = world.supplier_by_id[sid]
        if supplier.country != "NL" or supplier.size != "sme":
            continue
        last_day, category = max(awards)
        rank = 0 if category in _CONCENTRATED else 1
        candidates.append((rank, -last_day.toordinal(), sid))
    candidates.sort()
    return candidates[0][2]


#: Bankruptcies per year (Dutch companies with public awards, the exits of the award world among them; "our"
#: failure comes on top). Spread over the years, the early ones included, so that the failure model's fit,
#: calibration and evaluation periods each hold enough distinct failing companies to judge it on.
YEARLY_FAILURES = {2019: 1, 2020: 3, 2021: 3, 2022: 4, 2023: 5, 2024: 6, 2025: 7, 2026: 7}
#: Suspensions of payments that end in an agreement (the company survives), per year.
YEARLY_RESCUES = {2020: 2, 2021: 2, 2022: 2, 2023: 1, 2024: 1, 2025: 2}
#: The earliest failure: the first quarterly look at the registers is March 2019, so earlier distress would be unseen.
FIRST_FAILURE = date(2019, 9, 1)


def _award_days(world: World) -> dict[str, list[date]]:
    days: dict[str, list[date]] = defaultdict(list)
    for notice, lot in world.awards():
        for sid in lot.winners:
            days[sid].append(notice.published)
    return {sid: sorted(d) for sid, d in days.items()}


def _failures(world: World, rng: random.Random, ours: str, awards: dict[str, list[date]], today: date) -> dict[str, date]:
    """Who goes bankrupt when: the award world's Dutch exits some weeks after their last possible win, then
    Dutch SMEs some months after their last award, as long as the year's quota (:data:`YEARLY_FAILURES`) has room.

    Only the story is drawn here: a failure always follows the company's last award, so the award history
    (which the alternatives backtest measures recall on) stays exactly the world's.
    """
    failing: dict[str, date] = {}
    for supplier in world.suppliers:
        if supplier.active_until and supplier.country == "NL":
            failing[supplier.id] = min(today - timedelta(days=7), supplier.active_until + timedelta(days=rng.randint(40, 200)))
    per_year = Counter(day.year for day in failing.values())
    smes = [s for s in world.suppliers if s.country == "NL" and s.size == "sme" and s.id in awards
            and s.id not in failing and s.id != ours]
    rng.shuffle(smes)
    latest = today - timedelta(days=10)
    for supplier in smes:
        day = awards[supplier.id][-1] + timedelta(days=rng.randint(60, 480))
        if FIRST_FAILURE <= day <= latest and per_year[day.year] < YEARLY_FAILURES.get(day.year, 0):
            failing[supplier.id] = day
            per_year[day.year] += 1
    return failing


def _rescues(world: World, rng: random.Random, taken: set[str], awards: dict[str, list[date]]) -> dict[str, date]:
    """Who gets a suspension of payments that ends in an agreement, and when: Dutch SMEs registered for a year at
    least, with no award in the months around it (a company in suspension does not win tenders)."""
    smes = sorted(s.id for s in world.suppliers if s.country == "NL" and s.size == "sme" and s.id in awards
                  and s.id not in taken)
    rescued: dict[str, date] = {}
    for year, count in sorted(YEARLY_RESCUES.items()):
        while count:
            sid = rng.choice(smes)
            day = day_between(rng, date(year, 1, 10), date(year, 12, 15))
            quiet = all(not (day - timedelta(days=60) <= won <= day + timedelta(days=300)) for won in awards[sid])
            if sid not in rescued and world.supplier_by_id[sid].founded < year and quiet:
                rescued[sid] = day
                count -= 1
    return rescued


@lru_cache(maxsize=4)
def build_story(seed: int = DEFAULT_SEED) -> Story:
    world = build_world(seed)
    rng = random.Random(seed * 7919 + 17)
    first, today = date(2019, 3, 1), STORY_TODAY
    buyer = our_buyer_id(world)
    ours_failing = _our_failure(world, buyer, rng)
    awards = _award_days(world)
    failing = _failures(world, rng, ours_failing, awards, today)
    rescued = _rescues(world, rng, {*failing, ours_failing}, awards)

    lives: dict[str, CompanyLife] = {}
    for supplier in world.suppliers:
        life_rng = random.Random(f"{seed}:{supplier.id}")
        employees = employees_at_start(supplier, life_rng)
        failed_on: date | None = None
        if supplier.id == ours_failing:
            failed_on, outcome = OUR_FAILURE_BANKRUPTCY, "failed"
            signals = failing_life(supplier, failed_on, life_rng, suspension=OUR_FAILURE_SUSPENSION)
        elif supplier.id in failing:
            failed_on, outcome = failing[supplier.id], "failed"
            signals = failing_life(supplier, failed_on, life_rng)
        elif supplier.id in rescued:
            signals, outcome = rescued_life(supplier, rescued[supplier.id], life_rng, today), "rescued"
        else:
            signals, outcome = ordinary_life(supplier, life_rng, first, today)
        lives[supplier.id] = CompanyLife(supplier.id, employees, failed_on, resolve_employees(signals, employees), outcome)
    return Story(seed=seed, today=today, our_buyer_id=buyer, our_failure_id=ours_failing, lives=lives)


__all__ = ["OUR_FAILURE_BANKRUPTCY", "OUR_FAILURE_SUSPENSION", "STORY_TODAY", "CompanyLife", "Signal", "Story",
           "build_story", "our_buyer_id", "our_suppliers"]
