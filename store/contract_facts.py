"""Counting each contract once when the store reads award facts for market statistics.

An eForms settled contract may cover several lots; the parser gives one award row per lot it
covers (so lots stay comparable with the legacy format), and the rows share the contract's id
(CON-xxxx, unique within its notice). "Won N contracts" and shares by count must see one contract,
so those rows are merged into one fact here: its lots listed, its winners united, its value the sum
of the lots' values where every lot states one in the same currency (else unknown, never mixed).

Legacy ``CONTRACT_NO`` is not used for this: real notices reuse one number (a procedure reference,
"1") for contracts with different winners, so each legacy ``AWARD_CONTRACT`` stays its own fact.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence
from decimal import Decimal

from models.market import AwardFact

#: Formats whose award contract ids identify one contract within the notice.
CONTRACT_ID_FORMATS = frozenset({"eforms"})


def contract_key(notice_pk: int, notice_format: str, contract_id: str | None, award_id: int) -> Hashable:
    """What identifies the contract behind an award row: the notice's contract id where reliable, else the row."""
    if contract_id and notice_format in CONTRACT_ID_FORMATS:
        return ("contract", notice_pk, contract_id)
    return ("award", award_id)


def one_fact_per_contract(facts: Sequence[tuple[Hashable, AwardFact]]) -> list[AwardFact]:
    """The facts with the rows of one contract merged, in the order of each contract's first row."""
    if len(facts) == 1:  # a notice's single award, as a stream of notices mostly gives them
        return [facts[0][1]]
    groups: dict[Hashable, list[AwardFact]] = {}
    for key, fact in facts:
        groups.setdefault(key, []).append(fact)
    return [parts[0] if len(parts) == 1 else _merged(parts) for parts in groups.values()]


def _merged(parts: list[AwardFact]) -> AwardFact:
    first = parts[0]
    lots = list(dict.fromkeys(part.lot for part in parts))
    winners = tuple(dict.fromkeys(winner for part in parts for winner in part.winners))
    value, currency = _total(parts)
    received = {part.tenders_received for part in parts}
    return dataclasses.replace(
        first,
        lot=", ".join(lots),
        winners=winners,
        value=value,
        currency=currency,
        tenders_received=received.pop() if len(received) == 1 else None,
    )


def _total(parts: list[AwardFact]) -> tuple[Decimal | None, str | None]:
    """Sum of the lots' values: one value per lot (rows of one lot repeat it), one currency, none missing."""
    per_lot: dict[str, set[tuple[Decimal | None, str | None]]] = {}
    for part in parts:
        per_lot.setdefault(part.lot, set()).add((part.value, part.currency))
    if any(len(values) != 1 for values in per_lot.values()):
        return None, None
    values = [next(iter(v)) for v in per_lot.values()]
    currencies = {currency for _, currency in values}
    if any(value is None for value, _ in values) or len(currencies) != 1:
        return None, None
    return sum((value for value, _ in values), Decimal(0)), currencies.pop()
