"""Feed articles stored with "&#38;" for "&" in their URL, put right (revision ``0019_feed_ampersands``).

Why
  libxml2 2.14 handed the feed reader every "&" of an attribute value as "&#38;" (``connectors.feeds``
  now reads it back as "&"), so an Atom link ``?a=1&amp;b=2`` was stored as the broken URL
  ``?a=1&#38;b=2`` and keyed by that spelling: ``url_hash`` is the hash of the canonical URL, and the
  "#" even cut the query there. Collecting the feed again after the fix would not know the article.

What
  Each such article (source "rss") gets its real URL and the key the reader now computes for it
  (``connectors.feeds.url_hash``: the key is the connector's, so it is asked rather than copied), and
  what names the article follows: its supplier events (``source_ref``, ``source_url``), their alert
  occurrences (``event:<source>:<hash>``) and the sources listed in the alerts' facts, and the undo
  records of "wrong company" (events and article links kept in ``alert_audit.detail``).

  Where the corrected key is taken already (the article collected again after the fix, or two broken
  spellings of one URL) the rows are merged, never lost: the row that stays is the one already under
  the key (else the oldest), and it takes over the organisation and country links it lacks; an event
  or occurrence that would be there twice is kept once (an alert's count of occurrences goes down by
  the duplicates dropped). Keys move in two steps (a placeholder first), so a row may take the key
  another row is leaving. Running it again finds no "&#38;" left: it changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from connectors.feeds import url_hash

#: What the reader handed over for "&", and the only source whose URLs came through it.
BROKEN_AMPERSAND = "&#38;"
FEED_SOURCE = "rss"
#: Rows per IN list: well inside SQLite's and PostgreSQL's parameter limits.
CHUNK = 500
#: ``store.identity_feedback.AUDIT_CHANGE``: an applied "wrong company", whose detail holds what undo restores.
WRONG_COMPANY = "wrong-company"

# The columns this revision reads and writes, as they are at it (later revisions may change the models).
articles = sa.table("news_articles", sa.column("id", sa.Integer), sa.column("url_hash", sa.String), sa.column("url", sa.String),
                    sa.column("source", sa.String))
article_organisations = sa.table("news_article_organisations", sa.column("article_id", sa.Integer),
                                 sa.column("organisation_id", sa.Integer), sa.column("confidence", sa.Float),
                                 sa.column("matched", sa.String), sa.column("reasons", sa.JSON))
article_countries = sa.table("news_article_countries", sa.column("article_id", sa.Integer), sa.column("country", sa.String),
                             sa.column("confidence", sa.Float), sa.column("matched", sa.String))
events = sa.table("supplier_events", sa.column("id", sa.Integer), sa.column("organisation_id", sa.Integer),
                  sa.column("source", sa.String), sa.column("kind", sa.String), sa.column("source_ref", sa.String),
                  sa.column("source_url", sa.String))
occurrences = sa.table("alert_occurrences", sa.column("id", sa.Integer), sa.column("alert_id", sa.Integer),
                       sa.column("ref", sa.String))
alerts = sa.table("alerts", sa.column("id", sa.Integer), sa.column("facts", sa.JSON), sa.column("count", sa.Integer))
audits = sa.table("alert_audit", sa.column("id", sa.Integer), sa.column("change", sa.String), sa.column("detail", sa.Text))


@dataclass(frozen=True, slots=True)
class Correction:
    """One stored article's broken spelling and its real one."""

    article_id: int
    old_hash: str
    old_url: str
    new_hash: str
    new_url: str


@dataclass
class RepairCounts:
    articles: int = 0  # re-keyed in place
    merged: int = 0  # folded into the article already under the corrected key
    events: int = 0  # moved to the corrected key
    events_merged: int = 0  # dropped: the same event stood under the corrected key
    occurrences: int = 0
    occurrences_merged: int = 0
    alerts: int = 0  # whose facts list a corrected source
    audits: int = 0  # "wrong company" records whose undo now restores the corrected rows


def repair_feed_ampersands(conn: sa.Connection) -> RepairCounts:
    """Put right every feed article stored with "&#38;" in its URL, and what refers to it (see the module)."""
    counts = RepairCounts()
    corrections = _corrections(conn)
    if not corrections:
        return counts
    by_hash = {c.old_hash: c for c in corrections}
    merged_into = _move(conn, articles, "url_hash", (), {c.article_id: {"url_hash": c.new_hash, "url": c.new_url}
                                                        for c in corrections}, merge=_merge_articles)
    counts.merged = len(merged_into)
    counts.articles = len(corrections) - counts.merged
    event_moves = {
        row.id: {"source_ref": by_hash[row.source_ref].new_hash, "source_url": by_hash[row.source_ref].new_url[:1000]}
        for row in _rows_where(conn, events, events.c.source_ref, by_hash, events.c.source == FEED_SOURCE)
        if row.source_url == by_hash[row.source_ref].old_url}
    dropped = _move(conn, events, "source_ref", ("organisation_id", "source", "kind"), event_moves)
    counts.events, counts.events_merged = len(event_moves) - len(dropped), len(dropped)
    refs = {_occurrence(c.old_hash): _occurrence(c.new_hash) for c in corrections}
    found = list(_rows_where(conn, occurrences, occurrences.c.ref, refs))
    dropped = _move(conn, occurrences, "ref", ("alert_id",), {row.id: {"ref": refs[row.ref]} for row in found},
                    merge=_fewer_occurrences)
    counts.occurrences, counts.occurrences_merged = len(found) - len(dropped), len(dropped)
    counts.alerts = _correct_alert_facts(conn, {row.alert_id for row in found}, by_hash)
    counts.audits = _correct_undo_records(conn, by_hash, merged_into)
    return counts


def _corrections(conn: sa.Connection) -> list[Correction]:
    query = (sa.select(articles.c.id, articles.c.url_hash, articles.c.url)
             .where(articles.c.source == FEED_SOURCE, articles.c.url.contains(BROKEN_AMPERSAND, autoescape=True))
             .order_by(articles.c.id))
    found = []
    for row in conn.execute(query):
        url = row.url.replace(BROKEN_AMPERSAND, "&")  # exact: the reader sent every "&" so
        found.append(Correction(row.id, row.url_hash, row.url, url_hash(url), url))
    return found


def _occurrence(key: str) -> str:
    """An event's occurrence of an alert (``alerts.evaluate``: ``event:<source>:<source_ref>``)."""
    return f"event:{FEED_SOURCE}:{key}"


def _rows_where(conn: sa.Connection, table: sa.TableClause, column: sa.ColumnElement, values: Iterable[Any],
                *where: sa.ColumnElement[bool]) -> Iterable[sa.Row]:
    """The rows of ``table`` whose ``column`` is one of ``values``, in chunks."""
    values = sorted(set(values))
    for start in range(0, len(values), CHUNK):
        yield from conn.execute(sa.select(table).where(column.in_(values[start : start + CHUNK]), *where))


def _move(conn: sa.Connection, table: sa.TableClause, column: str, others: tuple[str, ...],
          moves: dict[int, dict[str, Any]],
          merge: Callable[[sa.Connection, dict[int, int]], None] | None = None) -> dict[int, int]:
    """Give each row ``id`` of ``moves`` its new values, ``column`` among them; ``column`` with ``others`` is unique.

    A row whose new key another row will hold (one that stays where it is, else the lowest id moving
    there) is deleted instead, after ``merge`` has moved what hangs on it; returns deleted id -> the id
    holding its key. The rows that move take a placeholder first, so one can take a key another leaves.
    """
    if not moves:
        return {}
    current = {row.id: row for row in _rows_where(conn, table, table.c.id, moves)}
    holders = {row.id: row for row in _rows_where(conn, table, table.c[column], {m[column] for m in moves.values()})}
    final: dict[tuple[Any, ...], int] = {}
    for row in holders.values():
        if row.id not in moves:
            final[(row._mapping[column], *(row._mapping[o] for o in others))] = row.id
    dropped: dict[int, int] = {}
    for row_id in sorted(moves):
        key = (moves[row_id][column], *(current[row_id]._mapping[o] for o in others))
        if key in final:
            dropped[row_id] = final[key]
        else:
            final[key] = row_id
    if dropped and merge is not None:
        merge(conn, dropped)
    ids = sorted(dropped)
    for start in range(0, len(ids), CHUNK):
        conn.execute(sa.delete(table).where(table.c.id.in_(ids[start : start + CHUNK])))
    kept = [row_id for row_id in sorted(moves) if row_id not in dropped]
    _update(conn, table, [{"b_id": row_id, column: f"~{row_id}"} for row_id in kept])
    _update(conn, table, [{"b_id": row_id, **moves[row_id]} for row_id in kept])
    return dropped


def _update(conn: sa.Connection, table: sa.TableClause, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany per set of columns: each row's ``b_id`` gets its other values."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(sorted(set(row) - {"b_id"})), []).append(row)
    for names, batch in by_columns.items():
        statement = sa.update(table).where(table.c.id == sa.bindparam("b_id")).values(
            {name: sa.bindparam(name) for name in names})
        conn.execute(statement, batch)


def _merge_articles(conn: sa.Connection, merged: dict[int, int]) -> None:
    """The organisation and country links of the merged articles, moved to the article that stays, where it lacks them."""
    for table, key in ((article_organisations, "organisation_id"), (article_countries, "country")):
        links = list(_rows_where(conn, table, table.c.article_id, merged))
        kept = {(row.article_id, row._mapping[key]) for row in _rows_where(conn, table, table.c.article_id, set(merged.values()))}
        fresh: list[dict[str, Any]] = []
        for link in sorted(links, key=lambda row: row.article_id):
            target = (merged[link.article_id], link._mapping[key])
            if target not in kept:
                kept.add(target)
                fresh.append({**link._mapping, "article_id": target[0]})
        ids = sorted(merged)
        for start in range(0, len(ids), CHUNK):
            conn.execute(sa.delete(table).where(table.c.article_id.in_(ids[start : start + CHUNK])))
        if fresh:
            conn.execute(sa.insert(table), fresh)


def _fewer_occurrences(conn: sa.Connection, dropped: dict[int, int]) -> None:
    """An alert counts its distinct occurrences: one that was there twice counts once."""
    alert_of = {row.id: row.alert_id for row in _rows_where(conn, occurrences, occurrences.c.id, dropped)}
    fewer: dict[int, int] = {}
    for occurrence_id in dropped:
        fewer[alert_of[occurrence_id]] = fewer.get(alert_of[occurrence_id], 0) + 1
    for alert_id, n in fewer.items():
        conn.execute(sa.update(alerts).where(alerts.c.id == alert_id).values(
            count=sa.case((alerts.c.count > n, alerts.c.count - n), else_=1)))


def _correct_source(source: dict[str, Any], by_hash: dict[str, Correction], ref: str, url: str) -> bool:
    """``source[ref]``/``source[url]`` of a feed item spelled the broken way, corrected in place; whether it was."""
    found = by_hash.get(source.get(ref) or "")
    if source.get("source") != FEED_SOURCE or found is None or source.get(url) != found.old_url:
        return False
    source[ref], source[url] = found.new_hash, found.new_url[:1000]
    return True


def _correct_alert_facts(conn: sa.Connection, alert_ids: set[int], by_hash: dict[str, Correction]) -> int:
    """The sources an alert's message is rendered from (``facts["sources"]``: ``ref`` and ``url``)."""
    changed = 0
    for row in _rows_where(conn, alerts, alerts.c.id, alert_ids):
        facts = row.facts if isinstance(row.facts, dict) else {}
        hits = [_correct_source(source, by_hash, "ref", "url") for source in facts.get("sources") or ()
                if isinstance(source, dict)]
        if any(hits):
            conn.execute(sa.update(alerts).where(alerts.c.id == row.id).values(facts=facts))
            changed += 1
    return changed


def _correct_undo_records(conn: sa.Connection, by_hash: dict[str, Correction], merged_into: dict[int, int]) -> int:
    """A "wrong company" keeps the events and article links it removed, to restore them on undo: corrected too."""
    changed = 0
    linked = {(row.article_id, row.organisation_id)
              for row in _rows_where(conn, article_organisations, article_organisations.c.article_id, set(merged_into.values()))}
    for row in conn.execute(sa.select(audits.c.id, audits.c.detail).where(audits.c.change == WRONG_COMPANY)):
        try:
            undo = json.loads(row.detail or "{}")
        except ValueError:
            continue
        if not isinstance(undo, dict):
            continue
        hits = [_correct_source(event, by_hash, "source_ref", "source_url") for event in undo.get("events") or ()
                if isinstance(event, dict)]
        links, present = [], set(linked)
        for link in undo.get("article_links") or ():
            if isinstance(link, dict) and link.get("article_id") in merged_into:
                hits.append(True)
                link = {**link, "article_id": merged_into[link["article_id"]]}
                key = (link["article_id"], link.get("organisation_id"))
                if key in present:
                    continue  # the article that stays has that link already: undo would add it twice
                present.add(key)
            links.append(link)
        if any(hits):
            undo["article_links"] = links
            conn.execute(sa.update(audits).where(audits.c.id == row.id).values(detail=json.dumps(undo, default=str)))
            changed += 1
    return changed
