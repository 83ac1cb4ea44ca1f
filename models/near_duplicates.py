"""Near-identical titles found without comparing every pair: blocking on rare words, then fuzzy checks.

Why: a news run compares each new headline with the stored headlines of the surrounding days. Done
pairwise that grows with the articles per window (1.8 ms per article at 5,000 articles, 3.7 ms at
50,000). Here each title is indexed under its words; a query reads only titles of its window
that share one of its ``BLOCK_WORDS`` rarest words (rarest over everything indexed so far), then
confirms with ``rapidfuzz.fuzz.ratio`` against the same threshold as before, so nothing is called a
duplicate that the old check would not call one.

What blocking can miss: a near-identical title whose rarest words were *all* edited (typos in each of the
five least common words of one headline). Re-published stories share their distinctive words, so this
costs little recall (the test measures it against the all-pairs scan); the price of not blocking is a
cost per article that grows with the size of the news flow. Titles without a word of three letters or
more are compared with every title of the window (they are rare and short).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from rapidfuzz import fuzz, process

#: How many of a title's rarest words it is blocked on.
BLOCK_WORDS = 5
_WORD = re.compile(r"\w{3,}")


class TitleIndex:
    """Folded titles with their day; answers "is there a near-identical one within the window?".

    Titles are filed per word under buckets of ``2 * window_days + 1`` days, so that a query's window falls in at
    most two buckets: two lookups per word, each entry's own day then checked against the window. Filed per day, a
    query cost a lookup per word and day of its window (35 of them), and as the news flow grew those lookups
    into ever larger dictionaries made the cost per article grow with it (``bench/news.py``).
    """

    def __init__(self, threshold: float, window_days: int) -> None:
        self.threshold = threshold
        self.window_days = window_days
        self._span = 2 * window_days + 1  # days per bucket: a window of that many days touches two buckets at most
        self._keys: list[str] = []
        self._days: list[int] = []  # entry -> its day's ordinal
        #: word -> bucket -> entries: a query looks a word up once, then the (at most two) buckets of its window
        self._postings: dict[str, dict[int, list[int]]] = defaultdict(dict)
        self._wordless: dict[int, list[int]] = defaultdict(list)  # bucket -> entries of titles without words
        self._by_bucket: dict[int, list[int]] = defaultdict(list)  # bucket -> every entry (for wordless queries)
        self._word_counts: dict[str, int] = defaultdict(int)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: str, day: date, words: set[str] | None = None) -> None:
        """Index one title key (already folded) published on ``day`` (``words``: its ``_words``, if known)."""
        entry, ordinal = len(self._keys), day.toordinal()
        bucket = ordinal // self._span
        self._keys.append(key)
        self._days.append(ordinal)
        self._by_bucket[bucket].append(entry)
        words = _words(key) if words is None else words
        if not words:
            self._wordless[bucket].append(entry)
        postings, counts = self._postings, self._word_counts
        for word in words:
            postings[word].setdefault(bucket, []).append(entry)
            counts[word] += 1

    def has_near_duplicate(self, key: str, day: date, words: set[str] | None = None) -> bool:
        """True when an indexed title within ``window_days`` of ``day`` is identical or at least ``threshold`` similar."""
        keys = self._keys
        found = [keys[entry] for entry in self._candidates(key, day, _words(key) if words is None else words)]
        if not found:
            return False
        # one call into rapidfuzz for all the candidates (its loop is C's), not one per candidate from Python: at
        # 50,000 articles a query has about four, and the index took 16-20 µs a title against 19-22 with a call each
        return key in found or process.extractOne(key, found, scorer=fuzz.ratio, score_cutoff=self.threshold) is not None

    def add_unless_near_duplicate(self, key: str, day: date) -> bool:
        """``add`` the title unless ``has_near_duplicate``; whether it was added. Its words are found once, not twice."""
        words = _words(key)
        if self.has_near_duplicate(key, day, words):
            return False
        self.add(key, day, words)
        return True

    def _candidates(self, key: str, day: date, words: set[str]) -> set[int]:
        """The entries within the window that share one of the ``BLOCK_WORDS`` rarest known words of ``words``, and
        those without words; every entry of the window for a query without words."""
        ordinal = day.toordinal()
        low, high = ordinal - self.window_days, ordinal + self.window_days
        buckets = (low // self._span, high // self._span)
        if buckets[0] == buckets[1]:
            buckets = buckets[:1]
        found: set[int] = set()
        if not words:
            self._within(found, [self._by_bucket.get(bucket) for bucket in buckets], low, high)
            return found
        counts, postings = self._word_counts, self._postings
        # Words never indexed cannot lead to a match; block on the rarest of the known ones, ties in count broken
        # by the word (``words`` is a set, whose order changes with PYTHONHASHSEED).
        rarest = sorted([(counts[word], word) for word in words if word in counts])[:BLOCK_WORDS]
        lists = [postings[word].get(bucket) for _, word in rarest for bucket in buckets]
        if self._wordless:
            lists += [self._wordless.get(bucket) for bucket in buckets]
        self._within(found, lists, low, high)
        return found

    def _within(self, found: set[int], lists: list[list[int] | None], low: int, high: int) -> None:
        """Add to ``found`` the entries of ``lists`` whose day lies in ``low``..``high``."""
        days = self._days
        for entries in lists:
            if entries:
                for entry in entries:
                    if low <= days[entry] <= high:
                        found.add(entry)


def _words(key: str) -> set[str]:
    return set(_WORD.findall(key))
