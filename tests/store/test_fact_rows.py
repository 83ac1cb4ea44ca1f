"""Tested here: the field order ``store.queries`` builds ``AwardFact`` and ``NoticeFact`` in positionally (a keyword
call of these frozen classes costs half as much again, once per award read): reordering or adding a field without
updating ``_fact`` and ``notice_groups`` must fail here, not pass silently with values in the wrong fields.
"""

from __future__ import annotations

from dataclasses import fields

from models.market_types import AwardFact, NoticeFact


def test_award_fact_fields_are_in_the_order_fact_gives_them() -> None:
    assert [f.name for f in fields(AwardFact)] == [
        "notice_id", "source", "published", "cpv_main", "buyer_name", "buyer_country", "lot", "winners", "value",
        "currency", "tenders_received", "buyer_key", "buyer_postcode", "category_scheme",
    ]


def test_notice_fact_fields_are_in_the_order_notice_groups_gives_them() -> None:
    assert [f.name for f in fields(NoticeFact)] == ["notice_id", "source", "published", "cpv_main", "kind"]
