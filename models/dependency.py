"""How dependent we are on a supplier, per category and overall: five components, published weights.

Where this sits: ``models.risk_run`` aggregates our spend and contracts per category and the
award market's credible suppliers, then calls :func:`category_dependencies`. Pure: no I/O.

Components (each 0..1, higher = more dependent), weights in ``config/risk.yaml``:

- ``spend_share``: the supplier's share of our spend in the category over the spend window;
- ``concentration``: the HHI of our own spend in the category (``models.concentration.hhi``) / 10,000;
- ``substitutability``: scarcity of credible alternatives, ``exp(-alternatives / scale)``, where an
  alternative is another supplier that won the category's public awards recently and has no
  bankruptcy on record. Without market data the component is unknown (never a zero) and the notes say so;
- ``lock_in``: remaining contract term (with extensions), extension options, single sourcing and
  the contract's share of the category's contract value;
- ``criticality``: how hard a disruption of the category hits us (configured per category).

Monotonicity: a larger spend share never lowers the score, because the HHI of our spend falls by
at most twice the rise of one supplier's share and the configuration requires the share weight to
be at least twice the concentration weight (checked when it is loaded).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date

from models.concentration import HHI_MAX, hhi
from models.features import Component, WeightedScore, weighted_score


@dataclass(frozen=True, slots=True)
class ContractFact:
    organisation_id: int
    category: str
    end_date: date | None
    extension_until: date | None
    value: float | None
    single_sourced: bool | None
    ref: str = ""


@dataclass(frozen=True, slots=True)
class DependencyParams:
    weights: Mapping[str, float]
    lock_in_weights: Mapping[str, float]
    alternatives_scale: float = 3.0
    full_term_months: int = 36


def scarcity(alternatives: int, scale: float) -> float:
    """1 with no alternative, falling towards 0 as credible alternatives appear."""
    return math.exp(-alternatives / scale)


def _months_between(start: date, end: date) -> float:
    return (end - start).days / 30.4375


def lock_in(contracts: Sequence[ContractFact], category_contract_value: float, as_of: date,
            params: DependencyParams) -> tuple[float | None, dict[str, object]]:
    """Lock-in of one supplier's running contracts in a category, and what it rests on."""
    running = [c for c in contracts if (c.extension_until or c.end_date) is None or (c.extension_until or c.end_date) >= as_of]
    if not running:
        return 0.0, {"running_contracts": 0}
    parts: dict[str, float | None] = {}
    ends = [c.extension_until or c.end_date for c in running]
    known_ends = [e for e in ends if e is not None]
    parts["remaining_term"] = (min(_months_between(as_of, max(known_ends)) / params.full_term_months, 1.0)
                               if known_ends else None)
    parts["extension_options"] = 1.0 if any(c.extension_until and c.end_date and c.extension_until > c.end_date
                                             for c in running) else 0.0
    flags = [c.single_sourced for c in running if c.single_sourced is not None]
    parts["single_sourced"] = (1.0 if any(flags) else 0.0) if flags else None
    # the share of the category's running contract value, of the contracts that state one; none stating a value:
    # unknown, left out of the weights (it read 0, as if the contracts were worth nothing)
    stated = [c.value for c in running if c.value]
    parts["value_share"] = (min(sum(stated) / category_contract_value, 1.0)
                            if category_contract_value > 0 and stated else None)
    known = {k: v for k, v in parts.items() if v is not None}
    weight = sum(params.lock_in_weights[k] for k in known)
    score = sum(params.lock_in_weights[k] * v for k, v in known.items()) / weight if weight else None
    detail: dict[str, object] = {"running_contracts": len(running), **parts, "contracts_with_value": len(stated),
                                 "ends": max(known_ends).isoformat() if known_ends else None,
                                 "contracts": [c.ref for c in running if c.ref]}
    return score, detail


def category_dependencies(
    category: str,
    spend: Mapping[int, float],
    contracts: Sequence[ContractFact],
    market_suppliers: Iterable[int] | None,
    *,
    as_of: date,
    criticality: float,
    params: DependencyParams,
    contracts_known: bool = True,
    unpriced: AbstractSet[int] = frozenset(),
) -> dict[int, WeightedScore]:
    """Dependency per supplier in one category (every supplier with spend or a contract in it).

    ``market_suppliers`` are the credible suppliers of the category's award market; None when the
    store has no market data for the category (the substitutability component is then unknown).
    ``spend`` is in euros; ``unpriced``: suppliers with spend in the category in another currency, whose amount
    cannot be added (no exchange rate): their spend share is unknown, and so is the concentration of our
    category spend (the HHI needs every share); the others' shares are of the euros, which the notes say.
    """
    spend = {org: amount for org, amount in spend.items() if amount and amount > 0}
    total = sum(spend.values())
    shares = {org: amount / total for org, amount in spend.items()} if total > 0 else {}
    our_hhi = hhi(shares.values()) / HHI_MAX if shares and not unpriced else None
    market = set(market_suppliers) if market_suppliers is not None else None
    by_org: dict[int, list[ContractFact]] = {}
    for contract in contracts:
        by_org.setdefault(contract.organisation_id, []).append(contract)
    running_value = sum(c.value or 0.0 for c in contracts
                        if (c.extension_until or c.end_date) is None or (c.extension_until or c.end_date) >= as_of)
    w = params.weights
    results: dict[int, WeightedScore] = {}
    for org in sorted(set(spend) | set(by_org) | set(unpriced)):
        share = None if org in unpriced else shares.get(org, 0.0 if total > 0 else None)
        notes = []
        if org in unpriced:
            notes.append(f"part of our spend with it in category {category} is in another currency (no exchange "
                         "rate): spend share unknown")
        elif unpriced:
            notes.append(f"our spend in category {category} in another currency ({len(unpriced)} supplier(s)) "
                         "is left out of the shares: they are shares of the euros")
        if market is None:
            alternatives, scarce = None, None
            notes.append(f"no market data for category {category}: substitutability unknown")
        else:
            alternatives = len(market - {org})
            scarce = scarcity(alternatives, params.alternatives_scale)
        if contracts_known:
            lock, lock_detail = lock_in(by_org.get(org, []), running_value, as_of, params)
        else:
            lock, lock_detail = None, {}
            notes.append("no contract register imported: lock-in unknown")
        components = [
            Component("spend_share", share, w["spend_share"],
                      "our spend share with this supplier in the category" if share is not None
                      else "spend in another currency: share unknown" if org in unpriced else "no spend known",
                      {"spend": spend.get(org, 0.0), "category_spend": total}),
            Component("concentration", our_hhi, w["concentration"], "concentration of our category spend (HHI/10,000)"
                      if our_hhi is not None or not unpriced else "part of our category spend in another currency: "
                      "concentration unknown", {"suppliers_in_our_spend": len(shares), "in_another_currency": len(unpriced)}),
            Component("substitutability", scarce, w["substitutability"],
                      f"{alternatives} credible alternatives won similar contracts" if alternatives is not None
                      else "no market data", {"alternatives": alternatives}),
            Component("lock_in", lock, w["lock_in"], "lock-in: remaining term, extension options, single sourcing, value",
                      lock_detail),
            Component("criticality", criticality, w["criticality"], f"criticality of category {category}"),
        ]
        results[org] = weighted_score(components, notes)
    return results
