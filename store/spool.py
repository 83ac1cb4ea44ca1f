"""A temporary SQLite spool: items written in file order, read back grouped by a key.

Why: the file imports (TenderNed data set, OCDS) must merge every row or release of one
publication or process wherever it sits in a file (or in several files), without holding the files
in memory. Pass 1 spools each parsed item under its key; pass 2 reads the spool back one key at a
time. Kept in ``store`` because it is SQL, though never the application's database: a private file
in a temporary folder, gone after the import.

The items are pickled objects the import parsed a moment ago, in that private folder: nothing from
outside is ever unpickled.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Items buffered before one ``executemany``.
FLUSH_EVERY = 1000


class GroupSpool:
    """Items keyed by publication id or ocid in a temporary SQLite file (a context manager)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE items (seq INTEGER PRIMARY KEY, key TEXT NOT NULL, data BLOB NOT NULL)")
        self.pending: list[tuple[str, bytes]] = []

    def __enter__(self) -> GroupSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    def add(self, key: str, item: Any) -> None:
        self.pending.append((key, pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)))
        if len(self.pending) >= FLUSH_EVERY:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.db.executemany("INSERT INTO items (key, data) VALUES (?, ?)", self.pending)
            self.pending.clear()

    def _ready(self) -> None:
        self._flush()
        self.db.execute("CREATE INDEX IF NOT EXISTS items_key ON items (key, seq)")

    def keys(self) -> int:
        """How many distinct keys were spooled."""
        self._ready()
        return self.db.execute("SELECT COUNT(DISTINCT key) FROM items").fetchone()[0]

    def scattered_keys(self) -> int:
        """Keys whose items are not one contiguous run in the order they were added."""
        self._ready()
        query = """
            SELECT COUNT(*) FROM (
                SELECT key FROM (
                    SELECT key, seq - ROW_NUMBER() OVER (PARTITION BY key ORDER BY seq) AS run FROM items
                ) GROUP BY key HAVING COUNT(DISTINCT run) > 1
            )"""
        return self.db.execute(query).fetchone()[0]

    def groups(self) -> Iterator[tuple[str, list[Any]]]:
        """Each key with its items in the order added; keys in the order of their first item."""
        self._ready()
        query = (
            "SELECT i.key, i.data FROM items i"
            " JOIN (SELECT key, MIN(seq) AS first FROM items GROUP BY key) f ON f.key = i.key"
            " ORDER BY f.first, i.seq"
        )
        current: str | None = None
        items: list[Any] = []
        for key, data in self.db.execute(query):
            if key != current and items:
                yield current, items  # type: ignore[misc]
                items = []
            current = key
            items.append(pickle.loads(data))  # our own items, see the module docstring
        if items:
            yield current, items  # type: ignore[misc]


__all__ = ["GroupSpool"]
