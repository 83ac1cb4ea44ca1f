"""A SYNTHETIC store for the risk tests, built from the demo world and story (``demo``).

The demo story is deterministic: its failures, precursor signals and noise become
``supplier_events`` rows, its awards become notices, awards and winners, "our" buyer's awards
become spend lines and contracts, and the companies' states become the company snapshots that
``store.companies.latest_profiles`` will provide (injected here as a loader). The other test
modules of the risk area import :func:`populate` and :func:`story_profile_loader` from here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from demo.story import build_story
from demo.world import build_world
from store.db import Store
from store.schema import (
    Award,
    AwardWinner,
    Contract,
    CountryTone,
    Notice,
    Organisation,
    SpendLine,
    SupplierEvent,
)

AS_OF = date(2026, 11, 1)
NOW = datetime(2026, 11, 1, tzinfo=UTC)
_SOURCE = {"kvk": "kvk", "insolvency": "cir", "news": "rss"}


def _key(supplier_id: str, country: str) -> str:
    return f"{country}:id:{supplier_id}"


def populate(store: Store, *, until: date = AS_OF) -> dict[str, int]:
    """Fill ``store`` with the demo world's awards, events, our spend and contracts up to ``until``.

    Returns supplier id -> organisation id.
    """
    world, story = build_world(), build_story()
    ids: dict[str, int] = {}
    with store.sessions.begin() as session:
        for buyer in world.buyers:
            org = Organisation(org_key=_key(buyer.id, "NL"), name=buyer.name, country="NL", company_id=buyer.id,
                               first_seen=NOW, updated_at=NOW)
            session.add(org)
            session.flush()
            ids[buyer.id] = org.id
        for supplier in world.suppliers:
            org = Organisation(org_key=_key(supplier.id, supplier.country), name=supplier.name, country=supplier.country,
                               company_id=supplier.id, town=supplier.town, postcode=supplier.postcode,
                               first_seen=NOW, updated_at=NOW)
            session.add(org)
            session.flush()
            ids[supplier.id] = org.id
        notices: dict[str, Notice] = {}
        seq: dict[str, int] = {}
        for notice, lot in world.awards():
            if notice.published > until:
                continue
            row = notices.get(notice.key)
            if row is None:
                row = Notice(source="ted", notice_id=notice.key, format="eforms", notice_type="can", kind="award",
                             published=notice.published, buyer_id=ids[notice.buyer_id], cpv_main=notice.cpv_main,
                             title=notice.title, content_hash="x", collected_at=NOW)
                session.add(row)
                session.flush()
                notices[notice.key] = row
            seq[notice.key] = seq.get(notice.key, 0) + 1
            award = Award(notice_pk=row.id, seq=seq[notice.key], lot_id=str(lot.number), value=lot.value,
                          currency="EUR", tenders_received=lot.tenders_received)
            session.add(award)
            session.flush()
            for position, sid in enumerate(lot.winners):
                session.add(AwardWinner(award_id=award.id, organisation_id=ids[sid], position=position))
            if notice.buyer_id == story.our_buyer_id:
                _ours(session, notice, lot, ids, until)
        for sid, signal in story.signals(until):
            family = signal.kind.split(".", 1)[0]
            details = {k: v for k, v in signal.detail if isinstance(v, (int, str, float))}
            session.add(SupplierEvent(
                organisation_id=ids[sid], kind=signal.kind, occurred_on=signal.day, source=_SOURCE.get(family, family),
                source_ref=f"{signal.kind}:{signal.day}", title=signal.kind, details=details,
                confidence=0.85 if family == "news" else 1.0, detected_at=NOW,
            ))
        for country, tone in (("NL", -1.0), ("DE", -1.5), ("US", -2.5), ("CN", -4.0)):
            for days in range(0, 450, 30):
                session.add(CountryTone(country=country, day=until - timedelta(days=days), source="gdelt",
                                        tone=tone - (0.5 if days < 90 and country == "CN" else 0.0), articles=100,
                                        collected_at=NOW))
    return ids


def _ours(session, notice, lot, ids: dict[str, int], until: date) -> None:  # ORM session, world records
    """Our own spend and contract for one of our awards: a quarter of the value per year while it runs."""
    value = float(lot.value or Decimal(400_000))
    for sid in lot.winners:
        ref = f"C-{notice.key}-{lot.number}-{sid}"
        end = notice.published + timedelta(days=3 * 365)
        session.add(Contract(
            contract_ref=ref[:100], title=notice.title, source_file="contracts.xlsx", row_number=1, supplier_name=sid,
            supplier_kvk=sid, organisation_id=ids[sid], cpv=notice.cpv_main, start_date=notice.published, end_date=end,
            extension_until=end + timedelta(days=365) if lot.number % 2 else None, value=Decimal(str(value)),
            single_sourced=lot.tenders_received == 1, content_hash="x", imported_at=NOW,
        ))
        for year in range(3):
            booked = notice.published + timedelta(days=90 + 365 * year)
            if booked > until:
                break
            key = hashlib.sha256(f"{ref}:{year}".encode()).hexdigest()
            session.add(SpendLine(
                row_key=key, source_file="spend.csv", row_number=year, supplier_name=sid, supplier_kvk=sid,
                organisation_id=ids[sid], cpv=notice.cpv_main, amount=Decimal(str(round(value / 3 / len(lot.winners), 2))),
                booked_on=booked, imported_at=NOW,
            ))


def story_profile_loader(ids: dict[str, int]) -> Callable[[object, list[int], date], dict[int, dict]]:
    """What ``store.companies.latest_profiles`` returns, made from the story's company states (Dutch suppliers only)."""
    world, story = build_world(), build_story()
    by_org = {ids[s.id]: s for s in world.suppliers if s.country == "NL"}

    def loader(_session: object, organisation_ids: list[int], as_of: date) -> dict[int, dict]:
        out = {}
        for org in organisation_ids:
            supplier = by_org.get(org)
            if supplier is None or date(supplier.founded, 1, 1) > as_of:
                continue
            state = story.lives[supplier.id].state_on(as_of)
            out[org] = {
                "kvk_number": supplier.id, "name": state.get("name", supplier.name),
                "legal_form": state.get("legal_form", supplier.legal_form), "sbi_main": None,
                "registration_start": date(supplier.founded, 1, 1), "registration_end": state["dissolved_on"],
                "employees": state["employees"], "town": state.get("town", supplier.town),
                "postcode": state.get("postcode", supplier.postcode), "country": "NL", "observed_on": as_of,
            }
        return out

    return loader


def test_story_store_is_deterministic_and_carries_our_failure(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    ids = populate(store, until=date(2021, 1, 1))
    story = build_story()
    with store.session() as session:
        events = session.query(SupplierEvent).count()
        spend = session.query(SpendLine).count()
    assert events == len(story.signals(date(2021, 1, 1)))
    assert spend > 0
    assert story.our_failure_id in ids
    store.dispose()
