"""OCDS contracting processes -> ``Notice`` records: buyer, items in any scheme, awards, bids, amendments.

Domain
  An OCDS ``ocid`` is one contracting process. Its releases (tender, award, contract, amendment...)
  are merged into one *compiled release* with the OCDS merge rules (``ocdsmerge``), and the
  compiled release becomes one ``Notice`` (source and format "ocds", ``notice_id`` = the ocid).
  Records that carry a ``compiledRelease`` are taken as compiled; a release tagged ``compiled``
  too. The merge rules come from a skeleton of the OCDS 1.1 release schema bundled next to this
  module (``ocds_release_schema_1_1.json``, Apache 2.0, see its ``$comment``): merging never
  fetches the schema from the network.

API documentation
  https://standard.open-contracting.org/1.1/en/schema/ (release schema, merging, records),
  https://standard.open-contracting.org/1.1/en/schema/identifiers/ (organisation identifiers, NL-KVK),
  https://extensions.open-contracting.org/en/extensions/bids/ (bid extension).

Mapping (OCDS 1.1 field -> record)
  - ``buyer`` (else the party with role ``buyer``, else ``tender.procuringEntity``) -> ``Notice.buyer``;
    organisation references are resolved through ``parties`` by ``id``. ``address.country``
    (or a country name) -> ISO alpha-2; ``identifier``/``additionalIdentifiers`` with scheme
    ``NL-KVK`` -> ``Party.company_id`` (the 8-digit KvK number that supplier matching uses; a party
    id like ``NL-KVK-12345678`` counts too, and in TenderNed's OCDS the bare 8-digit party id of a Dutch
    company, which its "Mapping OCDS" sheet gives as the winner's KvK number); another scheme's id is
    kept as published.
  - ``tender.classification`` (an extension some publishers use) and
    ``tender/awards/contracts.items[].classification`` (+ ``additionalClassifications``): CPV codes
    where there are any (``category_scheme`` "CPV", 8 digits); otherwise the first item's scheme
    (UNSPSC, CUCOP, ...) with its codes exactly as published and its name in ``category_scheme``.
  - ``awards[]``: only ``status`` "active" (or no status, as many publishers omit it) is an award;
    pending, cancelled and unsuccessful awards are not. One ``Award`` per OCDS award (a framework
    with several suppliers is one award with several winners), ``contract_id`` = the award id,
    ``lot`` = its first ``relatedLots`` entry. The value is the award's; only where it has none, the
    value of its one unamended contract. An amount whose currency is not ISO 4217 is left out with a
    warning (unknown is not zero), the award is kept.
  - ``bids.details[]`` (bid extension), else ``tender.tenderers`` -> ``Bid`` (won or lost, compared
    with the suppliers of the lot's active awards); ``bids.statistics`` "bids" or
    ``tender.numberOfTenderers`` -> tenders received.
  - ``contracts[].amendments[]`` -> ``Modification`` (never an award): the contract's suppliers,
    the rationale, the value before/after where the releases named by ``amendsReleaseID`` and
    ``releaseID`` are in the file, else the compiled contract value as the value after the latest.
  - ``same_as``: ``ocid:<ocid>``, the eForms notice UUID where an award release's id is one
    (``eforms:<uuid>``, as TED's eForms notices are stored), TED publication numbers found in identifiers, release ids and
    TED links of award-bearing releases and award/contract documents (``ted:<number>``), and
    TenderNed publication ids (``tenderned:<id>``) of award-bearing releases of a TenderNed package
    or in tenderned.nl links. These let the store count one award once when TED XML or TenderNed's
    open data brought it too. Links of tender-only releases are left out on purpose: they name the
    contract notice, which is another notice than the award.

Caveats
  - ``published`` is the earliest active award date (``date`` or ``datePublished``), else the
    compiled release's ``date``, else ``tender.datePublished``.
  - A process without ocid, without any date or without a buyer name is a ``RecordError`` (quarantined by
    the import, naming file, position and field); anything smaller is a ``RecordWarning`` and the
    notice is kept.

Arguments
  ``compile_releases(releases, where=, record=)`` -> a compiled release; ``full_releases(record)``;
  ``notice_from_process(compiled, releases, where=, record=, publisher=)`` -> ``Mapped(notice, warnings)``.
  ``where`` is the file, ``record`` the position and ocid used in every error and warning.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from connectors import ocds_fields as fields
from connectors.currencies import currency_code
from connectors.errors import RecordError, RecordWarning
from connectors.records import Award, Bid, Lot, Modification, Notice, NoticeKind, Party
from connectors.tenderned_dataset import country_code, kvk_number

SOURCE = "ocds"
SCHEMA_PATH = Path(__file__).with_name("ocds_release_schema_1_1.json")
#: Award statuses that are awards; ``None`` is a publisher that leaves the status out.
AWARDED_STATUSES = frozenset({None, "active"})
#: Release tags whose links and ids name the award (or later) publication of a process.
AWARD_TAGS = frozenset({"award", "awardUpdate", "contract", "contractUpdate", "contractAmendment",
                        "implementation", "implementationUpdate", "contractTermination"})
DEFAULT_LOT = "1"
#: Longest ocid, lot id or bid id the store keeps (longer ids are cut, a longer ocid is refused).
MAX_ID = 100



class OcdsRecordError(RecordError):
    """One contracting process is unusable (no ocid, no date, no buyer, a merge conflict)."""


@dataclass(slots=True)
class Mapped:
    """A notice and the warnings about what was left out of it."""

    notice: Notice
    warnings: list[RecordWarning] = field(default_factory=list)


@functools.cache
def merger() -> Any:
    """The OCDS merger, with rules from the bundled schema (never the network)."""
    import ocdsmerge

    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        return ocdsmerge.Merger(schema=json.load(handle))


def compile_releases(releases: Sequence[dict[str, Any]], *, where: str, record: str) -> dict[str, Any]:
    """One compiled release from a process's releases; a release already tagged ``compiled`` is used as is."""
    compiled = [r for r in releases if "compiled" in fields.tags(r)]
    if compiled:
        return compiled[-1]
    from ocdsmerge.exceptions import OCDSMergeError

    for i, release in enumerate(releases):
        if not isinstance(release.get("date"), str) or not release["date"].strip():
            raise OcdsRecordError(where, "a release without a date cannot be merged", record=record, field=f"releases[{i}].date")
    try:
        return merger().create_compiled_release(list(releases))
    except OCDSMergeError as exc:
        raise OcdsRecordError(where, f"releases cannot be merged: {exc}", record=record, field="releases") from None


def full_releases(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A record's releases that are whole releases, not linked ones (``url``, ``date``, ``tag`` only)."""
    releases = record.get("releases")
    if not isinstance(releases, list):
        return []
    return [r for r in releases if isinstance(r, dict) and set(r) - {"url", "date", "tag"}]


def notice_from_process(
    compiled: Mapping[str, Any],
    releases: Sequence[Mapping[str, Any]] = (),
    *,
    where: str,
    record: str,
    publisher: str | None = None,
) -> Mapped:
    """The ``Notice`` of one compiled release; ``releases`` (when known) give tags, ids and amendment values."""
    return _Mapper(compiled, releases, where, record, publisher).notice()


class _Mapper:
    """One compiled release being mapped; collects warnings as it goes."""

    def __init__(self, compiled: Mapping[str, Any], releases: Sequence[Mapping[str, Any]], where: str, record: str,
                 publisher: str | None) -> None:
        self.data, self.releases, self.where, self.record = compiled, releases, where, record
        self.publisher = publisher or fields.text(fields.get(compiled, "publisher", "name"))
        self.warnings: list[RecordWarning] = []
        self.parties = {str(p.get("id")): p for p in fields.as_list(compiled.get("parties"))
                        if isinstance(p, dict) and p.get("id") is not None}
        self.tender = compiled.get("tender") if isinstance(compiled.get("tender"), dict) else {}
        self.is_tenderned = "tenderned" in (self.publisher or "").casefold()

    def warn(self, field_path: str, reason: str) -> None:
        self.warnings.append(RecordWarning(self.where, reason, record=self.record, field=field_path))

    def fail(self, field_path: str, reason: str) -> OcdsRecordError:
        return OcdsRecordError(self.where, reason, record=self.record, field=field_path)

    # --- the notice -----------------------------------------------------------------------

    def notice(self) -> Mapped:
        ocid = fields.text(self.data.get("ocid"))
        if ocid is None:
            raise self.fail("ocid", "no ocid: a release or record without ocid cannot be stored")
        if len(ocid) > MAX_ID:
            raise self.fail("ocid", f"ocid longer than {MAX_ID} characters")
        scheme, codes, lots = self.categories()
        awards, suppliers_by_lot, award_lot = self.awards()
        bids = self.bids(suppliers_by_lot)
        modifications = self.modifications(ocid, award_lot)
        kind: NoticeKind = "award" if awards else "modification" if modifications else self.stage()
        tags = self.tags()
        same_as = self.same_as(ocid)
        tenderned_id = next((s.split(":", 1)[1] for s in same_as if s.startswith("tenderned:")), None)
        notice = Notice(
            notice_id=ocid,
            format=SOURCE,
            notice_type=("ocds:" + ",".join(tags))[:200],
            subtype=None,
            kind=kind,
            published=self.published(),
            buyer=self.buyer(),
            cpv_main=codes[0] if codes else None,
            cpv=codes,
            title=fields.text(self.tender.get("title")),
            procedure_type=fields.clip(fields.text(self.tender.get("procurementMethodDetails"))
                                       or fields.text(self.tender.get("procurementMethod")), 100),
            lots=lots,
            awards=awards,
            source=SOURCE,
            source_url=f"https://www.tenderned.nl/aankondigingen/overzicht/{tenderned_id}" if tenderned_id else None,
            same_as=same_as,
            bids=bids,
            modifications=modifications,
            category_scheme=scheme,
        )
        return Mapped(notice, self.warnings)

    def tags(self) -> list[str]:
        tags = [t for r in self.releases for t in fields.tags(r)] or fields.tags(self.data)
        return list(dict.fromkeys(tags))

    def stage(self) -> NoticeKind:
        if self.tender:
            return "planning" if self.tender.get("status") in ("planning", "planned") else "competition"
        return "planning" if self.data.get("planning") else "other"

    def published(self) -> date:
        dates = []
        for award in fields.as_list(self.data.get("awards")):
            if isinstance(award, dict) and fields.status(award) in AWARDED_STATUSES:
                dates.append(fields.day(award.get("date")) or fields.day(award.get("datePublished")))
        found = min((d for d in dates if d), default=None)
        found = found or fields.day(self.data.get("date")) or fields.day(self.tender.get("datePublished"))
        if found is None:
            raise self.fail("date", "no usable date (awards[].date, date, tender.datePublished)")
        return found

    # --- parties --------------------------------------------------------------------------

    def buyer(self) -> Party:
        candidates: list[tuple[str, Any]] = [("buyer", self.data.get("buyer"))]
        candidates += [(f"parties[{i}]", p) for i, p in enumerate(fields.as_list(self.data.get("parties")))
                       if isinstance(p, dict) and "buyer" in fields.as_list(p.get("roles"))]
        candidates.append(("tender.procuringEntity", self.tender.get("procuringEntity")))
        for path, ref in candidates:
            party = self.party(ref, path, warn=False)
            if party is not None:
                return party
        raise self.fail("buyer", "no buyer name (buyer, a party with role buyer, tender.procuringEntity)")

    def party(self, ref: Any, path: str, *, warn: bool = True) -> Party | None:
        """An organisation reference resolved through ``parties``; None (and a warning) without a name."""
        if not isinstance(ref, dict):
            return None
        full = self.parties.get(str(ref.get("id")), {}) if ref.get("id") is not None else {}
        merged = {**ref, **full}
        name = fields.text(merged.get("name")) or fields.text(fields.get(merged, "identifier", "legalName"))
        if name is None:
            if warn:
                self.warn(f"{path}.name", "organisation without a name left out")
            return None
        address = merged.get("address") if isinstance(merged.get("address"), dict) else {}
        country, unknown = country_code(address.get("country") or address.get("countryName"))
        if unknown:
            self.warn(f"{path}.address.country", f"unknown country {unknown!r} left out")
        company_id = fields.kvk(merged)
        if company_id is not None:
            country = country or "NL"  # a KvK number is a Dutch registration: matching needs the country
        elif self.is_tenderned:
            # TenderNed's OCDS puts the winner's KvK number ("ON kvknummer") in the party id, without a scheme.
            company_id = kvk_number(fields.text(merged.get("id")), country)
        company_id = company_id or fields.text(fields.get(merged.get("identifier"), "id"))
        return Party(
            name=name,
            country=country,
            company_id=fields.clip(company_id, 100),
            town=fields.clip(fields.text(address.get("locality")), 200),
            postcode=fields.clip(fields.text(address.get("postalCode")), 20),
        )

    # --- categories and lots --------------------------------------------------------------

    def categories(self) -> tuple[str, tuple[str, ...], tuple[Lot, ...]]:
        """(scheme, codes main first, lots): CPV where any item has it, else the first item's scheme."""
        # Some publishers (UK Contracts Finder, Find a Tender) classify the tender itself, item-less: that comes first.
        items: list[tuple[str | None, dict[str, Any]]] = [(None, self.tender)]
        for item in fields.as_list(self.tender.get("items")):
            if isinstance(item, dict):
                items.append((fields.text(item.get("relatedLot")), item))
        for section in ("awards", "contracts"):
            for entry in fields.as_list(self.data.get(section)):
                for item in fields.as_list(entry.get("items") if isinstance(entry, dict) else None):
                    if isinstance(item, dict):
                        items.append((None, item))
        classified = [(lot, c) for lot, item in items for c in fields.classifications(item)]
        if any(fields.is_cpv(c) for _, c in classified):
            scheme = "CPV"
            picked = [(lot, fields.cpv_code(c)) for lot, c in classified if fields.is_cpv(c)]
        elif classified:
            scheme = fields.text(classified[0][1].get("scheme")) or "unknown"
            picked = [(lot, fields.text(c.get("id"))) for lot, c in classified if fields.text(c.get("scheme")) == scheme]
        else:
            scheme, picked = "CPV", []
        codes = tuple(dict.fromkeys(code for _, code in picked if code))
        lots = []
        for i, lot in enumerate(fields.as_list(self.tender.get("lots"))):
            if not isinstance(lot, dict) or lot.get("id") is None:
                self.warn(f"tender.lots[{i}].id", "lot without id left out")
                continue
            lot_id = str(lot["id"])[:MAX_ID]
            lot_codes = tuple(dict.fromkeys(code for related, code in picked if related == lot_id and code))
            lots.append(Lot(lot_id=lot_id, title=fields.text(lot.get("title")), cpv=lot_codes))
        return scheme, codes, tuple(lots)

    def default_lot(self) -> str | None:
        """The lot of an unlotted process ("1"), or the only lot; None when there are several."""
        lots = [lot for lot in fields.as_list(self.tender.get("lots")) if isinstance(lot, dict) and lot.get("id") is not None]
        if not lots:
            return DEFAULT_LOT
        return str(lots[0]["id"])[:MAX_ID] if len(lots) == 1 else None

    # --- awards ---------------------------------------------------------------------------

    def awards(self) -> tuple[tuple[Award, ...], dict[str, set[str]], dict[str, str]]:
        """Active awards; the supplier names per lot (to tell won bids); each award id's lot."""
        awards: list[Award] = []
        suppliers_by_lot: dict[str, set[str]] = {}
        award_lot: dict[str, str] = {}
        contracts = [c for c in fields.as_list(self.data.get("contracts")) if isinstance(c, dict)]
        seen_without_id: list[dict[str, Any]] = []
        for i, award in enumerate(fields.as_list(self.data.get("awards"))):
            path = f"awards[{i}]"
            if not isinstance(award, dict):
                self.warn(path, "award is not an object; left out")
                continue
            if award.get("id") is None:
                # Merging cannot match awards without an id: a later release restating one appends a copy.
                if award in seen_without_id:
                    continue
                seen_without_id.append(award)
            lot = fields.clip(fields.text(fields.first(award.get("relatedLots"))), MAX_ID) or self.default_lot() or DEFAULT_LOT
            award_id = fields.clip(fields.text(award.get("id")), 200)
            if award_id:
                award_lot[award_id] = lot
            if fields.status(award) not in AWARDED_STATUSES:
                continue
            winners = tuple(dict.fromkeys(
                p for j, s in enumerate(fields.as_list(award.get("suppliers")))
                if (p := self.party(s, f"{path}.suppliers[{j}]")) is not None
            ))
            value, currency = self.value(award.get("value"), f"{path}.value")
            if value is None and award.get("value") is None:
                value, currency = self.contract_value(contracts, award_id)
            suppliers_by_lot.setdefault(lot, set()).update(fields.identity(w) for w in winners)
            awards.append(Award(
                lot=lot, winners=winners, value=value, currency=currency,
                tenders_received=self.tenders_received(lot), contract_id=award_id,
            ))
        return tuple(awards), suppliers_by_lot, award_lot

    def contract_value(self, contracts: list[dict[str, Any]], award_id: str | None) -> tuple[Decimal | None, str | None]:
        """The value of the award's one contract, when it has exactly one and it was never amended."""
        mine = [(i, c) for i, c in enumerate(contracts) if award_id and fields.text(c.get("awardID")) == award_id]
        if len(mine) != 1 or fields.amendments(mine[0][1]):
            return None, None
        i, contract = mine[0]
        return self.value(contract.get("value"), f"contracts[{i}].value")

    def value(self, raw: Any, path: str) -> tuple[Decimal | None, str | None]:
        if not isinstance(raw, dict) or raw.get("amount") in (None, ""):
            return None, None
        try:
            amount = raw["amount"] if isinstance(raw["amount"], Decimal) else Decimal(str(raw["amount"]))
            if not amount.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            self.warn(f"{path}.amount", f"amount {raw['amount']!r} is not a number; value left out")
            return None, None
        currency = currency_code(raw.get("currency"))
        if currency is None:
            self.warn(f"{path}.currency", f"amount {amount} in unknown currency {raw.get('currency')!r}; value left out")
            return None, None
        return amount, currency

    def tenders_received(self, lot: str) -> int | None:
        for statistic in fields.as_list(fields.get(self.data, "bids", "statistics")):
            if not isinstance(statistic, dict) or statistic.get("measure") != "bids":
                continue
            related = fields.text(statistic.get("relatedLot"))
            if related == lot or (related is None and self.default_lot() == lot):
                count = fields.count(statistic.get("value"))
                if count is not None:
                    return count
        if self.default_lot() == lot:
            return fields.count(self.tender.get("numberOfTenderers"))
        return None

    # --- bids -----------------------------------------------------------------------------

    def bids(self, suppliers_by_lot: dict[str, set[str]]) -> tuple[Bid, ...]:
        def won(lot: str, tenderers: tuple[Party, ...]) -> bool | None:
            if lot not in suppliers_by_lot:
                return None
            return any(fields.identity(t) in suppliers_by_lot[lot] for t in tenderers)

        bids: list[Bid] = []
        details = fields.as_list(fields.get(self.data, "bids", "details"))
        for i, bid in enumerate(details):
            path = f"bids.details[{i}]"
            if not isinstance(bid, dict):
                continue
            tenderers = tuple(p for j, t in enumerate(fields.as_list(bid.get("tenderers")))
                              if (p := self.party(t, f"{path}.tenderers[{j}]")) is not None)
            if not tenderers:
                continue
            value, currency = self.value(bid.get("value"), f"{path}.value")
            lots = [str(lot)[:MAX_ID] for lot in fields.as_list(bid.get("relatedLots")) if lot is not None] or [
                self.default_lot() or DEFAULT_LOT]
            for lot in lots:
                bids.append(Bid(lot=lot, tenderers=tenderers, won=won(lot, tenderers), value=value, currency=currency,
                                tender_id=fields.clip(fields.text(bid.get("id")), MAX_ID)))
        if not details and (lot := self.default_lot()) is not None:
            for j, ref in enumerate(fields.as_list(self.tender.get("tenderers"))):
                party = self.party(ref, f"tender.tenderers[{j}]")
                if party is not None:
                    bids.append(Bid(lot=lot, tenderers=(party,), won=won(lot, (party,))))
        return tuple(bids)

    # --- amendments -----------------------------------------------------------------------

    def modifications(self, ocid: str, award_lot: dict[str, str]) -> tuple[Modification, ...]:
        by_release = {str(r.get("id")): r for r in self.releases if r.get("id") is not None}
        awards = {fields.text(a.get("id")): (i, a) for i, a in enumerate(fields.as_list(self.data.get("awards"))) if isinstance(a, dict)}
        changes: list[Modification] = []
        for i, contract in enumerate(fields.as_list(self.data.get("contracts"))):
            if not isinstance(contract, dict):
                continue
            amendments = fields.amendments(contract)
            if not amendments:
                continue
            contract_id = fields.clip(fields.text(contract.get("id")), 200)
            award_id = fields.clip(fields.text(contract.get("awardID")), 200)
            index, award = awards.get(award_id, (None, {}))
            contractors = tuple(p for j, s in enumerate(fields.as_list(award.get("suppliers")))
                                if (p := self.party(s, f"awards[{index}].suppliers[{j}]", warn=False)) is not None)
            current, currency = self.value(contract.get("value"), f"contracts[{i}].value")
            for k, amendment in enumerate(amendments):
                before, before_currency = self.release_contract_value(by_release, amendment.get("amendsReleaseID"), contract_id)
                after, after_currency = self.release_contract_value(by_release, amendment.get("releaseID"), contract_id)
                if after is None and k == len(amendments) - 1:
                    after, after_currency = current, currency
                changes.append(Modification(
                    lot=award_lot.get(award_id or "") if award_id else None,
                    contractors=contractors,
                    original_notice=ocid,
                    contract_id=contract_id,
                    value_before=before,
                    value_after=after,
                    currency=after_currency or before_currency,
                    reason=fields.text(amendment.get("rationale")),
                    description=fields.text(amendment.get("description")),
                ))
        return tuple(changes)

    def release_contract_value(self, by_release: dict[str, Mapping[str, Any]], release_id: Any,
                               contract_id: str | None) -> tuple[Decimal | None, str | None]:
        release = by_release.get(str(release_id)) if release_id is not None else None
        if release is None:
            return None, None
        for j, contract in enumerate(fields.as_list(release.get("contracts"))):
            if isinstance(contract, dict) and fields.text(contract.get("id")) == contract_id:
                return self.value(contract.get("value"), f"release {release_id} contracts[{j}].value")
        return None, None

    # --- identifiers elsewhere ------------------------------------------------------------

    def same_as(self, ocid: str) -> tuple[str, ...]:
        found = [f"ocid:{ocid}"]
        is_tenderned = self.is_tenderned
        award_releases = [r for r in self.releases if AWARD_TAGS & set(fields.tags(r)) or r.get("awards")]
        for release in award_releases:
            release_id = fields.text(release.get("id"))
            if release_id and "/S" in release_id.upper() and (number := fields.ted_number(release_id)):
                found.append(f"ted:{number}")
            elif release_id and is_tenderned and release_id.isdigit():
                found.append(f"tenderned:{release_id}")
            elif release_id and fields.UUID.match(release_id):
                # eForms converted to OCDS keeps the notice's UUID as the release id (TED's notices store it so).
                found.append(f"eforms:{release_id}")
            found += fields.link_ids(release.get("links"))
        sections = [self.data.get("awards"), self.data.get("contracts")] + [r.get("awards") for r in award_releases]
        for section in sections:
            for entry in fields.as_list(section):
                if isinstance(entry, dict):
                    found += fields.link_ids(entry.get("documents"))
                    for identifier in fields.as_list(entry.get("identifiers")):
                        scheme = (fields.text(fields.get(identifier, "scheme")) or "").upper()
                        number = fields.ted_number(fields.text(fields.get(identifier, "id")))
                        if ("TED" in scheme or "OJS" in scheme) and number:
                            found.append(f"ted:{number}")
        return tuple(dict.fromkeys(found))


