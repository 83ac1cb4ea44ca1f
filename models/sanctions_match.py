"""Explained fuzzy matching of suppliers against the enterprises on a sanctions list.

Pure: supplier names and list entries in, possible matches with their explanation out. A match is
a question for a person ("is our supplier this listed company?"), never a verdict: the list's
names are transliterated, abbreviated and written with or without legal forms, so both false
hits and near misses happen, and the explanation says what was compared and how it scored.

How: both sides are folded the same way (``models.entity_linking.fold``: accents dropped,
Cyrillic and Greek transliterated, case and punctuation gone) and legal forms are stripped
everywhere in the name (``OOO``, ``JSC``, ``B.V.``, ``GmbH``...). Entries are blocked by token
(and by the first four letters of each token, so "Tekhnologii" and "Technologii" still meet),
so a supplier is compared only with the few aliases that share a block, never with the whole
list. The score is the best of rapidfuzz's plain ratio and token-sort ratio (word order does not
matter, but unlike token-set ratio a one-word name is not a perfect match for every longer name
that contains it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from models.entity_linking import LEGAL_FORMS, fold

#: Extra legal-form words seen on sanctions lists (Russian, Belarusian, Iranian, Chinese entities).
LIST_LEGAL_FORMS = LEGAL_FORMS | frozenset(
    "obshchestvo s ogranichennoi otvetstvennostyu aktsionernoe otkrytoe zakrytoe publichnoe joint stock "
    "llp fze fzco pjsc cjsc ojsc tov pat ip kft".split()
)
MIN_TOKEN = 3
BLOCK_PREFIX = 4


@dataclass(frozen=True, slots=True)
class ListedEnterprise:
    """One enterprise entry of a list, as the matcher needs it."""

    entry_id: str
    aliases: tuple[str, ...]
    programmes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PossibleMatch:
    """A supplier that may be a listed enterprise, with what was compared and why it scored."""

    supplier_key: str
    supplier_name: str
    entry_id: str
    alias: str
    score: float
    programmes: tuple[str, ...]
    countries: tuple[str, ...]
    explanation: str

    def details(self) -> dict[str, object]:
        """The ``details`` of a ``sanctions.possible_match`` event."""
        return {
            "entry_id": self.entry_id,
            "matched_alias": self.alias,
            "score": self.score,
            "programmes": list(self.programmes),
            "countries": list(self.countries),
            "supplier_name": self.supplier_name,
            "explanation": self.explanation,
            "verdict": "possible match for human review, not a finding",
        }


def comparable(name: str) -> str:
    """The name folded, with every legal-form word removed (keeps the name if nothing else is left)."""
    tokens = fold(name).split()
    kept = [token for token in tokens if token not in LIST_LEGAL_FORMS]
    return " ".join(kept or tokens)


def _blocks(text: str) -> set[str]:
    tokens = [token for token in text.split() if len(token) >= MIN_TOKEN]
    return {token for token in tokens} | {f"{token[:BLOCK_PREFIX]}*" for token in tokens if len(token) > BLOCK_PREFIX}


def build_index(entries: Iterable[ListedEnterprise]) -> dict[str, list[tuple[str, str, ListedEnterprise]]]:
    """Block key -> [(comparable alias, alias as listed, entry)]; of an entry's aliases compared alike (in other
    capitals, with another legal form) the first listed only: the one a match shows, scored once."""
    index: dict[str, list[tuple[str, str, ListedEnterprise]]] = defaultdict(list)
    for entry in entries:
        texts: set[str] = set()
        for alias in entry.aliases:
            text = comparable(alias)
            if text in texts:
                continue
            texts.add(text)
            for key in _blocks(text):
                index[key].append((text, alias, entry))
    return dict(index)


def screen(
    suppliers: Iterable[tuple[str, str]],
    entries: Sequence[ListedEnterprise] | dict[str, list[tuple[str, str, ListedEnterprise]]],
    *,
    min_score: float = 88.0,
) -> list[PossibleMatch]:
    """Every (supplier, entry) pair scoring at least ``min_score``, best alias per pair, best first.

    ``suppliers`` are ``(key, name)`` pairs; ``entries`` a list or an index from ``build_index``.
    """
    index = entries if isinstance(entries, dict) else build_index(entries)
    matches: list[PossibleMatch] = []
    for key, name in suppliers:
        text = comparable(name)
        best: dict[str, PossibleMatch] = {}
        seen: set[tuple[str, str]] = set()
        for block in _blocks(text):
            for alias_text, alias, entry in index.get(block, ()):
                if (entry.entry_id, alias_text) in seen:
                    continue
                seen.add((entry.entry_id, alias_text))
                plain, sorted_ = fuzz.ratio(text, alias_text), fuzz.token_sort_ratio(text, alias_text)
                score = round(max(plain, sorted_), 1)
                if score < min_score:
                    continue
                current = best.get(entry.entry_id)
                if current is None or score > current.score or (
                        score == current.score and _listed_first(entry, current.alias, alias)):
                    how = "same words in another order" if sorted_ > plain else "similar spelling"
                    best[entry.entry_id] = PossibleMatch(
                        supplier_key=key,
                        supplier_name=name,
                        entry_id=entry.entry_id,
                        alias=alias,
                        score=score,
                        programmes=entry.programmes,
                        countries=entry.countries,
                        explanation=(
                            f"supplier {name!r} compared as {text!r}; listed alias {alias!r} compared as "
                            f"{alias_text!r}; score {score:.0f}/100 ({how}; ratio {plain:.0f}, token-sort {sorted_:.0f}); "
                            "legal forms and accents ignored, non-Latin letters transliterated"
                        ),
                    )
        matches.extend(best.values())
    return sorted(matches, key=lambda m: (-m.score, m.supplier_key, m.entry_id))


def _listed_first(entry: ListedEnterprise, current: str, alias: str) -> bool:
    """Whether ``alias`` comes before ``current`` in the entry's list: of two aliases scoring the same, the one
    shown is the one the list gives first (its main name), whichever block found it first. The blocks are a
    set, whose order changed with ``PYTHONHASHSEED``, and with it the alias a person was shown."""
    return entry.aliases.index(alias) < entry.aliases.index(current)
