"""``models.entity_linking.fold`` with one translation table gives what its two regular expressions gave."""

from __future__ import annotations

import random
import re
import sys
import unicodedata

from models.entity_linking import _TRANSLIT, fold

_DROP = re.compile(r"[.'’/]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def _fold_by_patterns(text: str) -> str:
    """``fold`` as it was."""
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT)).encode("ascii", "ignore").decode("ascii")
    return " ".join(_NON_ALNUM.sub(" ", _DROP.sub("", text)).split())


def test_every_single_character_folds_as_before() -> None:
    for code in range(sys.maxunicode + 1):
        text = f"a{chr(code)}b {chr(code)}"
        assert fold(text) == _fold_by_patterns(text), hex(code)


def test_random_texts_fold_as_before() -> None:
    rng = random.Random(5)
    alphabet = [chr(c) for c in range(128)] + list("’ëéßæøÆØΣσЖжℌﬁ①²İıǅ  ​") + ["B.V.", "N.V.", "s'", "a/b"]
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        assert fold(text) == _fold_by_patterns(text), repr(text)
