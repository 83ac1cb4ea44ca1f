"""What kind of event a news headline reports: TF-IDF (word and character n-grams) + logistic regression.

Pure: labelled rows in, a fitted model out; texts in, class probabilities out; rows in, an
evaluation out. Reading the labelled CSVs, caching the fitted model and writing the model card
happen in ``pipelines.news_model``.

Why this model: headlines are short, Dutch and English mixed, and the classes are signalled by a
handful of words ("faillissement", "bankrupt", "staking", "ransomware"). Word n-grams catch those
words and short phrases; character n-grams (within word boundaries) catch Dutch compounds and
inflections the training set never saw ("betalingsachterstanden", "ransomwareaanval") and shared
stems across the two languages. A linear model on top is fast (fitting takes well under a second
on a few hundred rows), gives calibrated-enough probabilities, and its weights can be read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.pipeline import FeatureUnion, Pipeline

#: The event classes; ``supplier_events.kind`` is ``news.<class>``. "other" is everything else.
EVENT_CLASSES = (
    "insolvency", "strike", "cyber", "disaster", "sanctions_legal", "reorganisation", "acquisition",
    "export_controls", "other",
)
#: What each class covers, for the model card and the CLI.
CLASS_DESCRIPTIONS = {
    "insolvency": "insolvency and financial distress: bankruptcy, suspension of payments, losses, arrears",
    "strike": "strikes and labour unrest",
    "cyber": "cyber incidents: ransomware, hacks, data breaches, outages from attacks",
    "disaster": "fire, explosion, flood, accident at premises or in operations",
    "sanctions_legal": "sanctions, fines, fraud, lawsuits, investigations, convictions",
    "reorganisation": "reorganisation, layoffs, closures of sites",
    "acquisition": "acquisitions, mergers, takeovers",
    "export_controls": "export controls, trade restrictions, tariffs, supply bans",
    "other": "anything else (contracts, products, appointments, results)",
}
RANDOM_STATE = 0


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    label: str
    language: str = ""


@dataclass(frozen=True)
class ClassEvaluation:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """Held-out quality: per class, macro averages and the confusion matrix (rows: true, columns: predicted)."""

    per_class: tuple[ClassEvaluation, ...]
    macro_precision: float
    macro_recall: float
    macro_f1: float
    accuracy: float
    confusion: tuple[tuple[int, ...], ...]
    labels: tuple[str, ...]
    rows: int


class LabelError(ValueError):
    """A labelled row carries a class that is not one of ``EVENT_CLASSES``."""


def make_pipeline() -> Pipeline:
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1, strip_accents="unicode")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1, strip_accents="unicode")),
        ]
    )
    model = LogisticRegression(C=20.0, tol=1e-3, max_iter=3000, class_weight="balanced", random_state=RANDOM_STATE)
    return Pipeline([("features", features), ("model", model)])


def train(rows: Sequence[LabelledText]) -> Pipeline:
    """Fit the pipeline on labelled rows; every class must be present."""
    _check_labels(rows)
    missing = set(EVENT_CLASSES) - {row.label for row in rows}
    if missing:
        raise LabelError(f"no training rows for class(es) {', '.join(sorted(missing))}")
    pipeline = make_pipeline()
    pipeline.fit([row.text for row in rows], [row.label for row in rows])
    return pipeline


def predict_proba(pipeline: Pipeline, texts: Sequence[str]) -> list[dict[str, float]]:
    """Per text: every class with its probability (rounded to 4 decimals), in ``EVENT_CLASSES`` order."""
    if not texts:
        return []
    probabilities = pipeline.predict_proba(list(texts))
    classes = list(pipeline.classes_)
    return [{label: round(float(row[classes.index(label)]), 4) for label in EVENT_CLASSES} for row in probabilities]


def top_class(probabilities: dict[str, float]) -> tuple[str, float]:
    label = max(probabilities, key=lambda name: probabilities[name])
    return label, probabilities[label]


def evaluate(pipeline: Pipeline, rows: Sequence[LabelledText]) -> Evaluation:
    """Precision, recall and F1 per class, macro averages, accuracy and the confusion matrix on ``rows``."""
    _check_labels(rows)
    truth = [row.label for row in rows]
    predicted = list(pipeline.predict([row.text for row in rows]))
    labels = list(EVENT_CLASSES)
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    per_class = tuple(
        ClassEvaluation(label, round(float(p), 4), round(float(r), 4), round(float(f), 4), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    )
    matrix = confusion_matrix(truth, predicted, labels=labels)
    return Evaluation(
        per_class=per_class,
        macro_precision=round(float(precision.mean()), 4),
        macro_recall=round(float(recall.mean()), 4),
        macro_f1=round(float(f1.mean()), 4),
        accuracy=round(sum(t == p for t, p in zip(truth, predicted, strict=True)) / max(1, len(rows)), 4),
        confusion=tuple(tuple(int(v) for v in row) for row in matrix),
        labels=tuple(labels),
        rows=len(rows),
    )


def _check_labels(rows: Sequence[LabelledText]) -> None:
    for position, row in enumerate(rows, start=1):
        if row.label not in EVENT_CLASSES:
            raise LabelError(f"row {position}: class {row.label!r} is not one of {', '.join(EVENT_CLASSES)}")
