"""News into the store: articles once, links and events with their confidence, idempotent; the demo replay end to end."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.settings import Settings
from connectors.feeds import Article
from connectors.records import Party
from pipelines.collect_news import NewsSummary, collect_news, ingest, news_settings_for
from store.db import Store
from store.news import list_articles
from store.notices import upsert_organisations
from store.schema import CollectionRun, CountryTone, SpendLine, SupplierEvent
from store.schema.news import FetchState, NewsArticle, NewsArticleOrganisation

TODAY = date(2026, 11, 1)


def watch(store: Store, names: list[str]) -> list[int]:
    """Make ``names`` watched suppliers (organisations in our spend); their ids in order."""
    now = datetime.now(UTC)
    parties = [Party(name=name, country="NL", company_id=f"{10000000 + i}") for i, name in enumerate(names)]
    with store.session() as session, session.begin():
        ids = upsert_organisations(session, parties, now)
        ordered = [ids[f"NL:id:{10000000 + i}"] for i in range(len(names))]
        for i, org_id in enumerate(ordered):
            session.add(SpendLine(row_key=f"row-{i}-{org_id}", source_file="spend.csv", row_number=i + 2, supplier_name=names[i],
                                  organisation_id=org_id, imported_at=now))
    return ordered


def article(title: str, url: str, day: date = date(2026, 10, 5), source: str = "rss") -> Article:
    return Article(url=url, title=title, published=datetime(day.year, day.month, day.day, 9, tzinfo=UTC), source=source,
                   outlet="testkrant", language="nl", countries=("NL",))


def run(store: Store, settings: Settings, articles: list[Article]) -> NewsSummary:
    summary = NewsSummary("rss")
    ingest(store, settings, "rss", articles, [], summary, today=TODAY)
    return summary


def test_articles_are_stored_once_and_events_carry_link_times_class_confidence(store: Store, settings: Settings) -> None:
    (dravel, brand) = watch(store, ["Dravel Logistiek B.V.", "Brand B.V."])
    batch = [
        article("Dravel Logistiek B.V. failliet verklaard door rechtbank", "https://k.example/1"),
        article("Dravel Logistiek B.V. failliet verklaard door rechtbank!", "https://other.example/x"),  # near-duplicate title
        article("Grote brand in loods op industrieterrein", "https://k.example/2"),  # "Brand" only as a common word
        article("Weerbericht: zonnig weekend", "https://k.example/3"),
    ]
    first = run(store, settings, batch)
    assert (first.counts.added, first.counts.duplicates, first.counts.events) == (3, 1, 1)
    again = run(store, settings, batch + [article("Dravel Logistiek B.V. failliet verklaard", "https://k.example/1?utm_source=x")])
    # The three stored URLs and the first one again with a tracking parameter; the near-duplicate again.
    assert (again.counts.added, again.counts.events, again.counts.unchanged, again.counts.duplicates) == (0, 0, 4, 1)
    with store.session() as session:
        (event,) = session.scalars(select(SupplierEvent)).all()
        weak_links = session.scalars(select(NewsArticleOrganisation).where(NewsArticleOrganisation.organisation_id == brand)).all()
        assert session.scalar(select(func.count()).select_from(NewsArticle)) == 3
    assert event.organisation_id == dravel and event.kind == "news.insolvency" and event.source == "rss"
    assert event.occurred_on == date(2026, 10, 5) and len(event.source_ref) == 64
    details = event.details
    assert event.confidence == pytest.approx(details["link_confidence"] * details["class_probability"], abs=1e-3)
    assert details["matched_name"] == "dravel logistiek" and set(details["class_probabilities"]) >= {"insolvency", "other"}
    assert [link.confidence for link in weak_links] == [0.2]  # kept for review, below the event threshold


def test_listing_filters_by_supplier_country_and_date(store: Store, settings: Settings) -> None:
    (dravel,) = watch(store, ["Dravel Logistiek B.V."])
    run(store, settings, [
        article("Staking bij Dravel Logistiek in Duitsland", "https://k.example/a", day=date(2026, 9, 1)),
        article("China beperkt export van gallium", "https://k.example/b", day=date(2026, 10, 1)),
    ])
    with store.session() as session:
        mine = list_articles(session, organisation_id=dravel)
        chinese = list_articles(session, country="CN")
        recent = list_articles(session, organisation_id=dravel, since=date(2026, 10, 1))
    assert [a.event_class for a in mine] == ["strike"] and mine[0].countries == ("DE",)
    assert [a.title for a in chinese] == ["China beperkt export van gallium"] and chinese[0].organisation is None
    assert recent == []


def test_demo_replay_end_to_end(store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo outlets through the real connectors: feeds (then 304s), GDELT (articles, tone), broken items quarantined."""
    from demo.story import build_story
    from demo.world import build_world
    from pipelines.transports import transport_for

    world, story = build_world(), build_story()
    ours = world.supplier_by_id[story.our_failure_id]
    watch(store, [ours.name] + [s.name for s in world.suppliers[:60] if s.id != ours.id])
    demo = news_settings_for(settings, "demo")
    first = {s.source: s for s in collect_news(store, demo, transport=transport_for("demo"), today=TODAY)}
    assert first["rss"].status == first["gdelt"].status == "ok"
    assert first["rss"].counts.added > 100 and first["rss"].counts.duplicates >= 5 and first["rss"].quarantined == 2
    assert first["gdelt"].tone_rows > 500
    second = {s.source: s for s in collect_news(store, demo, transport=transport_for("demo"), today=TODAY)}
    assert second["rss"].not_modified == 3 and second["rss"].counts.added == 0
    assert second["gdelt"].counts.added == 0
    with store.session() as session:
        kinds = dict(session.execute(select(SupplierEvent.kind, func.count()).group_by(SupplierEvent.kind)).all())
        ours_events = session.scalars(select(SupplierEvent).where(SupplierEvent.title.contains(ours.name.split(" B.V.")[0]))).all()
        states = session.scalars(select(FetchState.last_status)).all()
        runs = session.scalars(select(CollectionRun.source)).all()
        tone_countries = set(session.scalars(select(CountryTone.country)))
    assert any(kind.startswith("news.") for kind in kinds) and "news.other" not in kinds
    assert {e.kind for e in ours_events} == {"news.insolvency"}
    assert set(states) == {"not-modified"} and set(runs) == {"rss", "gdelt"}
    assert {"CN", "RU", "NL"} <= tone_countries


def test_feed_text_is_printed_literally_never_as_markup(store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from supplyradar.cli import app

    if store.engine.dialect.name != "sqlite":
        pytest.skip("the CLI reads the settings' database")
    watch(store, ["Dravel Logistiek B.V."])
    run(store, settings, [article("[red]Dravel Logistiek[/red] <script>x</script> failliet", "https://k.example/m")])
    monkeypatch.setenv("SUPPLYRADAR_DATABASE_URL", store.url)
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["news"])
    assert result.exit_code == 0, result.output
    assert "[red]Dravel Logistiek[/red] <script>x</script> failliet" in result.output


def test_the_committed_demo_news_is_what_the_default_seed_builds(tmp_path: Path) -> None:
    from demo.build_news import NEWS_DIR, build_news

    counts = build_news(tmp_path)
    rebuilt = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    committed = {p.name: p.read_bytes() for p in NEWS_DIR.iterdir() if p.name != "README.md"}
    assert rebuilt == committed, "stale: run python -m demo.build_news"
    assert counts["nl"] > 50 and counts["pool"] > 50


def test_trade_names_and_merged_organisations_link_to_the_canonical_supplier(store: Store, settings: Settings) -> None:
    from store.schema import Base

    tables = Base.metadata.tables
    if not {"organisation_merges", "company_snapshots"} <= set(tables):
        pytest.skip("the companies and own-data tables are not in this schema")
    canonical, merged = watch(store, ["Dravel Logistiek B.V.", "Dravel Transport"])
    now = datetime.now(UTC)
    with store.session() as session, session.begin():
        session.execute(tables["organisation_merges"].insert().values(organisation_id=merged, canonical_id=canonical, method="accepted",
                                                                     score=None, merged_at=now))
        session.execute(tables["company_snapshots"].insert().values(
            organisation_id=canonical, kvk_number="10000000", observed_on=TODAY, confirmed_on=TODAY, status="found",
            payload={"trade_names": ["Dravel Koeriers"]}, content_hash="x", source_url=None, fetched_at=now))
    summary = run(store, settings, [article("Dravel Transport failliet verklaard", "https://k.example/t"),
                                    article("Staking bij Dravel Koeriers", "https://k.example/k")])
    assert summary.counts.events == 2
    with store.session() as session:
        owners = set(session.scalars(select(SupplierEvent.organisation_id)))
    assert owners == {canonical}


def test_an_article_another_run_stored_meanwhile_counts_as_unchanged_and_keeps_its_links(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The insert's ``ON CONFLICT (url_hash) DO NOTHING``: a run that did not see the article when it looked
    (``known_hashes``) does not store it twice, nor its links; the new one beside it is stored with its links."""
    from store import news as news_store
    from store.news import CountryLink, OrganisationLink, PreparedArticle

    first, second = watch(store, ["Alfa Bouw B.V.", "Beta Schoonmaak B.V."])

    def prepared(url: str, org_id: int) -> PreparedArticle:
        item = article(f"Nieuws over {org_id}", url)
        return PreparedArticle(article=item, title_key=item.title.lower(), published_on=item.published.date(),
                               class_probabilities={"other": 1.0}, event_class="other", model_version="test",
                               organisations=(OrganisationLink(org_id, 0.9, "alfa bouw", ("exact name",)),),
                               countries=(CountryLink("NL", 0.5, "outlet focus"),))

    with store.session() as session, session.begin():
        stored = news_store.save_articles(session, [prepared("https://news.example/a", first)])
    assert (stored.added, stored.links, stored.unchanged) == (1, 1, 0)
    monkeypatch.setattr(news_store, "known_hashes", lambda session, hashes: set())  # it looked before the other run wrote
    with store.session() as session, session.begin():
        again = news_store.save_articles(session, [prepared("https://news.example/a", second),
                                                   prepared("https://news.example/b", second)])
    assert (again.added, again.links, again.unchanged) == (1, 1, 1)
    with store.session() as session:
        links = session.execute(select(NewsArticle.url, NewsArticleOrganisation.organisation_id, NewsArticleOrganisation.reasons)
                                .join(NewsArticleOrganisation, NewsArticleOrganisation.article_id == NewsArticle.id)
                                .order_by(NewsArticle.url)).all()
    assert [tuple(row) for row in links] == [("https://news.example/a", first, ["exact name"]),
                                             ("https://news.example/b", second, ["exact name"])]
