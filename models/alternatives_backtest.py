"""Would the suggestions have named the supplier that won next? The backtest, as a user runs it.

Pure: the history comes in, cases and recall figures go out; no I/O.

A **case** is an award published on or after the cutoff (awards dated on the cutoff day count as
later awards) and before ``cutoff + horizon_days``, under ``category``, by a buyer that had an
earlier award in the same branch: the most recent earlier winner(s) of that buyer in the branch
are the incumbent, left out of the suggestions. Re-awards to the incumbent and awards by buyers
new to the branch are skipped and counted. A case is a hit at k when any other winner is among
the first k suggestions. Two modes:

- **cutoff**: every suggestion is made from the history before the cutoff, by one ranker learned
  from that history (the model a user would have had on the cutoff day);
- **rolling** (as production runs): each award is predicted from the history up to the day
  before it, with the ranker relearned every ``retrain_days`` from the history before that day.

Company statuses (exclusions, risk bands) are those known on the cutoff day in both modes.

Reported (``BacktestResult.summary``): recall@k of the alternatives and of the baseline (most
wins in the branch), the same among cases whose winner had won anything before (seen before) and
per category division, and a 95% interval for the difference to the baseline by resampling
**buyers** (cases of one buyer are not independent, so buyers are the unit that is redrawn).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from models.alternative_history import CompanyFacts, HistoryIndex, PastAward, PastBid
from models.alternative_ranker import Ranker, fit_ranker, transparent_ranker
from models.alternatives import Request, suggest
from models.categories import branch_of, division_of


@dataclass(frozen=True, slots=True)
class BacktestCase:
    published: date
    cpv: str
    buyer: str
    buyer_key: str
    incumbent: str
    winners: tuple[str, ...]
    new_entrant: bool  # no winner had won in the branch before
    seen_before: bool  # some winner had won anything (any category) before
    rank: int | None  # best rank (1-based) of an actual winner among the suggestions, None if absent
    baseline_rank: int | None
    division: str


@dataclass(frozen=True, slots=True)
class BacktestResult:
    cutoff: date
    until: date  # first day after the horizon
    category: str
    depth: int
    cases: tuple[BacktestCase, ...]
    skipped_no_incumbent: int
    skipped_incumbent_won: int
    mode: str = "cutoff"
    rankers: tuple[str, ...] = ()  # what ranked the suggestions, in words

    def hits(self, k: int, *, known_only: bool = False, baseline: bool = False) -> int:
        return sum(1 for c in self._cases(known_only) if _hit(c.baseline_rank if baseline else c.rank, k))

    def recall(self, k: int, *, known_only: bool = False, baseline: bool = False) -> float | None:
        cases = self._cases(known_only)
        return self.hits(k, known_only=known_only, baseline=baseline) / len(cases) if cases else None

    def _cases(self, known_only: bool) -> list[BacktestCase]:
        return [c for c in self.cases if not known_only or not c.new_entrant]

    @property
    def baseline_hits(self) -> dict[int, int]:
        return {k: self.hits(k, baseline=True) for k in (5, 10)}

    @property
    def new_entrants(self) -> int:
        return sum(1 for c in self.cases if c.new_entrant)

    def summary(self, ks: Sequence[int] = (5, 10), *, replicates: int = 2000, seed: int = 17) -> dict:
        """The figures ``evaluate alternatives --json`` prints (recall as fractions)."""
        def recalls(cases: list[BacktestCase]) -> dict:
            n = len(cases)
            return {
                "alternatives": {f"recall@{k}": _frac(sum(_hit(c.rank, k) for c in cases), n) for k in ks},
                "baseline": {f"recall@{k}": _frac(sum(_hit(c.baseline_rank, k) for c in cases), n) for k in ks},
            }

        seen = [c for c in self.cases if c.seen_before]
        divisions: dict[str, list[BacktestCase]] = defaultdict(list)
        for case in self.cases:
            divisions[case.division].append(case)
        return {
            "cases": len(self.cases),
            "mode": self.mode,
            "cutoff": self.cutoff.isoformat(),
            "until": (self.until - timedelta(days=1)).isoformat(),
            "category": self.category,
            "branch_depth": self.depth,
            "rankers": list(self.rankers),
            "rankings": recalls(list(self.cases)),
            "seen_before": {"cases": len(seen), "rankings": recalls(seen)},
            "new_to_branch": self.new_entrants,
            "divisions": {d: {"cases": len(c), "rankings": recalls(c)} for d, c in sorted(divisions.items())},
            "difference": {f"recall@{k}": self.difference(k, replicates=replicates, seed=seed) for k in ks},
            "skipped": {"incumbent_won": self.skipped_incumbent_won, "no_earlier_award_in_branch": self.skipped_no_incumbent},
            "buyers": len({c.buyer_key for c in self.cases}),
        }

    def difference(self, k: int, *, replicates: int = 2000, seed: int = 17) -> dict:
        """Alternatives minus baseline recall@k, its 95% interval and the ratio's, resampling buyers."""
        by_buyer: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for case in self.cases:
            row = by_buyer[case.buyer_key]
            row[0] += 1
            row[1] += _hit(case.rank, k)
            row[2] += _hit(case.baseline_rank, k)
        if not by_buyer:
            return {"value": None, "ci95": None, "ratio": None, "ratio_ci95": None}
        table = np.array(list(by_buyer.values()), dtype=float)
        n, alt, base = (float(v) for v in table.sum(axis=0))
        draws = np.random.default_rng(seed).integers(0, len(table), size=(replicates, len(table)))
        sums = table[draws].sum(axis=1)
        diffs = (sums[:, 1] - sums[:, 2]) / sums[:, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = sums[:, 1] / sums[:, 2]
        ratios = ratios[np.isfinite(ratios)]
        return {
            "value": round((alt - base) / n, 4),
            "ci95": [round(float(v), 4) for v in np.percentile(diffs, [2.5, 97.5])],
            "ratio": round(alt / base, 3) if base else None,
            "ratio_ci95": [round(float(v), 3) for v in np.percentile(ratios, [2.5, 97.5])] if len(ratios) else None,
            "resampled": "buyers", "replicates": replicates,
        }


def _hit(rank: int | None, k: int) -> int:
    return int(rank is not None and rank <= k)


def _frac(hits: int, n: int) -> float | None:
    return round(hits / n, 4) if n else None


def backtest(
    awards: Sequence[PastAward],
    companies: Mapping[str, CompanyFacts],
    *,
    cutoff: date,
    category: str = "",
    horizon_days: int = 730,
    depth: int = 3,
    years: int = 5,
    half_life_years: float = 2.0,
    ks: Sequence[int] = (5, 10),
    rolling: bool = False,
    ranker: Ranker | str = "learned",
    retrain_days: int = 91,
    bids: Sequence[PastBid] = (),
) -> BacktestResult:
    """Backtest the suggestions (see the module docstring); ``ranker``: "learned", "transparent" or a Ranker."""
    index = HistoryIndex(awards, bids)
    until = cutoff + timedelta(days=horizon_days)
    later = [a for a in index.awards_between(cutoff, until) if a.winners and a.cpv.startswith(category)]
    first_any: dict[str, date] = {}
    first_in: dict[tuple, date] = {}
    for award in index.awards:
        branch = branch_of(award.cpv, award.scheme, cpv_depth=depth)
        for key in award.winners:
            first_any.setdefault(key, award.published)
            first_in.setdefault((key, branch), award.published)
    rankers: dict[date, Ranker] = {}

    def ranker_for(day: date) -> Ranker:
        if isinstance(ranker, Ranker):
            return ranker
        if day not in rankers:
            rankers[day] = transparent_ranker("chosen for this run") if ranker == "transparent" else fit_ranker(
                index, dict(companies), as_of=day, depth=depth, years=years, half_life_years=half_life_years)
        return rankers[day]

    top = max(ks)
    cases: list[BacktestCase] = []
    no_incumbent = incumbent_won = 0
    for award in later:
        as_of = award.published if rolling else cutoff
        branch = branch_of(award.cpv, award.scheme, cpv_depth=depth)
        previous = index.previous_award(award.buyer_key, branch, before=as_of, depth=depth)
        if previous is None:
            no_incumbent += 1
            continue
        incumbents = frozenset(previous.winners)
        winners = tuple(w for w in award.winners if w not in incumbents)
        if not winners:
            incumbent_won += 1
            continue
        trained_on = cutoff + timedelta(days=((as_of - cutoff).days // retrain_days) * retrain_days)
        request = Request(
            supplier_key=None, cpv=award.cpv, as_of=as_of, depth=depth, years=years, half_life_years=half_life_years,
            buyer_kind=award.buyer_kind, buyer_region=award.buyer_region, reference_value=previous.value, top_n=top,
            exclude=incumbents, scheme=award.scheme, buyer_key=award.buyer_key,
        )
        ranked = suggest(index, companies, request, ranker=ranker_for(trained_on)).keys()
        baseline = suggest(index, companies, request, weighted=False).keys()
        cases.append(BacktestCase(
            published=award.published, cpv=award.cpv, buyer=award.buyer_name, buyer_key=award.buyer_key,
            incumbent=", ".join(sorted(incumbents)), winners=winners,
            new_entrant=not any(first_in.get((w, branch), as_of) < as_of for w in winners),
            seen_before=any(first_any.get(w, as_of) < as_of for w in winners),
            rank=_best_rank(ranked, winners), baseline_rank=_best_rank(baseline, winners),
            division=division_of(award.cpv, award.scheme).prefix,
        ))
    described = tuple(dict.fromkeys(r.describe() for r in rankers.values())) if not isinstance(ranker, Ranker) else (
        ranker.describe(),)
    return BacktestResult(
        cutoff=cutoff, until=until, category=category, depth=depth, cases=tuple(cases),
        skipped_no_incumbent=no_incumbent, skipped_incumbent_won=incumbent_won,
        mode="rolling" if rolling else "cutoff", rankers=described,
    )


def _best_rank(ranked: list[str], winners: tuple[str, ...]) -> int | None:
    ranks = [ranked.index(w) + 1 for w in winners if w in ranked]
    return min(ranks) if ranks else None
