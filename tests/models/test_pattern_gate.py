"""The pattern gate: the literal beginnings it reads from a pattern, and cues found through it exactly as without it."""

from __future__ import annotations

import pytest

from models.news_cues import _COMPILED, CUE_PATTERNS, normalise
from models.pattern_gate import PatternGate, literal_beginnings
from pipelines.news_model import EVAL_FILE, INDEPENDENT_FILE, TRAIN_FILE, load_labelled


@pytest.mark.parametrize(("pattern", "beginnings"), [
    (r"\b(ab|cd?e)\b", {"ab", "c"}),
    (r"\b(a(bc|de)f|xyz)", {"abc", "ade", "xyz"}),
    (r"\b(a(b|c)d|xyz)", {"a", "xyz"}),  # the parser makes (b|c) a class [bc]: the beginning stops before it
    (r"rumou?rs?", {"rumo"}),
    (r"\b(spreekt\b.*\btegen|x)", {"spreekt", "x"}),
    (r"\d+ ?%", None),
    (r"\b(abc)\b|\d+", None),
    (r"(?i)abc", None),
    (r"(?i:abc)", None),
    (r"[ab]c", None),
    (r"(a|)b", None),
    (r"", None),
])
def test_the_literal_beginnings_of_a_pattern(pattern: str, beginnings: set[str] | None) -> None:
    assert literal_beginnings(pattern) == (None if beginnings is None else frozenset(beginnings))


def test_a_gate_lets_through_every_pattern_that_matches() -> None:
    gate = PatternGate({"a": r"\b(kpn|bam)\b", "digits": r"\d+", "b": r"\bfire\b"})
    assert gate.possible("storing bij kpn") == {"a", "digits"}
    assert gate.possible("nothing here") == {"digits"}
    assert gate.possible("bamboo fires") == {"a", "b", "digits"}  # beginnings found: the search decides


def test_every_cue_pattern_is_gated_except_the_trend_with_its_percentages() -> None:
    assert {name for name, pattern in CUE_PATTERNS.items() if literal_beginnings(pattern) is None} == {"trend"}


def test_the_gated_cues_are_the_cues_every_pattern_finds() -> None:
    texts = [row.text for path in (TRAIN_FILE, EVAL_FILE, INDEPENDENT_FILE) for row in load_labelled(path)]
    texts += ["", "no", "Geen faillissement", "1999: 20% fewer", "going-concern", "can't pay", "beëindigd", "ÉÉN"]
    gate = PatternGate(CUE_PATTERNS)
    for text in texts:
        plain = normalise(text)
        every = {name for name, pattern in _COMPILED.items() if pattern.search(plain)}
        assert every <= gate.possible(plain), text
