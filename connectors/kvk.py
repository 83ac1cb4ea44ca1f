"""KvK Handelsregister: company profiles by KvK number (Basisprofiel v1), search (Zoeken v2), branches.

Domain
  The Dutch trade register of the Chamber of Commerce (KvK): every Dutch company's registered name,
  trade names, legal form, SBI activities, main-branch address, number of people working, and the
  registration's start and end. We refresh the profile of every watched supplier and compare it
  with the stored snapshot (``models.company_events``) to see dissolutions, moves, renames.

API documentation
  https://developers.kvk.nl/documentation (Zoeken v2, Basisprofiel v1, Vestigingsprofiel v1)
  ``GET {base}/v1/basisprofielen/{kvkNummer}`` (with ``_embedded.eigenaar`` and ``_embedded.hoofdvestiging``),
  ``GET {base}/v2/zoeken?kvkNummer=...|naam=...``, ``GET {base}/v1/vestigingsprofielen/{vestigingsnummer}``.
  Header ``apikey``; answers are ``application/hal+json``. Test environment: ``https://api.kvk.nl/test/api``
  with the public test key (fictitious companies).

Caveats
  - "No result" is an HTTP 404 whose body lists ``fout[].code`` ``IPD5200`` (Zoeken) or ``IPD0005``
    (Basisprofiel: "product cannot be delivered"). That is an answer, not an outage and not a
    deletion: it comes back as a typed ``NotFound``. Any other 404 (a proxy page) is an error.
  - Dates are ``YYYYMMDD`` strings; old registrations may carry ``00`` for an unknown month or day
    (read as the 1st). Flags are ``"Ja"``/``"Nee"``.
  - Links come in two formats: the HAL object ``_links: {rel: {href}}`` and, in responses recorded
    until spring 2026, an array ``links: [{rel, href}]``. Both are read.
  - The address is the main branch's visiting address (``bezoekadres``), else its postal address;
    a company without branches (a VvE, a foundation) has its addresses in ``_embedded.eigenaar``.
  - Fields we do not know are logged once per process (a format change shows the day it comes).

Arguments
  ``KvkSettings``: ``base_url``, ``api_key`` (``SecretStr``, never logged: it travels in a header and
  ``connectors.http`` logs URLs only), ``min_interval_seconds``. ``fetch_profile(client, settings, kvk)``
  returns ``CompanyProfile | NotFound``; ``search`` returns ``list[SearchHit] | NotFound``.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx

from config.company_signals import KvkSettings
from config.settings import HttpSettings
from connectors.errors import PendingRecord, RecordError, SourceRequestError, note_unexpected_fields
from connectors.http import HttpClient, error_detail, safe_url

SOURCE = "kvk"
log = logging.getLogger("supplyradar.connectors.kvk")

#: ``fout[].code`` values that mean "the register has nothing for this question".
NOT_FOUND_CODES = frozenset({"IPD5200", "IPD0005"})
_KVK_NUMBER = re.compile(r"^\d{8}$")
_FOUT_CODE = re.compile(r'"code"\s*:\s*"(IPD\d+)"')
_ONE_FOUT = re.compile(r'\{"fout":\[\{"code":"([^"\\\x00-\x1f]*)","omschrijving":"([^"\\\x00-\x1f]*)"\}\]\}')

#: Fields we read (or knowingly ignore) per object; anything else is reported once.
KNOWN_FIELDS: dict[str, frozenset[str]] = {
    "basisprofiel": frozenset({
        "kvkNummer", "indNonMailing", "naam", "formeleRegistratiedatum", "materieleRegistratie",
        "totaalWerkzamePersonen", "statutaireNaam", "handelsnamen", "sbiActiviteiten", "links", "_links", "_embedded",
    }),
    "eigenaar": frozenset({"rsin", "rechtsvorm", "uitgebreideRechtsvorm", "adressen", "websites", "links", "_links"}),
    "vestiging": frozenset({
        "vestigingsnummer", "kvkNummer", "rsin", "indNonMailing", "formeleRegistratiedatum", "materieleRegistratie",
        "eersteHandelsnaam", "indHoofdvestiging", "indCommercieleVestiging", "voltijdWerkzamePersonen",
        "totaalWerkzamePersonen", "deeltijdWerkzamePersonen", "handelsnamen", "adressen", "websites",
        "sbiActiviteiten", "links", "_links",
    }),
    "adres": frozenset({
        "type", "indAfgeschermd", "volledigAdres", "straatnaam", "huisnummer", "huisnummerToevoeging", "huisletter",
        "aanduidingBijHuisnummer", "toevoegingAdres", "postcode", "postbusnummer", "plaats", "straatHuisnummer",
        "postcodeWoonplaats", "regio", "land", "geoData",
    }),
    "zoeken": frozenset({"pagina", "resultatenPerPagina", "aantal", "totaal", "vorige", "volgende", "resultaten",
                         "links", "_links"}),
    "resultaat": frozenset({"kvkNummer", "rsin", "vestigingsnummer", "naam", "adres", "type", "actief",
                            "vervallenNaam", "links", "_links"}),
}


@dataclass(frozen=True, slots=True)
class Address:
    street: str | None
    house_number: str | None  # number with letter and addition, as one would write it ("17 M")
    postcode: str | None  # "1034WL": KvK writes it without the space
    town: str | None
    country: str | None  # a Dutch country name ("Nederland"), as KvK writes it
    kind: str | None = None  # "bezoekadres" or "correspondentieadres"


@dataclass(frozen=True, slots=True)
class SbiActivity:
    code: str
    description: str | None
    main: bool


@dataclass(frozen=True, slots=True)
class CompanyProfile:
    """One company as the register describes it at ``fetched_at`` (the Basisprofiel, flattened)."""

    kvk_number: str
    name: str
    statutory_name: str | None
    trade_names: tuple[str, ...]
    legal_form: str | None
    legal_form_extended: str | None
    sbi: tuple[SbiActivity, ...]
    address: Address | None
    employees: int | None
    registered_on: date | None  # formeleRegistratiedatum: entered in the register
    started_on: date | None  # materieleRegistratie.datumAanvang: the business began
    ended_on: date | None  # materieleRegistratie.datumEinde: the registration ended (dissolved)
    rsin: str | None
    non_mailing: bool | None
    main_branch: str | None  # vestigingsnummer of the hoofdvestiging
    source_url: str
    fetched_at: datetime
    api_version: str | None = None

    @property
    def main_sbi(self) -> SbiActivity | None:
        return next((a for a in self.sbi if a.main), self.sbi[0] if self.sbi else None)

    def to_json(self) -> dict[str, Any]:
        """The snapshot payload: plain JSON values, ISO dates; ``fetched_at`` and the URL are left
        out so that an unchanged company hashes the same on every refresh. (Written out rather than
        ``asdict``, which deep-copies: this runs for every company on every refresh.)"""
        day = lambda value: value.isoformat() if value else None  # noqa: E731
        a = self.address
        return {
            "kvk_number": self.kvk_number, "name": self.name, "statutory_name": self.statutory_name,
            "trade_names": list(self.trade_names), "legal_form": self.legal_form,
            "legal_form_extended": self.legal_form_extended,
            "sbi": [{"code": s.code, "description": s.description, "main": s.main} for s in self.sbi],
            "address": None if a is None else {"street": a.street, "house_number": a.house_number, "postcode": a.postcode,
                                               "town": a.town, "country": a.country, "kind": a.kind},
            "employees": self.employees, "registered_on": day(self.registered_on), "started_on": day(self.started_on),
            "ended_on": day(self.ended_on), "rsin": self.rsin, "non_mailing": self.non_mailing,
            "main_branch": self.main_branch,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, fetched_at: datetime, source_url: str = "") -> CompanyProfile:
        """Back from a stored snapshot payload (``to_json``)."""
        day = lambda v: date.fromisoformat(v) if v else None  # noqa: E731
        return cls(
            kvk_number=data["kvk_number"], name=data["name"], statutory_name=data.get("statutory_name"),
            trade_names=tuple(data.get("trade_names") or ()), legal_form=data.get("legal_form"),
            legal_form_extended=data.get("legal_form_extended"),
            sbi=tuple(SbiActivity(**a) for a in data.get("sbi") or ()),
            address=Address(**data["address"]) if data.get("address") else None,
            employees=data.get("employees"), registered_on=day(data.get("registered_on")),
            started_on=day(data.get("started_on")), ended_on=day(data.get("ended_on")), rsin=data.get("rsin"),
            non_mailing=data.get("non_mailing"), main_branch=data.get("main_branch"), source_url=source_url,
            fetched_at=fetched_at,
        )


@dataclass(frozen=True, slots=True)
class NotFound:
    """The register answered "nothing for this": a confirmed absence, never an outage."""

    query: str  # the KvK number or search asked for
    code: str  # IPD5200, IPD0005
    message: str
    source_url: str
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One row of a Zoeken v2 result: a branch or a legal entity with where it is."""

    kvk_number: str
    branch_number: str | None
    name: str
    kind: str | None  # hoofdvestiging, nevenvestiging, rechtspersoon
    street: str | None
    town: str | None
    active: bool | None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Branch:
    """The Vestigingsprofiel of one branch: used when a profile lacks its main branch's address."""

    branch_number: str
    kvk_number: str
    name: str | None
    main: bool | None
    employees: int | None
    address: Address | None
    sbi: tuple[SbiActivity, ...]


def make_client(
    settings: KvkSettings,
    http: HttpSettings,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> HttpClient:
    """An ``HttpClient`` at KvK's pace, with the key in the ``apikey`` header (never in a URL, never logged)."""
    return HttpClient(
        SOURCE,
        http,
        transport=transport,
        min_interval_seconds=settings.min_interval_seconds,
        headers={"apikey": settings.api_key.get_secret_value(), "Accept": "application/hal+json"},
        sleep=sleep,
    )


def check_kvk_number(value: str) -> str:
    """The 8-digit KvK number, or ``ValueError`` (asking KvK for "1234" only earns a 400)."""
    number = value.strip()
    if not _KVK_NUMBER.match(number):
        raise ValueError(f"{value!r} is not a KvK number (8 digits)")
    return number


def fetch_profile(client: HttpClient, settings: KvkSettings, kvk_number: str) -> CompanyProfile | NotFound:
    """The Basisprofiel of one company, or ``NotFound`` when the register has none for the number.

    Raises ``SourceUnavailableError`` on an outage, ``SourceRequestError`` on any other refusal and
    ``RecordError`` when the answer cannot be read.
    """
    number = check_kvk_number(kvk_number)
    url = f"{settings.base_url.rstrip('/')}/v1/basisprofielen/{number}"
    result = _get_json(client, url, query=number)
    if isinstance(result, NotFound):
        return result
    body, response = result
    # the request's URL is parsed already: safe_url of the string would parse it again, once per company
    profile = parse_profile(body, where=safe_url(response.request.url), fetched_at=datetime.now(UTC),
                            api_version=response.headers.get("API-Version"))
    if profile.kvk_number != number:  # a cache or gateway repeating another answer: never store it as this company
        raise PendingRecord(safe_url(url), f"the answer is the profile of {profile.kvk_number}, not of {number}",
                            record=number, field="kvkNummer")
    return profile


def fetch_branch(client: HttpClient, settings: KvkSettings, branch_number: str) -> Branch | NotFound:
    """The Vestigingsprofiel of one branch (12 digits), or ``NotFound``."""
    url = f"{settings.base_url.rstrip('/')}/v1/vestigingsprofielen/{branch_number.strip()}"
    result = _get_json(client, url, query=branch_number)
    if isinstance(result, NotFound):
        return result
    return parse_branch(result[0], where=safe_url(url))


def search(
    client: HttpClient,
    settings: KvkSettings,
    *,
    kvk_number: str | None = None,
    name: str | None = None,
    page: int = 1,
    per_page: int = 10,
    include_inactive: bool = False,
) -> list[SearchHit] | NotFound:
    """Zoeken v2 by KvK number or by name: one page of hits, or ``NotFound`` (IPD5200)."""
    params: dict[str, str | int] = {}
    if kvk_number:
        params["kvkNummer"] = check_kvk_number(kvk_number)
    if name:
        params["naam"] = name
    if not (kvk_number or name):
        raise ValueError("search needs a KvK number or a name")
    if include_inactive:
        params["inclusiefInactieveRegistraties"] = "true"
    if page != 1 or per_page != 10:  # the API's defaults, left out as the recorded requests do
        params.update(pagina=page, resultatenPerPagina=per_page)
    url = f"{settings.base_url.rstrip('/')}/v2/zoeken"
    result = _get_json(client, url, query=kvk_number or name or "", params=params)
    if isinstance(result, NotFound):
        return result
    return parse_search(result[0], where=safe_url(url))


def _get_json(
    client: HttpClient, url: str, *, query: str, params: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], httpx.Response] | NotFound:
    # Not followed: the apikey is a plain header, which httpx would send along to any other host. A 404 comes back
    # as an answer (most of a history's questions are about numbers KvK does not know): read by ``_not_found``.
    response = client.request("GET", url, params=params, follow_redirects=False, answers=_ANSWERED)
    if response.status_code == 404:
        return _not_found(client, response, query)
    if response.is_redirect:
        raise SourceRequestError(SOURCE, safe_url(response.request.url), response.status_code,
                                 "redirected; not followed (the apikey header would go along)")
    try:
        body = response.json()
    except ValueError:  # an HTML maintenance page, an empty or a cut body: says nothing about the company
        raise PendingRecord(safe_url(response.request.url), "the answer is not JSON (an HTML page, empty or cut off)",
                            record=query) from None
    if not isinstance(body, dict):
        raise RecordError(safe_url(response.request.url), "the answer is not a JSON object", record=query)
    return body, response


#: Error statuses ``_get_json`` reads itself instead of having them raised: the register's "not found".
_ANSWERED = frozenset({404})


def _not_found(client: HttpClient, response: httpx.Response, query: str) -> NotFound:
    """A 404 whose body lists a "not found" code (``NOT_FOUND_CODES``) as ``NotFound``; any other 404 (a proxy's page)
    raised as the ``SourceRequestError`` the client raises for an error status."""
    detail, where = error_detail(response), safe_url(response.request.url)
    found = [code for code in fout_codes(detail) if code in NOT_FOUND_CODES]
    if not found:
        raise SourceRequestError(client.source, where, response.status_code, detail)
    return NotFound(query=query, code=found[0], message=_fout_message(detail), source_url=where,
                    fetched_at=datetime.now(UTC))


def fout_codes(detail: str) -> list[str]:
    """KvK's error codes in an error body; none means the answer came from something in front of KvK."""
    return _FOUT_CODE.findall(detail)


def _fout_message(detail: str) -> str:
    """``"code: omschrijving"`` of each ``fout``, else the detail as it is. The usual body (one fout, plain strings,
    as KvK writes it: every "not found") is read by a pattern, giving what ``json.loads`` gives for it (a string
    without a backslash or control character is its own value) at a fraction of the cost: a history gets 150,000."""
    plain = _ONE_FOUT.fullmatch(detail)
    if plain:
        return f"{plain[1]}: {plain[2]}"
    try:
        return "; ".join(f"{f.get('code')}: {f.get('omschrijving')}" for f in json.loads(detail)["fout"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return detail


# --- parsing: API payload -> frozen records ---------------------------------------------------------


def parse_profile(body: Mapping[str, Any], *, where: str, fetched_at: datetime, api_version: str | None = None) -> CompanyProfile:
    """A Basisprofiel body (either link format) as a ``CompanyProfile``; ``RecordError`` when unusable."""
    report_unexpected(body, "basisprofiel", where)
    number = body.get("kvkNummer")
    if not isinstance(number, str) or not _KVK_NUMBER.match(number):
        raise RecordError(where, f"kvkNummer {number!r} is not 8 digits", field="kvkNummer")
    embedded = body.get("_embedded") or {}
    owner = embedded.get("eigenaar") or {}
    main = embedded.get("hoofdvestiging") or {}
    if owner:
        report_unexpected(owner, "eigenaar", where)
    if main:
        report_unexpected(main, "vestiging", where)
    name = body.get("naam") or body.get("statutaireNaam") or main.get("eersteHandelsnaam")
    if not name:
        raise RecordError(where, "the profile has no name", record=number, field="naam")
    registration = body.get("materieleRegistratie") or {}
    return CompanyProfile(
        kvk_number=number,
        name=str(name),
        statutory_name=body.get("statutaireNaam"),
        trade_names=_trade_names(body.get("handelsnamen")),
        legal_form=owner.get("rechtsvorm"),
        legal_form_extended=owner.get("uitgebreideRechtsvorm"),
        sbi=_sbi(body.get("sbiActiviteiten") or main.get("sbiActiviteiten"), where),
        address=pick_address(main.get("adressen") or owner.get("adressen"), where),
        employees=_int(body.get("totaalWerkzamePersonen", main.get("totaalWerkzamePersonen")), where, "totaalWerkzamePersonen"),
        registered_on=kvk_date(body.get("formeleRegistratiedatum"), where, "formeleRegistratiedatum"),
        started_on=kvk_date(registration.get("datumAanvang"), where, "materieleRegistratie.datumAanvang"),
        ended_on=kvk_date(registration.get("datumEinde"), where, "materieleRegistratie.datumEinde"),
        rsin=owner.get("rsin") or main.get("rsin"),
        non_mailing=flag(body.get("indNonMailing")),
        main_branch=main.get("vestigingsnummer"),
        source_url=links(body).get("self", where),
        fetched_at=fetched_at,
        api_version=api_version,
    )


def parse_branch(body: Mapping[str, Any], *, where: str) -> Branch:
    report_unexpected(body, "vestiging", where)
    number = body.get("vestigingsnummer")
    if not number:
        raise RecordError(where, "the branch has no vestigingsnummer", field="vestigingsnummer")
    return Branch(
        branch_number=str(number),
        kvk_number=str(body.get("kvkNummer") or ""),
        name=body.get("eersteHandelsnaam"),
        main=flag(body.get("indHoofdvestiging")),
        employees=_int(body.get("totaalWerkzamePersonen"), where, "totaalWerkzamePersonen"),
        address=pick_address(body.get("adressen"), where),
        sbi=_sbi(body.get("sbiActiviteiten"), where),
    )


def parse_search(body: Mapping[str, Any], *, where: str) -> list[SearchHit]:
    report_unexpected(body, "zoeken", where)
    hits = []
    for item in body.get("resultaten") or []:
        report_unexpected(item, "resultaat", where)
        address = (item.get("adres") or {})
        domestic = address.get("binnenlandsAdres") or address.get("buitenlandsAdres") or {}
        hits.append(SearchHit(
            kvk_number=str(item.get("kvkNummer") or ""),
            branch_number=item.get("vestigingsnummer"),
            name=str(item.get("naam") or ""),
            kind=item.get("type"),
            street=domestic.get("straatnaam"),
            town=domestic.get("plaats"),
            active=flag(item.get("actief")),
            raw=dict(item),
        ))
    return hits


def links(obj: Mapping[str, Any]) -> dict[str, str]:
    """``rel -> href`` from either link format: ``_links: {rel: {href}}`` or ``links: [{rel, href}]``."""
    found: dict[str, str] = {}
    for item in obj.get("links") or []:
        if isinstance(item, Mapping) and item.get("rel") and item.get("href"):
            found[str(item["rel"])] = str(item["href"])
    for rel, value in (obj.get("_links") or {}).items():
        if isinstance(value, Mapping) and value.get("href"):
            found[rel] = str(value["href"])
    return found


def kvk_date(value: Any, where: str, field_name: str) -> date | None:
    """``YYYYMMDD`` as a date; ``00`` for an unknown month or day reads as the 1st; empty is ``None``."""
    if value in (None, "", "00000000"):
        return None
    text = str(value)
    if not re.fullmatch(r"\d{8}", text):
        raise RecordError(where, f"{text!r} is not a YYYYMMDD date", field=field_name)
    try:
        return date(int(text[:4]), max(1, int(text[4:6])), max(1, int(text[6:])))
    except ValueError:
        raise RecordError(where, f"{text!r} is not a calendar date", field=field_name) from None


def flag(value: Any) -> bool | None:
    """``"Ja"``/``"Nee"`` (any case) as a bool; anything else is ``None`` (unknown)."""
    if isinstance(value, str):
        return {"ja": True, "nee": False}.get(value.strip().lower())
    return None


def pick_address(addresses: Iterable[Mapping[str, Any]] | None, where: str) -> Address | None:
    """The visiting address, else the first one (a postal address)."""
    items = [a for a in addresses or [] if isinstance(a, Mapping)]
    if not items:
        return None
    chosen = next((a for a in items if a.get("type") == "bezoekadres"), items[0])
    report_unexpected(chosen, "adres", where)
    number = " ".join(str(part) for part in (chosen.get("huisnummer"), chosen.get("huisletter"),
                                             chosen.get("huisnummerToevoeging")) if part not in (None, ""))
    if not chosen.get("straatnaam") and chosen.get("postbusnummer"):
        street, number = "Postbus", str(chosen["postbusnummer"])
    else:
        street = chosen.get("straatnaam")
    return Address(
        street=street, house_number=number or None, postcode=(chosen.get("postcode") or "").replace(" ", "") or None,
        town=chosen.get("plaats"), country=chosen.get("land"), kind=chosen.get("type"),
    )


def _trade_names(items: Any) -> tuple[str, ...]:
    named = sorted((i for i in items or [] if isinstance(i, Mapping) and i.get("naam")), key=lambda i: i.get("volgorde", 0))
    return tuple(dict.fromkeys(str(i["naam"]) for i in named))


def _sbi(items: Any, where: str) -> tuple[SbiActivity, ...]:
    activities = []
    for item in items or []:
        code = item.get("sbiCode") if isinstance(item, Mapping) else None
        if not code:
            raise RecordError(where, "an SBI activity without sbiCode", field="sbiActiviteiten")
        activities.append(SbiActivity(str(code), item.get("sbiOmschrijving"), flag(item.get("indHoofdactiviteit")) is True))
    return tuple(activities)


def _int(value: Any, where: str, field_name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RecordError(where, f"{value!r} is not a whole number", field=field_name) from None


def report_unexpected(obj: Mapping[str, Any], kind: str, where: str) -> None:
    """Log fields the connector does not know (kept out of the snapshot), once per (kind, field) per process."""
    note_unexpected_fields(log, "kvk", kind, obj.keys(), KNOWN_FIELDS[kind], where=where)
