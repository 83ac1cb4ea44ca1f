"""Tested here: a period's value weights (``models.market_periods._value_weights``) are each winner's exact part
of the value over the same common denominator the per-winner Fraction computation gives, whatever mix of sole
and joint awards (or none with a value) the winners have; and integer weights give the same concentration
whether they go through ``concentration`` or straight to ``integer_concentration``.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from models.concentration import concentration, integer_concentration
from models.market_periods import _value_weights, _Winnings


def _winnings(seed: int) -> dict[str, _Winnings]:
    rng = random.Random(seed)
    result = {}
    for i in range(80):
        won = _Winnings()
        for _ in range(rng.randrange(0, 5)):
            value = rng.choice([None, Decimal(rng.randrange(1, 10**7)) / rng.choice([1, 4, 100, 1000])])
            won.add(value, rng.choice([1, 1, 1, 2, 3, 7]))
        result[f"s{i}"] = won
    return result


def _reference(winnings: dict[str, _Winnings]) -> tuple[dict[str, Fraction], int]:
    """Each winner's part as a Fraction and the lcm of every term's denominator, term by term."""
    parts, scale = {}, 1
    for key, won in winnings.items():
        terms = ([] if won.alone is None else [(won.alone, 1)]) + [(t, s) for s, t in (won.shared or {}).items()]
        parts[key] = sum((Fraction(total) / split for total, split in terms), Fraction(0))
        for total, split in terms:
            scale = math.lcm(scale, Fraction(total).denominator * split)
    return parts, scale


@pytest.mark.parametrize("seed", range(6))
def test_value_weights_are_the_exact_parts_over_the_common_denominator(seed: int) -> None:
    winnings = _winnings(seed)
    weights, scale = _value_weights(winnings)
    parts, expected_scale = _reference(winnings)
    assert scale == expected_scale
    assert list(weights) == list(winnings)
    assert all(isinstance(weight, int) and Fraction(weight, scale) == parts[key] for key, weight in weights.items())


def test_value_weights_of_no_winners_and_of_winners_without_value() -> None:
    assert _value_weights({}) == ({}, 1)
    nothing = _Winnings()
    nothing.add(None, 1)
    assert _value_weights({"a": nothing}) == ({"a": 0}, 1)


@pytest.mark.parametrize("seed", range(4))
def test_integer_concentration_is_concentration_of_integers(seed: int) -> None:
    rng = random.Random(seed)
    weights = {f"s{i}": rng.choice([0, rng.randrange(1, 10**9)]) for i in range(50)}
    assert integer_concentration(weights) == concentration(weights)
    assert integer_concentration({}) is None and integer_concentration({"a": 0}) is None
