"""Tested here: ``SupplierHistories`` (tallied per ``Winner`` object, summed per spelling and country when read)
gives each winner the name and country most often given (between equals the first in history order) and its
first award, as counting every spelling and country award by award does, whether the winners come as shared
objects (the store's stream) or as a fresh object per award (lists built by hand), in any order.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from models.market_build import SupplierHistories
from models.market_types import AwardFact, SupplierHistory, Winner, country_code, region_of


def _awards(seed: int, shared: bool) -> list[AwardFact]:
    rng = random.Random(seed)
    ways = [Winner(f"org-{i % 25}", rng.choice([f"Supplier {i % 25}", f"SUPPLIER {i % 25} BV", f"Supplier {i % 25}."]),
                   rng.choice(["NL", "nl", " NL", "DE", "Netherlands", None, "XX", ""])) for i in range(90)]
    awards = []
    for _ in range(600):
        picked = rng.sample(ways, rng.choice([0, 1, 1, 2, 3]))
        picked = list({w.key: w for w in picked}.values())  # one way per key per award, as dedupe_key leaves it
        if not shared:
            picked = [Winner(w.key, w.name, w.country) for w in picked]
        awards.append(AwardFact(notice_id=f"N{rng.randrange(200):03d}", source="ted",
                                published=date(2019, 1, 1) + timedelta(days=rng.randrange(40)), cpv_main="72000000",
                                buyer_name="B", buyer_country="NL", lot=str(rng.randrange(3)), winners=tuple(picked)))
    return awards


def _reference(awards: list[AwardFact]) -> dict[str, SupplierHistory]:
    """Count every spelling and country of every award, then pick: the plain definition."""
    names: dict[str, dict[str, list]] = {}
    countries: dict[str, dict[str, list]] = {}
    for arrival, fact in enumerate(awards):
        order = (fact.published, fact.notice_id, fact.lot, arrival)
        for winner in fact.winners:
            for tally, value in ((names, winner.name), (countries, country_code(winner.country))):
                if value:
                    seen = tally.setdefault(winner.key, {}).setdefault(value, [0, order])
                    seen[0] += 1
                    seen[1] = min(seen[1], order)

    def most(seen: dict[str, list]) -> str:
        return min(seen, key=lambda value: (-seen[value][0], seen[value][1]))

    result = {}
    for key, spellings in names.items():
        first = min(order for _, order in spellings.values())
        country = most(countries[key]) if key in countries else None
        result[key] = SupplierHistory(name=most(spellings), country=country, region=region_of(country),
                                      first_award=first[0], first_notice=first[1])
    return result


@pytest.mark.parametrize(("seed", "shared"), [(seed, shared) for seed in range(4) for shared in (True, False)])
def test_histories_are_every_spelling_and_country_counted(seed: int, shared: bool) -> None:
    awards = _awards(seed, shared)
    histories = SupplierHistories()
    for arrival, fact in enumerate(awards):
        histories.add(fact, arrival)
    expected = _reference(awards)
    assert histories.histories() == expected
    assert list(histories.histories()) == list(expected)  # keys in the order history first names them
    some = sorted(expected)[::3]
    assert histories.histories(some) == {key: expected[key] for key in some}
