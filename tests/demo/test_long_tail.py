"""The long tail of a scaled world (``demo.world_tail``): small firms that win now and then and mostly bid and lose.

Issue 20's bar is a market of 100,000 notices and 50,000 suppliers; without a tail a scaled world has ~290
suppliers per copy. The tail must be there from the second copy on, look like a real tail (most firms appear
once, many only ever lose, a few win several times), be rendered as losing tenders the parsers read back, and
leave the first copy, the committed bundle and the scale-1 world exactly as they were.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from connectors.notice_xml import parse_notice
from demo import world as world_module
from demo.build import notice_xml, world_counts
from demo.world import DEFAULT_SEED, World, build_world
from demo.world_records import Lot

SCALE_ONE_SUPPLIERS = 290  # the committed world's suppliers (demo/data/README.md)


@pytest.fixture(scope="module")
def one() -> World:
    return build_world(DEFAULT_SEED)


@pytest.fixture(scope="module")
def three() -> World:
    return build_world(DEFAULT_SEED, scale=3)


def _tail(world: World, one: World) -> list:
    """The small firms: after every copy's regular suppliers (N copies of the first copy's number)."""
    copies = len(world.buyers) // len(one.buyers)
    return list(world.suppliers[copies * len(one.suppliers):])


def _appearances(world: World) -> tuple[Counter[str], Counter[str]]:
    wins: Counter[str] = Counter()
    losses: Counter[str] = Counter()
    for _, lot in world.awards():
        wins.update(lot.winners)
        losses.update(lot.losers)
    return wins, losses


def test_scale_one_has_no_tail_and_no_losing_tenders(one: World) -> None:
    assert len(one.suppliers) == SCALE_ONE_SUPPLIERS
    assert all(s.identified for s in one.suppliers)
    assert not any(lot.losers for n in one.notices for lot in n.lots)
    counts = world_counts(one)
    assert counts["suppliers_listed"] == SCALE_ONE_SUPPLIERS and counts["losing_tenders"] == 0
    # won or bid: the few suppliers of the default world that never win are listed, not counted
    assert counts["suppliers"] == len({w for _, lot in one.awards() for w in lot.winners}) < SCALE_ONE_SUPPLIERS
    assert all("identified" not in s for s in one.to_json()["suppliers"])  # world.json as it was


def test_the_committed_world_json_is_unchanged(one: World) -> None:
    committed = json.loads((Path(world_module.__file__).parent / "data" / "world.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(one.to_json()))


def test_the_tail_leaves_the_first_copy_and_the_market_draws_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    with_tail = build_world(DEFAULT_SEED, scale=2)

    class NoTail:
        def __init__(self, *args: object) -> None:
            self.suppliers: list = []

        def award(self, day: object, channel: object, buyer: object, category: object, lots: list[Lot],
                  field: object) -> list[Lot]:
            return lots

    monkeypatch.setattr(world_module, "LongTail", NoTail)
    without = build_world(DEFAULT_SEED, scale=2)
    assert with_tail.buyers == without.buyers
    assert with_tail.suppliers[: len(without.suppliers)] == without.suppliers
    first_copy = {b.id for b in without.buyers[: len(without.buyers) // 2]}
    changed = 0
    for a, b in zip(with_tail.notices, without.notices, strict=True):
        if a.buyer_id in first_copy:
            assert a == b
            continue
        assert [lot.number for lot in a.lots] == [lot.number for lot in b.lots]
        for la, lb in zip(a.lots, b.lots, strict=True):
            assert (la.value, la.tenders_received, la.cpv, la.framework) == (lb.value, lb.tenders_received, lb.cpv, lb.framework)
            changed += la != lb
    assert changed > 300  # the second copy's tail wins and losing tenders


def test_the_tail_looks_like_a_real_one(one: World, three: World) -> None:
    tail = _tail(three, one)
    wins, losses = _appearances(three)
    ids = {s.id for s in tail}
    assert len(tail) > 2 * 600
    assert all(s.id in wins or s.id in losses for s in tail)  # every small firm won or bid
    once = sum(1 for s in tail if wins[s.id] == 1)
    several = sum(1 for s in tail if wins[s.id] >= 3)
    bid_only = sum(1 for s in tail if s.id not in wins)
    assert once > 150 and 0 < several < once / 10  # many win once, a few several times
    assert bid_only > len(tail) / 2  # most only bid and lose
    appearances = Counter(wins[s.id] + losses[s.id] for s in tail)
    assert appearances[1] > len(tail) / 2 and max(appearances) >= 5
    # a small firm's win is a single-winner lot of copies 2..N, never in electricity
    first_copy = {b.id for b in one.buyers}
    for notice, lot in three.awards():
        if ids & set(lot.winners):
            assert notice.buyer_id not in first_copy and len(lot.winners) == 1 and notice.category != "09310000"


def test_small_firms_are_named_and_numbered_like_the_rest_of_the_world(one: World, three: World) -> None:
    tail = _tail(three, one)
    countries = Counter(s.country for s in tail)
    assert countries["NL"] > 0.85 * len(tail) and len(countries) > 2
    for s in tail:
        assert s.size == "sme" and re.search(r" [23]( |$)", s.name), s.name
        if s.country == "NL":
            assert re.fullmatch(r"\d{8}", s.id) and s.region and s.nuts and s.postcode
        else:
            assert s.id.startswith(s.country) and s.identified
        assert s.active_from.year <= 2026 and s.founded <= 2026
    unidentified = [s for s in tail if not s.identified]
    assert 0 < len(unidentified) < 0.06 * len(tail)
    assert len({s.name for s in three.suppliers}) == len(three.suppliers)
    assert len({s.id for s in three.suppliers}) == len(three.suppliers)


def test_losing_tenders_are_listed_on_eforms_notices_only_and_within_the_tenders_received(three: World) -> None:
    listed = [(n, lot) for n, lot in three.awards() if lot.losers]
    assert len(listed) > 500
    for notice, lot in listed:
        assert notice.format == "eforms"
        assert lot.tenders_received is not None and 1 + len(lot.losers) <= lot.tenders_received
        assert not set(lot.losers) & set(lot.winners) and len(set(lot.losers)) == len(lot.losers)


def test_the_parser_reads_losing_tenders_back_as_lost_bids(three: World) -> None:
    wins, losses = _appearances(three)
    checked = 0
    for notice in three.notices:
        lots = [lot for lot in notice.lots if lot.winners]
        if notice.kind != "can" or not any(lot.losers for lot in lots):
            continue
        record = parse_notice(notice_xml(notice, three), where=notice.key)
        lost = [bid for bid in record.bids if bid.won is False]
        assert len(lost) == sum(len(lot.losers) for lot in lots)
        assert sum(1 for bid in record.bids if bid.won) == len(lots)
        assert all(bid.rank and bid.rank > 1 for bid in lost)
        assert len(record.awards) == len(lots)
        names = {three.supplier_by_id[s].name for lot in lots for s in lot.losers}
        assert {t.name for bid in lost for t in bid.tenderers} == names
        checked += 1
        if checked == 60:
            break
    assert checked == 60


def test_a_sole_trader_without_identifier_is_named_without_one(one: World, three: World) -> None:
    anonymous = {s.id for s in _tail(three, one) if not s.identified}
    notice, lot = next((n, lot) for n, lot in three.awards() if anonymous & set(lot.winners))
    document = notice_xml(notice, three)
    assert next(iter(anonymous & set(lot.winners))).encode() not in document
    record = parse_notice(document, where=notice.key)
    names = {three.supplier_by_id[s].name for s in anonymous}
    assert any(p.name in names and p.company_id is None for award in record.awards for p in award.winners)


def test_the_tail_is_deterministic_and_reaches_issue_20s_supplier_bar(one: World, three: World) -> None:
    again = build_world(DEFAULT_SEED, scale=3)
    assert again.suppliers == three.suppliers and again.notices == three.notices
    base, counts = world_counts(one), world_counts(three)
    per_copy = (counts["suppliers"] - base["suppliers"]) / 2
    assert base["suppliers"] + 53 * per_copy >= 50_000  # at SCALE=54 (~100,000 notices)
    assert counts["losing_tenders"] > 2 * 1000
