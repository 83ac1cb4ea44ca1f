"""EU sanctions list: the FSF XML format read safely and streamed, explained fuzzy matching, screening into events."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest
import respx
from sqlalchemy import select

from config.settings import Settings
from connectors.errors import MalformedNoticeError, RecordError
from connectors.feeds import FeedState
from connectors.sanctions_eu import SanctionsEntry, fetch_list, iter_entries, make_client
from models.sanctions_match import ListedEnterprise, comparable, screen
from pipelines.screen_sanctions import collect_sanctions
from store.db import Store
from store.schema import SupplierEvent

FIXTURES = Path(__file__).parents[1] / "fixtures" / "news"
LIST_URL = Settings.model_fields["news"].default_factory().sanctions.url


def entries() -> list[SanctionsEntry | RecordError]:
    return list(iter_entries((FIXTURES / "eu_fsf.xml").read_bytes(), where="eu_fsf.xml"))


def test_the_fsf_format_is_read_entity_by_entity() -> None:
    read = entries()
    good = [e for e in read if isinstance(e, SanctionsEntry)]
    bad = [e for e in read if isinstance(e, RecordError)]
    assert [e.logical_id for e in good] == ["7001", "7002", "7003"]
    first = good[0]
    assert first.is_enterprise and first.programmes == ("RUS",) and first.countries == ("RU",)
    assert "ООО «Технопромэкспорт»" in first.names and first.eu_reference == "EU.7000.11"
    assert good[1].subject_type == "person" and good[1].countries == ("BY",)
    (error,) = bad
    assert error.record == "7004" and error.field == "nameAlias/@wholeName"


def test_entities_are_never_expanded_and_broken_xml_is_an_error() -> None:
    evil = (b'<?xml version="1.0"?><!DOCTYPE export [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<export xmlns="http://eu.europa.ec/fpi/fsd/export"><sanctionEntity logicalId="1">'
            b'<subjectType code="enterprise"/><nameAlias wholeName="A &x; B"/></sanctionEntity></export>')
    with pytest.raises(MalformedNoticeError, match="external entity"):
        list(iter_entries(evil, where="evil.xml"))
    with pytest.raises(MalformedNoticeError, match="not well-formed"):
        list(iter_entries(b"<export xmlns='http://eu.europa.ec/fpi/fsd/export'><sanctionEntity>", where="cut.xml"))


def listed() -> list[ListedEnterprise]:
    return [ListedEnterprise(e.logical_id, e.names, e.programmes, e.countries) for e in entries()
            if isinstance(e, SanctionsEntry) and e.is_enterprise]


def test_transliterated_names_with_legal_form_noise_match_and_say_why() -> None:
    suppliers = [("a", "Tekhnopromeksport OOO"), ("b", "Технопромэкспорт"), ("c", "Halluks Electronics Co., Ltd."),
                 ("d", "Tonkeling Schoonmaak B.V."), ("e", "Ivan Petrovich Testov")]
    matches = {m.supplier_key: m for m in screen(suppliers, listed(), min_score=88)}
    assert set(matches) == {"a", "b", "c"}  # the person entry is never screened against
    assert matches["a"].entry_id == matches["b"].entry_id == "7001"
    assert matches["c"].programmes == ("RUS",) and matches["c"].score >= 95
    assert "legal forms" in matches["a"].explanation and matches["a"].alias in matches["a"].explanation
    assert matches["b"].details()["verdict"].startswith("possible match")


def test_near_names_score_below_the_threshold() -> None:
    assert screen([("x", "Technoprom Solutions B.V."), ("y", "Halluks Bakery")], listed(), min_score=88) == []
    assert comparable("OOO Tekhnopromeksport") == comparable("Tekhnopromeksport LLC") == "tekhnopromeksport"


@respx.mock
def test_the_list_is_downloaded_conditionally(settings: Settings) -> None:
    route = respx.get(LIST_URL).mock(side_effect=[
        httpx.Response(200, content=(FIXTURES / "eu_fsf.xml").read_bytes(), headers={"ETag": '"v1"'}),
        httpx.Response(304, headers={"ETag": '"v1"'}),
    ])
    with make_client(settings.http, sleep=lambda _s: None) as client:
        first = fetch_list(client, LIST_URL)
        second = fetch_list(client, LIST_URL, first.state)
    assert first.data and first.state == FeedState('"v1"', None)
    assert second.data is None and route.calls[1].request.headers["If-None-Match"] == '"v1"'


@respx.mock
def test_screening_stores_one_event_per_match_idempotently(store: Store, settings: Settings) -> None:
    from tests.store.test_news_store import watch

    ids = watch(store, ["Halluks Electronics Co., Ltd.", "Tonkeling Schoonmaak B.V."])
    respx.get(LIST_URL).mock(return_value=httpx.Response(200, content=(FIXTURES / "eu_fsf.xml").read_bytes(), headers={"ETag": '"v1"'}))
    first = collect_sanctions(store, settings, today=date(2026, 11, 1), sleep=lambda _s: None)
    again = collect_sanctions(store, settings, today=date(2026, 11, 2), sleep=lambda _s: None)
    assert first.status == again.status == "ok"
    assert (first.entries, first.added, first.quarantined, first.new_events) == (3, 3, 1, 1)
    assert (again.unchanged, again.new_events) == (3, 0)
    with store.session() as session:
        (event,) = session.scalars(select(SupplierEvent)).all()
    assert event.organisation_id == ids[0] and event.kind == "sanctions.possible_match" and event.source == "sanctions-eu"
    assert event.occurred_on == date(2026, 11, 1) and event.details["matched_alias"] == "HALLUKS ELECTRONICS COMPANY LIMITED"
    assert event.details["programmes"] == ["RUS"] and 0.88 <= event.confidence <= 1
