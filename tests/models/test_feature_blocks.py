"""A snapshot's training rows at once (models.feature_blocks) are ``FeatureHistory.row``'s, bit for bit.

The varied synthetic population of ``test_feature_history`` (odd and future snapshot fields, every kind of
event, shared addresses, uncovered organisations, sources not collected): the organisations with a row, each
value (NaN where ``row`` says None) and each label must be those of ``row`` with the day's sector rates and
address groups, so that training fits the very same model.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from models.failure import snapshot_dates
from models.feature_blocks import SnapshotRows
from models.feature_history import FeatureHistory
from models.features import FeatureInputs
from tests.models.test_feature_history import _world


def _same(got: float, expected: float | None) -> bool:
    return math.isnan(got) if expected is None else got == expected and not math.isnan(got)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("sources", [frozenset({"kvk", "insolvency", "news"}), frozenset({"news"})])
@pytest.mark.parametrize("outside", [False, True])
def test_a_snapshots_rows_are_those_of_row(seed: int, sources: frozenset[str], outside: bool) -> None:
    wins, events, profiles = _world(seed)
    history = FeatureHistory(wins, events, half_life_days=180.0)
    # with ``outside``, profiles of organisations that get no rows count in the rates and groups all the same
    population = [org for org in range(1, 90) if not outside or org % 7]
    rows = SnapshotRows(history, population)
    uncovered = frozenset({3, 5, 8, 13})
    checked = 0
    for day in snapshot_dates(date(2018, 1, 1), date(2025, 10, 1), 3):
        now, year_ago = profiles[day], profiles.get(date(day.year - 1, day.month, 1), {})
        if not outside:
            assert rows.sector_rates(day, now) == history.sector_rates(now, day)
            assert rows.related_by_address(now) == history.related_by_address(now)
        inputs = FeatureInputs(profiles=now, profiles_year_ago=year_ago, events=events, wins=wins,
                               related=history.related_by_address(now), sector_rates=history.sector_rates(now, day),
                               sources=sources, uncovered=uncovered)
        block = rows.block(day, now, year_ago, sources=sources, horizon_days=365, uncovered=uncovered)
        expected = {org: found for org in population if (found := history.row(org, day, inputs, 365)) is not None}
        assert block.organisations.tolist() == list(expected)
        assert block.labels.tolist() == [label for _, label in expected.values()]
        for got, (values, _) in zip(block.values.tolist(), expected.values(), strict=True):
            assert all(_same(g, e) for g, e in zip(got, values, strict=True)), (day, got, values)
            checked += 1
    assert checked > 1000


def test_no_profiles_no_wins() -> None:
    rows = SnapshotRows(FeatureHistory({}, {}, half_life_days=180.0), [1, 2])
    block = rows.block(date(2024, 1, 1), {}, {}, sources=frozenset({"kvk"}), horizon_days=365)
    assert block.organisations.tolist() == [] and block.values.shape == (0, 14)
    assert rows.sector_rates(date(2024, 1, 1), {}) == {} and rows.related_by_address({}) == {}
    assert np.isnan(block.values).all()
