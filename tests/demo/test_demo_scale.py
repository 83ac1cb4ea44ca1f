"""The size knob of the synthetic world (``build_world(seed, scale)``, ``supplyradar demo --scale N``).

A scaled world is for benchmarks, so it must be the same kind of market, only larger: N copies of the
buyers and suppliers with unique names and identifiers, N times the notices, scale 1 exactly the world
the committed bundle was built from; and the replay must serve a scaled bundle through the same code.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest

from demo.build import BUNDLE_ENV, DATA_DIR, build_bundle, bundle_dir
from demo.replay import demo_transport
from demo.scale import DemoScaleError, StageClock, check_scale, remember_scale, scaled_bundle
from demo.world import DEFAULT_SEED, World, build_world


@pytest.fixture(scope="module")
def one() -> World:
    return build_world(DEFAULT_SEED)


@pytest.fixture(scope="module")
def two() -> World:
    return build_world(DEFAULT_SEED, scale=2)


def test_scale_one_is_the_default_world(one: World) -> None:
    again = build_world(DEFAULT_SEED, scale=1)
    assert [n.key for n in again.notices] == [n.key for n in one.notices]
    assert again == one


def test_scale_two_doubles_buyers_suppliers_and_notices(one: World, two: World) -> None:
    assert len(two.buyers) == 2 * len(one.buyers)
    # the copies' suppliers, and the second copy's long tail of small firms after them (tests/demo/test_long_tail.py)
    assert len(two.suppliers) > 2 * len(one.suppliers)
    assert all(s.size == "sme" for s in two.suppliers[2 * len(one.suppliers):])
    assert len(two.notices) == 2 * len(one.notices)
    assert Counter(n.kind for n in two.notices) == Counter({k: 2 * v for k, v in Counter(n.kind for n in one.notices).items()})
    assert len(two.tenderned_notices()) == 2 * len(one.tenderned_notices())
    awards_one, awards_two = sum(1 for _ in one.awards()), sum(1 for _ in two.awards())
    assert 1.8 * awards_one < awards_two < 2.2 * awards_one  # lots per notice are drawn, so about twice


def test_names_and_identifiers_stay_unique_at_scale(two: World) -> None:
    for records in (two.buyers, two.suppliers):
        assert len({r.name for r in records}) == len(records)
        assert len({r.id for r in records}) == len(records)
    assert len({n.key for n in two.notices}) == len(two.notices)
    assert len({n.notice_uuid for n in two.notices}) == len(two.notices)
    ted = two.ted_notices()
    assert len({n.ted_number for n in ted}) == len(ted)
    tenderned = two.tenderned_notices()
    assert len({n.tenderned_id for n in tenderned}) == len(tenderned)


def test_the_first_copy_is_the_default_world_and_the_second_says_which_copy_it_is(one: World, two: World) -> None:
    assert two.buyers[: len(one.buyers)] == one.buyers
    assert two.suppliers[: len(one.suppliers)] == one.suppliers
    assert all(b.name.endswith(" 2") for b in two.buyers[len(one.buyers):])
    assert all(" 2 " in s.name or s.name.endswith(" 2") for s in two.suppliers[len(one.suppliers):])
    # the second copy wins too: it is part of the market, not decoration
    winners = {w for _, lot in two.awards() for w in lot.winners}
    assert winners & {s.id for s in two.suppliers[len(one.suppliers):]}
    buyers = {n.buyer_id for n in two.notices}
    assert buyers & {b.id for b in two.buyers[len(one.buyers):]}


@pytest.mark.parametrize("scale", [0, -1])
def test_a_scale_below_one_is_refused(scale: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        build_world(DEFAULT_SEED, scale=scale)
    with pytest.raises(DemoScaleError, match="positive"), scaled_bundle(scale):
        pass


def test_scaled_bundle_is_served_by_the_replay_and_then_removed(monkeypatch: pytest.MonkeyPatch, two: World) -> None:
    monkeypatch.delenv(BUNDLE_ENV, raising=False)
    assert bundle_dir() == DATA_DIR
    with scaled_bundle(2) as counts:
        folder = bundle_dir()
        assert folder != DATA_DIR and folder.is_dir()
        assert counts is not None and counts["buyers"] == len(two.buyers)
        assert counts["suppliers_listed"] == len(two.suppliers)
        assert counts["suppliers"] == len({s for _, lot in two.awards() for s in (*lot.winners, *lot.losers)})
        last = max(two.ted_notices(), key=lambda n: n.published)
        with httpx.Client(transport=demo_transport()) as client:
            response = client.get(f"https://ted.europa.eu/en/notice/{last.ted_number}/xml")
        assert response.status_code == 200
        assert b"SYNTHETIC demo notice" in response.content
        assert two.buyer_by_id[last.buyer_id].name.encode() in response.content
    assert bundle_dir() == DATA_DIR
    assert not folder.exists()


def test_a_scaled_bundle_readme_says_synthetic_and_its_scale(tmp_path: Path) -> None:
    counts = build_bundle(tmp_path, DEFAULT_SEED, 2)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "at scale **2**" in readme
    assert counts["ted_award_notices"] == 2 * 1250


def test_a_store_holding_another_scale_is_refused(tmp_path: Path) -> None:
    from config.settings import Settings
    from store.db import Store
    from store.notices import save_notices
    from tests.store.test_store import ted_notice

    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    settings.data_dir.mkdir(parents=True)
    check_scale(settings, 3)  # an empty store takes any scale
    with Store(settings.resolved_database_url) as store, store.session() as session, session.begin():
        save_notices(session, [ted_notice()])
    check_scale(settings, 1)  # a store that never saw a scaled world holds scale 1
    with pytest.raises(DemoScaleError, match="scale 1; a scale-2 world would mix"):
        check_scale(settings, 2)
    remember_scale(settings, 2)
    check_scale(settings, 2)
    with pytest.raises(DemoScaleError, match="scale 2"):
        check_scale(settings, 1)


def test_stage_clock_adds_up_cpu_per_stage() -> None:
    clock = StageClock()
    sum(i * i for i in range(200_000))
    clock.lap("work")
    clock.lap("work")
    assert set(clock.stages) == {"work"} and clock.stages["work"] >= 0.0
