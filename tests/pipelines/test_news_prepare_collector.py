"""``prepare`` runs a news batch with the cyclic collector paused, and leaves it as it found it.

Why it matters: the batch's title index and prepared articles all stay alive until stored, so collections during
it only walked them (``bench/news.py``: the cost per article grew with the batch while the collector ran).
"""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime

import numpy as np
import pytest

from config.news import NewsSettings
from connectors.feeds import Article
from models.event_classifier import EVENT_CLASSES
from pipelines.collect_news import prepare, watchlist
from pipelines.news_model import TrainedClassifier


class _Model:
    """Scores every headline "other" and notes whether the collector ran while it was asked."""

    classes_ = list(EVENT_CLASSES)

    def __init__(self) -> None:
        self.collector_on: list[bool] = []

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.collector_on.append(gc.isenabled())
        rows = np.zeros((len(texts), len(EVENT_CLASSES)))
        rows[:, EVENT_CLASSES.index("other")] = 1.0
        return rows


def _articles() -> list[Article]:
    moment = datetime(2026, 10, 1, 9, tzinfo=UTC)
    return [Article("https://news.example/1", "Jansen Bouw wint contract gemeente", moment, "rss", "test"),
            Article("https://news.example/2", "Jansen Bouw wint contract gemeente.", moment, "rss", "test"),
            Article("https://news.example/3", "Staking bij de haven van Rotterdam", moment, "rss", "test")]


@pytest.mark.parametrize("enabled", [True, False])
def test_prepare_pauses_the_collector_and_restores_it(enabled: bool) -> None:
    model = _Model()
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        prepared, duplicates = prepare(_articles(), watchlist([(1, "Jansen Bouw B.V.")]),
                                       TrainedClassifier(model, "test", 0), NewsSettings(), today=date(2026, 10, 2))
        after = gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
    assert model.collector_on == [False]  # the batch was scored with the collector paused
    assert after is enabled  # and it is as it was afterwards
    assert duplicates == 1 and [p.article.url for p in prepared] == ["https://news.example/1",
                                                                      "https://news.example/3"]
    assert all(p.event_class == "other" for p in prepared)
