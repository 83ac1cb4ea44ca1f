"""A TF-IDF vectorizer that scores new texts faster and exactly as scikit-learn's does.

Why: the news classifier reads every headline of a news run (51,000 at the demo's scale 54), and
scikit-learn's ``TfidfVectorizer.transform`` spends most of that time counting: it lists every
character n-gram of every word of every headline, then looks each one up, paying a raised
``KeyError`` for each n-gram the training set never saw (most of them). Headlines share their words
("faillissement", "leverancier", company names), and a word's ``char_wb`` n-grams do not depend on
its neighbours, so here each distinct word's known columns are looked up once per call and reused;
word n-grams are looked up with ``dict.get`` instead of a raised error.

What stays identical: the count matrix. scikit-learn builds it with one entry per known n-gram and
its count, then sorts each row's columns; here the columns of a row are listed with repeats and
``sum_duplicates`` adds them up and sorts them, which gives the same sorted columns and the same
counts (small whole numbers, exact in floating point). The fitted vocabulary, the IDF weights and
the normalisation are scikit-learn's own (``transform`` still applies them), and fitting is
unchanged, so every TF-IDF value, and every probability the model gives, is the same to the bit.
``tests/models/test_text_counts.py`` compares the two matrices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

#: Analyzers with a faster count; any other (or fitting) goes through scikit-learn's own code.
FAST_ANALYZERS = ("word", "char_wb")


class ReusingTfidfVectorizer(TfidfVectorizer):
    """``TfidfVectorizer`` with the same parameters and results; ``transform`` counts each distinct word once."""

    def _count_vocab(self, raw_documents: Iterable[str], fixed_vocab: bool) -> tuple[dict[str, int], sp.csr_array]:
        """The count matrix of ``raw_documents`` over the fitted vocabulary (see the module docstring)."""
        if not fixed_vocab or self.analyzer not in FAST_ANALYZERS:
            return super()._count_vocab(raw_documents, fixed_vocab)
        vocabulary: dict[str, int] = self.vocabulary_
        columns_of = self._word_wb_columns(vocabulary) if self.analyzer == "char_wb" else self._gram_columns(vocabulary)
        indices: list[int] = []
        indptr = [0]
        for document in raw_documents:
            indices.extend(columns_of(document))
            indptr.append(len(indices))
        index_type = np.int32 if len(indices) <= np.iinfo(np.int32).max else np.int64
        counts = sp.csr_array(
            (np.ones(len(indices)), np.asarray(indices, dtype=index_type), np.asarray(indptr, dtype=index_type)),
            shape=(len(indptr) - 1, len(vocabulary)), dtype=self.dtype,
        )
        counts.sum_duplicates()  # adds repeated columns up and sorts each row, as scikit-learn's count does
        return vocabulary, counts

    def _word_wb_columns(self, vocabulary: dict[str, int]) -> Callable[[str], list[int]]:
        """``char_wb``: a document's known n-gram columns, with repeats, each distinct word looked up once.

        scikit-learn pads and slices each whitespace-separated word of the preprocessed document on its
        own, so the n-grams of a document are those of its words, in order.
        """
        preprocess, grams = self.build_preprocessor(), self._char_wb_ngrams
        by_word: dict[str, list[int]] = {}

        def columns(document: str) -> list[int]:
            found: list[int] = []
            for word in preprocess(self.decode(document)).split():
                known = by_word.get(word)
                if known is None:
                    known = by_word[word] = [vocabulary[g] for g in grams(word) if g in vocabulary]
                found += known
            return found

        return columns

    def _gram_columns(self, vocabulary: dict[str, int]) -> Callable[[str], list[int]]:
        """``word``: a document's known n-gram columns, with repeats, from scikit-learn's own analyzer."""
        analyze, get = self.build_analyzer(), vocabulary.get

        def columns(document: str) -> list[int]:
            return [column for column in map(get, analyze(document)) if column is not None]

        return columns
