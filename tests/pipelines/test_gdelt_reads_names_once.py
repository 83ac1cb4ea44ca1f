"""GDELT's collection reads the watched names once: the names it searches for are the ones its articles are linked to,
with the short forms ``watched_names`` adds (``store.news.with_short_forms``)."""

from __future__ import annotations

from datetime import date

import pytest

import pipelines.collect_news as collect_news_module
from config.settings import Settings
from pipelines.collect_news import collect_news, news_settings_for
from store.db import Store
from store.news import watched_names, with_short_forms
from tests.store.test_news_store import watch

TODAY = date(2026, 11, 1)


def test_with_short_forms_gives_what_watched_names_reads(store: Store) -> None:
    watch(store, ["Koninklijke KPN N.V.", "Koninklijke BAM Groep N.V.", "Eneco Zakelijk B.V.", "Jansen B.V.",
                  "Van Oord Dredging and Marine Contractors B.V.", "Bam Infra B.V."])
    with store.session() as session:
        full, linked = watched_names(session, short_forms=False), watched_names(session)
    assert len(linked) > len(full)  # (some short form is unambiguous here)
    assert with_short_forms(full) == linked


def test_gdelt_reads_the_watched_names_once_and_links_with_their_short_forms(
        store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from demo.world import build_world
    from pipelines.transports import transport_for

    watch(store, [s.name for s in build_world().suppliers[:60]] + ["Koninklijke KPN N.V."])
    with store.session() as session:
        expected = watched_names(session)
    reads: list[bool] = []
    linked: list[list[tuple[int, str]]] = []

    def counting(session, *, short_forms: bool = True) -> list[tuple[int, str]]:
        reads.append(short_forms)
        return watched_names(session, short_forms=short_forms)

    def remembering(names):
        linked.append(list(names))
        return watchlist(names)

    watchlist = collect_news_module.watchlist
    monkeypatch.setattr(collect_news_module, "watched_names", counting)
    monkeypatch.setattr(collect_news_module, "watchlist", remembering)
    (summary,) = collect_news(store, news_settings_for(settings, "demo"), sources=["gdelt"], transport=transport_for("demo"),
                              today=TODAY)
    assert summary.status == "ok" and summary.counts.added > 0
    assert reads == [False] and linked == [expected]
