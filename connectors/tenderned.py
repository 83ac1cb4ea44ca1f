"""TenderNed: Dutch notices, national ones included, through the TNS publications API.

Domain
  TenderNed is the Dutch government's procurement platform. Every Dutch public notice is
  published there, also those below the EU thresholds that never reach TED. The list and the
  detail are JSON; winners, lots and buyer identifiers are only in the notice XML (``public-xml``).

API documentation
  https://www.tenderned.nl/info/swagger (TNS v2: ``/papi/tenderned-rs-tns/v2``), with example
  code at https://github.com/tenderned-analyse/code-example-tn-xml-api

Caveats
  - ``GET /publicaties`` pages from 0 (``page``, ``size`` at most 100) and answers
    ``{content, totalElements, totalPages, number, size, first, last}``; we stop at ``last`` or
    ``totalPages``. The list is newest first and has no sort parameter, so ``list_pages`` reads
    the whole window before handing it on oldest first (see Arguments).
  - List rows carry no CPV codes: the public XML does, and so does ``GET /publicaties/{id}``
    (``cpvCodes``, with check digit ``72000000-5``; we keep the 8 digits). The XML is asked first;
    the detail only for a notice without a readable XML (or whose XML and list row lack what the
    detail has: ``needs_detail``). The detail names some fields differently from the list
    (``aankondigingCode``, ``procedureCode``; ids as numbers), so the list row is read first.
  - ``publicatieType`` is filtered again on our side: a filter value the API does not know has
    been seen to return the whole corpus.
  - ``GET /publicaties/{id}/public-xml`` is not there for every notice, and TenderNed hands it to
    registered users (HTTP Basic, account from functioneelbeheer@tenderned.nl). When it is missing,
    refused or unparseable the notice still counts from the JSON, without lots and awards, and
    ``collect_page`` returns a ``NoticeWithoutXml`` warning for it (a ``RecordWarning``).
  - European notices are on TED too: ``same_as`` carries the XML's ``eforms:<uuid>`` and
    ``ted:<publication number>`` so the store counts such an award once.

Arguments
  ``TenderNedSettings``: ``base_url``, ``username``/``password`` (optional; never logged),
  ``page_size``, ``publication_types`` (``AGO`` award, ``AAO`` contract notice, ``VOP`` prior
  information, ``WNO`` modification), ``min_interval_seconds``.
  ``since`` / ``until``: publication dates, both inclusive. Incremental runs pass ``since`` = the
  stored watermark. ``list_pages`` yields oldest first, so the watermark (the last fully processed
  publication date) can advance page by page; fetching the watermark day again is harmless because
  storage is idempotent. A long first window (years) is read whole before the first page is
  stored: give a backfill an ``until``, or run it in slices.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import httpx

from config.settings import HttpSettings, TenderNedSettings
from connectors import notice_xml
from connectors.errors import RecordError, RecordWarning, SourceRequestError, SourceUnavailableError, note_unexpected_fields
from connectors.http import HttpClient
from connectors.record_faults import UnavailableStreak, sort_failure, unavailable
from connectors.records import Notice, NoticeKind, Party
from connectors.tenderned_xml_access import XmlAccess

SOURCE = "tenderned"
log = logging.getLogger("supplyradar.connectors.tenderned")

#: TenderNed publication type -> place in the procurement cycle.
KIND_BY_TYPE: dict[str, NoticeKind] = {
    "VOP": "planning",
    "AAO": "competition",
    "AGO": "award",
    "WNO": "modification",
}
#: Fields a list row has been seen to carry; anything else is logged, so a format change shows.
KNOWN_SUMMARY_FIELDS = frozenset(
    {
        "publicatieId",
        "publicatieDatum",
        "typePublicatie",
        "aanbestedingNaam",
        "aanbestedendeDienstNaam",
        "opdrachtgeverNaam",
        "sluitingsDatum",
        "aantalDagenTotSluitingsDatum",
        "procedure",
        "typeOpdracht",
        "digitaal",
        "europees",
        "publicatiecode",
        "publicatiestatus",
        "isVroegtijdigeBeeindiging",
        "opdrachtBeschrijving",
        "link",
        "kenmerk",
        "score",
        "urlTsenderNaam",
        "urlTsenderWebsite",
    }
)
COUNTRY = "NL"
CPV_DIGITS = 8

NoticeParser = Callable[..., Notice]
Json = Mapping[str, Any]


def make_client(
    settings: TenderNedSettings,
    http: HttpSettings,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> HttpClient:
    """An ``HttpClient`` at TenderNed's pace, with the account when one is configured."""
    auth = None
    if settings.username and settings.password:
        auth = httpx.BasicAuth(settings.username, settings.password.get_secret_value())
    return HttpClient(
        SOURCE,
        http,
        transport=transport,
        min_interval_seconds=settings.min_interval_seconds,
        auth=auth,
        headers={"Accept": "application/json"},
        sleep=sleep,
    )


def list_params(
    settings: TenderNedSettings, page: int, *, since: date, until: date | None = None
) -> list[tuple[str, Any]]:
    """Query parameters of one list page; ``publicatieType`` is repeated once per type."""
    params: list[tuple[str, Any]] = [
        ("page", page),
        ("size", settings.page_size),
        ("publicatieDatumVanaf", since.isoformat()),
    ]
    if until is not None:
        params.append(("publicatieDatumTot", until.isoformat()))
    params.extend(("publicatieType", code) for code in settings.publication_types)
    return params


def list_pages(
    client: HttpClient, settings: TenderNedSettings, *, since: date, until: date | None = None
) -> Iterator[list[dict[str, Any]]]:
    """The list rows published from ``since`` to ``until``, in pages of ``page_size``, oldest first.

    The API lists newest first with no way to sort, so a watermark taken page by page would jump
    to the newest date at once. The whole window is read first (list pages are small and cheap next
    to the detail and XML calls), rows met twice are dropped, and the rest is handed on oldest first.
    """
    rows = sorted(_unique(_list_rows(client, settings, since=since, until=until)), key=_oldest_first)
    for start in range(0, len(rows), settings.page_size):
        yield rows[start : start + settings.page_size]


def _list_rows(
    client: HttpClient, settings: TenderNedSettings, *, since: date, until: date | None
) -> Iterator[dict[str, Any]]:
    """Every row of every list page, as the API sends them, minus types we did not ask for."""
    url = f"{settings.base_url}/publicaties"
    wanted = set(settings.publication_types)
    listed = 0
    for page in itertools.count():
        if page >= settings.max_pages:
            raise SourceUnavailableError(
                SOURCE, url, f"stopped after {settings.max_pages} list pages (tenderned.max_pages): the listing does not end"
            )
        payload = client.request_json("GET", url, params=list_params(settings, page, since=since, until=until))
        content = payload.get("content") or []
        total = payload.get("totalElements")
        if not content and isinstance(total, int) and listed < total and not payload.get("last"):
            raise SourceUnavailableError(
                SOURCE, url, f"an empty page {page} after {listed} of the {total} publications announced; stopped, not done"
            )
        listed += len(content)
        note_unexpected_fields(log, "tenderned", "list", {name for row in content for name in row}, KNOWN_SUMMARY_FIELDS,
                               where=f"page {page}")
        rows = [row for row in content if _type_code(row) in wanted or _type_code(row) is None]
        if len(rows) < len(content):
            log.warning(
                "tenderned: page %d held %d rows of other types than %s; the type filter was not applied",
                page,
                len(content) - len(rows),
                sorted(wanted),
            )
        yield from rows
        total_pages = payload.get("totalPages")
        if not content or payload.get("last") or (total_pages is not None and page + 1 >= total_pages):
            return


def _unique(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Rows once each: a publication that arrives while we page pushes older ones onto the next page."""
    seen: set[str] = set()
    for row in rows:
        key = row.get("publicatieId")
        if key in (None, ""):  # handed on, to be reported as that record's error
            yield row
        elif str(key) not in seen:
            seen.add(str(key))
            yield row


def _oldest_first(row: Json) -> tuple[str, str]:
    return str(row.get("publicatieDatum") or "")[:10], str(row.get("publicatieId") or "")


def publication_url(settings: TenderNedSettings, publicatie_id: str) -> str:
    return f"{settings.base_url}/publicaties/{publicatie_id}"


def public_xml_url(settings: TenderNedSettings, publicatie_id: str) -> str:
    return f"{publication_url(settings, publicatie_id)}/public-xml"


def fetch_detail(client: HttpClient, publicatie_id: str, settings: TenderNedSettings) -> dict[str, Any]:
    """The detail JSON (CPV codes, ``kenmerk``). A 404/410 or a body that is not JSON is a ``RecordError``."""
    url = publication_url(settings, publicatie_id)
    response = client.get_record(url, record=publicatie_id)
    try:
        detail = response.json()
    except ValueError:
        detail = None
    if not isinstance(detail, dict):
        raise RecordError(url, "the detail is not a JSON object", record=publicatie_id)
    return detail


def fetch_public_xml(client: HttpClient, publicatie_id: str, settings: TenderNedSettings) -> bytes:
    """The notice XML as published. A 404/410 (no XML for this notice) is a ``RecordError``."""
    return client.get_xml(public_xml_url(settings, publicatie_id), record=publicatie_id)


def collect_page(
    client: HttpClient,
    settings: TenderNedSettings,
    summaries: Sequence[Json],
    *,
    parse: NoticeParser | None = None,
    access: XmlAccess | None = None,
) -> tuple[list[Notice], list[RecordError]]:
    """The public XML for each list row, and the detail where the XML and the row leave something out: the
    notices, and the per-record errors and warnings.

    The XML first: it is the notice as published (winners, lots, CPV codes, buyer), and with the row's type, date
    and name it is the whole notice, so the detail is asked only for a notice without a readable XML or whose XML
    and row lack what the detail has (``needs_detail``). Against the live API that halves the requests of an award
    collection (TenderNed allows ``max_requests_per_second`` in all).

    A row without id, or a notice whose XML and detail are both gone, is an error (no notice). A missing, refused
    or unparseable XML is a warning: the notice is still returned from the detail, without awards, and the warning
    names it in ``record``. An answer lost to an unavailable source leaves that record pending; three in a row
    raise ``SourceUnavailableError``. ``parse`` defaults to ``connectors.notice_xml.parse_notice``. ``access``: the
    run's XML requests (``connectors.tenderned_xml_access``: a run refused for want of an account stops asking),
    one per run across its pages; a new one per call when not given.
    """
    parse = parse or notice_xml.parse_notice
    access = access or XmlAccess()
    notices: list[Notice] = []
    errors: list[RecordError] = []
    streak = UnavailableStreak()
    for summary in summaries:
        try:
            publicatie_id = _publication_id(summary, f"{settings.base_url}/publicaties")
            try:
                xml_notice, warning = _xml_notice(client, publicatie_id, settings, parse, access)
                detail = fetch_detail(client, publicatie_id, settings) if needs_detail(summary, xml_notice) else None
            except RecordError as exc:  # gone, cut or not JSON: nothing said about the record itself
                raise sort_failure(exc, None, publicatie_id) from exc
            except SourceUnavailableError as exc:
                streak.failed(exc)
                raise unavailable(exc, publicatie_id) from exc
            streak.succeeded()
            notices.append(to_notice(summary, detail, xml_notice, where=publication_url(settings, publicatie_id)))
        except RecordError as exc:
            exc.payload = json.dumps(summary).encode()  # type: ignore[attr-defined]  # for the quarantine table
            errors.append(exc)
            continue
        if warning is not None:
            errors.append(warning)
    return notices, errors


def needs_detail(summary: Json, xml_notice: Notice | None) -> bool:
    """Whether the detail JSON would add to the list row and the parsed XML: without an XML, or without CPV codes
    in it, its CPV codes; without the row's publication type, date or name, the detail's (``to_notice``)."""
    return (xml_notice is None or not xml_notice.cpv or _type_code(summary) is None
            or _date(summary.get("publicatieDatum")) is None or not summary.get("aanbestedingNaam"))


class NoticeWithoutXml(RecordWarning):
    """Not a lost record: the notice was kept from the JSON, without lots and awards, because its
    public XML was missing, refused or unparseable. The collection logs it instead of quarantining it.
    """


def _xml_notice(
    client: HttpClient, publicatie_id: str, settings: TenderNedSettings, parse: NoticeParser, access: XmlAccess
) -> tuple[Notice | None, NoticeWithoutXml | None]:
    """The parsed public XML, or ``None`` and the warning that says why the notice has no awards."""
    url = public_xml_url(settings, publicatie_id)
    if not access.asking:
        return None, NoticeWithoutXml(url, f"kept without lots and awards: {access.why_not_asked()}", record=publicatie_id)
    try:
        data = fetch_public_xml(client, publicatie_id, settings)
    except SourceRequestError as exc:
        access.refused(exc, settings)
        return None, NoticeWithoutXml(url, f"kept without lots and awards: {exc}", record=publicatie_id)
    except RecordError as exc:  # no XML for this notice (404, 410): an answer all the same
        access.answered()
        return None, NoticeWithoutXml(url, f"kept without lots and awards: {exc}", record=publicatie_id)
    access.answered()
    try:
        return parse(data, where=url), None
    except RecordError as exc:
        return None, NoticeWithoutXml(url, f"kept without lots and awards: {exc}", record=publicatie_id)


def to_notice(summary: Json, detail: Json | None, xml_notice: Notice | None, *, where: str = SOURCE) -> Notice:
    """One TenderNed publication as a ``Notice``: the JSON says what and when, the XML who won and who bid and lost
    (the tenders it lists: national notices are on TenderNed only, so their losing bidders are nowhere else).

    Raises ``RecordError`` when the row has no id, no usable publication date or no buyer.
    """
    rows = (summary, detail or {})
    publicatie_id = _publication_id(summary, where)
    type_code = _type_code(summary) or _code((detail or {}).get("aankondigingCode"))
    published = _date(_pick(rows, "publicatieDatum"))
    if published is None:
        raise RecordError(where, "no publication date", record=publicatie_id, field="publicatieDatum")
    cpv = cpv_codes(detail or {}) or (xml_notice.cpv if xml_notice else ())
    return Notice(
        notice_id=publicatie_id,
        format="tenderned",
        notice_type=type_code or "",
        subtype=None,
        kind=KIND_BY_TYPE.get(type_code or "", "other"),
        published=published,
        buyer=xml_notice.buyer if xml_notice else _json_buyer(rows, where, publicatie_id),
        cpv_main=cpv[0] if cpv else None,
        cpv=cpv,
        title=_pick(rows, "aanbestedingNaam"),
        procedure_type=(xml_notice and xml_notice.procedure_type) or _code(_pick(rows, "procedure", "procedureCode")),
        lots=xml_notice.lots if xml_notice else (),
        awards=xml_notice.awards if xml_notice else (),
        bids=xml_notice.bids if xml_notice else (),
        source=SOURCE,
        source_url=_href(_pick(rows, "link")),
        same_as=tuple(dict.fromkeys((f"{SOURCE}:{publicatie_id}", *(xml_notice.same_as if xml_notice else ())))),
    )


def cpv_codes(detail: Json) -> tuple[str, ...]:
    """The detail's CPV codes as 8 digits, the main one (``isHoofdOpdracht``) first, no duplicates."""
    entries = [entry for entry in detail.get("cpvCodes") or [] if isinstance(entry, dict)]
    entries.sort(key=lambda entry: not entry.get("isHoofdOpdracht"))
    codes = (str(entry.get("code") or "").split("-")[0].strip() for entry in entries)
    return tuple(dict.fromkeys(code for code in codes if len(code) == CPV_DIGITS and code.isdigit()))


def _json_buyer(rows: Sequence[Json], where: str, publicatie_id: str) -> Party:
    name = _pick(rows, "aanbestedendeDienstNaam", "opdrachtgeverNaam")
    if not name:
        raise RecordError(where, "no buyer name", record=publicatie_id, field="aanbestedendeDienstNaam")
    return Party(name=name, country=COUNTRY)


def _publication_id(row: Json, where: str) -> str:
    """The row's id as text (the detail sends it as a number, the list as a string)."""
    value = row.get("publicatieId")
    if value in (None, ""):
        raise RecordError(where, "publication without publicatieId", field="publicatieId")
    return str(value)


def _pick(rows: Sequence[Json], *names: str) -> Any:
    """The first non-empty value of ``names``, looked up in ``rows`` in order."""
    for row in rows:
        for name in names:
            if row.get(name) not in (None, "", [], {}):
                return row[name]
    return None


def _code(value: Any) -> str | None:
    """A ``{"code", "omschrijving"}`` pair's code; some responses send the bare code."""
    if isinstance(value, dict):
        value = value.get("code")
    return value if isinstance(value, str) and value else None


def _href(link: Any) -> str | None:
    return link.get("href") if isinstance(link, dict) else None


def _type_code(row: Json) -> str | None:
    return _code(row.get("typePublicatie"))


def _date(value: Any) -> date | None:
    """``2024-03-01`` in the list, ``2024-03-01T12:15:00+01:00`` in the detail: the date part."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
