"""A parsed notice as the plain rows of its tables: what ``store.notices`` writes in bulk.

Pure functions (no session): the notice row's fields, its CPV codes, lots, identifiers, and its
awards, bids and modifications each with the organisations they name. Kept apart from the
writing so the rows can be built for a whole batch first and then inserted table by table
(one ``executemany`` per table and batch instead of one ORM object per row), and so the
benchmark's bare insert (``bench/store_writes.py``) writes exactly the same rows.

The content hash is the one ``Notice.to_json`` has always given (a change of it would make
every stored notice look changed once), computed without ``dataclasses.asdict``, whose deep copies
cost more than the rest of the row building together, and without building the dicts at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from json.encoder import encode_basestring as _string  # the C encoder json.dumps uses
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from connectors.records import Notice, Party

#: The notice columns a changed notice's new version overwrites (not its key, not ``duplicate_of_id``).
NOTICE_FIELDS = ("format", "notice_type", "subtype", "kind", "published", "buyer_id", "cpv_main", "category_scheme",
                 "category_codes", "title", "procedure_type", "source_url", "content_hash", "collected_at")

#: ``organisation id`` of a party (``store.notices`` resolves them per batch).
OrgId = Callable[[Party], int]

#: Per record class: the function writing its JSON (``_encoder``), made when the class is first met.
_ENCODERS: dict[type, Callable[[Any], str]] = {}
_AS_IS = (str, int, bool, type(None))


def _encoder(kind: type) -> Callable[[Any], str]:
    """The JSON of a record class's instance as one expression over its fields in sorted order, compiled once.

    What a loop over the fields would write (text, whole numbers, flags and ``None`` as ``_scalar`` writes them,
    every other field through ``_json``), without the loop: one f-string whose parts read the fields. A notice's
    hash is taken once per notice collected, and its records are about twenty objects; written field by field
    in a loop it took about as long as the rest of building the notice's rows.
    """
    hints = get_type_hints(kind)
    reads, parts = [], []
    for index, name in enumerate(sorted(f.name for f in fields(kind))):  # names of fields: no quotes, no braces
        value = f"v{index}"
        reads.append(f"    {value} = record.{name}\n")
        if _as_is(hints[name]):
            part = f"(NULL if {value} is None else _string({value}) if {value}.__class__ is str else _scalar({value}))"
        else:
            part = f"_json({value})"
        parts.append(f"{_string(name)}: {{{part}}}")
    source = f"def encode(record):\n{''.join(reads)}    return f'''{{{{{', '.join(parts)}}}}}'''\n"
    namespace = {"NULL": "null", "_string": _string, "_scalar": _scalar, "_json": _json}
    exec(compile(source, f"<JSON of {kind.__qualname__}>", "exec"), namespace)  # (the source holds only our fields' names)
    return namespace["encode"]


def _as_is(hint: Any) -> bool:
    """Whether a field of this type is text, a whole number, a flag or ``None`` (their unions and literals)."""
    if hint in _AS_IS:
        return True
    if get_origin(hint) is Literal:
        return all(isinstance(value, _AS_IS) for value in get_args(hint))
    if get_origin(hint) in (Union, UnionType):
        return all(_as_is(arg) for arg in get_args(hint))
    return False


def _scalar(value: Any) -> str:
    """JSON of text, a whole number, a flag or ``None``, as ``json.dumps`` writes it."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _string(value) if type(value) is str else int.__repr__(value)


def _json(value: Any) -> str:
    """``json.dumps(notice.to_json(), sort_keys=True, ensure_ascii=False, default=str)``, written directly.

    The same text (dataclasses as objects with sorted keys, ISO dates, amounts as the plainest
    number, ``", "`` and ``": "`` separators), without building the dicts first.
    """
    kind = type(value)
    if kind is str or value is None or kind is int or kind is bool:
        return _scalar(value)
    if kind is tuple or kind is list:
        if value and value[0].__class__ is str:  # CPV codes, identifiers: text only, nearly always
            try:
                return "[" + ", ".join(map(_string, value)) + "]"
            except TypeError:  # not all of it text after all
                pass
        return "[" + ", ".join([_json(item) for item in value]) + "]"
    encode = _ENCODERS.get(kind)
    if encode is not None:
        return encode(value)
    if hasattr(kind, "__dataclass_fields__"):
        encode = _ENCODERS.setdefault(kind, _encoder(kind))
        return encode(value)
    if kind is Decimal:
        return int.__repr__(int(value)) if value == value.to_integral_value() else float.__repr__(float(value))
    if kind is float:
        return float.__repr__(value)
    if isinstance(value, date | datetime):
        return _string(value.isoformat())
    return _string(str(value))


def content_hash(notice: Notice) -> str:
    """SHA-256 of the notice's canonical JSON: equal for an unchanged notice collected again."""
    return hashlib.sha256(_json(notice).encode("utf-8")).hexdigest()


def is_cpv(notice: Notice) -> bool:
    """CPV codes go to the CPV columns; another scheme's codes only to ``category_codes`` (never a CPV prefix)."""
    return notice.category_scheme.upper() == "CPV"


def notice_row(notice: Notice, buyer_id: int, digest: str, now: datetime) -> dict[str, Any]:
    """The ``notices`` row (its key and ``NOTICE_FIELDS``)."""
    cpv = is_cpv(notice)
    return {
        "source": notice.source,
        "notice_id": notice.notice_id,
        "format": notice.format,
        "notice_type": notice.notice_type[:200],
        "subtype": notice.subtype,
        "kind": notice.kind,
        "published": notice.published,
        "buyer_id": buyer_id,
        "cpv_main": notice.cpv_main if cpv else None,
        "category_scheme": "CPV" if cpv else notice.category_scheme[:40],
        "category_codes": None if cpv else [c for c in dict.fromkeys((notice.cpv_main, *notice.cpv)) if c],
        "title": notice.title,
        "procedure_type": notice.procedure_type,
        "source_url": notice.source_url,
        "content_hash": digest,
        "collected_at": now,
    }


@dataclass(slots=True)
class ChildRows:
    """The rows under a batch of notices; parents with members carry their member organisation ids."""

    cpv: list[dict[str, Any]] = field(default_factory=list)
    lots: list[dict[str, Any]] = field(default_factory=list)
    identifiers: list[dict[str, Any]] = field(default_factory=list)
    awards: list[tuple[dict[str, Any], list[int]]] = field(default_factory=list)
    bids: list[tuple[dict[str, Any], list[int]]] = field(default_factory=list)
    modifications: list[tuple[dict[str, Any], list[int]]] = field(default_factory=list)

    def add(self, notice_pk: int, notice: Notice, org_id: OrgId) -> None:
        """Add one notice's rows (its CPV codes, lots, identifiers, awards, bids and modifications)."""
        if is_cpv(notice):
            codes = list(dict.fromkeys(notice.cpv))
            if notice.cpv_main and notice.cpv_main not in codes:
                codes.insert(0, notice.cpv_main)
            self.cpv += [{"notice_pk": notice_pk, "code": c, "is_main": c == notice.cpv_main} for c in codes]
        self.lots += [{"notice_pk": notice_pk, "lot_id": lot.lot_id, "title": lot.title,
                       "cpv": list(lot.cpv) if is_cpv(notice) else []} for lot in _unique_by(notice.lots, "lot_id")]
        self.identifiers += [{"notice_pk": notice_pk, "identifier": i}
                             for i in dict.fromkeys((f"{notice.source}:{notice.notice_id}", *notice.same_as))]
        for seq, award in enumerate(notice.awards):
            row = {"notice_pk": notice_pk, "seq": seq, "lot_id": award.lot, "value": award.value, "currency": award.currency,
                   "tenders_received": award.tenders_received, "contract_id": award.contract_id and award.contract_id[:200]}
            self.awards.append((row, _members(award.winners, org_id)))
        for seq, bid in enumerate(notice.bids):
            row = {"notice_pk": notice_pk, "seq": seq, "lot_id": bid.lot[:100], "won": bid.won, "rank": bid.rank,
                   "value": bid.value, "currency": _currency(bid.currency), "tender_id": bid.tender_id}
            self.bids.append((row, _members(bid.tenderers, org_id)))
        for seq, change in enumerate(notice.modifications):
            original = change.original_award
            row = {"notice_pk": notice_pk, "seq": seq, "lot_id": change.lot, "original_notice": change.original_notice,
                   "contract_id": change.contract_id, "value_before": change.value_before, "value_after": change.value_after,
                   "currency": _currency(change.currency), "original_value": None if original is None else original.value,
                   "original_currency": None if original is None else _currency(original.currency),
                   "reason": change.reason, "description": change.description}
            self.modifications.append((row, _members(change.contractors, org_id)))


def notice_parties(notice: Notice) -> list[Party]:
    """Every organisation a notice names: buyer, winners, tenderers, contractors."""
    parties = [notice.buyer]
    for award in notice.awards:
        parties += award.winners
    for bid in notice.bids:
        parties += bid.tenderers
    for change in notice.modifications:
        parties += change.contractors
    return parties


def _members(parties: Sequence[Party], org_id: OrgId) -> list[int]:
    """Organisation ids in order, each once (a party named twice is one member)."""
    return list(dict.fromkeys(org_id(party) for party in parties))


def _unique_by(items: Sequence, attribute: str) -> list:
    """Keep the first item per key: a notice that repeats a lot must not break the unique key."""
    seen: dict[str, object] = {}
    for item in items:
        seen.setdefault(getattr(item, attribute), item)
    return list(seen.values())


def _currency(code: str | None) -> str | None:
    """The column holds ISO 4217's three letters; a longer code (kept with a parser warning) is cut."""
    return None if code is None else code[:3]
