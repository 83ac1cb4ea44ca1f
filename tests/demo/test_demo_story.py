"""The demo story keeps its signals honest (issue 16, item 5): staff falls, moves and worrying news happen to
companies that never fail; some failures come without warning; every period the failure model is fitted,
calibrated and evaluated on holds enough distinct failing companies; and the demo's own failing supplier is
drawn like any other, so whether it was warned is up to its data. All SYNTHETIC (``demo.story``)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from demo.build_companies import COMPANIES_FILE, OUT_DIR, build_companies
from demo.story import OUR_FAILURE_BANKRUPTCY, OUR_FAILURE_SUSPENSION, STORY_TODAY, build_story
from demo.story_lives import CompanyLife, employees_at_start, failing_life, resolve_employees
from demo.world import DEFAULT_SEED, build_world
from models.company_events import Thresholds, sharp_change
from models.failure import temporal_split
from models.features import FAILURE_KINDS

STORY, WORLD = build_story(), build_world()
#: The model's population: Dutch suppliers with at least one public award.
AWARDS: dict[str, list[date]] = {}
for _notice, _lot in WORLD.awards():
    for _sid in _lot.winners:
        AWARDS.setdefault(_sid, []).append(_notice.published)
POPULATION = {s.id for s in WORLD.suppliers if s.country == "NL" and s.id in AWARDS}


def _first_failure(life: CompanyLife) -> date | None:
    return min((s.day for s in life.signals if s.kind in FAILURE_KINDS), default=None)


def _sharp_falls(life: CompanyLife) -> list[date]:
    """Staff falls the KvK change detection would report (at least 25% and 3 people)."""
    falls, before = [], life.employees_start
    for signal in life.signals:
        if signal.kind == "kvk.employees_changed":
            after = int(signal.get("employees"))  # type: ignore[arg-type]
            if after < before and sharp_change(before, after, Thresholds()):
                falls.append(signal.day)
            before = after
    return falls


def test_staff_falls_and_worrying_news_also_come_to_companies_that_never_fail() -> None:
    never_fail = [life for life in STORY.lives.values() if life.outcome in ("ordinary", "false alarm")]
    with_falls = [life for life in never_fail if _sharp_falls(life)]
    failing_with_falls = [life for life in STORY.lives.values() if life.outcome == "failed" and _sharp_falls(life)]
    assert len(with_falls) > len(failing_with_falls) >= 10
    false_alarms = [life for life in STORY.lives.values() if life.outcome == "false alarm"]
    assert len(false_alarms) >= 20
    # their news reads exactly like the news before a failure: the headline alone cannot tell them apart
    def headlines(lives: list[CompanyLife]) -> set[str]:
        return {str(s.get("headline_en")).replace(WORLD.supplier_by_id[life.supplier_id].name, "{name}")
                for life in lives for s in life.signals if s.kind in ("news.insolvency", "news.reorganisation")}
    failed = [life for life in STORY.lives.values() if life.outcome == "failed"]
    assert headlines(failed) <= headlines(false_alarms)
    assert sum(1 for life in false_alarms if any(s.kind == "kvk.address_moved" for s in life.signals)) >= 5


def test_some_failures_come_without_any_warning() -> None:
    failing = [life for life in STORY.lives.values() if life.outcome in ("failed", "rescued") and life.supplier_id in POPULATION]
    silent = []
    for life in failing:
        first = _first_failure(life)
        assert first is not None
        if not any(first - timedelta(days=450) <= s.day < first and s.kind.startswith(("kvk.", "news."))
                   for s in life.signals):
            silent.append(life)
    assert 0.15 <= len(silent) / len(failing) <= 0.5, (len(silent), len(failing))


def test_every_period_of_the_failure_model_holds_ten_distinct_failing_companies() -> None:
    split = temporal_split(STORY_TODAY, horizon_days=365, eval_months=12, calibration_months=12)
    horizon = timedelta(days=365)
    windows = {"fit": (date(2019, 1, 1), split.fit_end + horizon),
               "calibration": (split.calibration_start, split.calibration_end + horizon),
               "evaluation": (split.evaluation_start, split.evaluation_end + horizon)}
    counts = {part: sum(1 for sid in POPULATION if any(
        s.kind in FAILURE_KINDS and low < s.day <= high for s in STORY.lives[sid].signals)) for part, (low, high) in windows.items()}
    assert all(count >= 10 for count in counts.values()), counts


def test_the_story_leaves_the_award_history_alone() -> None:
    """A company wins nothing after its bankruptcy, nor while it is in suspension of payments: failures are placed
    after the awards, never the awards moved (the alternatives backtest measures recall on them)."""
    for life in STORY.failures():
        assert all(day < life.failed_on for day in AWARDS.get(life.supplier_id, [])), life.supplier_id
    rescued = [life for life in STORY.lives.values() if life.outcome == "rescued"]
    assert len(rescued) >= 6
    for life in rescued:
        kinds = {s.kind: s.day for s in life.signals}
        assert "insolvency.bankruptcy_declared" not in kinds and "kvk.dissolved" not in kinds
        start, end = kinds["insolvency.suspension_provisional"], kinds["insolvency.ended"]
        assert start < end and not any(start <= day <= end for day in AWARDS[life.supplier_id])


def test_our_failing_supplier_is_drawn_like_any_other() -> None:
    ours = STORY.lives[STORY.our_failure_id]
    supplier = WORLD.supplier_by_id[STORY.our_failure_id]
    assert supplier.categories[0] == "90910000" and ours.outcome == "failed" and ours.failed_on == OUR_FAILURE_BANKRUPTCY
    assert ("insolvency.suspension_provisional", OUR_FAILURE_SUSPENSION) in [(s.kind, s.day) for s in ours.signals]
    # the same function and random stream as every failing company, only its two dates fixed: no warning forced
    rng = random.Random(f"{DEFAULT_SEED}:{supplier.id}")
    employees = employees_at_start(supplier, rng)
    drawn = failing_life(supplier, OUR_FAILURE_BANKRUPTCY, rng, suspension=OUR_FAILURE_SUSPENSION)
    assert resolve_employees(drawn, employees) == ours.signals


def test_the_committed_company_register_is_what_the_story_builds(tmp_path: Path) -> None:
    build_companies(tmp_path)
    for name in (COMPANIES_FILE, "README.md"):
        assert (tmp_path / name).read_bytes() == (OUT_DIR / name).read_bytes(), f"{name} is stale: python -m demo.build_companies"
    rescued = {life.supplier_id for life in STORY.lives.values() if life.outcome == "rescued"}
    text = (OUT_DIR / COMPANIES_FILE).read_text(encoding="utf-8")
    assert text.count('"code": "3309"') == len(rescued)  # each rescue ends by an approved agreement
