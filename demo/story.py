"""What happens to the demo world's companies: failures, the signals before them, and the noise.

The award world (``world.py``) says who won what. This module adds the companies' lives on top,
as a pure function of the world and the seed, so that every renderer (KvK profiles, insolvency
register, news feeds, GDELT, spend files) tells the same story:

- **Failures**: about 35 Dutch SMEs go bankrupt between 2020 and October 2026, each after its last
  award. Before most failures, distress shows: employees fall, the company moves, news reports
  losses or a reorganisation, a provisional suspension of payments comes weeks before the
  bankruptcy. Some fail with no warning at all (as real ones do); after a bankruptcy the
  registration ends months later.
- **Noise**: healthy companies move, rename, grow, shrink, get acquired, suffer a strike or a
  cyber incident, and a few are the subject of worrying news and never fail (false alarms).
- **Us**: the demo organisation is one buyer of the world (``OUR_BUYER_NAME``); its suppliers
  are the winners of its awards. One of them, in a concentrated category, fails in October 2026
  so that the demo shows the whole chain: signal, score, alert, alternatives.

Everything is SYNTHETIC. The model trained on it learns the patterns put here, no more: its
model card says so.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from demo.world import DEFAULT_SEED, Supplier, World, build_world

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


@dataclass(frozen=True, slots=True)
class Signal:
    """One thing that happens to a company on a day; ``detail`` carries the kind's facts.

    Kinds: ``kvk.address_moved`` (town, postcode, street), ``kvk.name_changed`` (name),
    ``kvk.legal_form_changed`` (legal_form), ``kvk.employees_changed`` (employees),
    ``kvk.sbi_changed`` (sbi), ``kvk.dissolved``, ``insolvency.suspension_provisional``,
    ``insolvency.suspension_final``, ``insolvency.bankruptcy_declared``, ``insolvency.ended``,
    ``news.<class>`` (headline_nl, headline_en, language).
    """

    day: date
    kind: str
    detail: tuple[tuple[str, object], ...] = ()

    def get(self, key: str, default: object = None) -> object:
        return dict(self.detail).get(key, default)


@dataclass(frozen=True, slots=True)
class CompanyLife:
    supplier_id: str
    employees_start: int
    #: The bankruptcy date, when the company fails.
    failed_on: date | None
    signals: tuple[Signal, ...]  # by day

    def state_on(self, day: date) -> dict[str, object]:
        """Name, legal form, address, employees, SBI and registration end as of ``day`` (changes applied)."""
        state: dict[str, object] = {"employees": self.employees_start, "dissolved_on": None}
        for signal in self.signals:
            if signal.day > day:
                break
            if signal.kind == "kvk.dissolved":
                state["dissolved_on"] = signal.day
            elif signal.kind.startswith("kvk."):
                state.update(dict(signal.detail))
        return state


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


def _last_awards(world: World) -> dict[str, date]:
    last: dict[str, date] = {}
    for notice, lot in world.awards():
        for sid in lot.winners:
            if sid not in last or notice.published > last[sid]:
                last[sid] = notice.published
    return last


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


def _employees(supplier: Supplier, rng: random.Random) -> int:
    if supplier.size == "large":
        return rng.randint(400, 6000)
    return max(2, int(rng.lognormvariate(3.2, 0.9)))


def _day_between(rng: random.Random, start: date, end: date) -> date:
    span = max(0, (end - start).days)
    return start + timedelta(days=rng.randint(0, span))


_DISTRESS_HEADLINES = {
    "insolvency": ("{name} kampt met forse verliezen en betalingsachterstanden", "{name} reports heavy losses and payment arrears"),
    "reorganisation": ("{name} schrapt banen in ingrijpende reorganisatie", "{name} cuts jobs in major reorganisation"),
}
_NOISE_HEADLINES = {
    "acquisition": ("{name} overgenomen door branchegenoot", "{name} acquired by industry peer"),
    "strike": ("Personeel van {name} legt werk neer", "Staff at {name} go on strike"),
    "cyber": ("{name} getroffen door ransomware-aanval", "{name} hit by ransomware attack"),
    "disaster": ("Brand in bedrijfspand van {name}", "Fire at {name} premises"),
    "sanctions_legal": ("Boete voor {name} na onderzoek toezichthouder", "{name} fined after regulator investigation"),
    "reorganisation": ("{name} herstructureert afdelingen", "{name} restructures departments"),
    "insolvency": ("Zorgen over financiële positie {name}", "Concerns over the financial position of {name}"),
}

_TOWNS = ("Amersfoort", "Zwolle", "Apeldoorn", "Breda", "Tilburg", "Almere", "Leeuwarden", "Deventer", "Venlo", "Gouda")


def _move(rng: random.Random, day: date) -> Signal:
    town = rng.choice(_TOWNS)
    postcode = f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}"
    street = f"{rng.choice(('Industrieweg', 'Handelskade', 'Nijverheidsstraat', 'Stationsplein', 'Kanaalweg'))} {rng.randint(1, 180)}"
    return Signal(day, "kvk.address_moved", (("town", town), ("postcode", postcode), ("street", street)))


def _news(day: date, cls: str, name: str, table: dict[str, tuple[str, str]], rng: random.Random) -> Signal:
    nl, en = table[cls]
    language = "nl" if rng.random() < 0.7 else "en"
    return Signal(day, f"news.{cls}", (("headline_nl", nl.format(name=name)), ("headline_en", en.format(name=name)),
                                        ("language", language)))


def _failing_life(supplier: Supplier, failed_on: date, rng: random.Random, employees: int, *,
                  suspension: date | None = None, warned: bool | None = None) -> list[Signal]:
    signals: list[Signal] = []
    warned = rng.random() < 0.8 if warned is None else warned
    if warned:
        start = failed_on - timedelta(days=rng.randint(200, 420))
        days = sorted(_day_between(rng, start, failed_on - timedelta(days=30)) for _ in range(rng.randint(1, 3)))
        for day in days:
            employees = max(1, int(employees * rng.uniform(0.55, 0.8)))
            signals.append(Signal(day, "kvk.employees_changed", (("employees", employees),)))
        if rng.random() < 0.4:
            signals.append(_move(rng, _day_between(rng, start, failed_on - timedelta(days=45))))
        if rng.random() < 0.15:
            signals.append(Signal(_day_between(rng, start, failed_on - timedelta(days=45)), "kvk.legal_form_changed",
                                  (("legal_form", "Eenmanszaak" if supplier.legal_form == "V.O.F." else "Besloten Vennootschap"),)))
        for cls, chance in (("insolvency", 0.55), ("reorganisation", 0.45)):
            if rng.random() < chance:
                signals.append(_news(_day_between(rng, start, failed_on - timedelta(days=20)), cls, supplier.name,
                                     _DISTRESS_HEADLINES, rng))
        if suspension is None and rng.random() < 0.45:
            suspension = failed_on - timedelta(days=rng.randint(14, 50))
    if suspension:
        signals.append(Signal(suspension, "insolvency.suspension_provisional"))
    signals.append(Signal(failed_on, "insolvency.bankruptcy_declared"))
    dissolved = failed_on + timedelta(days=rng.randint(90, 300))
    signals.append(Signal(dissolved, "kvk.dissolved"))
    return signals


def _healthy_life(supplier: Supplier, rng: random.Random, first: date, last: date) -> list[Signal]:
    signals: list[Signal] = []
    if supplier.country != "NL":
        # Foreign companies are not in the KvK register: only news about them.
        if rng.random() < 0.25:
            cls = rng.choice(("strike", "cyber", "acquisition", "sanctions_legal"))
            signals.append(_news(_day_between(rng, first, last), cls, supplier.name, _NOISE_HEADLINES, rng))
        return signals
    if rng.random() < 0.15:
        signals.append(_move(rng, _day_between(rng, first, last)))
    if rng.random() < 0.05:
        signals.append(Signal(_day_between(rng, first, last), "kvk.name_changed", (("name", f"{supplier.name.split(' ')[0]} Groep B.V."),)))
    if rng.random() < 0.2:
        signals.append(Signal(_day_between(rng, first, last), "kvk.employees_changed", (("employees", None),)))
    if rng.random() < 0.2:
        cls = rng.choice(("acquisition", "strike", "cyber", "disaster", "reorganisation", "insolvency", "sanctions_legal"))
        signals.append(_news(_day_between(rng, first, last), cls, supplier.name, _NOISE_HEADLINES, rng))
    return signals


@lru_cache(maxsize=4)
def build_story(seed: int = DEFAULT_SEED) -> Story:
    world = build_world(seed)
    rng = random.Random(seed * 7919 + 17)
    first, today = date(2019, 3, 1), STORY_TODAY
    buyer = our_buyer_id(world)
    ours_failing = _our_failure(world, buyer, rng)
    last_award = _last_awards(world)

    failing: dict[str, date] = {}
    for supplier in world.suppliers:
        if supplier.active_until and supplier.country == "NL":
            failing[supplier.id] = min(today - timedelta(days=7), supplier.active_until + timedelta(days=rng.randint(40, 200)))
    nl_smes = [s for s in world.suppliers if s.country == "NL" and s.size == "sme" and s.id not in failing
               and s.id != ours_failing]
    rng.shuffle(nl_smes)
    latest = today - timedelta(days=10)
    for supplier in nl_smes:
        if len(failing) >= 34:
            break
        start = last_award.get(supplier.id, date(2019, 6, 1)) + timedelta(days=rng.randint(45, 420))
        if start <= latest and start >= date(2020, 1, 1) and rng.random() < 0.45:
            failing[supplier.id] = start

    lives: dict[str, CompanyLife] = {}
    for supplier in world.suppliers:
        life_rng = random.Random(f"{seed}:{supplier.id}")
        employees = _employees(supplier, life_rng)
        if supplier.id == ours_failing:
            signals = _failing_life(supplier, OUR_FAILURE_BANKRUPTCY, life_rng, employees, suspension=OUR_FAILURE_SUSPENSION,
                                    warned=True)
            failed_on: date | None = OUR_FAILURE_BANKRUPTCY
        elif supplier.id in failing:
            failed_on = failing[supplier.id]
            signals = _failing_life(supplier, failed_on, life_rng, employees)
        else:
            failed_on = None
            signals = _healthy_life(supplier, life_rng, first, today)
        # Employees: a healthy change is a +/- swing from the start value.
        fixed = []
        for s in signals:
            if s.kind == "kvk.employees_changed" and s.get("employees") is None:
                fixed.append(Signal(s.day, s.kind, (("employees", max(1, int(employees * life_rng.uniform(0.8, 1.4)))),)))
            else:
                fixed.append(s)
        fixed.sort(key=lambda s: (s.day, s.kind))
        lives[supplier.id] = CompanyLife(supplier.id, employees, failed_on, tuple(fixed))
    return Story(seed=seed, today=today, our_buyer_id=buyer, our_failure_id=ours_failing, lives=lives)
