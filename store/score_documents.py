"""Score reasons and inputs kept once: a content-addressed table the score rows point into.

Why: a score row's reasons are a handful of items (a feature, its value and contribution, a
readable line) and its inputs a short list of sources; most items are the same for thousands of
suppliers ("risk unknown: no company-register data ...", "no news of incidents") and the same
again in the next day's run. Stored per row they were about 2.4 KB of each score row on SQLite.
Here each reasons item, and each whole inputs list, is stored once under a 64-bit key taken from
the hash of its JSON text; a score row keeps the keys (``reason_refs``, ``inputs_ref``).

Readers never see the keys: ``RiskScore.reasons`` and ``.inputs`` give the documents back (an ORM
query that loads scores loads their documents with them, one query per 900 keys; ``fetch`` and
``decode`` do the same for reads of plain columns). A key already present with another text (a hash collision, about 1 in 10^7 at 10^6
documents) is an error at write time, never a wrong reason shown.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, select, true, union
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.schema import RiskScore, ScoreDocument

CHUNK = 900


#: One encoder for every document: ``json.dumps`` with options builds a new one per call (a run encodes ~10 per score).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def text_of(document: Any) -> str:
    """The JSON text a document is keyed by (key order kept: it is part of what readers see)."""
    return _ENCODER.encode(document)


def key_of(text: str) -> int:
    """A signed 64-bit key from the BLAKE2b hash of ``text`` (fits SQLite's INTEGER and PG's BIGINT)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


def encode(reasons: Sequence[Any] | None, inputs: Sequence[Any] | None,
           documents: dict[int, Any], seen: dict[int, tuple[Any, int]] | None = None,
           texts: dict[int, str] | None = None) -> tuple[list[int], int]:
    """A row's (reason_refs, inputs_ref); the documents they name are added to ``documents``.

    ``seen``: the reason items keyed so far (by object, for rows that share them, as the geopolitical scores of
    one country do), so that a shared item is encoded once; it must not change while ``seen`` lives.
    ``texts``: where each document's JSON text is kept by key, for ``put`` (which then need not encode it again).
    """
    refs = []
    for item in reasons or ():
        hit = seen.get(id(item)) if seen is not None else None
        if hit is not None and hit[0] is item:
            refs.append(hit[1])
            continue
        text = text_of(item)
        key = key_of(text)
        documents.setdefault(key, item)
        if texts is not None:
            texts.setdefault(key, text)
        refs.append(key)
        if seen is not None:
            seen[id(item)] = (item, key)
    inputs_doc = list(inputs or ())
    text = text_of(inputs_doc)
    key = key_of(text)
    documents.setdefault(key, inputs_doc)
    if texts is not None:
        texts.setdefault(key, text)
    return refs, key


def put(connection: Connection | Session, documents: dict[int, Any], texts: dict[int, str] | None = None) -> None:
    """Insert the documents not stored yet (insert-or-ignore on the key), then check none collided.

    A document the insert wrote (``RETURNING`` names them) is ours; only a key that was there already is read
    back and its text compared with ours (reading, decoding and encoding every document again was a tenth of a
    scoring run on a store that had none of them). ``texts``: our texts by key, where ``encode`` kept them.
    """
    if not documents:
        return
    table = ScoreDocument.__table__
    dialect = connection.get_bind().dialect.name if isinstance(connection, Session) else connection.dialect.name
    insert = {"sqlite": sqlite_insert, "postgresql": pg_insert}[dialect]
    rows = [{"id": key, "body": doc} for key, doc in documents.items()]
    written: set[int] = set()
    for start in range(0, len(rows), 2000):
        statement = insert(table).on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)
        written.update(connection.execute(statement, rows[start:start + 2000]).scalars())
    there = [key for key in documents if key not in written]
    stored = fetch(connection, there)
    texts = texts if texts is not None else {}
    clashes = [key for key in there if text_of(stored.get(key)) != (texts.get(key) or text_of(documents[key]))]
    if clashes:
        raise ValueError(f"score documents: {len(clashes)} key(s) already hold another document (hash collision)")


def fetch(connection: Connection | Session, keys: Iterable[int]) -> dict[int, Any]:
    """Key -> document for the keys given (missing keys are left out)."""
    wanted = sorted(set(keys))
    out: dict[int, Any] = {}
    for start in range(0, len(wanted), CHUNK):
        query = select(ScoreDocument.id, ScoreDocument.body).where(ScoreDocument.id.in_(wanted[start:start + CHUNK]))
        out.update((key, body) for key, body in connection.execute(query))
    return out


def decode(reason_refs: Sequence[int] | None, inputs_ref: int | None,
           documents: dict[int, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(reasons, inputs) of a row from its keys; each row gets its own lists and item dicts."""
    reasons = [dict(documents[key]) for key in reason_refs or ()]
    inputs = [dict(item) for item in documents[inputs_ref]] if inputs_ref is not None else []
    return reasons, inputs


def decode_shared(reason_refs: Sequence[int] | None, inputs_ref: int | None,
                  documents: dict[int, Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(reasons, inputs) of a row as the fetched documents themselves, shared by the rows that point at them:
    for readers that only read them (the alert facts: tens of thousands of score rows per alert run, where
    ``decode``'s copies for every row were half of the reading)."""
    reasons = tuple(documents[key] for key in reason_refs or ())
    inputs = tuple(documents[inputs_ref]) if inputs_ref is not None else ()
    return reasons, inputs


def keys_of(rows: Iterable[Any]) -> set[int]:
    """Every key the rows (anything with ``reason_refs`` and ``inputs_ref``) point at."""
    out: set[int] = set()
    for row in rows:
        out.update(row.reason_refs or ())
        if row.inputs_ref is not None:
            out.add(row.inputs_ref)
    return out


def attach(session: Session, scores: Sequence[RiskScore]) -> None:
    """Load the reasons and inputs of many ORM scores at once (instead of a query per score)."""
    scores = [score for score in scores if "_score_documents" not in score.__dict__]
    documents = fetch(session, keys_of(scores))
    for score in scores:
        score.set_documents(*decode(score.reason_refs, score.inputs_ref, documents))


def prune(session: Session) -> int:
    """Delete documents no score row points at any more; the number deleted."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        items = func.json_each(RiskScore.reason_refs).table_valued("value")
        item_key = items.c.value
    else:
        items = func.json_array_elements_text(RiskScore.reason_refs).table_valued("value")
        item_key = func.cast(items.c.value, ScoreDocument.id.type)
    used = union(select(item_key).select_from(RiskScore).join(items, true()),
                 select(RiskScore.inputs_ref).where(RiskScore.inputs_ref.is_not(None))).subquery()
    result = session.execute(delete(ScoreDocument).where(ScoreDocument.id.not_in(select(used.c[0]))))
    return result.rowcount or 0
