"""Tables of the news area (see the module's revision in store/migrations/versions).

An article is stored once: keyed by the hash of its canonical URL, and a near-duplicate title
from another outlet within a few days is not stored again (see ``store.news``). Its links to
organisations and countries keep their confidence and reasons; linked, classified articles about
a supplier also become shared ``supplier_events`` rows (``news.<class>``). The sanctions list's
entries are kept as published, with when we first and last saw them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.schema.base import Base


class NewsArticle(Base):
    __tablename__ = "news_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the canonical URL: the article's identity and ``supplier_events.source_ref``.
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(String(1000))
    #: The title folded to plain words, for finding the same story under another URL.
    title_key: Mapped[str] = mapped_column(String(300), index=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None]
    #: The publication day (the collection day when the source gives none).
    published_on: Mapped[date] = mapped_column(Date, index=True)
    language: Mapped[str | None] = mapped_column(String(5))
    source: Mapped[str] = mapped_column(String(30))  # "rss" or "gdelt"
    outlet: Mapped[str] = mapped_column(String(200))  # feed name or web domain
    #: The most likely event class, its probabilities, and the model that said so.
    event_class: Mapped[str | None] = mapped_column(String(30), index=True)
    class_probabilities: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    model_version: Mapped[str | None] = mapped_column(String(100))
    collected_at: Mapped[datetime]


class NewsArticleOrganisation(Base):
    """An organisation an article mentions, with how sure the link is and why."""

    __tablename__ = "news_article_organisations"

    article_id: Mapped[int] = mapped_column(ForeignKey("news_articles.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True)
    confidence: Mapped[float]
    matched: Mapped[str] = mapped_column(String(500))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)


class NewsArticleCountry(Base):
    """A country an article is about (mentioned in it, or the outlet's focus)."""

    __tablename__ = "news_article_countries"

    article_id: Mapped[int] = mapped_column(ForeignKey("news_articles.id", ondelete="CASCADE"), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)
    confidence: Mapped[float]
    matched: Mapped[str] = mapped_column(String(200))


class FetchState(Base):
    """What a feed or list URL answered last (ETag, Last-Modified): the next request is conditional."""

    __tablename__ = "news_fetch_states"

    url: Mapped[str] = mapped_column(String(1000), primary_key=True)
    source: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    #: "new", "not-modified" or "failed: <reason>"
    last_status: Mapped[str] = mapped_column(String(300))
    checked_at: Mapped[datetime]


class SanctionsEntryRow(Base):
    """One entity of a sanctions list as published (``list_name`` "eu-fsf")."""

    __tablename__ = "sanctions_entries"
    __table_args__ = (UniqueConstraint("list_name", "logical_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_name: Mapped[str] = mapped_column(String(30))
    logical_id: Mapped[str] = mapped_column(String(50))
    subject_type: Mapped[str] = mapped_column(String(20), index=True)  # "person", "enterprise"
    names: Mapped[list[str]] = mapped_column(JSON)
    countries: Mapped[list[str]] = mapped_column(JSON)
    programmes: Mapped[list[str]] = mapped_column(JSON)
    eu_reference: Mapped[str | None] = mapped_column(String(100))
    designated: Mapped[str | None] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
