"""Our own data in a scaled demo world: what our buyer's copies in copies 2..N buy (SYNTHETIC).

A world N times the default (``demo.world.build_world(seed, scale)``) holds N copies of the buyers, copy c's
buyers in the same order as copy 1's and named alike with a " c" suffix. "Us" (``story.our_buyer_id``) buys
in every copy: ``demo.build_own_data`` writes copy 1's rows exactly as the committed files hold them, and
this module adds, per copy c >= 2, the contracts from the awards of our buyer's copy there and the spend
lines against them, made the same way (the same dirty-ERP habits, the same owner per category), each copy
from a random stream of its own, its contract, invoice and creditor numbers tagged ``-c`` so they stay
unique. The story (failures, the re-tender case) is copy 1's only: copy c's suppliers have no company
lives, so none of them has failed and no fact is forced on their contracts.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from demo.build_own_data import DemoContract, build_contracts, build_spend, contract_rows
from demo.world import Lot, Publication, Supplier, World


@dataclass
class CopiesOwnData:
    """Copies 2..N's rows, in copy order, to follow copy 1's in the files."""

    contracts: list[DemoContract] = field(default_factory=list)
    spend: list[list[str]] = field(default_factory=list)
    register: list[list[object]] = field(default_factory=list)


def our_buyer_copies(world: World, base: World, buyer_id: str, scale: int) -> dict[int, str]:
    """Copy -> our buyer's id in that copy (2..N), by its place among its copy's buyers; checked by name, so a
    change in how the world makes its copies fails here rather than making some other buyer "us"."""
    per_copy = len(base.buyers)
    index = next(i for i, b in enumerate(base.buyers) if b.id == buyer_id)
    if len(world.buyers) != per_copy * scale or world.buyers[index].id != buyer_id:
        raise ValueError(f"the scale-{scale} world's buyers are not {scale} copies of the default world's")
    ours: dict[int, str] = {}
    for copy in range(2, scale + 1):
        buyer = world.buyers[(copy - 1) * per_copy + index]
        if buyer.name != f"{base.buyers[index].name} {copy}":
            raise ValueError(f"buyer {buyer.name!r} is not our buyer's copy {copy}")
        ours[copy] = buyer.id
    return ours


def copies_own_data(world: World, base: World, buyer_id: str, seed: int, scale: int) -> CopiesOwnData:
    """Copies 2..N's contracts, spend lines and register rows. ``base`` is the default world (copy 1).

    One pass over the world's awards collects our buyers' awards and, per copy, the suppliers its buyers
    awarded (each buyer tenders among its own copy's suppliers): those are the ones bought from directly.
    """
    ours = our_buyer_copies(world, base, buyer_id, scale)
    copy_of = {b.id: i // len(base.buyers) + 1 for i, b in enumerate(world.buyers)}
    awards: dict[str, list[tuple[Publication, Lot]]] = defaultdict(list)
    winners: dict[int, set[str]] = defaultdict(set)
    wanted = set(ours.values())
    for notice, lot in world.awards():
        winners[copy_of[notice.buyer_id]].update(lot.winners)
        if notice.buyer_id in wanted:
            awards[notice.buyer_id].append((notice, lot))
    bought_from = _winners_by_copy(world, winners)
    result = CopiesOwnData()
    for copy, buyer in ours.items():
        rng = random.Random(f"{seed}:own_data:{copy}")
        contracts = build_contracts(world, buyer, "", rng, copy=copy, awards=awards[buyer])
        suppliers = bought_from[copy]
        result.contracts += contracts
        result.spend += build_spend(suppliers, contracts, rng, copy=copy)
        result.register += contract_rows(contracts, rng)
    return result


def _winners_by_copy(world: World, winners: dict[int, set[str]]) -> dict[int, list[Supplier]]:
    """Per copy, the world's suppliers (in the world's order) that its buyers awarded: one pass over the suppliers
    for all copies (a pass per copy cost a twentieth of building a scale-54 world)."""
    copies_of: dict[str, list[int]] = defaultdict(list)
    for copy, ids in winners.items():
        for supplier_id in ids:
            copies_of[supplier_id].append(copy)
    chosen: dict[int, list[Supplier]] = defaultdict(list)
    for supplier in world.suppliers:
        for copy in copies_of.get(supplier.id, ()):
            chosen[copy].append(supplier)
    return chosen
