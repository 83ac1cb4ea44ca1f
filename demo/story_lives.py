"""One demo company's life as dated signals: a failure, a rescue, a false alarm or an ordinary life.

Why one module for all four: the signals before a failure and the signals of a company that only
goes through a bad patch are drawn by the same function (:func:`distress`), so nothing in the data
tells them apart but the outcome. A model trained on the demo can only be as good as the signals
allow, and its false alarms and missed failures are real ones. ``demo.story`` decides who gets which
life; everything here is a pure function of the random stream it is given.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from demo.world import Supplier

#: Share of failing (and rescued) companies whose distress shows before the first insolvency publication;
#: the rest fail silently: the first public sign is the suspension of payments or the bankruptcy itself.
WARNED_SHARE = 0.7
#: Share of companies that never fail but go through a bad patch drawn exactly like a failure's run-up.
FALSE_ALARM_SHARE = 0.15
#: Among failing companies, how often a provisional suspension of payments comes before the bankruptcy.
SUSPENSION_FIRST = 0.45


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
    #: "failed" (bankrupt), "rescued" (a suspension of payments ended by an agreement), "false alarm" (distress,
    #: then nothing) or "ordinary"; what the story made of the company, for tests and the README, never a model input.
    outcome: str = "ordinary"

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
#: A staff change before the head count is known: ``resolve_employees`` turns the factors into head counts in day
#: order, so that every change of a life (distress, recovery, ordinary ups and downs) applies to the one before.
_FACTOR = "factor"


def employees_at_start(supplier: Supplier, rng: random.Random) -> int:
    if supplier.size == "large":
        return rng.randint(400, 6000)
    return max(2, int(rng.lognormvariate(3.2, 0.9)))


def day_between(rng: random.Random, start: date, end: date) -> date:
    span = max(0, (end - start).days)
    return start + timedelta(days=rng.randint(0, span))


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


def _staff(day: date, factor: float) -> Signal:
    return Signal(day, "kvk.employees_changed", ((_FACTOR, factor),))


def distress(supplier: Supplier, until: date, rng: random.Random) -> list[Signal]:
    """A bad patch in the year or so before ``until``: staff falls, perhaps a move, a change of legal form, news
    of losses or a reorganisation. The same draw for a company that fails on ``until`` and for one that does not."""
    start = until - timedelta(days=rng.randint(200, 420))
    signals = [_staff(day, rng.uniform(0.55, 0.8))
               for day in sorted(day_between(rng, start, until - timedelta(days=30)) for _ in range(rng.randint(1, 3)))]
    if rng.random() < 0.4:
        signals.append(_move(rng, day_between(rng, start, until - timedelta(days=45))))
    if rng.random() < 0.15:
        signals.append(Signal(day_between(rng, start, until - timedelta(days=45)), "kvk.legal_form_changed",
                              (("legal_form", "Eenmanszaak" if supplier.legal_form == "V.O.F." else "Besloten Vennootschap"),)))
    for cls, chance in (("insolvency", 0.55), ("reorganisation", 0.45)):
        if rng.random() < chance:
            signals.append(_news(day_between(rng, start, until - timedelta(days=20)), cls, supplier.name,
                                 _DISTRESS_HEADLINES, rng))
    return signals


def _recovery(rng: random.Random, after: date, today: date, chance: float) -> list[Signal]:
    """Staff growing again some months after a bad patch (when that is before today)."""
    day = after + timedelta(days=rng.randint(60, 360))
    return [_staff(day, rng.uniform(1.1, 1.5))] if rng.random() < chance and day < today else []


def failing_life(supplier: Supplier, failed_on: date, rng: random.Random, *, suspension: date | None = None) -> list[Signal]:
    """A bankruptcy on ``failed_on``, warned by distress (:data:`WARNED_SHARE`) or silent; often after a
    provisional suspension of payments (fixed by ``suspension``, else drawn); the registration ends months later."""
    signals = distress(supplier, failed_on, rng) if rng.random() < WARNED_SHARE else []
    if suspension is None and rng.random() < SUSPENSION_FIRST:
        suspension = failed_on - timedelta(days=rng.randint(14, 50))
    if suspension:
        signals.append(Signal(suspension, "insolvency.suspension_provisional"))
    signals.append(Signal(failed_on, "insolvency.bankruptcy_declared"))
    signals.append(Signal(failed_on + timedelta(days=rng.randint(90, 300)), "kvk.dissolved"))
    return signals


def rescued_life(supplier: Supplier, suspension: date, rng: random.Random, today: date) -> list[Signal]:
    """A suspension of payments that ends in an agreement with the creditors: the company survives. To the
    insolvency register (and the model's label) it is a failure like any other; only later does it show it was not."""
    signals = distress(supplier, suspension, rng) if rng.random() < WARNED_SHARE else []
    signals.append(Signal(suspension, "insolvency.suspension_provisional"))
    if rng.random() < 0.6:
        signals.append(Signal(suspension + timedelta(days=rng.randint(20, 60)), "insolvency.suspension_final"))
    ended = suspension + timedelta(days=rng.randint(120, 300))
    signals.append(Signal(ended, "insolvency.ended"))
    return signals + _recovery(rng, ended, today, 0.5)


def ordinary_life(supplier: Supplier, rng: random.Random, first: date, today: date) -> tuple[list[Signal], str]:
    """A company that never fails: moves, a rename, staff up and down, the odd incident in the news; and, for
    :data:`FALSE_ALARM_SHARE` of them, a bad patch that looks like a failure's run-up and passes."""
    signals: list[Signal] = []
    if supplier.country != "NL":
        # Foreign companies are not in the KvK register: only news about them.
        if rng.random() < 0.25:
            cls = rng.choice(("strike", "cyber", "acquisition", "sanctions_legal"))
            signals.append(_news(day_between(rng, first, today), cls, supplier.name, _NOISE_HEADLINES, rng))
        return signals, "ordinary"
    outcome = "ordinary"
    if rng.random() < FALSE_ALARM_SHARE:
        outcome = "false alarm"
        would_fail = day_between(rng, first + timedelta(days=420), today)
        signals += distress(supplier, would_fail, rng) + _recovery(rng, would_fail, today, 0.6)
    if rng.random() < 0.15:
        signals.append(_move(rng, day_between(rng, first, today)))
    if rng.random() < 0.05:
        signals.append(Signal(day_between(rng, first, today), "kvk.name_changed", (("name", f"{supplier.name.split(' ')[0]} Groep B.V."),)))
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):  # ordinary ups and downs of the head count
        signals.append(_staff(day_between(rng, first, today), rng.uniform(0.75, 1.3)))
    if rng.random() < 0.2:
        cls = rng.choice(("acquisition", "strike", "cyber", "disaster", "reorganisation", "insolvency", "sanctions_legal"))
        signals.append(_news(day_between(rng, first, today), cls, supplier.name, _NOISE_HEADLINES, rng))
    return signals, outcome


def resolve_employees(signals: list[Signal], employees: int) -> tuple[Signal, ...]:
    """The signals by day, each staff change's factor applied to the head count before it (at least 1)."""
    out = []
    for signal in sorted(signals, key=lambda s: (s.day, s.kind)):
        factor = signal.get(_FACTOR)
        if isinstance(factor, float):
            changed = max(1, int(employees * factor))
            if changed == employees:
                continue  # too small a company for the change to show in whole people
            employees = changed
            signal = Signal(signal.day, signal.kind, (("employees", employees),))
        out.append(signal)
    return tuple(out)
