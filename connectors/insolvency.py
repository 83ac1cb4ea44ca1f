"""Centraal Insolventieregister (CIR): Dutch bankruptcies and suspensions of payments, over SOAP 1.2.

Domain
  The court publications of every insolvency in the Netherlands: bankruptcy declared (faillissement),
  suspension of payments (surseance, provisional then final), their ends, and the debt-restructuring
  cases of natural persons (schuldsanering, WSNP). Each case has an insolvency number
  (``F.16/21/150``: procedure letter, court system number, year, serial) and a history of
  publications, each with a ``publicatieKenmerk`` and a four-digit ``publicatieSoortCode``.

API documentation
  https://www.rechtspraak.nl/Registers/centraal-insolventieregister (web service for subscribers)
  WSDL ``https://webservice.rechtspraak.nl/cir.asmx?wsdl``; operations used here: ``searchModifiedSince``
  and ``searchRemovedSince`` (daily), ``getCase`` (one case by a publication number) and
  ``searchUndertaking`` (by KvK number or name). Schemas: ``RSpublicWS_Insolvency*.xsd``.

Caveats
  - SOAP 1.2 with WS-Addressing (Action, To, MessageID; the 2004/08 namespace the service answers
    in) and a WS-Security ``UsernameToken`` (password as text over TLS). Envelopes are built with
    lxml element builders, so every value is escaped; no zeep (``connectors.insolvency_envelope``).
  - Searches return publication numbers, not cases; ``getCase`` turns one into its whole case.
    A result may carry ``<exceptie errorcode="1">`` ("no results"): that is an empty list. Other
    codes (too many results, bad input) raise ``CirServiceError``; code 2 (technical error) is an outage.
  - A SOAP Fault comes with HTTP 500 (or 400). It is an answer, not an outage: the client's transport
    is wrapped so that the shared retry policy does not retry it, and ``SoapFaultError`` carries the
    fault's code and reason (never the request, which holds the password). A 500 without a Fault is an outage.
  - Debt-restructuring cases (``R.``) are natural persons, not suppliers: ``modified_publications``
    leaves them out before any ``getCase`` is spent on them.
  - Responses are parsed with entities and network access off (``connectors.notice_xml.safe_xml``).

Arguments
  ``InsolvencySettings``: ``url``, ``username``, ``password`` (``SecretStr``), ``start_date``,
  ``min_interval_seconds``. Records: ``InsolvencyCase`` with ``InsolvencyPublication``s; the mapping
  of publication kind codes to names and to ``supplier_events`` kinds is ``PUBLICATION_KINDS`` below.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

import httpx
from lxml import etree

from config.company_signals import InsolvencySettings
from config.settings import HttpSettings
from connectors.errors import (
    ConnectorError,
    MalformedNoticeError,
    NotANoticeError,
    PendingRecord,
    RecordError,
    SourceRequestError,
    SourceUnavailableError,
)
from connectors.http import HttpClient
from connectors.insolvency_envelope import CIR, SOAP12, build_envelope, new_message_id, without_echo
from connectors.insolvency_envelope import PASSWORD_TEXT as PASSWORD_TEXT  # the envelope's names, as they always were here
from connectors.insolvency_envelope import TOKEN_LIFETIME as TOKEN_LIFETIME
from connectors.insolvency_envelope import WSA as WSA
from connectors.insolvency_envelope import WSSE as WSSE
from connectors.insolvency_envelope import WSU as WSU
from connectors.notice_xml.safe_xml import parse_xml

SOURCE = "cir"
log = logging.getLogger("supplyradar.connectors.insolvency")

INSPUB = "http://www.rechtspraak.nl/namespaces/inspubber01"
_NS = {"s": SOAP12, "c": CIR, "i": INSPUB}

# --- Publication kinds (publicatieSoortCode, RSpublicWS_InsolvencyContent02.xsd) -----------------------
#: code -> (clear name, supplier_events kind or None). Only the codes that change a company's standing
#: become events; meetings, distribution lists, replacements of the administrator are kept as publications.
#:
#: | event kind                        | codes                                                   |
#: |-----------------------------------|---------------------------------------------------------|
#: | insolvency.bankruptcy_declared    | 1300-1306 (first instance), 1100-1101 (appeal), 1200-1201 (cassation) |
#: | insolvency.suspension_provisional | 3300, 3301                                               |
#: | insolvency.suspension_final       | 3302 (first instance), 3100 (appeal), 3200 (cassation)  |
#: | insolvency.ended                  | 1316-1320, 1324 (bankruptcy ended, lifted or annulled), 1102, 1202 (annulled on appeal), |
#: |                                   | 3307-3309 (suspension ended; not 3313, its conversion into a bankruptcy: the bankruptcy event) |
BANKRUPTCY, PROVISIONAL, FINAL, ENDED = (
    "insolvency.bankruptcy_declared", "insolvency.suspension_provisional", "insolvency.suspension_final", "insolvency.ended",
)
PUBLICATION_KINDS: dict[str, tuple[str, str | None]] = {
    "1300": ("bankruptcy declared", BANKRUPTCY),
    "1301": ("bankruptcy declared after early end of debt restructuring", BANKRUPTCY),
    "1302": ("bankruptcy declared during debt restructuring", BANKRUPTCY),
    "1303": ("bankruptcy declared after rescission of a restructuring agreement", BANKRUPTCY),
    "1304": ("bankruptcy reopened after rescission of its agreement", BANKRUPTCY),
    "1305": ("bankruptcy declared after rescission of a suspension agreement", BANKRUPTCY),
    "1306": ("bankruptcy declared after the end of a suspension of payments", BANKRUPTCY),
    "1100": ("bankruptcy declared on appeal", BANKRUPTCY),
    "1101": ("bankruptcy by law after early end of debt restructuring, on appeal", BANKRUPTCY),
    "1200": ("bankruptcy declared in cassation", BANKRUPTCY),
    "1201": ("bankruptcy by law after early end of debt restructuring, in cassation", BANKRUPTCY),
    "3300": ("provisional suspension of payments granted", PROVISIONAL),
    "3301": ("provisional suspension of payments granted, creditors' meeting on an agreement", PROVISIONAL),
    "3302": ("final suspension of payments granted", FINAL),
    "3100": ("final suspension of payments granted on appeal", FINAL),
    "3200": ("final suspension of payments granted in cassation", FINAL),
    "3303": ("suspension of payments extended", None),
    "1316": ("bankruptcy lifted for lack of assets", ENDED),
    "1317": ("bankruptcy ended by a binding distribution list", ENDED),
    "1318": ("bankruptcy ended by an approved agreement", ENDED),
    "1319": ("bankruptcy ended by a binding distribution list after opposition", ENDED),
    "1320": ("bankruptcy annulled after opposition", ENDED),
    "1324": ("bankruptcy ended, all debts paid", ENDED),
    "1102": ("bankruptcy annulled on appeal", ENDED),
    "1202": ("bankruptcy annulled in cassation", ENDED),
    "3307": ("suspension of payments ended", ENDED),
    "3308": ("suspension of payments ended, term expired", ENDED),
    "3309": ("suspension of payments ended by an approved agreement", ENDED),
    "3313": ("suspension of payments ended by conversion into bankruptcy", None),
    "1307": ("administrator replaced", None),
    "1308": ("simplified bankruptcy proceedings", None),
    "1309": ("verification meeting", None),
    "1310": ("verification meeting and hearing on an agreement", None),
    "1311": ("meeting of creditors", None),
    "1312": ("interim distribution list deposited", None),
    "1313": ("final distribution list deposited", None),
    "1314": ("final distribution list deposited", None),
    "1315": ("simplified proceedings and final distribution list", None),
    "1323": ("rectification", None),
    "3310": ("rectification", None),
    "1328": ("supervisory judge replaced", None),
    "1331": ("change of address", None),
    "1333": ("bankruptcy converted into debt restructuring", None),
    "1334": ("bankruptcy transferred to another district court", None),
    "3304": ("receiver replaced", None),
    "3305": ("hearing on extending the suspension", None),
    "3306": ("creditors' meeting with hearing on an agreement", None),
    "3311": ("supervisory judge replaced", None),
    "3314": ("suspension transferred to another district court", None),
}
#: Procedure letters of case numbers: F bankruptcy, S suspension of payments, R debt restructuring (persons).
COMPANY_PROCEDURES = frozenset({"F", "S"})
_KENMERK = re.compile(r"^(?:(\d{2})\.)?([a-z]{3})\.(\d{2})\.(\d{3,})\.([FSR])\.(\d{4})\.(\d+)\.(\d{2})$")
_DUTCH_MONTHS = {m: i for i, m in enumerate(("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                                             "september", "oktober", "november", "december"), start=1)}
_RULING_DATE = re.compile(r"\bop (\d{1,2}) (" + "|".join(_DUTCH_MONTHS) + r") (\d{4})\b", re.IGNORECASE)


class SoapFaultError(ConnectorError):
    """The service answered with a SOAP Fault (bad credentials, a malformed request, a server fault)."""

    def __init__(self, operation: str, code: str, reason: str) -> None:
        super().__init__(f"cir: {operation} answered a SOAP Fault {code}: {reason}")
        self.operation, self.code, self.reason = operation, code, reason

    @property
    def server_side(self) -> bool:
        """A ``Receiver`` fault: the service failed on this request, not the request itself (credentials)."""
        return "Receiver" in self.code


class CirServiceError(ConnectorError):
    """A search answered with an ``exceptie`` other than "no results" (too many results, bad input)."""

    def __init__(self, operation: str, code: str) -> None:
        meaning = {"3": "too many results, narrow the search", "4": "input not correct", "5": "history does not connect"}
        super().__init__(f"cir: {operation} answered exceptie {code}: {meaning.get(code, 'unknown code')}")
        self.operation, self.code = operation, code


@dataclass(frozen=True, slots=True)
class InsolvencyPublication:
    kenmerk: str  # "16.mne.23.100.F.1300.1.00"
    published_on: date
    code: str  # publicatieSoortCode, "1300"
    description: str  # as published: "Uitspraak faillissement op 18 mei 2021"
    court_code: str | None

    @property
    def kind_name(self) -> str:
        return PUBLICATION_KINDS.get(self.code, (f"publication kind {self.code}", None))[0]

    @property
    def event_kind(self) -> str | None:
        return PUBLICATION_KINDS.get(self.code, ("", None))[1]

    @property
    def ruling_on(self) -> date | None:
        """The date of the court's decision when the text states one ("... op 18 mei 2021")."""
        return ruling_date(self.description)


@dataclass(frozen=True, slots=True)
class InsolvencyCase:
    case_number: str  # "F.16/21/150"
    court: str | None
    court_code: str | None
    branch: str | None  # the court's location (behandelendeVestigingNaam)
    name: str | None  # the company (achternaam of a legal person) or the person
    legal_person: bool
    kvk_numbers: tuple[str, ...]  # of the person and of the names it traded under
    trade_names: tuple[str, ...]
    administrators: tuple[str, ...]  # curator or bewindvoerder, as "mr K. Oopt"
    publications: tuple[InsolvencyPublication, ...]  # by date
    fetched_at: datetime

    @property
    def kvk_number(self) -> str | None:
        return self.kvk_numbers[0] if self.kvk_numbers else None


@dataclass(frozen=True, slots=True)
class RemovedPublication:
    case_number: str
    kenmerk: str
    reason: str | None  # "Eindevindbaarheid": the case is no longer findable (its term passed)


# --- the transport: faults are answers ------------------------------------------------------------------


class _FaultsAreAnswers(httpx.BaseTransport):
    """Hands a SOAP Fault on as HTTP 200 marked ``X-Soap-Fault``, so the shared client does not retry it.

    The shared policy retries every 500 as an outage; under the SOAP 1.2 binding a 500 may carry
    a Fault, which is the service's answer (bad password, bad request) and would fail five times over.
    """

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if response.status_code in (400, 500):
            content = response.read()
            if b"Fault" in content and SOAP12.encode() in content:
                headers = {"Content-Type": response.headers.get("Content-Type", "application/soap+xml"),
                           "X-Soap-Fault": str(response.status_code)}
                return httpx.Response(200, headers=headers, content=content, request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def make_client(
    settings: InsolvencySettings,
    http: HttpSettings,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> HttpClient:
    """An ``HttpClient`` at the register's pace whose transport passes SOAP Faults on as answers."""
    return HttpClient(
        SOURCE,
        http,
        transport=_FaultsAreAnswers(transport or httpx.HTTPTransport()),
        min_interval_seconds=settings.min_interval_seconds,
        sleep=sleep,
    )


def call(client: HttpClient, settings: InsolvencySettings, operation: str, parameters: Iterable[tuple[str, str]]) -> etree._Element:
    """POST one operation; the element inside ``<operation>Result``.

    Raises ``SoapFaultError`` for a Fault, ``SourceUnavailableError`` for an outage (after the
    client's retries) or an unreadable answer, ``SourceRequestError`` for other refusals.
    """
    return _result(settings, operation, _post(client, settings, operation, parameters)[0])


def _post(client: HttpClient, settings: InsolvencySettings, operation: str, parameters: Iterable[tuple[str, str]]) -> tuple[bytes, str]:
    """POST one operation: the answer's bytes and the request's MessageID (the answer's RelatesTo echoes it)."""
    message_id = new_message_id()
    content = build_envelope(operation, parameters, settings, message_id=message_id)
    headers = {"Content-Type": f'application/soap+xml; charset=utf-8; action="{CIR}/{operation}"'}
    # not followed: a 307/308 would send the envelope, password and all, to the other host
    response = client.request("POST", settings.url, content=content, headers=headers, follow_redirects=False)
    if response.is_redirect:
        raise SourceRequestError(SOURCE, settings.url, response.status_code, f"{operation}: redirected; not followed")
    return response.content, message_id


def _result(settings: InsolvencySettings, operation: str, content: bytes) -> etree._Element:
    try:
        root = parse_xml(content, f"{settings.url} {operation}")
    except (MalformedNoticeError, NotANoticeError) as exc:
        raise SourceUnavailableError(SOURCE, settings.url, f"{operation}: unreadable answer: {exc.reason}") from None
    fault = _first(_FAULT(root))
    if fault is not None:
        raise fault_error(operation, fault)
    result = _first(_result_path(operation)(root))
    if result is None:
        raise SourceUnavailableError(SOURCE, settings.url, f"{operation}: no {operation}Result in the answer")
    return result


def listing(client: HttpClient, settings: InsolvencySettings, operation: str, parameters: Iterable[tuple[str, str]],
            ) -> list[str]:
    """``publication_list(call(...))``, each distinct answer read once: a first run asks ``searchUndertaking`` once per
    watched company (55,000), nearly all answered the same "no results" but for the RelatesTo echoing the request's
    MessageID, which nothing reads. The answer without it (``without_echo``) keys the numbers read from it (kept for
    the last 256 answers); an answer that raised is not kept (read, and raised, again)."""
    content, message_id = _post(client, settings, operation, parameters)
    key = None if (cut := without_echo(content, message_id)) is None else (settings.url, operation, *cut)
    if key is None or key not in _LISTINGS:
        numbers = tuple(publication_list(_result(settings, operation, content), operation))
        if key is None:
            return list(numbers)
        if len(_LISTINGS) >= 256:
            _LISTINGS.clear()
        _LISTINGS[key] = numbers
    return list(_LISTINGS[key])


_LISTINGS: dict[tuple[str, str, bytes, bytes], tuple[str, ...]] = {}
#: Paths compiled once (``Element.find`` with prefixes costs twice a compiled XPath per call; a first run asks
#: once per watched company): the answer's Fault, its ``exceptie``, and each operation's result (``_result_path``).
_FAULT = etree.XPath("s:Body/s:Fault", namespaces=_NS)
_EXCEPTION = etree.XPath(".//i:exceptie", namespaces=_NS)


@cache
def _result_path(operation: str) -> etree.XPath:
    return etree.XPath(f"s:Body/c:{operation}Response/c:{operation}Result", namespaces=_NS)


def _first(found: list[etree._Element]) -> etree._Element | None:
    """What ``Element.find`` gives for the same path: the first match in document order, or None."""
    return found[0] if found else None


def fault_error(operation: str, fault: etree._Element) -> SoapFaultError:
    codes = [v.strip() for v in fault.xpath(".//s:Code//s:Value/text()", namespaces=_NS)]
    reason = " ".join(" ".join(fault.xpath("string(s:Reason/s:Text)", namespaces=_NS).split()).split())
    return SoapFaultError(operation, " / ".join(codes) or "unknown", reason or "no reason given")


# --- operations ----------------------------------------------------------------------------------------


def _moment(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{value.isoformat()}T00:00:00"


def search_modified_since(client: HttpClient, settings: InsolvencySettings, since: date | datetime) -> list[str]:
    """Publication numbers (kenmerken) of every publication added or changed since ``since``."""
    return listing(client, settings, "searchModifiedSince", [("modifyDate", _moment(since))])


def search_removed_since(client: HttpClient, settings: InsolvencySettings, since: date | datetime) -> list[RemovedPublication]:
    """Publications taken out of the register since ``since`` (a case's findability ended, or a correction)."""
    result = call(client, settings, "searchRemovedSince", [("modifyDate", _moment(since))])
    _check_exception(result, "searchRemovedSince")
    return [
        RemovedPublication(
            case_number=_text(item, "i:insolventienummer") or "",
            kenmerk=_text(item, "i:publicatieKenmerk") or "",
            reason=_text(item, "i:reden"),
        )
        for item in result.iterfind(".//i:verwijderdeInsolventie", _NS)
    ]


def search_undertaking(client: HttpClient, settings: InsolvencySettings, *, kvk_number: str | None = None,
                       name: str | None = None) -> list[str]:
    """Publication numbers of the cases of a company, by KvK number (``commercialRegisterID``) or name."""
    if not (kvk_number or name):
        raise ValueError("searchUndertaking needs a KvK number or a name")
    params = [(key, value) for key, value in (("name", name), ("commercialRegisterID", kvk_number)) if value]
    return listing(client, settings, "searchUndertaking", params)


def get_case(client: HttpClient, settings: InsolvencySettings, publication_number: str) -> InsolvencyCase:
    """The whole case a publication belongs to, with its publication history."""
    result = call(client, settings, "getCase", [("publicationNumber", publication_number)])
    return parse_case(result, where=f"{settings.url} getCase {publication_number}", fetched_at=datetime.now(UTC))


def modified_publications(client: HttpClient, settings: InsolvencySettings, since: date | datetime) -> dict[str, str]:
    """``case number -> one publication number`` for the companies' cases changed since ``since``
    (debt restructuring of persons left out): what ``get_case`` needs, once per case."""
    cases: dict[str, str] = {}
    for kenmerk in search_modified_since(client, settings, since):
        number = case_number(kenmerk)
        if number is None:
            log.warning("cir: publication number %r has an unknown shape; skipped", kenmerk)
            continue
        if number[0] in COMPANY_PROCEDURES:
            cases.setdefault(number, kenmerk)
    return cases


# --- parsing -------------------------------------------------------------------------------------------


def publication_list(result: etree._Element, operation: str) -> list[str]:
    _check_exception(result, operation)
    return [t.strip() for t in _PUBLICATION_NUMBERS(result)]


#: Compiled once: ``Element.xpath`` compiles its expression on every call (a first run reads one list per company).
_PUBLICATION_NUMBERS = etree.XPath(".//i:publicatieLijst/i:publicatieKenmerk/text()", namespaces=_NS)


def _check_exception(result: etree._Element, operation: str) -> None:
    exception = _first(_EXCEPTION(result))
    if exception is None:
        return
    code = (exception.get("errorcode") or "").strip()
    if code == "1":
        return
    if code == "2":
        raise SourceUnavailableError(SOURCE, CIR, f"{operation}: technical error at the register (exceptie 2)")
    raise CirServiceError(operation, code)


def parse_case(result: etree._Element, *, where: str, fetched_at: datetime) -> InsolvencyCase:
    """The ``insolvente`` inside a getCase result as an ``InsolvencyCase``; ``RecordError`` when unusable.

    "No results" (``exceptie 1``) for a publication the register has just listed says nothing
    about the case (seen on the live service): a ``PendingRecord``, fetched again by the next run.
    """
    exception = result.find(".//i:exceptie", _NS)
    if exception is not None and (exception.get("errorcode") or "").strip() == "1":
        raise PendingRecord(where, "getCase answered 'no results' (exceptie 1) for a listed publication", field="exceptie")
    _check_exception(result, "getCase")
    case = result.find(".//i:inspubWebserviceInsolvente/i:insolvente", _NS)
    if case is None:
        raise RecordError(where, "no insolvente in the answer", field="insolvente")
    number = _text(case, "i:insolventienummer")
    if not number:
        raise RecordError(where, "the case has no insolventienummer", field="insolventienummer")
    person = case.find("i:persoon", _NS)
    names = case.findall("i:handelendOnderDeNamen/i:handelendOnderDeNaam", _NS)
    kvk = [_text(person, "i:KvKNummer")] if person is not None else []
    kvk += [_text(n, "i:KvKNummer") for n in names]
    publications = []
    for item in case.iterfind("i:publicatiegeschiedenis/i:publicatie", _NS):
        kenmerk = _text(item, "i:publicatieKenmerk")
        published = _text(item, "i:publicatieDatum")
        if not kenmerk or not published:
            raise RecordError(where, "a publication without kenmerk or date", record=number, field="publicatie")
        try:
            day = date.fromisoformat(published[:10])
        except ValueError:
            raise RecordError(where, f"publicatieDatum {published!r} is not a date", record=number,
                              field="publicatieDatum") from None
        publications.append(InsolvencyPublication(
            kenmerk=kenmerk, published_on=day, code=_text(item, "i:publicatieSoortCode") or "",
            description=_text(item, "i:publicatieOmschrijving") or "", court_code=_text(item, "i:publicerendeInstantieCode"),
        ))
    publications.sort(key=lambda p: (p.published_on, p.kenmerk))
    administrators = [" ".join(filter(None, (_text(c, "i:titulatuur"), _text(c, "i:voorletters"), _text(c, "i:voorvoegsel"),
                                             _text(c, "i:achternaam"))))
                      for c in case.iterfind("i:cbvers/i:cbv", _NS)]
    return InsolvencyCase(
        case_number=number,
        court=_text(case, "i:behandelendeInstantieNaam"),
        court_code=_text(case, "i:behandelendeInstantieCode"),
        branch=_text(case, "i:behandelendeVestigingNaam"),
        name=" ".join(filter(None, (_text(person, "i:voornaam"), _text(person, "i:voorvoegsel"),
                                    _text(person, "i:achternaam")))) or None if person is not None else None,
        legal_person=person is not None and _text(person, "i:rechtspersoonlijkheid") == "rechtspersoon",
        kvk_numbers=tuple(dict.fromkeys(k for k in kvk if k)),
        trade_names=tuple(dict.fromkeys(t for t in (_text(n, "i:handelsnaam") for n in names) if t)),
        administrators=tuple(a for a in administrators if a),
        publications=tuple(publications),
        fetched_at=fetched_at,
    )


def case_number(kenmerk: str) -> str | None:
    """The insolvency number a publication number belongs to: "16.mne.23.100.F.1300.1.00" -> "F.16/23/100"."""
    match = _KENMERK.match(kenmerk.strip())
    if not match:
        return None
    system, _court, year, serial, procedure = match.group(1, 2, 3, 4, 5)
    return f"{procedure}.{system or '00'}/{year}/{serial}"


def ruling_date(text: str) -> date | None:
    """The first "op 18 mei 2021" in a publication's text, as a date."""
    match = _RULING_DATE.search(text or "")
    if not match:
        return None
    try:
        return date(int(match.group(3)), _DUTCH_MONTHS[match.group(2).lower()], int(match.group(1)))
    except ValueError:
        return None


def _text(element: etree._Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path, _NS)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None
