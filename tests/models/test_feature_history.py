"""Training's feature rows (models.feature_history) are those of ``feature_row``, value for value.

A varied synthetic population (SYNTHETIC: random company snapshots with missing, odd and future fields,
every kind of event, companies sharing an address, uncovered ones, sources not collected) on many snapshot
dates: ``FeatureHistory`` must give exactly the values, the population and the labels that the one-row-at-a-
time functions give, so that the faster training fits the very same model.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from models.failure import label_for, snapshot_dates
from models.feature_history import FeatureHistory
from models.features import EventFact, FeatureInputs, as_date, feature_row, sector_rates
from models.risk_run import related_by_address

KINDS = ("kvk.employees_changed", "kvk.address_moved", "kvk.legal_form_changed", "insolvency.suspension_provisional",
         "insolvency.suspension_final", "insolvency.bankruptcy_declared", "insolvency.ended", "news.insolvency",
         "news.strike", "news.reorganisation", "news.other")
FORMS = ("Besloten Vennootschap", "Eenmanszaak", "Vennootschap onder firma", "", None, "Stichting")


def _profile(rng: random.Random, org: int, day: date) -> dict:
    observed = day - timedelta(days=rng.randrange(-40, 300))  # sometimes observed after the day: never used
    return {"observed_on": observed if rng.random() < 0.8 else observed.isoformat(),
            "registration_start": rng.choice([date(1990 + rng.randrange(35), 1, 5), "2012-03-01", None, "junk"]),
            "registration_end": rng.choice([None] * 8 + [date(2021, 6, 1), "2023-02-01"]),
            "legal_form": rng.choice(FORMS), "employees": rng.choice([None, 0, 3, 25, 400, -1, "12"]),
            "sbi_main": rng.choice(["4120", "62", "5610", "x1", None, 4321]),
            "postcode": rng.choice([f"{2800 + rng.randrange(25)} AB", "2801AB", "", None]), "town": rng.choice(["Gouda", "GOUDA"]),
            "kvk_number": str(org)}


def _world(seed: int) -> tuple[dict, dict, dict]:
    rng = random.Random(seed)
    orgs = range(1, 90)
    wins = {org: [date(2018, 1, 1) + timedelta(days=rng.randrange(3000)) for _ in range(rng.randrange(0, 12))]
            for org in orgs if rng.random() < 0.9}
    events: dict[int, list[EventFact]] = {}
    for org in orgs:
        if rng.random() < 0.35:
            events[org] = sorted((EventFact(org, rng.choice(KINDS), date(2018, 1, 1) + timedelta(days=rng.randrange(3000)),
                                            rng.random(), details=rng.choice([None, {"old": 9, "new": 4}, {"old": 2, "new": 5}])
                                            ) for _ in range(rng.randrange(1, 6))), key=lambda e: e.occurred_on)
    profiles = {day: {org: _profile(rng, org, day) for org in orgs if rng.random() < 0.85}
                for day in snapshot_dates(date(2017, 1, 1), date(2026, 1, 1), 3)}
    return wins, events, profiles


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("sources", [frozenset({"kvk", "insolvency", "news"}), frozenset({"news"})])
def test_values_population_and_labels_are_those_of_feature_row(seed: int, sources: frozenset[str]) -> None:
    wins, events, profiles = _world(seed)
    history = FeatureHistory(wins, events, half_life_days=180.0)
    uncovered = frozenset({3, 5, 8, 13})
    checked, seen = 0, {"related": 0, "change": 0, "label": 0, "gone": 0, "not known": 0, "future snapshot": 0}
    for day in snapshot_dates(date(2018, 1, 1), date(2025, 10, 1), 3):
        now, year_ago = profiles[day], profiles.get(date(day.year - 1, day.month, 1), {})
        assert history.sector_rates(now, day) == sector_rates(now, events, day)
        assert history.related_by_address(now) == related_by_address(now)
        inputs = FeatureInputs(profiles=now, profiles_year_ago=year_ago, events=events, wins=wins,
                               related=related_by_address(now), sector_rates=sector_rates(now, events, day),
                               sources=sources, uncovered=uncovered)
        for org in range(1, 90):
            expected = feature_row(org, day, inputs, half_life_days=180.0).values
            assert history.values(org, day, inputs) == expected
            assert list(history.values(org, day, inputs)) == list(expected)  # the same order too
            assert history.label(org, day, 365) == label_for(events.get(org, ()), day, 365)
            start = as_date((now.get(org) or {}).get("registration_start"))
            assert history.known_on(org, day, now) == (bool(wins.get(org)) and min(wins[org]) <= day
                                                       or start is not None and start <= day)
            end = as_date((now.get(org) or {}).get("registration_end"))
            assert history.gone(org, day, now) == (
                any(e.kind == "insolvency.bankruptcy_declared" and e.occurred_on <= day for e in events.get(org, ()))
                or end is not None and end <= day)
            in_population = history.known_on(org, day, now) and not history.gone(org, day, now)
            assert history.row(org, day, inputs, 365) == (
                (tuple(expected.values()), label_for(events.get(org, ()), day, 365)) if in_population else None)
            checked += 1
            seen["related"] += any(events.get(other) for other in inputs.related.get(org, ()))
            seen["change"] += expected["employees_change_12m"] is not None
            seen["label"] += history.label(org, day, 365)
            seen["gone"] += history.gone(org, day, now)
            seen["not known"] += not history.known_on(org, day, now)
            seen["future snapshot"] += org in now and expected["legal_form_small"] is None
    assert checked > 2000 and all(seen.values()), seen  # every case above really occurred
