"""The title index against the all-pairs ``fuzz.ratio`` scan it replaced (seeded random titles).

It never calls a title a duplicate that the scan would not (precision 1) and finds nearly all the scan
finds (blocking on rare words can miss a title whose rarest words were all edited).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from rapidfuzz import fuzz

from models.near_duplicates import TitleIndex

WORDS = ("gemeente", "faillissement", "bouwbedrijf", "staking", "ns", "kpn", "energie", "contract", "de", "het", "een",
         "schoonmaak", "overname", "ict", "storing", "rechtbank", "ransomware", "banen", "schrapt", "zwolle", "utrecht")


def _vocabulary(rng: random.Random) -> list[str]:
    """A few common words and many rarer ones, as headlines mix them."""
    invented = {"".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4)))
                for _ in range(3000)}
    return list(WORDS) * 40 + sorted(invented)


def _title(rng: random.Random, vocabulary: list[str]) -> str:
    return " ".join(rng.choice(vocabulary) for _ in range(rng.randint(4, 12)))


def _mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(0, 3)):
        op, at = rng.random(), rng.randrange(len(chars) + 1)
        if op < 0.4:
            chars.insert(at, rng.choice("abcdefghij "))
        elif chars and op < 0.8:
            del chars[min(at, len(chars) - 1)]
        elif chars:
            chars[min(at, len(chars) - 1)] = rng.choice("xyz")
    return "".join(chars)


def _brute(seen: list[tuple[str, date]], key: str, day: date, threshold: float, window: int) -> bool:
    return any(abs((d - day).days) <= window and (k == key or fuzz.ratio(k, key) >= threshold) for k, d in seen)


@pytest.mark.parametrize("threshold", [93.0, 85.0])
def test_index_agrees_with_the_all_pairs_scan(threshold: float) -> None:
    rng = random.Random(11)
    vocabulary = _vocabulary(rng)
    index, seen = TitleIndex(threshold, 3), []
    start = date(2026, 1, 1)
    found = missed = false_alarms = 0
    for _ in range(1500):
        base = rng.choice(seen)[0] if seen and rng.random() < 0.5 else _title(rng, vocabulary)
        key, day = _mutate(rng, base), start + timedelta(days=rng.randrange(30))
        expected, got = _brute(seen, key, day, threshold, 3), index.has_near_duplicate(key, day)
        found += expected and got
        missed += expected and not got
        false_alarms += got and not expected
        index.add(key, day)
        seen.append((key, day))
    assert false_alarms == 0
    assert found > 150  # the comparison exercised real duplicates
    assert missed / (found + missed) <= 0.03


def test_window_and_exact_matches() -> None:
    index = TitleIndex(93.0, 3)
    index.add("bouwbedrijf failliet", date(2026, 3, 1))
    assert index.has_near_duplicate("bouwbedrijf failliet", date(2026, 3, 4))
    assert not index.has_near_duplicate("bouwbedrijf failliet", date(2026, 3, 5))
    assert index.has_near_duplicate("bouwbedrijf faillie", date(2026, 2, 27))
    assert not index.has_near_duplicate("staking bij ns", date(2026, 3, 1))
    assert len(index) == 1


@pytest.mark.parametrize("window", [0, 1, 2, 3, 7])
def test_the_window_is_exact_wherever_it_falls(window: int) -> None:
    """Titles are filed in buckets of ``2 * window + 1`` days: a window straddling two buckets still reads exactly
    the days within ``window`` of the query's, whichever day of its bucket the query falls on."""
    start = date(2026, 1, 1)
    for stored in range(3 * (2 * window + 1)):
        index = TitleIndex(93.0, window)
        index.add("leverancier schoonmaak failliet", start + timedelta(days=stored))
        index.add("x", start + timedelta(days=stored))  # a title without words, found by every query of its window
        for query in range(-window - 2, 3 * (2 * window + 1) + window + 2):
            day = start + timedelta(days=query)
            within = abs(query - stored) <= window
            assert index.has_near_duplicate("leverancier schoonmaak failliet", day) is within, (stored, query)
            assert index.has_near_duplicate("x", day) is within, (stored, query)
            assert index.has_near_duplicate("leverancier schoonmaak faillie", day) is within, (stored, query)
