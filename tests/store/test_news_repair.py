"""Feed articles stored with "&#38;" for "&" (before revision 0019) get their real URL and key: collected again, they are known.

The old reading is the bs4 path without its correction (the fast path was kept equal to it), so the
article stored "the old way" is what a store upgraded from revision 0018 really holds.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select

from config.settings import Settings
from connectors import feed_soup, feed_tree
from connectors.feeds import Article, FeedConfig, parse_feed, url_hash
from store.db import Store
from store.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
from store.news_repair import RepairCounts, repair_feed_ampersands
from store.schema import SupplierEvent
from store.schema.alerts import AlertAudit, AlertOccurrence, AlertRow
from store.schema.news import NewsArticle, NewsArticleCountry, NewsArticleOrganisation
from tests.store.test_news_store import run, watch

BEFORE = "0018_issue20_spend_org_cpv"
FEED = FeedConfig(url="https://x.example/feed", name="testkrant", language="nl", countries=("NL",))
ATOM = (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>Dravel Logistiek B.V. failliet verklaard door rechtbank</title>"
        b"<link href='https://x.example/nieuws?id=7&amp;page=2'/><updated>2026-10-05T09:00:00Z</updated></entry></feed>")
REAL = "https://x.example/nieuws?id=7&page=2"
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def at_revision_0018(store: Store) -> None:
    """The store as it was before this fix: revision 0018 (the schema is the same, only the data differs)."""
    config = alembic_config()
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, BEFORE)
    assert current_revision(store.engine) == BEFORE


def read_the_old_way(monkeypatch: pytest.MonkeyPatch) -> list[Article]:
    """The feed as the reader took it in before the fix: bs4, keeping the parser's "&#38;"."""
    with monkeypatch.context() as old:
        old.setattr(feed_tree, "clean_root", lambda text: None)
        old.setattr(feed_soup, "real_ampersands", lambda attrib: attrib)
        articles, _ = parse_feed(ATOM, FEED, where="feed.xml")
    return articles


def test_an_article_stored_the_old_way_is_known_when_the_feed_is_collected_after_the_upgrade(
        store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    (dravel,) = watch(store, ["Dravel Logistiek B.V."])
    at_revision_0018(store)
    (old,) = read_the_old_way(monkeypatch)
    assert old.url == "https://x.example/nieuws?id=7&#38;page=2"  # what the bug stored
    assert run(store, settings, [old]).counts.events == 1
    upgrade_to_head(store.engine)
    assert current_revision(store.engine) == head_revision()
    again = run(store, settings, parse_feed(ATOM, FEED, where="feed.xml")[0])
    assert (again.counts.added, again.counts.unchanged, again.counts.events) == (0, 1, 0)
    with store.session() as session:
        (article,) = session.scalars(select(NewsArticle)).all()
        (event,) = session.scalars(select(SupplierEvent)).all()
        links = session.scalars(select(NewsArticleOrganisation.organisation_id)).all()
    assert (article.url, article.url_hash) == (REAL, url_hash(REAL))
    assert (event.source_ref, event.source_url, event.organisation_id) == (url_hash(REAL), REAL, dravel)
    assert links == [dravel]


def stored_article(session: Any, url: str, title: str, *, organisation: int | None, country: str) -> int:
    row = NewsArticle(url_hash=url_hash(url), url=url, title_key=title.lower(), title=title, published_on=date(2026, 10, 5),
                      source="rss", outlet="testkrant", collected_at=NOW)
    session.add(row)
    session.flush()
    if organisation is not None:
        session.add(NewsArticleOrganisation(article_id=row.id, organisation_id=organisation, confidence=0.9, matched="dravel",
                                            reasons=["name"]))
    session.add(NewsArticleCountry(article_id=row.id, country=country, confidence=0.3, matched="outlet"))
    return row.id


def event(organisation: int, url: str) -> SupplierEvent:
    return SupplierEvent(organisation_id=organisation, kind="news.insolvency", occurred_on=date(2026, 10, 5), source="rss",
                         source_ref=url_hash(url), source_url=url, title="Dravel failliet", details={}, confidence=0.8,
                         detected_at=NOW)


def rows(session: Any, query: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in session.execute(query))


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.session() as session:
        return {
            "articles": [(a.id, a.url, a.url_hash) for a in session.scalars(select(NewsArticle).order_by(NewsArticle.id))],
            "links": rows(session, select(NewsArticleOrganisation.article_id, NewsArticleOrganisation.organisation_id)),
            "countries": rows(session, select(NewsArticleCountry.article_id, NewsArticleCountry.country)),
            "events": rows(session, select(SupplierEvent.organisation_id, SupplierEvent.source_ref, SupplierEvent.source_url)),
            "occurrences": rows(session, select(AlertOccurrence.alert_id, AlertOccurrence.ref)),
            "alerts": [(a.count, a.facts["sources"]) for a in session.scalars(select(AlertRow).order_by(AlertRow.id))],
            "audit": list(session.scalars(select(AlertAudit.detail).order_by(AlertAudit.id))),
        }


def test_old_and_corrected_spellings_stored_together_merge_into_one_article_losing_no_link(store: Store) -> None:
    first, second, third = watch(store, ["Dravel Logistiek B.V.", "Brand B.V.", "Derde B.V."])
    broken, fixed = "https://x.example/a?b=1&#38;c=2", "https://x.example/a?b=1&c=2"
    right_url = "https://x.example/a?c=2&b=1"  # the corrected spelling, collected with a real "&": the same key
    # the "#" cut the broken keys' queries: the second one's old key is the first one's corrected key
    chain = ("https://x.example/c?b=1&#38;c=2", "https://x.example/c?b=1&c=2&#38;d=3")
    chain_fixed = ("https://x.example/c?b=1&c=2", "https://x.example/c?b=1&c=2&d=3")
    assert url_hash(chain[1]) == url_hash(chain_fixed[0]) != url_hash(chain[0])
    twins = ("https://x.example/p?x=1&#38;y=2", "https://x.example/p?y=2&#38;x=1")  # one article, two broken keys
    at_revision_0018(store)
    with store.session() as session, session.begin():
        old = stored_article(session, broken, "Dravel failliet", organisation=first, country="NL")
        right = stored_article(session, right_url, "Dravel failliet", organisation=second, country="NL")
        chain_ids = [stored_article(session, url, f"Ander bericht {i}", organisation=None, country="BE")
                     for i, url in enumerate(chain)]
        twin_ids = [stored_article(session, url, "P", organisation=org, country="DE") for url, org in zip(twins, (first, second), strict=True)]
        session.add_all([event(first, broken), event(first, right_url), event(second, chain[1])])
        alert = AlertRow(dedup_key="news|organisation:1|news.insolvency", rule_id="news", rule_type="event",
                         subject="organisation:1", cause="news.insolvency", severity="high", title="Dravel failliet", count=2,
                         facts={"sources": [{"source": "rss", "ref": url_hash(broken), "url": broken, "title": "t"}]},
                         first_seen=NOW, last_seen=NOW, notified_at=NOW, expires_at=NOW, updated_at=NOW)
        session.add(alert)
        session.flush()
        session.add_all([AlertOccurrence(alert_id=alert.id, ref=f"event:rss:{url_hash(url)}", seen_at=NOW) for url in (broken, fixed)])
        undo = {"events": [{"source": "rss", "source_ref": url_hash(broken), "source_url": broken}],
                "article_links": [{"article_id": old, "organisation_id": o} for o in (third, second)], "name_key": "dravel"}
        session.add(AlertAudit(alert_id=alert.id, change="wrong-company", detail=json.dumps(undo), actor="t", at=NOW))
    upgrade_to_head(store.engine)
    state = snapshot(store)
    assert state["articles"] == [(right, right_url, url_hash(fixed)),
                                 *[(i, url, url_hash(url)) for i, url in zip(chain_ids, chain_fixed, strict=True)],
                                 (twin_ids[0], "https://x.example/p?x=1&y=2", url_hash("https://x.example/p?x=1&y=2"))]
    assert state["links"] == sorted([(right, first), (right, second), (twin_ids[0], first), (twin_ids[0], second)])
    assert state["countries"] == sorted([(right, "NL"), *[(i, "BE") for i in chain_ids], (twin_ids[0], "DE")])
    assert state["events"] == sorted([(first, url_hash(fixed), right_url),
                                      (second, url_hash(chain_fixed[1]), chain_fixed[1])])
    assert state["occurrences"] == [(alert.id, f"event:rss:{url_hash(fixed)}")]
    assert state["alerts"] == [(1, [{"source": "rss", "ref": url_hash(fixed), "url": fixed, "title": "t"}])]
    assert json.loads(state["audit"][0]) == {
        "events": [{"source": "rss", "source_ref": url_hash(fixed), "source_url": fixed}],
        "article_links": [{"article_id": right, "organisation_id": third}],  # it has the link to the second already
        "name_key": "dravel"}
    with store.engine.begin() as conn:
        assert repair_feed_ampersands(conn) == RepairCounts()  # idempotent
    assert snapshot(store) == state
