"""What the ranker learns from (``HistoryIndex.candidate_features``) is what a suggestion reads (``candidates`` with
``set_risk``): the same candidates, in the same order, with the same feature matrix, bit for bit.

A random SYNTHETIC history (awards with one or more winners, values or none, buyers of several kinds and
regions, bids won and lost) and random queries (known and unknown buyers, excluded incumbents, companies
with every band or none).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest

from models.alternative_history import (
    CompanyFacts,
    HistoryIndex,
    PastAward,
    PastBid,
    Query,
    risk_codes,
    set_risk,
)

CPVS = ("72500000", "72510000", "72600000", "45210000", "45230000", "72000000")
BANDS = ("low", "medium", "high", "unknown", None)


def _history(seed: int) -> tuple[HistoryIndex, dict[str, CompanyFacts], random.Random]:
    rng = random.Random(seed)
    suppliers = [f"S{i}" for i in range(60)]
    buyers = [(f"NL:name:b{i}", rng.choice(["municipality", "agency", None]), rng.choice(["NL-1", "NL-3", None]))
              for i in range(15)]
    awards = []
    for _ in range(700):
        key, kind, region = rng.choice(buyers)
        awards.append(PastAward(date(2019, 1, 1) + timedelta(days=rng.randrange(2800)), rng.choice(CPVS), key, key,
                                kind, region, rng.choice([None, 5e4, 2.5e5, 1e6 * rng.random()]),
                                tuple(rng.sample(suppliers, rng.choice([1, 1, 1, 2, 3])))))
    bids = [PastBid(date(2019, 1, 1) + timedelta(days=rng.randrange(2800)), rng.choice(CPVS), rng.choice(buyers)[0],
                    tuple(rng.sample(suppliers, rng.choice([1, 2]))), rng.choice([True, False, None]))
            for _ in range(200)]
    companies = {key: CompanyFacts(key, key, failure_band=rng.choice(BANDS)) for key in suppliers if rng.random() < 0.8}
    return HistoryIndex(awards, bids), companies, rng


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_candidate_features_are_the_candidates_with_their_risk(seed: int) -> None:
    index, companies, rng = _history(seed)
    risk = risk_codes(index.suppliers, companies)
    compared = 0
    for _ in range(80):
        buyer = rng.choice([f"NL:name:b{rng.randrange(15)}", "NL:name:nobody", None])
        query = Query(cpv=rng.choice(CPVS), as_of=date(2020, 1, 1) + timedelta(days=rng.randrange(2400)),
                      buyer_key=buyer, buyer_kind=rng.choice(["municipality", "agency", None]),
                      buyer_region=rng.choice(["NL-1", "NL-3", None]), reference_value=rng.choice([None, 1e5]),
                      depth=rng.choice([2, 3]), exclude=frozenset(rng.sample([f"S{i}" for i in range(60)], 2)))
        found = index.candidates(query)
        set_risk(found, companies)
        pool, X = index.candidate_features(query, risk)
        assert [index.suppliers[i] for i in pool] == found.keys
        assert np.array_equal(X, found.X)  # bit for bit
        compared += len(found)
    assert compared > 1000


@pytest.mark.parametrize("seed", [6, 7])
def test_a_candidates_row_is_the_same_whoever_else_is_asked_about(seed: int) -> None:
    """Learning reads only the winners and the losers it draws (``candidate_features`` with ``pool``): their rows
    must be the rows they have in the whole list, bit for bit, in any order."""
    index, companies, rng = _history(seed)
    risk = risk_codes(index.suppliers, companies)
    compared = 0
    for _ in range(60):
        query = Query(cpv=rng.choice(CPVS), as_of=date(2020, 1, 1) + timedelta(days=rng.randrange(2400)),
                      buyer_key=rng.choice([f"NL:name:b{rng.randrange(15)}", None]),
                      buyer_region=rng.choice(["NL-1", None]), reference_value=rng.choice([None, 1e5]))
        pool, X = index.candidate_features(query, risk)
        assert np.array_equal(index.candidate_pool(query), pool)
        if len(pool) < 3:
            continue
        picked = np.array(rng.sample(range(len(pool)), rng.randrange(1, len(pool))), dtype=np.int64)
        some, X_some = index.candidate_features(query, risk, pool[picked])
        assert np.array_equal(some, pool[picked])
        assert np.array_equal(X_some, X[picked])
        compared += len(picked)
    assert compared > 300


def test_supplier_ids_leave_out_unknown_keys() -> None:
    index, _, _ = _history(5)
    ids = index.supplier_ids(["S3", "nobody", "S7"])
    assert [index.suppliers[i] for i in ids] == ["S3", "S7"]
