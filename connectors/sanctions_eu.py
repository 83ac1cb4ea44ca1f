"""The EU consolidated financial sanctions list (FSF): persons and enterprises under EU financial sanctions.

Domain
  One XML file (about 20 MB) with every ``sanctionEntity`` under EU CFSP financial sanctions:
  its names (``nameAlias@wholeName``, many per entity, in several scripts), whether it is a
  ``person`` or an ``enterprise`` (``subjectType@code``), citizenship or registration countries
  (``citizenship@countryIso2Code``), and the regulations that list it (``regulation@programme``,
  e.g. ``RUS``, ``IRN``, ``BLR``). ``@logicalId`` identifies an entity across versions.

API documentation
  https://webgate.ec.europa.eu/fsd/fsf (the "public files" download link of the XML 1.1 full list;
  the ``token`` parameter is the public one the page hands out, redacted in logs all the same).

Caveats
  - Namespace ``http://eu.europa.ec/fpi/fsd/export``; root ``export`` with ``generationDate``.
  - The file is downloaded with a conditional request (ETag / Last-Modified): an unchanged list
    costs a 304 and is not parsed again.
  - Untrusted XML, large: parsed with ``iterparse`` (entities, DTD and network off), one entity at
    a time, each element cleared after use, so memory stays flat. A document nested past
    ``MAX_XML_DEPTH`` is refused whole, by libxml2 while parsing (``safe_xml.refusal_for``).
  - An entity without a logical id or without any name is a ``RecordError``; the list goes on.

Arguments
  ``SanctionsSettings.url``; ``fetch_list(client, url, state)``; ``iter_entries(data, where)``.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
from lxml import etree

from config.settings import HttpSettings
from connectors.errors import MalformedNoticeError, RecordError
from connectors.feeds import FeedState, conditional_get, validators
from connectors.http import HttpClient
from connectors.notice_xml.safe_xml import refusal_for

SOURCE = "sanctions-eu"
NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"
_NS = f"{{{NAMESPACE}}}"
log = logging.getLogger("supplyradar.connectors.sanctions_eu")


@dataclass(frozen=True, slots=True)
class SanctionsEntry:
    logical_id: str
    subject_type: str  # "person" or "enterprise"
    names: tuple[str, ...]
    countries: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    eu_reference: str | None = None
    designated: str | None = None  # ISO date, when the list gives one

    @property
    def is_enterprise(self) -> bool:
        return self.subject_type == "enterprise"


@dataclass(frozen=True)
class ListDownload:
    """The list's bytes (``None`` when unchanged since ``state``) and the state to remember."""

    data: bytes | None
    state: FeedState


def make_client(
    http: HttpSettings, *, transport: httpx.BaseTransport | None = None, sleep: Callable[[float], None] = time.sleep
) -> HttpClient:
    return HttpClient(SOURCE, http, transport=transport, headers={"Accept": "application/xml"}, sleep=sleep)


def fetch_list(client: HttpClient, url: str, state: FeedState | None = None) -> ListDownload:
    """Download the list unless it is unchanged since ``state`` (a 304)."""
    state = state or FeedState()
    response = conditional_get(client, url, state)
    if response is None:
        return ListDownload(None, state)
    return ListDownload(response.content, validators(response))


def iter_entries(data: bytes, *, where: str) -> Iterator[SanctionsEntry | RecordError]:
    """Each ``sanctionEntity`` as an entry, or a ``RecordError`` for one that cannot be read.

    Raises ``MalformedNoticeError`` when the document itself is not well-formed XML (the entries
    read before the fault have been yielded by then).
    """
    events = etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        tag=f"{_NS}sanctionEntity",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    position = 0
    try:
        for _event, element in events:
            position += 1
            try:
                yield read_entity(element, where=f"{where} entity {position}")
            except RecordError as exc:
                yield exc
            finally:
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise refusal_for(exc, where) or MalformedNoticeError(
            where, f"not well-formed XML: {' '.join(str(exc).split())}") from None
    if position == 0:
        log.warning("%s: no sanctionEntity in namespace %s", where, NAMESPACE)


def read_entity(element: etree._Element, *, where: str) -> SanctionsEntry:
    logical_id = element.get("logicalId")
    if not logical_id:
        raise RecordError(where, "sanctionEntity without logicalId", field="sanctionEntity/@logicalId")
    names = tuple(
        dict.fromkeys(
            " ".join(alias.get("wholeName", "").split())
            for alias in element.iterchildren(f"{_NS}nameAlias")
            if alias.get("wholeName", "").strip()
        )
    )
    if not names:
        raise RecordError(where, "sanctionEntity without any nameAlias/@wholeName", record=logical_id, field="nameAlias/@wholeName")
    subject = element.find(f"{_NS}subjectType")
    subject_type = subject.get("code", "") if subject is not None else ""
    countries = tuple(
        dict.fromkeys(
            code.upper()
            for node in element.iterchildren(f"{_NS}citizenship", f"{_NS}address")
            if (code := node.get("countryIso2Code")) and code not in {"00", ""}
        )
    )
    programmes = tuple(dict.fromkeys(p for r in element.iterchildren(f"{_NS}regulation") if (p := r.get("programme"))))
    return SanctionsEntry(
        logical_id=logical_id,
        subject_type=subject_type,
        names=names,
        countries=countries,
        programmes=programmes,
        eu_reference=element.get("euReferenceNumber"),
        designated=element.get("designationDate"),
    )
