"""The demo's publication calendar and identities: OJ S numbers and issues, TenderNed ids, Brussels time."""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import cache

from demo.world_records import FIRST_DAY, TENDERNED_EUROPEAN_FROM, TENDERNED_EUROPEAN_NOTICES, Draft, Publication

#: Roughly how many notices TED publishes in a year: our numbers climb through the year like the real ones.
_TED_YEARLY = {2019: 610_000, 2020: 630_000, 2021: 660_000, 2022: 720_000, 2023: 770_000, 2024: 790_000,
               2025: 800_000, 2026: 810_000}


def assign_identities(rng: random.Random, notices: list[Draft], scale: int = 1) -> list[Publication]:
    """The market's notices published: OJ S publication numbers for European notices; TenderNed ids for national and
    some European ones."""
    numbers: dict[str, str] = {}
    last_number: dict[int, int] = {}
    for notice in notices:
        if notice.channel != "ted":
            continue
        year = notice.published.year
        day_of_year = notice.published.toordinal() - date(year, 1, 1).toordinal() + 1  # tm_yday, without a timetuple
        base = round(day_of_year / 366 * _TED_YEARLY[year]) + rng.randint(0, 1500)
        number = max(base, last_number.get(year, 0) + rng.randint(1, 400))
        last_number[year] = number
        numbers[notice.key] = f"{number}-{year}"
    european = [n for n in notices if n.channel == "ted" and n.kind == "can" and n.published >= TENDERNED_EUROPEAN_FROM]
    on_tenderned = {n.key for n in rng.sample(european, k=min(TENDERNED_EUROPEAN_NOTICES * scale, len(european)))}
    dated: list[tuple[date, str]] = []
    for notice in notices:
        if notice.channel == "national":
            dated.append((notice.published, notice.key))
        elif notice.key in on_tenderned:
            dated.append((notice.published + timedelta(days=rng.randint(0, 2)), notice.key))
    dated.sort()
    identities: dict[str, tuple[str, date, int]] = {}
    last_id, last_kenmerk = 0, 0
    for day, key in dated:
        days = (day - FIRST_DAY).days
        last_id = max(1_100_000 + days * 150 + rng.randint(0, 100), last_id + rng.randint(1, 60))
        last_kenmerk = max(200_000 + days * 75 + rng.randint(0, 50), last_kenmerk + rng.randint(1, 30))
        identities[key] = (f"{last_id:07d}", day, last_kenmerk)
    return [_published(n, numbers.get(n.key), identities.get(n.key)) for n in notices]


def _published(notice: Draft, ted_number: str | None, tenderned: tuple[str, date, int] | None) -> Publication:
    """The notice with its identities (none, one or both)."""
    return Publication(*notice, ted_number, *(tenderned or (None, None, None)))


# --------------------------------------------------------------------------------------------
# The publication calendar, shared by every format
# --------------------------------------------------------------------------------------------


@cache  # a few thousand distinct days, each asked for by every notice of that day (and twice per legacy notice)
def oj_issue(day: date) -> int:
    """The OJ S issue number of a day: the Supplement appears on working days, numbered through the year.

    Counted by whole weeks (five working days each) and the days left over, not day by day: a day-by-day
    count of the year so far cost a tenth of a scale-8 build."""
    first = date(day.year, 1, 1)
    weeks, rest = divmod((day - first).days + 1, 7)
    start = first.weekday()
    return weeks * 5 + sum(1 for i in range(rest) if (start + i) % 7 < 5)


@cache  # asked for several times per notice, of a few thousand distinct days
def brussels_offset(day: date) -> str:
    """UTC offset of Brussels on a day ("+01:00" or "+02:00"): TED writes dates with it."""
    def last_sunday(month: int) -> date:
        d = date(day.year, month, 31)
        return d - timedelta(days=(d.weekday() + 1) % 7)
    return "+02:00" if last_sunday(3) <= day < last_sunday(10) else "+01:00"


def ted_number_parts(number: str) -> tuple[int, int]:
    """("123456-2024") -> (123456, 2024)."""
    serial, year = number.split("-")
    return int(serial), int(year)
