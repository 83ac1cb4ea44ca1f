"""Which of several regular expressions could match a text at all, found in one pass over the text.

Why: the news cues (``models.news_cues``) are a dozen patterns of many alternatives, each searched in every
headline of a news run (51,000 at the demo's scale 54); most find nothing in most headlines, and a failed
search still tries every alternative at every word of the text. Each alternative begins with literal letters
("ontkent", "denies", "rumo" of ``rumou?rs?``), and a match must begin with one of them, so a pattern none of
whose beginnings occurs in the text cannot match there. One Aho-Corasick pass over the text finds which
beginnings occur; only those patterns are searched. The answers are the same: a skipped search is one that
could not have matched. A pattern whose matches need not begin with a literal (``\\d+ ?%``, a class, a
flag) has no gate and is always searched.

Pure: patterns in, a gate out. The beginnings are read from the parsed pattern (``re._parser``, the module
the ``re`` compiler itself uses); anything it does not recognise ends a beginning where it stands, which only
makes the gate let more through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import ahocorasick


def literal_beginnings(pattern: str) -> frozenset[str] | None:
    """Non-empty strings one of which every match of ``pattern`` begins with; ``None`` when there are none."""
    parsed = sre_parse.parse(pattern)
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    return _beginnings(list(parsed))


def _beginnings(items: Sequence[Any]) -> frozenset[str] | None:
    """The literal beginnings of a parsed sequence: its leading literals (zero-width ``\\b`` skipped), then those
    of a leading group or alternation; ``None`` when some match could begin with no literal."""
    found = [""]
    for op, av in items:
        if op is sre.AT:  # a word boundary or anchor: zero width
            continue
        if op is sre.LITERAL:
            found = [start + chr(av) for start in found]
            continue
        inner = _inner(op, av)
        if inner is not None:
            found = [start + more for start in found for more in inner]
        break
    return None if "" in found else frozenset(found)


def _inner(op: Any, av: Any) -> frozenset[str] | None:
    """The beginnings of a plain group (no flags) or an alternation; ``None`` for anything else."""
    if op is sre.SUBPATTERN and not av[1] and not av[2]:
        return _beginnings(list(av[3]))
    if op is sre.BRANCH:
        found: set[str] = set()
        for alternative in av[1]:
            some = _beginnings(list(alternative))
            if some is None:
                return None
            found |= some
        return frozenset(found)
    return None


class PatternGate:
    """For ``name -> pattern``: which names' patterns could match a text (those without a gate always)."""

    def __init__(self, patterns: Mapping[str, str]) -> None:
        self.ungated = frozenset(name for name, pattern in patterns.items() if literal_beginnings(pattern) is None)
        by_beginning: dict[str, set[str]] = {}
        for name, pattern in patterns.items():
            for beginning in literal_beginnings(pattern) or ():
                by_beginning.setdefault(beginning, set()).add(name)
        self._automaton = ahocorasick.Automaton()
        for beginning, names in by_beginning.items():
            self._automaton.add_word(beginning, frozenset(names))
        if by_beginning:
            self._automaton.make_automaton()

    def possible(self, text: str) -> set[str]:
        """The names whose pattern may match ``text``: a superset of those that do."""
        names = set(self.ungated)
        if self._automaton.kind == ahocorasick.AHOCORASICK:
            for _end, found in self._automaton.iter(text):
                names |= found
        return names
