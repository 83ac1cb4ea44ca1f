"""Demo replay of the companies sources (see demo/replay_hosts.py): KvK and the CIR, as of a day.

Answers like the real services, rendered per request from ``data/companies/companies.json``
(``build_companies.py``) and the day the transport was made for:

- ``GET https://api.kvk.nl/{test/}api/v1/basisprofielen/{kvk}``: the Basisprofiel (API-Version 1.5.0
  shape, as recorded) with the company's name, legal form, address, employees and end of
  registration as of the day; a company not founded yet is a 404 ``IPD0005``. Before April 2026 the
  links come as the older ``links`` arrays, later as HAL ``_links`` (both formats were recorded).
- ``GET .../v2/zoeken?kvkNummer=|naam=``: the main branch; an ended registration only with
  ``inclusiefInactieveRegistraties=true``; nothing is a 404 ``IPD5200``.
- ``GET .../v1/vestigingsprofielen/{vestigingsnummer}``.
- ``POST https://webservice.rechtspraak.nl/cir.asmx`` (SOAP 1.2): ``searchModifiedSince``,
  ``searchRemovedSince`` (nothing is removed in the demo), ``searchUndertaking``, ``getCase``; a request
  without a WS-Security UsernameToken gets a SOAP Fault (any user name and password are accepted).

Every request needs the ``apikey`` header (KvK) like the real API; a missing key is a 401.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
from lxml import etree
from lxml.builder import ElementMaker

from connectors.errors import RecordError
from connectors.notice_xml.safe_xml import parse_xml
from demo.build_companies import COMPANIES_FILE, OUT_DIR
from demo.story import CompanyLife, Signal

KVK_HOST, CIR_HOST, CIR_PATH = "api.kvk.nl", "webservice.rechtspraak.nl", "/cir.asmx"
_KVK_PATH = re.compile(r"^(?P<base>/(?:test/)?api)(?P<rest>/v\d/.*)$")
#: From this day on the replay writes HAL ``_links`` objects, before it the older ``links`` arrays.
HAL_LINKS_FROM = date(2026, 4, 1)
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
CIR = "http://www.rechtspraak.nl/namespaces/cir01"
INSPUB = "http://www.rechtspraak.nl/namespaces/inspubber01"
_SOAP_TYPE = "application/soap+xml; charset=utf-8"


@dataclass(frozen=True)
class Register:
    companies: dict[str, dict[str, Any]]
    lives: dict[str, CompanyLife]
    by_branch: dict[str, str]
    cases: list[dict[str, Any]]
    case_of: dict[str, dict[str, Any]]  # kenmerk -> case
    published: list[tuple[date, str, dict[str, Any]]]  # (day, kenmerk, case) of every publication, in that order
    published_for: dict[str, list[tuple[date, str]]]  # KvK number -> (day, kenmerk) of its cases' publications, in order
    #: rendered Basisprofiel bodies by (number, base, HAL links, signals applied): ``_profile_body``
    bodies: dict[tuple[str, str, bool, int], bytes] = field(default_factory=dict, compare=False)


@lru_cache(maxsize=2)
def load_register(folder: Path = OUT_DIR) -> Register:
    data = json.loads((folder / COMPANIES_FILE).read_text(encoding="utf-8"))
    companies = {c["kvk"]: c for c in data["companies"]}
    lives = {
        kvk: CompanyLife(kvk, c["employees"], None, tuple(
            Signal(date.fromisoformat(day), kind, tuple(detail.items())) for day, kind, detail in c["signals"]))
        for kvk, c in companies.items()
    }
    case_of = {p["kenmerk"]: case for case in data["cases"] for p in case["publications"]}
    published = sorted((date.fromisoformat(p["published_on"]), p["kenmerk"], case) for case in data["cases"]
                       for p in case["publications"])
    published_for: dict[str, list[tuple[date, str]]] = {}
    for day, kenmerk, case in published:
        published_for.setdefault(case["kvk"], []).append((day, kenmerk))
    return Register(companies, lives, {c["branch"]: k for k, c in companies.items()}, data["cases"], case_of, published,
                    published_for)


def handler(today: date, folder: Path | None = None) -> Callable[[httpx.Request], httpx.Response | None]:
    """Answer this area's requests as of ``today``; ``None`` for any other host."""
    loaded: list[Register] = []  # read on the first request for this area, then kept

    def register() -> Register:
        if not loaded:
            loaded.append(load_register(folder or OUT_DIR))
        return loaded[0]

    def handle(request: httpx.Request) -> httpx.Response | None:
        host = request.url.host
        if host == KVK_HOST:
            return _kvk(request, register(), today)
        if host == CIR_HOST and request.url.path.lower() == CIR_PATH:
            return _cir(request, register(), today)
        return None

    return handle


# --- KvK -------------------------------------------------------------------------------------------------


def _answer(status: int, body: bytes, content_type: str, **headers: str) -> httpx.Response:
    """The response ``httpx.Response(status, content=body, headers=...)`` makes (Content-Length, Content-Type and
    ``headers``), built directly: httpx's encoding of a body costs several times the rest, and a history run
    answers every watched company every quarter. The headers are made once per length and kind of answer (a
    response copies them: making them was half of answering; every "not found" has the same)."""
    key = (len(body), content_type, *headers.items())
    prepared = _HEADERS.get(key)
    if prepared is None:
        if len(_HEADERS) >= 4096:
            _HEADERS.clear()
        prepared = _HEADERS[key] = httpx.Headers([("Content-Length", str(len(body))), ("Content-Type", content_type),
                                                  *headers.items()])
    return httpx.Response(status, headers=prepared, stream=httpx.ByteStream(body))


_HEADERS: dict[tuple[Any, ...], httpx.Headers] = {}


#: What ``_fout(404, "IPD0005", ...)`` writes for a KvK number the register does not know (yet).
_PROFILE_NOT_FOUND = (b'{"fout":[{"code":"IPD0005","omschrijving":"Op basis van het KVK-nummer %s kan het product niet '
                      b'worden geleverd."}]}')


def _fout(status: int, code: str, text: str) -> httpx.Response:
    body = {"fout": [{"code": code, "omschrijving": text}]}  # written as httpx's json= writes it
    return _answer(status, json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(), "application/json")


def _hal(body: dict[str, Any], version: str) -> httpx.Response:
    return _answer(200, json.dumps(body, ensure_ascii=False).encode(), "application/hal+json", **{"API-Version": version})


def _kvk(request: httpx.Request, register: Register, today: date) -> httpx.Response:
    if not _has_key(request):
        return _fout(401, "IPD1001", "Geen geldige apikey meegegeven.")
    match = _KVK_PATH.match(request.url.path)
    if request.method != "GET" or not match:
        return _fout(404, "IPD0000", f"Onbekende resource {request.url.path}")
    base = f"https://{KVK_HOST}{match['base']}"
    rest = match["rest"]
    if rest.startswith("/v1/basisprofielen/"):
        kvk = rest.removeprefix("/v1/basisprofielen/")
        if not re.fullmatch(r"\d{8}", kvk):
            return _fout(400, "IPD0004", f"Het KVK-nummer {kvk} is niet valide.")
        body = _profile_body(register, kvk, base, today)
        if body is None:  # the body written once, the number put in (8 digits: nothing to escape)
            return _answer(404, _PROFILE_NOT_FOUND % kvk.encode(), "application/json")
        return _answer(200, body, "application/hal+json", **{"API-Version": "1.5.0"})
    if rest.startswith("/v1/vestigingsprofielen/"):
        number = rest.removeprefix("/v1/vestigingsprofielen/")
        if not re.fullmatch(r"\d{12}", number):
            return _fout(400, "IPD0006", f"Het vestigingsnummer {number} is niet valide.")
        state = _state(register, register.by_branch.get(number, ""), today)
        if state is None:
            return _fout(404, "IPD0005", f"Op basis van het vestigingsnummer {number} kan het product niet worden geleverd.")
        return _hal(_vestiging(state, base, today, full=True), "1.5.0")
    if rest in ("/v2/zoeken", "/v2/zoeken/"):
        return _zoeken(request, register, today, base)
    return _fout(404, "IPD0000", f"Onbekende resource {request.url.path}")


def _has_key(request: httpx.Request) -> bool:
    """``bool(request.headers.get("apikey"))`` from the raw headers (``get`` works out the headers' encoding and
    decodes them first, for every request): an empty value alone is no key, several are joined (never empty)."""
    values = [value for name, value in request.headers.raw if name.lower() == b"apikey"]
    return bool(values) and values != [b""]


def _profile_body(register: Register, kvk: str, base: str, today: date) -> bytes | None:
    """``_hal(basisprofiel(...))``'s body, rendered once per state: a history asks every found company every quarter,
    and its profile changes only with a signal (``CompanyLife.state_on`` applies those up to the day) or the links'
    format. None before the company was registered."""
    entry = register.companies.get(kvk)
    if entry is None or date.fromisoformat(entry["registered_on"]) > today:
        return None
    signals = register.lives[kvk].signals
    applied = next((index for index, signal in enumerate(signals) if signal.day > today), len(signals))
    key = (kvk, base, today >= HAL_LINKS_FROM, applied)
    body = register.bodies.get(key)
    if body is None:
        state = _state(register, kvk, today)
        assert state is not None  # registered by then (checked above)
        body = register.bodies[key] = json.dumps(basisprofiel(state, base, today), ensure_ascii=False).encode()
    return body


def _state(register: Register, kvk: str, today: date) -> dict[str, Any] | None:
    """The company as the register shows it on ``today``: None before it was registered."""
    entry = register.companies.get(kvk)
    if entry is None or date.fromisoformat(entry["registered_on"]) > today:
        return None
    changes = register.lives[kvk].state_on(today)
    address = dict(entry["address"])
    if "street" in changes:  # a move: "Handelskade 81" and "1234 AB"
        street, _, number = str(changes["street"]).rpartition(" ")
        address = {"street": street or changes["street"], "house_number": number if street else "",
                   "postcode": str(changes["postcode"]).replace(" ", ""), "town": changes["town"]}
    legal = entry["legal_form"]
    if changes.get("legal_form"):
        legal = str(changes["legal_form"])
    sbi = list(entry["sbi"])
    if changes.get("sbi"):
        sbi = [str(changes["sbi"]), changes.get("sbi_description") or ""]
    return {**entry, "name": changes.get("name", entry["name"]), "legal_form": legal,
            "legal_form_extended": entry["legal_form_extended"] if legal == entry["legal_form"] else legal,
            "address": address, "employees": changes["employees"], "sbi": sbi, "ended_on": changes["dissolved_on"]}


def _links(pairs: list[tuple[str, str]], today: date) -> dict[str, Any]:
    if today >= HAL_LINKS_FROM:
        return {"_links": {rel: {"href": href} for rel, href in pairs}}
    return {"links": [{"rel": rel, "href": href} for rel, href in pairs]}


def _day(value: Any) -> str:
    return (value if isinstance(value, date) else date.fromisoformat(str(value))).strftime("%Y%m%d")


def _address(state: dict[str, Any]) -> dict[str, Any]:
    a = state["address"]
    number = int(a["house_number"]) if str(a["house_number"]).isdigit() else None
    return {"type": "bezoekadres", "indAfgeschermd": "Nee",
            "volledigAdres": f"{a['street']} {a['house_number']} {a['postcode']} {a['town']}".replace("  ", " "),
            "straatnaam": a["street"], **({"huisnummer": number} if number is not None else {}),
            "postcode": a["postcode"], "plaats": a["town"], "land": "Nederland"}


def _registration(state: dict[str, Any]) -> dict[str, str]:
    registration = {"datumAanvang": _day(state["started_on"])}
    if state["ended_on"]:
        registration["datumEinde"] = _day(state["ended_on"])
    return registration


def _vestiging(state: dict[str, Any], base: str, today: date, *, full: bool = False) -> dict[str, Any]:
    kvk, branch = state["kvk"], state["branch"]
    body: dict[str, Any] = {
        "vestigingsnummer": branch, "kvkNummer": kvk,
        **({"indNonMailing": "Ja" if state["non_mailing"] else "Nee"} if full else {}),
        "formeleRegistratiedatum": _day(state["registered_on"]), "materieleRegistratie": _registration(state),
        "eersteHandelsnaam": state["name"], "indHoofdvestiging": "Ja", "indCommercieleVestiging": "Ja",
        "totaalWerkzamePersonen": state["employees"],
    }
    if full:
        body.update({"voltijdWerkzamePersonen": state["employees"], "deeltijdWerkzamePersonen": 0,
                     "handelsnamen": [{"naam": state["name"], "volgorde": 0}],
                     "sbiActiviteiten": [{"sbiCode": state["sbi"][0], "sbiOmschrijving": state["sbi"][1],
                                          "indHoofdactiviteit": "Ja"}]})
    body["adressen"] = [_address(state)]
    pairs = [("self", f"{base}/v1/vestigingsprofielen/{branch}"), ("basisprofiel", f"{base}/v1/basisprofielen/{kvk}")]
    if not full:
        pairs = [("self", f"{base}/v1/basisprofielen/{kvk}/hoofdvestiging"),
                 ("vestigingen", f"{base}/v1/basisprofielen/{kvk}/vestigingen"),
                 ("basisprofiel", f"{base}/v1/basisprofielen/{kvk}"),
                 ("vestigingsprofiel", f"{base}/v1/vestigingsprofielen/{branch}")]
    return {**body, **_links(pairs, today)}


def basisprofiel(state: dict[str, Any], base: str, today: date) -> dict[str, Any]:
    """A Basisprofiel body as KvK writes it (API-Version 1.5.0), for the state of one day."""
    kvk = state["kvk"]
    names = [state["name"]]
    short = re.sub(r"\s+(B\.V\.|N\.V\.|V\.O\.F\.)$", "", state["name"])
    if short != state["name"]:
        names.append(short)
    owner: dict[str, Any] = {"rechtsvorm": state["legal_form"], "uitgebreideRechtsvorm": state["legal_form_extended"]}
    if state["rsin"]:
        owner = {"rsin": state["rsin"], **owner}
    owner.update(_links([("self", f"{base}/v1/basisprofielen/{kvk}/eigenaar"),
                         ("basisprofiel", f"{base}/v1/basisprofielen/{kvk}")], today))
    body: dict[str, Any] = {
        "kvkNummer": kvk, "indNonMailing": "Ja" if state["non_mailing"] else "Nee", "naam": state["name"],
        "formeleRegistratiedatum": _day(state["registered_on"]), "materieleRegistratie": _registration(state),
        "totaalWerkzamePersonen": state["employees"],
    }
    if state["legal_form"] in ("Besloten Vennootschap", "Naamloze Vennootschap"):
        body["statutaireNaam"] = state["name"]
    body["handelsnamen"] = [{"naam": n, "volgorde": i} for i, n in enumerate(names)]
    body["sbiActiviteiten"] = [{"sbiCode": state["sbi"][0], "sbiOmschrijving": state["sbi"][1], "indHoofdactiviteit": "Ja"}]
    body["_embedded"] = {"eigenaar": owner, "hoofdvestiging": _vestiging(state, base, today)}
    body.update(_links([("self", f"{base}/v1/basisprofielen/{kvk}"), ("vestigingen", f"{base}/v1/basisprofielen/{kvk}/vestigingen")],
                       today))
    return body


def _zoeken(request: httpx.Request, register: Register, today: date, base: str) -> httpx.Response:
    params = {k.lower(): v[-1] for k, v in parse_qs(request.url.query.decode(), keep_blank_values=True).items()}
    number, name = params.get("kvknummer"), (params.get("naam") or "").casefold()
    inactive = params.get("inclusiefinactieveregistraties", "false").lower() == "true"
    try:
        page, size = int(params.get("pagina", "1")), int(params.get("resultatenperpagina", "10"))
    except ValueError:
        return _fout(400, "IPD1999", "Parameter pagina of resultatenPerPagina is niet valide.")
    if not (number or name) or not 1 <= size <= 100 or page < 1:
        return _fout(400, "IPD1999", "Geef ten minste een zoekparameter op.")
    candidates = [number] if number else sorted(register.companies)
    hits = []
    for kvk in candidates:
        state = _state(register, kvk or "", today)
        if state is None or (state["ended_on"] and not inactive) or (name and name not in state["name"].casefold()):
            continue
        item = {"kvkNummer": kvk, "vestigingsnummer": state["branch"], "naam": state["name"],
                "adres": {"binnenlandsAdres": {"type": "bezoekadres", "straatnaam": state["address"]["street"],
                                               "plaats": state["address"]["town"]}},
                "type": "hoofdvestiging"}
        if inactive:
            item["actief"] = "Nee" if state["ended_on"] else "Ja"
        item.update(_links([("basisprofiel", f"{base}/v1/basisprofielen/{kvk}"),
                            ("vestigingsprofiel", f"{base}/v1/vestigingsprofielen/{state['branch']}")], today))
        hits.append(item)
    if not hits:
        return _fout(404, "IPD5200", "Er zijn geen gegevens gevonden die voldoen aan de opgegeven zoekparameters.")
    body = {"pagina": page, "resultatenPerPagina": size, "totaal": len(hits),
            "resultaten": hits[(page - 1) * size:page * size]}
    query = f"kvknummer={number}" if number else f"naam={name}"
    body.update(_links([("self", f"{base}/v2/zoeken?{query}&pagina={page}&resultatenperpagina={size}")], today))
    return _hal(body, "2.1.0")


# --- CIR (SOAP 1.2) --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _soap_makers() -> tuple[ElementMaker, ElementMaker, ElementMaker, ElementMaker]:
    """The answer's element factories, made once (stateless; a first run is one answer per watched company)."""
    return (ElementMaker(namespace=SOAP12, nsmap={"soap": SOAP12, "wsa": WSA}), ElementMaker(namespace=WSA),
            ElementMaker(namespace=CIR, nsmap={None: CIR}), ElementMaker(namespace=INSPUB, nsmap={None: INSPUB}))


def _soap(operation: str, result: etree._Element | None, today: date, relates_to: str | None) -> httpx.Response:
    return _answer(200, _soap_bytes(operation, result, today, relates_to), _SOAP_TYPE)


def _soap_bytes(operation: str, result: etree._Element | None, today: date, relates_to: str | None) -> bytes:
    soap, wsa, cir, _inspub = _soap_makers()
    header = soap.Header(wsa.Action(f"{CIR}/{operation}Response"), wsa.MessageID(f"urn:uuid:demo-{today:%Y%m%d}"),
                         *([wsa.RelatesTo(relates_to)] if relates_to else []),
                         wsa.To(f"{WSA}/role/anonymous"))
    wrapper = getattr(cir, f"{operation}Result")(*([result] if result is not None else []))
    envelope = soap.Envelope(header, soap.Body(getattr(cir, f"{operation}Response")(wrapper)))
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def _listed(operation: str, numbers: list[str], today: date, relates_to: str | None) -> httpx.Response:
    """``_soap(operation, _publication_list(numbers), ...)``: the same bytes, rendered once per list and day and
    the request's MessageID put in (a first run asks searchUndertaking once per watched company, most answers alike);
    an id that would need escaping is rendered whole."""
    if relates_to and _PLAIN_ID.fullmatch(relates_to):
        head, tail = _listed_parts(operation, tuple(numbers), today)
        return _answer(200, head + relates_to.encode() + tail, _SOAP_TYPE)
    inspub = _soap_makers()[3]
    return _soap(operation, _publication_list(inspub, numbers, _extraction(today)), today, relates_to)


#: Stands for the request's MessageID in an answer rendered once (``_listed_parts``); plain text, so written as is.
_RELATES_MARK = "urn:uuid:demo-relates-to"
#: MessageIDs written as they are (nothing to escape), as the connector's ``urn:uuid:...`` are.
_PLAIN_ID = re.compile(r"[A-Za-z0-9:._-]+")


@lru_cache(maxsize=4096)
def _listed_parts(operation: str, numbers: tuple[str, ...], today: date) -> tuple[bytes, bytes]:
    """The answer listing ``numbers`` as of ``today``, split where its RelatesTo's text goes."""
    inspub = _soap_makers()[3]
    body = _soap_bytes(operation, _publication_list(inspub, list(numbers), _extraction(today)), today, _RELATES_MARK)
    head, mark, tail = body.partition(_RELATES_MARK.encode())
    assert mark and _RELATES_MARK.encode() not in tail, "the mark stands once in the answer"
    return head, tail


def _extraction(today: date) -> str:
    return f"{today.isoformat()}T06:00:00+01:00"


def soap_fault(code: str, reason: str, status: int = 500) -> httpx.Response:
    soap = ElementMaker(namespace=SOAP12, nsmap={"soap": SOAP12})
    fault = soap.Fault(soap.Code(soap.Value(f"soap:{code}")), soap.Reason(soap.Text(reason)))
    fault.find(f"{{{SOAP12}}}Reason/{{{SOAP12}}}Text").set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    body = etree.tostring(soap.Envelope(soap.Body(fault)), xml_declaration=True, encoding="utf-8")
    return _answer(status, body, _SOAP_TYPE)


def _cir(request: httpx.Request, register: Register, today: date) -> httpx.Response:
    if request.method != "POST":
        return httpx.Response(405, text="Method Not Allowed")
    try:
        root = parse_xml(request.content, "cir request")
    except RecordError as exc:
        return soap_fault("Sender", f"Server was unable to read request: {exc.reason}", 400)
    token, body, relates = request_parts(root)
    if not token:
        return soap_fault("Sender", "Security requirements are not satisfied because the security header is not present "
                                    "in the incoming message.")
    operation_element = next(iter(body), None) if body is not None else None
    qname = etree.QName(operation_element) if operation_element is not None else None
    if qname is None or qname.namespace != CIR:
        return soap_fault("Sender", "The message has no operation in the cir01 namespace.", 400)
    operation = qname.localname
    args = {etree.QName(child).localname: (child.text or "").strip() for child in operation_element}
    inspub = _soap_makers()[3]
    extraction = _extraction(today)
    published = register.published
    if operation in ("searchModifiedSince", "searchRemovedSince"):
        try:
            since = datetime.fromisoformat(args.get("modifyDate", "")).date()
        except ValueError:
            return soap_fault("Sender", "modifyDate is not a valid xs:dateTime", 400)
        if operation == "searchRemovedSince":
            return _soap(operation, inspub.verwijderdePublicatieLijst(extractiedatum=extraction), today, relates)
        numbers = [kenmerk for day, kenmerk, _case in published if since <= day <= today]
        return _soap(operation, _publication_list(inspub, numbers, extraction), today, relates)
    if operation == "searchUndertaking":
        kvk, name = args.get("commercialRegisterID"), (args.get("name") or "").casefold()
        if kvk and not name:  # by number alone (the collector's question for every new watched company): its index
            numbers = [kenmerk for day, kenmerk in register.published_for.get(kvk, []) if day <= today]
        else:
            numbers = [kenmerk for day, kenmerk, case in published if day <= today and (
                (kvk and case["kvk"] == kvk) or (name and name in register.companies[case["kvk"]]["name"].casefold()))]
        return _listed(operation, numbers, today, relates)
    if operation == "getCase":
        case = register.case_of.get(args.get("publicationNumber", ""))
        visible = case and [p for p in case["publications"] if date.fromisoformat(p["published_on"]) <= today]
        if not visible:
            return _soap(operation, inspub.inspubWebserviceInsolvente(inspub.exceptie("Geen resultaten gevonden", errorcode="1")),
                         today, relates)
        return _soap(operation, _case(inspub, case, visible, register, today), today, relates)
    return soap_fault("Sender", f"Operation {operation} is not supported by the demo replay.", 400)


def request_parts(root: etree._Element) -> tuple[bool, etree._Element | None, str | None]:
    """What a SOAP request's envelope says around its operation: whether a header holds a WS-Security UsernameToken
    (``s:Header/wsse:Security/wsse:UsernameToken``), its Body (the first ``s:Body``) and the text of its first
    ``s:Header/wsa:MessageID`` (as ``findtext`` reads it; None without one).

    One walk over the envelope's top two levels, by tag: three XPath evaluations set up an XPath context each, a
    third of answering a request but for the parse (a first run sends one per watched company)."""
    token, body, message_id = False, None, None
    for part in root:
        if part.tag == _HEADER:
            for item in part:
                if item.tag == _SECURITY:
                    token = token or any(child.tag == _USERNAME_TOKEN for child in item)
                elif item.tag == _MESSAGE_ID and message_id is None:
                    message_id = item.text or ""
        elif part.tag == _BODY and body is None:
            body = part
    return token, body, message_id


_HEADER, _BODY, _MESSAGE_ID = f"{{{SOAP12}}}Header", f"{{{SOAP12}}}Body", f"{{{WSA}}}MessageID"
_SECURITY, _USERNAME_TOKEN = f"{{{WSSE}}}Security", f"{{{WSSE}}}UsernameToken"


def _publication_list(inspub: ElementMaker, numbers: list[str], extraction: str) -> etree._Element:
    if not numbers:
        return inspub.publicatieLijst(inspub.exceptie("Geen resultaten gevonden", errorcode="1"), extractiedatum=extraction)
    return inspub.publicatieLijst(*[inspub.publicatieKenmerk(n) for n in numbers], extractiedatum=extraction)


def _case(inspub: ElementMaker, case: dict[str, Any], publications: list[dict[str, Any]], register: Register,
          today: date) -> etree._Element:
    opened = date.fromisoformat(case["opened_on"])
    state = _state(register, case["kvk"], opened) or _state(register, case["kvk"], today)
    street, number = state["address"]["street"], state["address"]["house_number"]
    admin = case["administrator"]
    return inspub.inspubWebserviceInsolvente(inspub.insolvente(
        inspub.insolventienummer(case["case_number"]),
        inspub.behandelendeInstantieCode(case["court_code"]),
        inspub.behandelendeInstantieNaam(case["court"]),
        inspub.behandelendeVestigingCode(f"3{case['court_code']}0"),
        inspub.behandelendeVestigingNaam(case["court_town"]),
        inspub.isPreHGKGepubliceerd("false"),
        inspub.persoon(inspub.rechtspersoonlijkheid("rechtspersoon"), inspub.achternaam(state["name"]),
                       inspub.KvKNummer(case["kvk"])),
        inspub.RC(case["judge"]),
        inspub.adressen(inspub.geheimAdres("false"), inspub.adres(
            inspub.datumBegin(state["registered_on"]), inspub.straat(street), inspub.huisnummer(number or "1"),
            inspub.postcode(state["address"]["postcode"]), inspub.plaats(state["address"]["town"]),
            inspub.adresType("VEST"))),
        inspub.handelendOnderDeNamen(inspub.handelendOnderDeNaam(
            inspub.handelsnaam(state["name"]), inspub.KvKNummer(case["kvk"]), voorheen="false")),
        inspub.cbvers(inspub.cbv(
            inspub.datumBegin(case["opened_on"]), inspub.titulatuur("mr"), inspub.voorletters(admin["initials"]),
            inspub.achternaam(admin["surname"]), inspub.CB(admin["role"]),
            inspub.adres(inspub.datumBegin(case["opened_on"]), inspub.straat("Postbus"),
                         inspub.huisnummer(str(1000 + int(case["court_code"]))),
                         inspub.postcode(state["address"]["postcode"]), inspub.plaats(case["court_town"].upper())))),
        inspub.publicatiegeschiedenis(
            *[inspub.publicatie(inspub.publicatieDatum(p["published_on"]), inspub.publicatieKenmerk(p["kenmerk"]),
                                inspub.publicatieOmschrijving(p["description"]), inspub.publicatieSoortCode(p["code"]),
                                inspub.publicerendeInstantieCode(case["court_code"])) for p in publications],
            inspub.instroomLegacy("false")),
    ))
