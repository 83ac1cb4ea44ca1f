"""Renders the demo world's notices as the JSON the real search APIs return.

TED Search API v3: one search-result item per notice, with the fields the API uses (hyphenated names,
alpha-3 countries, per-language maps, lists even for single values, dates with the Brussels offset)
and the links to the notice's XML, HTML and PDF. Legacy notices get eForms-like notice types, as TED
reports them. TenderNed TNS v2: the summary of a publication as the list endpoint returns it, and the
detail with the CPV codes (with their check digits and Dutch labels) that only the detail carries.
Winners are in neither: they are only in the XML, on both sources.
"""

from __future__ import annotations

from typing import Any

from demo.world import (
    CATEGORY_BY_KEY,
    NUTS_NAMES,
    Publication,
    World,
    brussels_offset,
    cpv_reference,
)

TED_NOTICE_URL = "https://ted.europa.eu/en/notice/{number}/{kind}"
TED_DETAIL_URL = "https://ted.europa.eu/en/notice/-/detail/{number}"
TENDERNED_URL = "https://www.tenderned.nl/aankondigingen/overzicht/{id}"

_TYPE_OPDRACHT = {"services": ("D", "Diensten"), "supplies": ("L", "Leveringen"), "works": ("W", "Werken")}
#: TenderNed's procedure codes for the eForms procedure types the world uses.
_PROCEDURE = {"open": ("OPE", "Openbaar"), "restricted": ("NOP", "Niet-openbaar"),
              "neg-w-call": ("MMO", "Mededingingsprocedure met onderhandeling"),
              "comp-dial": ("CGD", "Concurrentiegerichte dialoog")}
AWARD_TYPE = {"code": "AGO", "omschrijving": "Aankondiging van een gegunde opdracht"}


def all_cpv(notice: Publication) -> list[str]:
    """The notice's CPV codes, main first, then the additional ones of the notice and its lots."""
    codes = list(notice.cpv)
    for lot in notice.lots:
        codes += [code for code in lot.cpv if code not in codes]
    return codes


def ted_search_item(notice: Publication, world: World) -> dict[str, Any]:
    """A notice as one item of ``POST /v3/notices/search`` with every field the demo serves."""
    if not notice.ted_number:
        raise ValueError(f"{notice.key} is not published on TED")
    number = notice.ted_number
    return {
        "publication-number": number,
        "publication-date": f"{notice.published.isoformat()}{brussels_offset(notice.published)}",
        "notice-type": "can-standard" if notice.kind == "can" else "cn-standard",
        "buyer-country": ["NLD"],
        "buyer-name": {"nld": [world.buyer_by_id[notice.buyer_id].name]},
        "classification-cpv": all_cpv(notice),
        "links": {
            "xml": {"MUL": TED_NOTICE_URL.format(number=number, kind="xml")},
            "html": {"ENG": TED_DETAIL_URL.format(number=number)},
            "pdf": {"ENG": TED_NOTICE_URL.format(number=number, kind="pdf")},
        },
    }


def tenderned_summary(notice: Publication, world: World) -> dict[str, Any]:
    """A publication as an item of ``GET /publicaties`` (TenderNed TNS v2)."""
    if not notice.tenderned_id or not notice.tenderned_date:
        raise ValueError(f"{notice.key} is not published on TenderNed")
    buyer = world.buyer_by_id[notice.buyer_id]
    code, label = _TYPE_OPDRACHT[CATEGORY_BY_KEY[notice.category].nature]
    procedure, procedure_label = _PROCEDURE[notice.procedure]
    return {
        "publicatieId": notice.tenderned_id,
        "publicatieDatum": notice.tenderned_date.isoformat(),
        "typePublicatie": dict(AWARD_TYPE),
        "aanbestedingNaam": notice.title,
        "aanbestedendeDienstNaam": buyer.name,
        "opdrachtgeverNaam": buyer.name,
        "procedure": {"code": procedure, "omschrijving": procedure_label},
        "typeOpdracht": {"code": code, "omschrijving": label},
        "europees": notice.channel == "ted",
        "digitaal": True,
        "opdrachtBeschrijving": notice.description,
        "link": {"href": TENDERNED_URL.format(id=notice.tenderned_id), "title": notice.title},
    }


def tenderned_detail(notice: Publication, world: World) -> dict[str, Any]:
    """A publication as ``GET /publicaties/{id}`` returns it.

    The detail is not the list row plus extras: it names the same facts differently (``aankondigingCode``,
    ``procedureCode``, ``typeOpdrachtCode``, ``nationaalOfEuropeesCode``), sends the id as a number and
    the date with a time, and adds the CPV codes (with check digits and Dutch labels) and ``kenmerk``.
    """
    summary = tenderned_summary(notice, world)
    reference = cpv_reference()
    buyer = world.buyer_by_id[notice.buyer_id]
    published = notice.tenderned_date or notice.published
    european = notice.channel == "ted"
    return {
        "publicatieId": int(summary["publicatieId"]),
        "kenmerk": notice.kenmerk,
        "publicatieDatum": f"{published.isoformat()}T09:00:00{brussels_offset(published)}",
        "aankondigingCode": summary["typePublicatie"],
        "aanbestedingNaam": summary["aanbestedingNaam"],
        "aanbestedendeDienstNaam": summary["aanbestedendeDienstNaam"],
        "opdrachtgeverNaam": summary["opdrachtgeverNaam"],
        "opdrachtBeschrijving": summary["opdrachtBeschrijving"],
        "procedureCode": summary["procedure"],
        "typeOpdrachtCode": summary["typeOpdracht"],
        "nationaalOfEuropeesCode": {"code": "EUR", "omschrijving": "Europees"} if european
        else {"code": "NAT", "omschrijving": "Nationaal"},
        "isDigitaalInschrijvenMogelijk": True,
        "isGegund": True,
        "afgerondeAanbesteding": True,
        "cpvCodes": [
            {"code": f"{code}-{reference[code].check_digit}", "omschrijving": reference[code].label_nl,
             "isHoofdOpdracht": i == 0}
            for i, code in enumerate(all_cpv(notice))
        ],
        "nutsCodes": [{"code": buyer.nuts, "omschrijving": NUTS_NAMES[buyer.nuts]}],
        "link": summary["link"],
    }
