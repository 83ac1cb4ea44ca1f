"""The news event classifier as the application uses it: trained from the shipped CSV, cached, evaluated.

``models/event_classifier.py`` is the pure model; this module does its I/O. The labelled sets
live in ``models/data`` (see ``news_events_README.md`` there for their origin: written for this
project, synthetic, training and evaluation worded independently). Fitting takes a fraction of a
second, so the model is trained at first use in a process and kept in memory; nothing is pickled.
Three labelled sets, three jobs: ``news_events_train.csv`` fits the model; ``news_events_eval.csv`` is
the validation set (reported, and the event threshold is chosen on it); ``news_events_independent.csv``
is the test set of real-style headlines written apart from the training templates, with the hard cases
(denials, called-off events, looking back, court wins, statistics, losses), never used to fit or tune.
The model card (``models/data/news_classifier_card.md``) is the output of
``supplyradar evaluate news-classifier --card models/data/news_classifier_card.md``, and a test
checks that it still matches what the command computes.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sklearn
from sklearn.pipeline import Pipeline

from models.event_classifier import (
    CLASS_DESCRIPTIONS,
    CUE_WEIGHT,
    EVENT_CLASSES,
    THRESHOLD_GRID,
    C,
    Evaluation,
    EventQuality,
    LabelledText,
    Proportion,
    choose_threshold,
    evaluate,
    event_quality_of,
    is_event,
    predict_proba,
    top_class,
    train,
)
from models.news_cues import CUE_NAMES, cues_in

DATA_DIR = Path(__file__).resolve().parents[1] / "models" / "data"
TRAIN_FILE = DATA_DIR / "news_events_train.csv"
EVAL_FILE = DATA_DIR / "news_events_eval.csv"
INDEPENDENT_FILE = DATA_DIR / "news_events_independent.csv"
CARD_FILE = DATA_DIR / "news_classifier_card.md"


class LabelledSetError(ValueError):
    """A labelled CSV is missing, has no text/label columns, or a row is unusable (names file and row)."""


def load_labelled(path: Path) -> list[LabelledText]:
    """Rows ``text,label,language`` of a labelled CSV."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
                raise LabelledSetError(f"{path}: expected columns text,label[,language], found {reader.fieldnames}")
            rows = []
            for number, row in enumerate(reader, start=2):
                text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip()
                if not text or label not in EVENT_CLASSES:
                    raise LabelledSetError(f"{path}: row {number}, field {'text' if not text else 'label'}: "
                                           f"{'empty text' if not text else f'unknown class {label!r}'}")
                rows.append(LabelledText(text, label, (row.get("language") or "").strip(), (row.get("case") or "").strip()))
    except OSError as exc:
        raise LabelledSetError(f"{path}: cannot read: {exc.strerror}") from exc
    return rows


@dataclass(frozen=True)
class TrainedClassifier:
    pipeline: Pipeline
    version: str
    training_rows: int


@lru_cache(maxsize=2)
def classifier(train_file: Path = TRAIN_FILE) -> TrainedClassifier:
    """The classifier trained on ``train_file``, once per process."""
    rows = load_labelled(train_file)
    digest = hashlib.sha256(train_file.read_bytes()).hexdigest()[:10]
    return TrainedClassifier(train(rows), f"news-tfidf-logreg-{digest}+sklearn-{sklearn.__version__}", len(rows))


def held_out_evaluation(train_file: Path = TRAIN_FILE, eval_file: Path = EVAL_FILE) -> tuple[TrainedClassifier, Evaluation]:
    model = classifier(train_file)
    return model, evaluate(model.pipeline, load_labelled(eval_file))


@dataclass(frozen=True)
class Classified:
    """One headline as the classifier sees it: the top class, its probability, whether it would become an
    event at ``threshold``, the cues that fired, and every class probability."""

    text: str
    label: str
    probability: float
    event: bool
    threshold: float
    cues: tuple[str, ...]
    probabilities: dict[str, float]


def classify(texts: list[str], threshold: float, model: TrainedClassifier | None = None) -> list[Classified]:
    """Classify ``texts`` in order; ``event`` applies ``threshold`` exactly as news collection does (before linking)."""
    model = model or classifier()
    results = []
    for text, probabilities in zip(texts, predict_proba(model.pipeline, texts), strict=True):
        label, probability = top_class(probabilities)
        results.append(Classified(text, label, probability, is_event(label, probability, threshold), threshold,
                                  cues_in(text), probabilities))
    return results


@dataclass(frozen=True)
class IndependentEvaluation:
    """The test on the independent real-style headlines at the chosen threshold."""

    evaluation: Evaluation
    events: EventQuality
    accuracy: Proportion
    by_case: dict[str, Proportion]
    by_language: dict[str, Proportion]


def independent_evaluation(model: TrainedClassifier, threshold: float, path: Path = INDEPENDENT_FILE) -> IndependentEvaluation:
    rows = load_labelled(path)
    decisions = [top_class(p) for p in predict_proba(model.pipeline, [row.text for row in rows])]
    right = [row.label == label for row, (label, _p) in zip(rows, decisions, strict=True)]

    def share(keys: list[str]) -> dict[str, Proportion]:
        return {key: Proportion(sum(r for r, k in zip(right, keys, strict=True) if k == key), keys.count(key))
                for key in sorted(set(keys))}

    return IndependentEvaluation(
        evaluation=evaluate(model.pipeline, rows),
        events=event_quality_of(rows, decisions, threshold),
        accuracy=Proportion(sum(right), len(rows)),
        by_case=share([row.case or "unlabelled" for row in rows]),
        by_language=share([row.language or "unknown" for row in rows]),
    )


@dataclass(frozen=True)
class FullEvaluation:
    model: TrainedClassifier
    validation: Evaluation
    threshold: EventQuality
    independent: IndependentEvaluation


def full_evaluation() -> FullEvaluation:
    """Validation figures, the threshold chosen on validation, and the independent test at that threshold."""
    model, validation = held_out_evaluation()
    chosen = choose_threshold(model.pipeline, load_labelled(EVAL_FILE))
    return FullEvaluation(model, validation, chosen, independent_evaluation(model, chosen.threshold))


def _per_class_table(evaluation: Evaluation) -> list[str]:
    return [
        "| class | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
        *[f"| {c.label} | {c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} | {c.support} |" for c in evaluation.per_class],
    ]


def model_card(result: FullEvaluation) -> str:
    """The model card in Markdown: what the model is, what it was trained and tested on, how well it does."""
    lines = [
        "# News event classifier: model card",
        "",
        "Generated by `supplyradar evaluate news-classifier --card models/data/news_classifier_card.md`; "
        "`tests/models/test_event_classifier.py` checks that it matches a fresh evaluation.",
        "",
        *_card_overview(result),
        "",
        "## Classes",
        "",
        *[f"- `{label}`: {CLASS_DESCRIPTIONS[label]}" for label in EVENT_CLASSES],
        "",
        *_card_threshold(result.threshold),
        "",
        *_card_independent(result.independent),
        "",
        *_card_validation(result.validation),
        "",
    ]
    return "\n".join(lines)


def _card_overview(result: FullEvaluation) -> list[str]:
    """The card's opening bullets: the model, its cues, the three labelled sets, its use and its limits."""
    model, evaluation, chosen = result.model, result.validation, result.threshold
    languages = sorted({row.language for row in load_labelled(EVAL_FILE) if row.language})
    independent_rows = load_labelled(INDEPENDENT_FILE)
    training_other = sum(row.label == "other" for row in load_labelled(TRAIN_FILE))
    return [
        f"- **Model**: `{model.version}`: TF-IDF of word 1-2-grams and character 3-5-grams (within words) plus "
        f"{len(CUE_NAMES)} rule-based cue features (each a binary column worth {CUE_WEIGHT:g}), feeding a multinomial "
        f"logistic regression (class-balanced, C={C:g}). Code: `models/event_classifier.py`, cues in `models/news_cues.py`.",
        "- **Cues** (hand-written Dutch and English patterns; `supplyradar news classify` prints those that fire): "
        + ", ".join(f"`{name}`" for name in CUE_NAMES) + ". They let the model learn that \"ontkent\", \"afgeblazen\", "
        "\"tien jaar na\", \"wint rechtszaak\" or \"aantal faillissementen gedaald\" mean nothing happened to the company, "
        "and that a loss without arrears, going-concern doubt or a suspension of payments is not insolvency.",
        f"- **Training data**: `models/data/news_events_train.csv`, {model.training_rows} headlines ({training_other} "
        "of class `other`, including denials, negations, called-off events, looking back, court wins, statistics, "
        "losses and idioms in both languages), written for this project (synthetic, see `models/data/news_events_README.md`).",
        f"- **Validation data**: `models/data/news_events_eval.csv`, {evaluation.rows} headlines ({', '.join(languages)}), "
        "different wording and invented company names; never used for fitting; the event threshold is chosen on it. "
        "Its errors were read to find vocabulary the training set lacked (training rows with other wording and "
        "other names were then added), so its figures are optimistic.",
        f"- **Independent test data**: `models/data/news_events_independent.csv`, {len(independent_rows)} real-style "
        "headlines (Dutch and English) written apart from the training templates, with their own company names and a "
        "`case` column for the hard cases; never used for fitting or for choosing anything. Honest caveat: the same "
        "team wrote all three sets and knew the hard-case types when writing the training rows, so the independent "
        "figures are an upper bound for live news; its results were looked at during development, but no training "
        "row was written from its errors.",
        "- **Use**: a signal for a person, never a verdict. Each article keeps all class probabilities; a supplier event "
        f"needs a class other than `other` with probability >= {chosen.threshold:.2f} (`news.min_event_probability`) "
        "and link confidence x class probability >= `news.min_event_confidence`.",
        "- **Limits**: short headlines only (the model reads titles, not article bodies); real news is longer, noisier "
        "and drifts. Irony, rumours without a denial word and negations the cues do not list are not understood. "
        "Retrain and re-evaluate on labelled real headlines before trusting the numbers on live feeds.",
    ]


def _card_threshold(chosen: EventQuality) -> list[str]:
    """The event threshold chosen on the validation set, with its figures there."""
    return [
        "## Event threshold (chosen on the validation set)",
        "",
        f"Thresholds {THRESHOLD_GRID[0]:.2f} to {THRESHOLD_GRID[-1]:.2f} in steps of 0.05 were tried; the one with the best "
        f"F0.5 (precision counts twice: a false event sends a person after nothing) is **{chosen.threshold:.2f}**. On "
        "validation at that threshold:",
        "",
        f"- precision of the events created (right class): {chosen.precision.text()}",
        f"- true events found with the right class (recall): {chosen.recall.text()}",
        f"- `other` headlines that would still become an event: {chosen.false_from_other.text()}",
    ]


def _card_independent(test: IndependentEvaluation) -> list[str]:
    """The independent test at the chosen threshold: event figures, accuracy by case and language, per class."""
    return [
        "## Independent test (real-style headlines, never used for fitting or tuning)",
        "",
        f"At the event threshold {test.events.threshold:.2f}:",
        "",
        f"- **precision of the events created**: {test.events.precision.text()}",
        f"- true events found with the right class (recall): {test.events.recall.text()}",
        f"- `other` headlines that would still become an event: {test.events.false_from_other.text()}",
        f"- class accuracy: {test.accuracy.text()}; macro F1 {test.evaluation.macro_f1:.3f}",
        "",
        "Class accuracy by kind of headline (95% Wilson intervals):",
        "",
        "| case | right |",
        "|---|---|",
        *[f"| {case} | {share.text()} |" for case, share in test.by_case.items()],
        *[f"| language {language} | {share.text()} |" for language, share in test.by_language.items()],
        "",
        *_per_class_table(test.evaluation),
    ]


def _card_validation(evaluation: Evaluation) -> list[str]:
    """The validation set's per-class table and confusion matrix."""
    return [
        "## Validation set: per class",
        "",
        f"Accuracy {evaluation.accuracy:.3f}; macro precision {evaluation.macro_precision:.3f}, "
        f"macro recall {evaluation.macro_recall:.3f}, macro F1 {evaluation.macro_f1:.3f}.",
        "",
        *_per_class_table(evaluation),
        "",
        "## Confusion matrix on the validation set (rows: true class, columns: predicted)",
        "",
        "| true \\ predicted | " + " | ".join(evaluation.labels) + " |",
        "|---|" + "---:|" * len(evaluation.labels),
        *[f"| {label} | " + " | ".join(str(v) for v in row) + " |"
          for label, row in zip(evaluation.labels, evaluation.confusion, strict=True)],
    ]


#: Columns of a CSV headline file that hold the headline, in order of preference.
HEADLINE_COLUMNS = ("text", "headline", "title")


class HeadlineFileError(ValueError):
    """A ``--file`` cannot be read or has no usable headline column (names the file and line)."""


def read_headlines(path: Path) -> list[str]:
    """Headlines from ``path``: a CSV with a ``text``/``headline``/``title`` column, else one headline per line.

    A file is read as CSV only when its first line names one of those columns; blank lines are skipped
    in both forms (so a line count and a headline count can differ by the blanks only).
    """
    try:
        content = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise HeadlineFileError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise HeadlineFileError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    lines = content.splitlines()
    header = next(csv.reader(lines[:1]), []) if lines else []
    column = next((c for c in HEADLINE_COLUMNS if c in [h.strip().casefold() for h in header]), None)
    if column is None:
        return [line.strip() for line in lines if line.strip()]
    reader = csv.DictReader(lines)
    reader.fieldnames = [name.strip().casefold() for name in reader.fieldnames or []]
    headlines = []
    for row in reader:
        text = (row.get(column) or "").strip()
        if text:
            headlines.append(text)
    return headlines
