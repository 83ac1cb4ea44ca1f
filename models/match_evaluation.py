"""Precision and recall of the matcher's pair decisions against labels, automatic merges and reviews apart.

A wrong automatic merge silently moves one company's spend or bankruptcy onto another, a review costs a
person a minute: the two are reported separately, each with a Wilson 95% interval (small labelled sets
make point figures look surer than they are).

- merge precision: of the pairs merged automatically, the share that are one legal entity;
- merge recall: of the pairs that are one legal entity, the share merged automatically;
- review precision: of the pairs sent to review, the share that are one legal entity;
- review recall: of the one-entity pairs *not* merged automatically, the share a person gets to see;
- reach: of the one-entity pairs, the share merged or sent to review.

Pure: (decision, label) pairs in, figures out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from models.intervals import wilson_interval


@dataclass(frozen=True, slots=True)
class Rate:
    """``hits`` of ``total``, with a Wilson 95% interval; ``value`` is None when nothing was counted (unknown)."""

    hits: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.hits, self.total)

    def text(self) -> str:
        if self.value is None:
            return "n/a (nothing to count)"
        low, high = self.interval or (0.0, 1.0)
        return f"{self.value:.3f} ({self.hits}/{self.total}; 95% CI {low:.2f}-{high:.2f})"

    def as_json(self) -> dict[str, object]:
        interval = self.interval
        return {"value": self.value, "hits": self.hits, "total": self.total,
                "ci95": None if interval is None else [round(interval[0], 4), round(interval[1], 4)]}


@dataclass(frozen=True, slots=True)
class PairEvaluation:
    pairs: int
    same: int
    merge_precision: Rate
    merge_recall: Rate
    review_precision: Rate
    review_recall: Rate
    reach: Rate

    def rows(self) -> list[dict[str, str]]:
        return [
            {"figure": "automatic merges: precision", "value": self.merge_precision.text()},
            {"figure": "automatic merges: recall", "value": self.merge_recall.text()},
            {"figure": "review suggestions: precision", "value": self.review_precision.text()},
            {"figure": "review suggestions: recall (of same-entity pairs not merged)", "value": self.review_recall.text()},
            {"figure": "same-entity pairs merged or reviewed", "value": self.reach.text()},
        ]

    def as_json(self) -> dict[str, object]:
        return {"pairs": self.pairs, "same_entity_pairs": self.same,
                "merge_precision": self.merge_precision.as_json(), "merge_recall": self.merge_recall.as_json(),
                "review_precision": self.review_precision.as_json(), "review_recall": self.review_recall.as_json(),
                "merged_or_reviewed": self.reach.as_json()}


def evaluate(results: Iterable[tuple[str, bool]]) -> PairEvaluation:
    """``results``: (decision "merge"/"review"/"different", whether the pair is one legal entity)."""
    rows = list(results)
    same = [d for d, s in rows if s]
    merged = [s for d, s in rows if d == "merge"]
    reviewed = [s for d, s in rows if d == "review"]
    not_merged_same = [d for d in same if d != "merge"]
    return PairEvaluation(
        pairs=len(rows), same=len(same),
        merge_precision=Rate(sum(merged), len(merged)),
        merge_recall=Rate(same.count("merge"), len(same)),
        review_precision=Rate(sum(reviewed), len(reviewed)),
        review_recall=Rate(not_merged_same.count("review"), len(not_merged_same)),
        reach=Rate(sum(d in ("merge", "review") for d in same), len(same)),
    )


__all__ = ["PairEvaluation", "Rate", "evaluate"]
