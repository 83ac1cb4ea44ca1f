"""Collect news from feeds and GDELT, link it to suppliers and countries, classify it, store it once.

Plain functions (the ``collect-news`` flow and the CLI both call them). One source is one
collection run: every feed (or every GDELT query) is fetched, the articles of the whole source go
through one pipeline (de-duplication, classification in one batch, linking with one automaton)
and are written in one transaction. A broken feed or item is logged, quarantined or skipped and
the rest goes on; a GDELT throttle is backed off and retried by the HTTP client.

Which articles become supplier events: a link of at least ``min_link_confidence`` to a watched
supplier, a class other than "other" with at least ``min_event_probability`` (the threshold chosen on
the classifier's validation set), and link confidence x class probability of at least
``min_event_confidence``. The event is ``news.<class>``, dated by the article, with the class
probabilities and the matched name in its details: a signal for a person, never a verdict.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session

from config.news import NewsSettings
from config.settings import Settings
from connectors import feeds, gdelt
from connectors.errors import RecordError, SourceRequestError, SourceUnavailableError
from connectors.feeds import Article
from models.collector_pause import collector_paused
from models.entity_linking import Linker, build_linker, fold, link
from models.event_classifier import is_event, predict_proba, top_class
from models.near_duplicates import TitleIndex
from pipelines.collection_run import collection_run
from pipelines.news_model import TrainedClassifier, classifier
from store.bookkeeping import quarantine, resolve_quarantined
from store.db import Store
from store.news import (
    ArticleCounts,
    CountryLink,
    NewEvent,
    OrganisationLink,
    PreparedArticle,
    get_fetch_state,
    known_hashes,
    save_articles,
    save_country_tone,
    set_fetch_state,
    titles_between,
    watched_names,
    with_short_forms,
)

log = logging.getLogger(__name__)

SOURCES = ("rss", "gdelt")
#: Confidence of a country link that comes from the outlet's focus, not from the text.
OUTLET_FOCUS_CONFIDENCE = 0.3
#: GDELT's DOC API searches at most the last three months.
GDELT_MAX_DAYS = 90

Sleep = Callable[[float], None]


@dataclass
class NewsSummary:
    source: str
    fetched: int = 0
    counts: ArticleCounts = field(default_factory=ArticleCounts)
    quarantined: int = 0
    not_modified: int = 0
    failures: list[str] = field(default_factory=list)
    tone_rows: int = 0
    status: str = "ok"
    error: str | None = None

    def as_row(self) -> dict[str, Any]:
        return {
            "source": self.source, "fetched": self.fetched, "added": self.counts.added, "unchanged": self.counts.unchanged,
            "duplicates": self.counts.duplicates, "links": self.counts.links, "events": self.counts.events,
            "quarantined": self.quarantined, "not modified": self.not_modified, "failed": len(self.failures),
            "tone rows": self.tone_rows, "status": self.status,
        }


def news_settings_for(settings: Settings, transport: str) -> Settings:
    """The demo reads the demo outlets' feeds, needs no GDELT pacing (it reads local files), and, collecting
    once instead of daily, asks GDELT for its whole three-month window."""
    if transport != "demo":
        return settings
    from demo.settings import news_settings

    return news_settings(settings)


# --- the pipeline: de-duplicate, classify, link ------------------------------------------------------


@dataclass
class Watchlist:
    """The linker over the watched suppliers' names, and who each key is."""

    linker: Linker
    names: dict[int, str]


#: The last watchlist built and the names it was built from: the feeds' run and GDELT's read the same names
#: (nothing in between changes who is watched); building the automaton again over the 23,500 watched names of the
#: demo's scale 54 cost 0.14 CPU-s.
_LAST_WATCHLIST: dict[tuple[tuple[int, str], ...], Watchlist] = {}


def watchlist(names: Sequence[tuple[int, str]]) -> Watchlist:
    """``names``: (organisation id, name) pairs, several per organisation, its own name first.

    The same names (compared in full) give the watchlist built last: the linker is only read."""
    key = tuple(names)
    built = _LAST_WATCHLIST.get(key)
    if built is None:
        first: dict[int, str] = {}
        for org_id, name in names:
            first.setdefault(org_id, name)
        built = Watchlist(build_linker((str(org_id), name) for org_id, name in names), first)
        _LAST_WATCHLIST.clear()
        _LAST_WATCHLIST[key] = built
    return built


def prepare(
    articles: Sequence[Article],
    watched: Watchlist,
    model: TrainedClassifier,
    settings: NewsSettings,
    *,
    stored_titles: Sequence[tuple[str, date]] = (),
    today: date | None = None,
) -> tuple[list[PreparedArticle], int]:
    """Decide everything about a batch of articles; also the number dropped as near-duplicates.

    Pure apart from the model call: the caller loads ``stored_titles`` (title keys of stored
    articles around the batch's dates) and writes the result.

    With the cyclic garbage collector paused (``collector_paused``), as a page of notices is read: the title index
    and the prepared articles are all alive until the caller stores them, so collections during the batch walked
    them and freed nothing, and more often the larger the batch (``bench/news.py``, 50,000 articles against 5,000:
    1.21-1.30x the cost per article with the collector running, 1.10-1.11x paused).
    """
    with collector_paused():
        return _prepare(articles, watched, model, settings, stored_titles=stored_titles, today=today)


def _prepare(articles: Sequence[Article], watched: Watchlist, model: TrainedClassifier, settings: NewsSettings, *,
             stored_titles: Sequence[tuple[str, date]], today: date | None) -> tuple[list[PreparedArticle], int]:
    today = today or datetime.now(UTC).date()
    unique, title_keys, duplicates = _drop_duplicates(articles, stored_titles, settings, today)
    texts = [f"{a.title}. {a.summary}" if a.summary else a.title for a in unique]
    # The classifier learnt from headlines: it reads the title; linking reads title and summary.
    probabilities = predict_proba(model.pipeline, [a.title for a in unique])
    prepared = []
    for article, title_key, text, probs in zip(unique, title_keys, texts, probabilities, strict=True):
        label, probability = top_class(probs)
        mentions, countries = link(watched.linker, text)
        organisations = tuple(OrganisationLink(int(m.key), m.confidence, m.matched, m.reasons) for m in mentions)
        country_links = tuple(CountryLink(c.country, c.confidence, c.matched) for c in countries) or tuple(
            CountryLink(code, OUTLET_FOCUS_CONFIDENCE, "outlet focus") for code in article.countries
        )
        day = _day(article, today)
        events = tuple(
            _event(article, day, org, label, probability, probs, watched.names.get(org.organisation_id, org.matched))
            for org in organisations
            if org.confidence >= settings.min_link_confidence and is_event(label, probability, settings.min_event_probability)
            and org.confidence * probability >= settings.min_event_confidence
        )
        prepared.append(PreparedArticle(
            article=article, title_key=title_key[:300], published_on=day, class_probabilities=probs,
            event_class=label, model_version=model.version, organisations=organisations, countries=country_links, events=events,
        ))
    return prepared, duplicates


def _day(article: Article, today: date) -> date:
    return article.published.date() if article.published else today


def _event(article: Article, day: date, org: OrganisationLink, label: str, probability: float, probs: dict[str, float],
           name: str) -> NewEvent:
    return NewEvent(
        organisation_id=org.organisation_id,
        kind=f"news.{label}",
        occurred_on=day,
        source=article.source,
        source_ref=article.url_hash,
        source_url=article.url,
        title=article.title,
        confidence=org.confidence * probability,
        details={
            "class_probabilities": probs, "class_probability": probability, "link_confidence": org.confidence,
            "matched_name": org.matched, "supplier_name": name, "link_reasons": list(org.reasons),
            "outlet": article.outlet, "language": article.language,
        },
    )


def _drop_duplicates(
    articles: Sequence[Article], stored_titles: Sequence[tuple[str, date]], settings: NewsSettings, today: date
) -> tuple[list[Article], list[str], int]:
    """Keep the first of each URL and of each near-identical title within ``duplicate_days``; the kept articles,
    their folded titles (the stored title key: folded once, here) and the number dropped."""
    index = TitleIndex(settings.duplicate_title_score, settings.duplicate_days)
    for key, day in stored_titles:
        index.add(key, day)
    seen_urls: set[str] = set()
    kept: list[Article] = []
    keys: list[str] = []
    duplicates = 0
    for article in articles:
        if article.url_hash in seen_urls:
            duplicates += 1
            continue
        seen_urls.add(article.url_hash)
        key, day = fold(article.title), _day(article, today)
        if not index.add_unless_near_duplicate(key, day):
            duplicates += 1
            continue
        kept.append(article)
        keys.append(key)
    return kept, keys, duplicates


def ingest(store: Store, settings: Settings, source: str, articles: Sequence[Article], errors: Sequence[RecordError],
           summary: NewsSummary, *, today: date | None = None, vouch: Callable[[Session], None] | None = None,
           names: Sequence[tuple[int, str]] | None = None) -> None:
    """One source's articles through the pipeline and into the store, in one transaction.

    ``vouch`` writes what says "these are stored" (a feed's ETag and Last-Modified) in that same
    transaction: written before the articles, a failed write would leave a validator that makes the
    next run skip them for good (304 Not Modified). ``names``: the watched names to link to (``watched_names``),
    when the caller has read them already (GDELT searches for them); else they are read here.
    """
    model = classifier()
    today = today or datetime.now(UTC).date()
    with store.session() as session, session.begin():
        watched = watchlist(watched_names(session) if names is None else names)
        days = [_day(a, today) for a in articles]
        window = timedelta(days=settings.news.duplicate_days)
        stored = titles_between(session, min(days) - window, max(days) + window) if days else []
        # Already stored URLs are "unchanged", not near-duplicates of themselves.
        known = known_hashes(session, (a.url_hash for a in articles))
        fresh = [a for a in articles if a.url_hash not in known]
        prepared, duplicates = prepare(fresh, watched, model, settings.news, stored_titles=stored, today=today)
        counts = save_articles(session, prepared, known=known)
        counts.unchanged += len(articles) - len(fresh)
        counts.duplicates += duplicates
        summary.counts = counts
        for error in errors:
            quarantine(session, source, error, payload=getattr(error, "payload", None))
            summary.quarantined += 1
        if vouch is not None:
            vouch(session)


def _run(store: Store, source: str, work: Callable[[NewsSummary], None]) -> NewsSummary:
    summary = NewsSummary(source)

    def counts() -> dict[str, Any]:
        return {"fetched": summary.fetched, "added": summary.counts.added, "unchanged": summary.counts.unchanged,
                "quarantined": summary.quarantined, "details": {**summary.as_row(), "failures": summary.failures[:20]}}

    with collection_run(store, source, summary, counts=counts, expected=(SourceUnavailableError, SourceRequestError)):
        work(summary)
    return summary


# --- feeds -------------------------------------------------------------------------------------------


def collect_feeds(store: Store, settings: Settings, *, transport: httpx.BaseTransport | None = None,
                  sleep: Sleep = time.sleep, today: date | None = None, since: date | None = None) -> NewsSummary:
    """Fetch every configured feed (conditionally) and ingest their articles; a failing feed does not stop the others.

    ``since`` (recovery): fetch every feed whole, without the stored ETag and Last-Modified, so what a
    lost run took in comes again; a feed holds only its recent items, so older ones may be gone.
    """
    feed_list = feeds.load_feeds(settings.news.feeds_file)

    def work(summary: NewsSummary) -> None:
        articles: list[Article] = []
        errors: list[RecordError] = []
        answered: list[tuple[feeds.FeedConfig, feeds.FeedState]] = []
        with feeds.make_client(settings.http, transport=transport, sleep=sleep) as client:
            for feed in feed_list:
                with store.session() as session:
                    state = get_fetch_state(session, feed.url) if since is None else feeds.FeedState()
                try:
                    result = feeds.fetch_feed(client, feed, state)
                except (SourceUnavailableError, SourceRequestError, RecordError) as exc:
                    summary.failures.append(f"{feed.name}: {exc}")
                    log.warning("feed %s failed: %s", feed.name, exc)
                    if isinstance(exc, RecordError):
                        errors.append(exc)
                    _remember(store, feed, None, f"failed: {exc}")
                    continue
                if result.not_modified:
                    summary.not_modified += 1
                    _remember(store, feed, result.state, "not-modified")
                    continue
                articles.extend(result.articles)
                errors.extend(result.errors)
                summary.fetched += len(result.articles) + len(result.errors)
                answered.append((feed, result.state))

        def vouch(session: Session) -> None:
            for feed, state in answered:
                _remember_in(session, feed, state, "new")

        ingest(store, settings, feeds.SOURCE, articles, errors, summary, today=today, vouch=vouch)
        if feed_list and len(summary.failures) == len(feed_list):
            raise SourceUnavailableError(feeds.SOURCE, str(settings.news.feeds_file), "every feed failed")

    return _run(store, feeds.SOURCE, work)


def _remember(store: Store, feed: feeds.FeedConfig, state: feeds.FeedState | None, status: str) -> None:
    """Keep the feed's validators and outcome; a feed that answers again leaves the quarantine."""
    with store.session() as session, session.begin():
        _remember_in(session, feed, state, status)


def _remember_in(session: Session, feed: feeds.FeedConfig, state: feeds.FeedState | None, status: str) -> None:
    set_fetch_state(session, feed.url, source=feeds.SOURCE, name=feed.name, state=state, status=status)
    if not status.startswith("failed"):
        resolve_quarantined(session, feeds.SOURCE, [feed.url])


# --- GDELT -------------------------------------------------------------------------------------------


def collect_gdelt(store: Store, settings: Settings, *, transport: httpx.BaseTransport | None = None,
                  sleep: Sleep = time.sleep, today: date | None = None, since: date | None = None) -> NewsSummary:
    """Search GDELT for the watched suppliers and the topic queries, then the tone of each followed country.

    ``since`` (recovery): search from that day instead of the configured ``timespan`` (GDELT keeps three months).
    """
    options = settings.news.gdelt
    if since is not None:
        days = min(max(((today or datetime.now(UTC).date()) - since).days + 1, 1), GDELT_MAX_DAYS)
        options = options.model_copy(update={"timespan": f"{days}d"})
    # Read once: the names searched for are those the articles found are linked to (reading them again for the
    # linking cost 0.25 CPU-s at the demo's scale 54).
    with store.session() as session:
        full_names = watched_names(session, short_forms=False)
    names = list(dict.fromkeys(name for _, name in full_names))
    queries = gdelt.name_queries(names, options.max_query_chars) + list(options.topic_queries)

    def work(summary: NewsSummary) -> None:
        articles: list[Article] = []
        errors: list[RecordError] = []
        with gdelt.make_client(options, settings.http, transport=transport, sleep=sleep) as client:
            try:
                for query in queries:
                    found, bad = gdelt.search_articles(client, options, query)
                    articles.extend(found)
                    errors.extend(bad)
                    summary.fetched += len(found) + len(bad)
                tones = [day for days in gdelt.all_tones(client, options) for day in days]
            finally:
                # What came in before a failure is kept: the next run asks again anyway.
                ingest(store, settings, gdelt.SOURCE, articles, errors, summary, today=today,
                       names=with_short_forms(full_names))
        with store.session() as session, session.begin():
            summary.tone_rows = save_country_tone(session, tones)

    return _run(store, gdelt.SOURCE, work)


def collect_news(store: Store, settings: Settings, *, sources: Sequence[str] = SOURCES,
                 transport: httpx.BaseTransport | None = None, today: date | None = None,
                 since: date | None = None) -> list[NewsSummary]:
    unknown = set(sources) - set(SOURCES)
    if unknown:
        raise ValueError(f"unknown news source(s): {', '.join(sorted(unknown))}; known: {', '.join(SOURCES)}")
    collectors = {"rss": collect_feeds, "gdelt": collect_gdelt}
    return [collectors[source](store, settings, transport=transport, today=today, since=since) for source in sources]
