"""The ranker's training rows: held once in blocks, and their mean and spread the same floats as numpy's."""

from __future__ import annotations

import numpy as np

from models.alternative_history import FEATURES
from models.alternative_ranker import _center_scale, _RowBlocks


def _matrices(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    widths = rng.uniform(0.01, 1000.0, len(FEATURES))
    return [rng.standard_normal((int(n), len(FEATURES))) * widths + widths / 3 for n in rng.integers(1, 900, 60)]


def test_rows_are_kept_in_order_and_cases_read_them() -> None:
    matrices = _matrices(1)
    rows = _RowBlocks(size=2_000)  # small blocks: many of them, cases falling at their ends
    views = [rows.add(X) for X in matrices]
    assert len(rows.blocks) > 5
    assert all(np.array_equal(view, X) for view, X in zip(views, matrices, strict=True))
    assert np.array_equal(np.vstack(list(rows.chunks(rows=97))), np.vstack(matrices))
    assert len(rows) == sum(len(X) for X in matrices)


def test_center_and_scale_are_numpys_bit_for_bit() -> None:
    for seed in range(4):
        matrices = _matrices(seed)
        rows = _RowBlocks(size=5_000)
        for X in matrices:
            rows.add(X)
        stacked = np.vstack(matrices)
        center, scale = _center_scale(rows)
        assert center.tobytes() == stacked.mean(axis=0).tobytes()
        assert scale.tobytes() == stacked.std(axis=0).tobytes()


def test_a_list_is_read_as_its_winners_and_the_losers_drawn_from_it() -> None:
    from models.alternative_ranker import _drawn

    hit = np.zeros(7_000, dtype=bool)
    hit[[5, 4_321]] = True
    drawn = _drawn(hit, 50, np.random.default_rng(17))
    assert len(drawn) == 52 and hit[drawn].sum() == 2  # both winners, 50 losers
    assert np.array_equal(drawn, np.sort(drawn)) and len(set(drawn.tolist())) == 52  # in list order, none twice
    assert np.array_equal(drawn, _drawn(hit, 50, np.random.default_rng(17)))  # seeded: the same draw again
    short = np.array([True, False, False])
    assert np.array_equal(_drawn(short, 50, np.random.default_rng(1)), [0, 1, 2])  # fewer losers: all of them
