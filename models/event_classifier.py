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

from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.pipeline import FeatureUnion, Pipeline

from models.intervals import wilson_interval
from models.news_cues import CueFeatures
from models.one_thread import one_blas_thread
from models.text_counts import ReusingTfidfVectorizer

#: Texts scored per call of the model in ``predict_proba``: enough to share the vectoriser's per-call work (each
#: distinct word's n-grams are looked up once per call: ``models.text_counts``), small enough for its matrices to stay
#: in the caches.
SCORE_CHUNK = 4096
#: The event classes; ``supplier_events.kind`` is ``news.<class>``. "other" is everything else.
EVENT_CLASSES = (
    "insolvency", "strike", "cyber", "disaster", "sanctions_legal", "reorganisation", "acquisition",
    "export_controls", "other",
)
#: What each class covers, for the model card and the CLI.
CLASS_DESCRIPTIONS = {
    "insolvency": "insolvency and financial distress: bankruptcy, suspension of payments, arrears, going-concern doubt "
                  "(a loss or a profit warning alone is \"other\")",
    "strike": "strikes and labour unrest",
    "cyber": "cyber incidents: ransomware, hacks, data breaches, outages from attacks",
    "disaster": "fire, explosion, flood, accident at premises or in operations",
    "sanctions_legal": "sanctions, fines, fraud, lawsuits, investigations, convictions",
    "reorganisation": "reorganisation, layoffs, closures of sites",
    "acquisition": "acquisitions, mergers, takeovers",
    "export_controls": "export controls, trade restrictions, tariffs, supply bans",
    "other": "anything else: contracts, products, appointments, results and losses; denials, negations, events "
             "called off, looking back on past events, court cases the company wins, statistics about many companies",
}
RANDOM_STATE = 0


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    label: str
    language: str = ""
    #: The kind of headline in the independent test set (``denial``, ``called_off``, ``plain``...); "" elsewhere.
    case: str = ""


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


#: Inverse regularisation strength of the logistic regression.
C = 20.0
#: Value of a firing cue column; TF-IDF rows have unit length, so a cue weighs like a strong word.
CUE_WEIGHT = 2.0
#: Thresholds tried when choosing the event threshold on the validation set.
THRESHOLD_GRID = tuple(round(0.2 + 0.05 * step, 2) for step in range(15))


def make_pipeline() -> Pipeline:
    """The untrained pipeline. Its vectorizers are scikit-learn's ``TfidfVectorizer`` with a faster count of new texts
    (``models.text_counts``: the same matrices to the bit, so the same probabilities)."""
    features = FeatureUnion(
        [
            ("words", ReusingTfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1, strip_accents="unicode")),
            ("chars", ReusingTfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1, strip_accents="unicode")),
            ("cues", CueFeatures(weight=CUE_WEIGHT)),
        ]
    )
    model = LogisticRegression(C=C, tol=1e-3, max_iter=3000, class_weight="balanced", random_state=RANDOM_STATE)
    return Pipeline([("features", features), ("model", model)])


@one_blas_thread
def train(rows: Sequence[LabelledText]) -> Pipeline:
    """Fit the pipeline on labelled rows; every class must be present.

    On one BLAS thread (``models.one_thread``): a news run trains the model once, and on two threads the
    L-BFGS fit cost 2.0-3.5 CPU-s on a busy two-core machine instead of 0.4, for coefficients that differed
    from the one-thread fit by 1e-13 (the rounded probabilities of 75,000 demo headlines alike)."""
    _check_labels(rows)
    missing = set(EVENT_CLASSES) - {row.label for row in rows}
    if missing:
        raise LabelError(f"no training rows for class(es) {', '.join(sorted(missing))}")
    pipeline = make_pipeline()
    pipeline.fit([row.text for row in rows], [row.label for row in rows])
    return pipeline


def predict_proba(pipeline: Pipeline, texts: Sequence[str]) -> list[dict[str, float]]:
    """Per text: every class with its probability (rounded to 4 decimals), in ``EVENT_CLASSES`` order.

    Each distinct text is scored once: the model scores rows independently, and a news run holds the same
    headline under several URLs (one in nine of the demo's articles), each paying the n-gram counting again.
    For the same reason the texts are scored ``SCORE_CHUNK`` at a time, with the same probabilities: the
    vectoriser's sparse matrices of a whole national run (50,000 headlines) outgrow the processor's caches, and
    building them cost 2-4x more per headline than for 5,000 (``bench/news.py``: the news stage's cost per article
    must stay flat as the flow grows); chunks also keep the matrices' memory bounded.
    """
    if not texts:
        return []
    distinct = list(dict.fromkeys(texts))
    classes = list(pipeline.classes_)
    columns = [classes.index(label) for label in EVENT_CLASSES]
    rows: list[list[float]] = []
    for start in range(0, len(distinct), SCORE_CHUNK):
        chunk = distinct[start:start + SCORE_CHUNK]
        rows += pipeline.predict_proba(chunk)[:, columns].tolist()  # Python floats, as float() of each cell
    scored = {text: dict(zip(EVENT_CLASSES, [round(value, 4) for value in row], strict=True))
              for text, row in zip(distinct, rows, strict=True)}
    return [dict(scored[text]) for text in texts]  # a dict per text, as before: callers may keep or change theirs


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


@dataclass(frozen=True)
class Proportion:
    """``hits`` of ``total`` with a 95% Wilson interval (``None`` when ``total`` is 0)."""

    hits: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.hits, self.total)

    def text(self) -> str:
        if not self.total:
            return "n/a (0 cases)"
        low, high = self.interval or (0.0, 0.0)
        return f"{self.hits}/{self.total} = {self.hits / self.total:.3f} (95% CI {low:.3f}-{high:.3f})"


def is_event(label: str, probability: float, threshold: float) -> bool:
    """Whether a classified headline would become a supplier event (before linking): a class other than "other"
    with at least ``threshold`` probability."""
    return label != "other" and probability >= threshold


@dataclass(frozen=True)
class EventQuality:
    """What the events created at ``threshold`` are worth on labelled rows.

    - ``precision``: events whose class is the true class, of all events created;
    - ``recall``: true events (label other than "other") that became an event of the right class;
    - ``false_from_other``: headlines labelled "other" that would still become an event.
    """

    threshold: float
    precision: Proportion
    recall: Proportion
    false_from_other: Proportion


def event_quality(pipeline: Pipeline, rows: Sequence[LabelledText], threshold: float) -> EventQuality:
    _check_labels(rows)
    decisions = [top_class(p) for p in predict_proba(pipeline, [row.text for row in rows])]
    return event_quality_of(rows, decisions, threshold)


def event_quality_of(rows: Sequence[LabelledText], decisions: Sequence[tuple[str, float]], threshold: float) -> EventQuality:
    """As ``event_quality``, from decisions already made (one ``(class, probability)`` per row)."""
    events = [(row.label, label) for row, (label, p) in zip(rows, decisions, strict=True) if is_event(label, p, threshold)]
    correct = sum(true == predicted for true, predicted in events)
    true_events = sum(row.label != "other" for row in rows)
    return EventQuality(
        threshold=threshold,
        precision=Proportion(correct, len(events)),
        recall=Proportion(correct, true_events),
        false_from_other=Proportion(sum(true == "other" for true, _ in events), len(rows) - true_events),
    )


def choose_threshold(pipeline: Pipeline, validation: Sequence[LabelledText], grid: Sequence[float] = THRESHOLD_GRID) -> EventQuality:
    """The event threshold with the best F0.5 on the validation rows (precision counts twice as much as recall:
    a false event sends a person after nothing); ties go to the higher threshold."""
    decisions = [top_class(p) for p in predict_proba(pipeline, [row.text for row in validation])]
    best: tuple[float, float] | None = None
    chosen: EventQuality | None = None
    for threshold in grid:
        quality = event_quality_of(validation, decisions, threshold)
        precision, recall = quality.precision.value or 0.0, quality.recall.value or 0.0
        score = 1.25 * precision * recall / (0.25 * precision + recall) if precision + recall else 0.0
        if best is None or (score, threshold) >= best:
            best, chosen = (score, threshold), quality
    if chosen is None:
        raise ValueError("no thresholds to choose from")
    return chosen
