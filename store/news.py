"""Idempotent writes and the reads of the news area: articles, their links, feed state, sanctions entries.

Articles are keyed by their URL hash: collecting the same feed twice adds nothing. Supplier events
(``news.<class>``, ``sanctions.possible_match``) go to the shared ``supplier_events`` table with
``ON CONFLICT DO NOTHING`` on its unique key, so re-detecting an event is a no-op. The caller owns
the transaction (``with store.session() as s, s.begin()``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, or_, select, union
from sqlalchemy.orm import Session

from connectors.feeds import Article, FeedState
from connectors.gdelt import ToneDay
from connectors.sanctions_eu import SanctionsEntry
from models.company_names import unambiguous_short_forms
from store.bulk import insert_returning, insert_rows
from store.events import NewEvent, save_events
from store.notices import dialect_insert
from store.schema import (
    AwardWinner,
    Base,
    Contract,
    CountryTone,
    Organisation,
    OrganisationIdentifier,
    SpendLine,
)
from store.schema.news import (
    FetchState,
    NewsArticle,
    NewsArticleCountry,
    NewsArticleOrganisation,
    SanctionsEntryRow,
)

CHUNK = 500


@dataclass(frozen=True)
class OrganisationLink:
    organisation_id: int
    confidence: float
    matched: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountryLink:
    country: str
    confidence: float
    matched: str


@dataclass(frozen=True)
class PreparedArticle:
    """An article with everything decided about it, ready to store."""

    article: Article
    title_key: str
    published_on: date
    class_probabilities: dict[str, float]
    event_class: str
    model_version: str
    organisations: tuple[OrganisationLink, ...] = ()
    countries: tuple[CountryLink, ...] = ()
    events: tuple[NewEvent, ...] = ()


@dataclass
class ArticleCounts:
    added: int = 0
    unchanged: int = 0
    duplicates: int = 0
    links: int = 0
    events: int = 0
    details: dict[str, int] = field(default_factory=dict)


# --- fetch state -------------------------------------------------------------------------------------


def get_fetch_state(session: Session, url: str) -> FeedState:
    row = session.get(FetchState, url)
    return FeedState(row.etag, row.last_modified) if row else FeedState()


def set_fetch_state(session: Session, url: str, *, source: str, name: str, state: FeedState | None, status: str) -> None:
    """Remember the answer's validators (``state`` None keeps the ones stored) and the outcome."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {"url": url, "source": source, "name": name[:100], "last_status": status[:300], "checked_at": now,
                              "etag": None, "last_modified": None}
    update = {"last_status": status[:300], "checked_at": now, "name": name[:100]}
    if state is not None:
        values.update(etag=state.etag, last_modified=state.last_modified)
        update.update(etag=state.etag, last_modified=state.last_modified)
    stmt = dialect_insert(session.get_bind(), FetchState).values(**values)
    session.execute(stmt.on_conflict_do_update(index_elements=["url"], set_=update))


# --- who is watched ----------------------------------------------------------------------------------


def watched_suppliers(session: Session) -> list[tuple[int, str]]:
    """``(organisation id, name)`` of every supplier: award winners and organisations in our spend or contracts."""
    ids = union(
        select(AwardWinner.organisation_id),
        select(SpendLine.organisation_id).where(SpendLine.organisation_id.is_not(None)),
        select(Contract.organisation_id).where(Contract.organisation_id.is_not(None)),
    ).subquery()
    query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(select(ids.c[0]))).order_by(Organisation.id)
    return [(org_id, name) for org_id, name in session.execute(query)]


def watched_names(session: Session, *, short_forms: bool = True) -> list[tuple[int, str]]:
    """``(organisation id, name)`` for every name a watched supplier goes by, its own name first.

    Beyond ``watched_suppliers``: the trade names and former statutory names of its KvK profiles
    (``company_snapshots``, when the companies area has stored any), the short forms people write
    ("KPN" for Koninklijke KPN N.V.) where unambiguous among the watched suppliers
    (``models.company_names.unambiguous_short_forms``), and the names of organisations merged into it
    (``organisation_merges``: a merged row's mentions belong to the canonical organisation, which
    is the only one linked). Both tables are read only if they exist, so news works without them.
    """
    suppliers = watched_suppliers(session)
    tables = Base.metadata.tables
    merged: dict[int, int] = {}
    if "organisation_merges" in tables:
        merges = tables["organisation_merges"]
        merged = dict(session.execute(select(merges.c.organisation_id, merges.c.canonical_id)).all())
    names: list[tuple[int, str]] = [(merged.get(org_id, org_id), name) for org_id, name in suppliers]
    ids = list({org_id for org_id, _ in names})
    if "company_snapshots" in tables and ids:
        snapshots = tables["company_snapshots"]
        for start in range(0, len(ids), CHUNK):
            query = select(snapshots.c.organisation_id, snapshots.c.payload).where(
                snapshots.c.organisation_id.in_(ids[start : start + CHUNK]), snapshots.c.status == "found")
            for org_id, payload in session.execute(query):
                names.extend((org_id, str(trade)) for trade in (payload or {}).get("trade_names") or () if trade)
                # every statutory name a state showed: a renamed company is still written about by its old name
                names.extend((org_id, str(n)) for n in ((payload or {}).get("name"), (payload or {}).get("statutory_name")) if n)
    names = list(dict.fromkeys(names))
    if not short_forms:  # search queries (GDELT) stay with the full names: "BAM" alone would search the world
        return names
    return with_short_forms(names)


def with_short_forms(names: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """``names`` (``watched_names(..., short_forms=False)``) and after them the short forms people write ("KPN",
    "BAM", "Van Oord"), only where they point at one watched supplier: ``watched_names(...)`` without reading again."""
    known = set(names)
    return names + [pair for pair in unambiguous_short_forms(names) if pair not in known]


def organisation_for_kvk(session: Session, kvk: str) -> int | None:
    """The organisation of a KvK number: its identifier, else the ``NL:id:<kvk>`` key."""
    found = session.scalar(
        select(OrganisationIdentifier.organisation_id).where(OrganisationIdentifier.scheme == "kvk", OrganisationIdentifier.value == kvk)
    )
    return found or session.scalar(select(Organisation.id).where(Organisation.org_key == f"NL:id:{kvk}"))


# --- articles ----------------------------------------------------------------------------------------


def known_hashes(session: Session, hashes: Iterable[str]) -> set[str]:
    hashes = list(dict.fromkeys(hashes))
    found: set[str] = set()
    for start in range(0, len(hashes), CHUNK):
        found.update(session.scalars(select(NewsArticle.url_hash).where(NewsArticle.url_hash.in_(hashes[start : start + CHUNK]))))
    return found


def titles_between(session: Session, first: date, last: date) -> list[tuple[str, date]]:
    """``(title_key, published_on)`` of the stored articles published in ``[first, last]``."""
    query = select(NewsArticle.title_key, NewsArticle.published_on).where(NewsArticle.published_on.between(first, last))
    return [(key, day) for key, day in session.execute(query)]


def save_articles(session: Session, prepared: Sequence[PreparedArticle], *, now: datetime | None = None,
                  known: set[str] | None = None) -> ArticleCounts:
    """Insert new articles with their links and events; an article already stored is left as it is.

    ``known``: the URL hashes of ``prepared`` already stored, when the caller has just read them in this
    transaction (news collection does, to leave them out before classifying); else they are read here.

    In bulk: the new articles as one ``INSERT ... ON CONFLICT (url_hash) DO NOTHING ... RETURNING``
    (an article a concurrent run stored meanwhile comes back as not inserted and counts as
    unchanged), then their organisation and country links one ``executemany`` each.
    """
    now = now or datetime.now(UTC)
    counts = ArticleCounts()
    if known is None:
        known = known_hashes(session, (p.article.url_hash for p in prepared))
    fresh: dict[str, PreparedArticle] = {}
    for item in prepared:
        if item.article.url_hash in known or item.article.url_hash in fresh:
            counts.unchanged += 1
        else:
            fresh[item.article.url_hash] = item
    ids: dict[str, int] = {}
    if fresh:
        # the driver's own statements (``store.bulk``): SQLAlchemy's insertmanyvalues built and processed a dict of
        # parameters per row, here they go column by column through the same bind processors
        rows = [_article_row(item, now) for item in fresh.values()]
        ids = dict(insert_returning(session, NewsArticle.__table__, rows, ("url_hash", "id"),
                                    conflict=("nothing", ("url_hash",), ())))
    counts.unchanged += len(fresh) - len(ids)
    links, countries, events = [], [], []
    for url_hash, article_id in ids.items():
        item = fresh[url_hash]
        links += [{"article_id": article_id, "organisation_id": link.organisation_id, "confidence": link.confidence,
                   "matched": link.matched[:500], "reasons": list(link.reasons)} for link in item.organisations]
        countries += [{"article_id": article_id, "country": country.country, "confidence": country.confidence,
                       "matched": country.matched[:200]} for country in item.countries]
        events.extend(item.events)
        counts.added += 1
        counts.links += len(item.organisations)
    # (their primary keys are their only unique keys: the conflict target ``ON CONFLICT DO NOTHING`` had implied)
    insert_rows(session, NewsArticleOrganisation.__table__, links, conflict=("nothing", ("article_id", "organisation_id"), ()))
    insert_rows(session, NewsArticleCountry.__table__, countries, conflict=("nothing", ("article_id", "country"), ()))
    counts.events = save_events(session, events, now=now)
    return counts


def _article_row(item: PreparedArticle, now: datetime) -> dict[str, Any]:
    article = item.article
    return {
        "url_hash": article.url_hash, "url": article.url[:1000], "title_key": item.title_key[:300], "title": article.title,
        "summary": article.summary or None, "published": article.published, "published_on": item.published_on,
        "language": article.language, "source": article.source, "outlet": article.outlet[:200],
        "event_class": item.event_class, "class_probabilities": item.class_probabilities,
        "model_version": item.model_version, "collected_at": now,
    }


def save_country_tone(session: Session, days: Iterable[ToneDay], *, source: str = "gdelt", now: datetime | None = None) -> int:
    """Upsert daily tone per country (a later collection may revise a recent day); the number of rows written."""
    now = now or datetime.now(UTC)
    rows = [{"country": d.country, "day": d.day, "source": source, "tone": d.tone, "articles": None, "collected_at": now}
            for d in {(d.country, d.day): d for d in days}.values()]
    for start in range(0, len(rows), CHUNK):
        stmt = dialect_insert(session.get_bind(), CountryTone).values(rows[start : start + CHUNK])
        session.execute(stmt.on_conflict_do_update(
            index_elements=["country", "day", "source"], set_={"tone": stmt.excluded.tone, "collected_at": stmt.excluded.collected_at}
        ))
    return len(rows)


# --- sanctions list ----------------------------------------------------------------------------------


def _entry_hash(entry: SanctionsEntry) -> str:
    data = [entry.subject_type, entry.names, entry.countries, entry.programmes, entry.eu_reference, entry.designated]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def save_sanctions_entries(session: Session, entries: Sequence[SanctionsEntry], *, list_name: str = "eu-fsf",
                           now: datetime | None = None) -> tuple[int, int, int]:
    """Upsert list entries; ``(added, updated, unchanged)``."""
    now = now or datetime.now(UTC)
    added = updated = unchanged = 0
    latest = {e.logical_id: e for e in entries}
    ids = list(latest)
    stored: dict[str, str] = {}
    for start in range(0, len(ids), CHUNK):
        query = select(SanctionsEntryRow.logical_id, SanctionsEntryRow.content_hash).where(
            SanctionsEntryRow.list_name == list_name, SanctionsEntryRow.logical_id.in_(ids[start : start + CHUNK]))
        stored.update(dict(session.execute(query).all()))
    rows = []
    for logical_id, entry in latest.items():
        digest = _entry_hash(entry)
        previous = stored.get(logical_id)
        if previous is None:
            added += 1
        elif previous == digest:
            unchanged += 1
        else:
            updated += 1
        rows.append({
            "list_name": list_name, "logical_id": logical_id, "subject_type": entry.subject_type[:20], "names": list(entry.names),
            "countries": list(entry.countries), "programmes": list(entry.programmes), "eu_reference": entry.eu_reference,
            "designated": entry.designated, "content_hash": digest, "first_seen": now, "last_seen": now,
        })
    for start in range(0, len(rows), CHUNK):
        stmt = dialect_insert(session.get_bind(), SanctionsEntryRow).values(rows[start : start + CHUNK])
        session.execute(stmt.on_conflict_do_update(
            index_elements=["list_name", "logical_id"],
            set_={name: stmt.excluded[name] for name in ("subject_type", "names", "countries", "programmes", "eu_reference",
                                                          "designated", "content_hash", "last_seen")},
        ))
    return added, updated, unchanged


def enterprise_entries(session: Session, list_name: str = "eu-fsf") -> list[SanctionsEntryRow]:
    query = select(SanctionsEntryRow).where(SanctionsEntryRow.list_name == list_name, SanctionsEntryRow.subject_type == "enterprise")
    return list(session.scalars(query))


# --- reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedArticle:
    published_on: date
    source: str
    outlet: str
    title: str
    url: str
    event_class: str | None
    class_probability: float | None
    organisation: str | None
    link_confidence: float | None
    countries: tuple[str, ...]

    @property
    def confidence(self) -> float | None:
        if self.link_confidence is None or self.class_probability is None:
            return self.class_probability
        return round(self.link_confidence * self.class_probability, 3)


def list_articles(
    session: Session,
    *,
    organisation_id: int | None = None,
    country: str | None = None,
    since: date | None = None,
    min_link_confidence: float = 0.0,
    limit: int = 200,
) -> list[ListedArticle]:
    """Linked, classified articles, newest first: one line per (article, organisation) link.

    With ``country``, the articles linked to that country (mentioned, or the outlet's focus);
    without a supplier or country filter, the articles linked to some organisation.
    """
    query = (
        select(NewsArticle, NewsArticleOrganisation, Organisation.name)
        .outerjoin(NewsArticleOrganisation, NewsArticleOrganisation.article_id == NewsArticle.id)
        .outerjoin(Organisation, Organisation.id == NewsArticleOrganisation.organisation_id)
        .order_by(NewsArticle.published_on.desc(), NewsArticle.id.desc())
        .limit(limit)
    )
    if organisation_id is not None:
        query = query.where(NewsArticleOrganisation.organisation_id == organisation_id)
    if min_link_confidence:
        query = query.where(or_(NewsArticleOrganisation.confidence.is_(None), NewsArticleOrganisation.confidence >= min_link_confidence))
    if country:
        query = query.where(NewsArticle.id.in_(select(NewsArticleCountry.article_id).where(NewsArticleCountry.country == country.upper())))
    elif organisation_id is None:
        query = query.where(NewsArticleOrganisation.organisation_id.is_not(None))
    if since:
        query = query.where(NewsArticle.published_on >= since)
    rows = session.execute(query).all()
    article_ids = list({article.id for article, _, _ in rows})
    countries: dict[int, list[str]] = {}
    for start in range(0, len(article_ids), CHUNK):
        chunk = article_ids[start : start + CHUNK]
        for article_id, code in session.execute(select(NewsArticleCountry.article_id, NewsArticleCountry.country)
                                                .where(NewsArticleCountry.article_id.in_(chunk))):
            countries.setdefault(article_id, []).append(code)
    result = []
    for article, link, name in rows:
        probabilities = article.class_probabilities or {}
        result.append(ListedArticle(
            published_on=article.published_on, source=article.source, outlet=article.outlet, title=article.title, url=article.url,
            event_class=article.event_class, class_probability=probabilities.get(article.event_class) if article.event_class else None,
            organisation=name, link_confidence=link.confidence if link else None,
            countries=tuple(sorted(countries.get(article.id, []))),
        ))
    return result


def newest_articles(session: Session) -> dict[str, date | None]:
    """For ``supplyradar status``: the newest article day per news source ("rss", "gdelt")."""
    query = select(NewsArticle.source, func.max(NewsArticle.published_on)).group_by(NewsArticle.source)
    return {source: day for source, day in session.execute(query)}
