"""The reusing TF-IDF vectorizer gives scikit-learn's matrices to the bit, on the classifier's own headlines and
on texts that stress the preprocessing (accents, non-breaking spaces, compatibility characters, empty texts)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from models.text_counts import ReusingTfidfVectorizer
from pipelines.news_model import EVAL_FILE, INDEPENDENT_FILE, TRAIN_FILE, load_labelled

HARD_TEXTS = [
    "", "   ", "a", "ab  cd", "Ünïcödé\u00a0faillissement ½ ¨x", "ΣΊΣΥΦΟΣ Σ ς", "beëindigd BEËINDIGD", "x\ty\nz",
    "Bouwbedrijf Bouwbedrijf bouwbedrijf failliet", "ﬁrma ＡＢＣ Ⅻ", "e\u0301e\u0301n", "tab\t\tdouble  space",
]


def _texts() -> tuple[list[str], list[str]]:
    train = [row.text for row in load_labelled(TRAIN_FILE)]
    unseen = [row.text for path in (EVAL_FILE, INDEPENDENT_FILE) for row in load_labelled(path)]
    return train, unseen + HARD_TEXTS + [text.upper() for text in unseen[:50]]


@pytest.mark.parametrize("params", [
    {"analyzer": "word", "ngram_range": (1, 2), "sublinear_tf": True, "strip_accents": "unicode"},
    {"analyzer": "char_wb", "ngram_range": (3, 5), "sublinear_tf": True, "strip_accents": "unicode"},
    {"analyzer": "char_wb", "ngram_range": (1, 3)},
    {"analyzer": "char", "ngram_range": (2, 4)},
])
def test_the_matrices_are_scikit_learns_to_the_bit(params: dict) -> None:
    train, unseen = _texts()
    plain, reusing = TfidfVectorizer(**params).fit(train), ReusingTfidfVectorizer(**params).fit(train)
    assert reusing.vocabulary_ == plain.vocabulary_
    for texts in (train, unseen):
        expected, found = plain.transform(texts), reusing.transform(texts)
        assert type(found) is type(expected) and found.dtype == expected.dtype
        for part in ("indptr", "indices", "data"):
            assert np.array_equal(getattr(found, part), getattr(expected, part)), part
            assert getattr(found, part).dtype == getattr(expected, part).dtype, part


def test_an_empty_batch_is_refused_as_scikit_learn_refuses_it() -> None:
    train, _ = _texts()
    for vectorizer in (TfidfVectorizer, ReusingTfidfVectorizer):
        with pytest.raises(ValueError):
            vectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit(train).transform([])
