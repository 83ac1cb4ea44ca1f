"""Score suppliers: dependency, failure probability, geopolitical exposure and the combined view, stored with reasons.

Load, score, write back. :func:`load_inputs` reads everything from the store in a few bulk queries
(``store.risk``, never one per supplier) into :class:`models.risk_facts.ScoringInputs`;
``models.risk_run.build_scores`` turns those into score rows with reasons (pure; who is scored on what
is described there); :func:`score_suppliers` writes the rows as one scoring run and thins older runs
to monthly ones. The failure model is the trained one when training chose it and it loads, else the
transparent baseline, and the run says why.

The readers of a finished run (``ranked_scores`` for ``supplyradar risk``, ``our_position`` for the
market scan) live in ``store.risk_views``; they are importable from here as well.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import compress
from pathlib import Path
from typing import Any

import numpy as np

from config.risk import RiskConfig, load_category_materials, load_risk_config
from config.settings import Settings
from models.dates import add_months
from models.failure import BaselineModel, Model
from models.risk_facts import ScoringInputs
from models.risk_run import baseline_model, build_scores, top_risks
from pipelines.model_files import ModelFileError, load_model
from store import risk as risk_store
from store.bookkeeping import SYNTHETIC_MARKER, get_meta
from store.companies import latest_profiles, profile_history
from store.db import Store
from store.risk_retention import thin_scoring_runs
from store.risk_views import our_position, ranked_scores

__all__ = ["ProfileLoader", "ProfileTimeline", "ScoringSummary", "load_inputs", "load_profiles", "model_dir",
           "our_position", "ranked_scores", "score_suppliers", "select_model"]

log = logging.getLogger(__name__)

ProfileLoader = Callable[[Any, Sequence[int], date], dict[int, dict]]


def load_profiles(session: Any, organisation_ids: Sequence[int], as_of: date) -> dict[int, dict]:
    """Latest company snapshot per organisation on or before ``as_of`` (``store.companies.latest_profiles``).

    A database error is an error, not "no company data": quietly scoring without it would lower
    every failure score's confidence and hide the fault.
    """
    return dict(latest_profiles(session, list(organisation_ids), as_of))


class ProfileTimeline:
    """A :data:`ProfileLoader` over a snapshot history read once: the newest profile on or before a day per
    organisation, in organisation order (what ``load_profiles`` returns for that day). Scoring reads the profiles
    on its day and a year before, training on every snapshot day: one read of the history serves them all.

    The history is laid out once per set of organisations asked about as one sorted array of (organisation,
    day) keys, so that a day's profiles are one search over all organisations, not a bisection per organisation
    in Python (issue 20: a few seconds of training at scale 54)."""

    def __init__(self, history: dict[int, list[tuple[date, dict]]]) -> None:
        self.history = history
        self._laid_out: tuple[tuple[int, ...], np.ndarray, np.ndarray, list[dict]] | None = None

    def _layout(self, organisation_ids: Sequence[int]) -> tuple[tuple[int, ...], np.ndarray, np.ndarray, list[dict]]:
        """The organisations in order, each one's first key, the sorted keys and the profiles in key order."""
        orgs = tuple(sorted(set(organisation_ids)))
        if self._laid_out is None or self._laid_out[0] != orgs:
            keys, profiles, first = [], [], []
            for i, org in enumerate(orgs):
                first.append(len(keys))
                for day, profile in self.history.get(org, ()):  # in day order
                    keys.append((i << 22) + day.toordinal())
                    profiles.append(profile)
            self._laid_out = orgs, np.array(first, dtype=np.int64), np.array(keys, dtype=np.int64), profiles
        return self._laid_out

    def __call__(self, session: Any, organisation_ids: Sequence[int], day: date) -> dict[int, dict]:
        orgs, first, keys, profiles = self._layout(organisation_ids)
        newest = np.searchsorted(keys, (np.arange(len(orgs), dtype=np.int64) << 22) + day.toordinal(), side="right") - 1
        found = newest >= first  # an entry of its own on or before the day
        return dict(zip(compress(orgs, found.tolist()), map(profiles.__getitem__, newest[found].tolist()), strict=True))


def model_dir(settings: Settings) -> Path:
    """Where training saves the failure model and scoring looks for it."""
    return settings.risk.model_dir or settings.data_dir / "models"


def select_model(directory: Path, baseline: BaselineModel) -> tuple[Model, str | None]:
    """The trained model when training chose it and it loads; else the baseline and the reason why."""
    try:
        return load_model(directory), None
    except ModelFileError as exc:
        if str(exc).startswith("training selected the transparent baseline"):
            return baseline, str(exc)
        return baseline, f"{exc}; falling back to the transparent baseline"


def load_inputs(session: Any, as_of: date, config: RiskConfig, *,
                profile_loader: ProfileLoader | None = None) -> ScoringInputs:
    """Everything one scoring run needs, in a few bulk queries.

    Company profiles on ``as_of`` and a year before: from ``profile_loader``, else from the snapshot history read
    once (``ProfileTimeline``: what ``load_profiles`` reads on each day; reading it twice was 0.5 CPU-s at scale 54).
    """
    wins = risk_store.win_facts(session, until=as_of)
    events = risk_store.event_facts(session, until=as_of)
    spend = risk_store.spend_facts(session, start=add_months(as_of, -config.dependency.spend_window_months), end=as_of)
    contracts, contracts_known = risk_store.contract_facts(session, config.category_of)
    ids = {w.organisation_id for w in wins} | {s.organisation_id for s in spend} | {c.organisation_id for c in contracts}
    orgs = risk_store.organisations(session, ids)
    tone_days = config.geopolitical.tone_recent_days + config.geopolitical.tone_prior_days
    loader = profile_loader or ProfileTimeline(profile_history(session, sorted(orgs), as_of))
    return ScoringInputs(
        as_of=as_of, organisations=orgs, wins=wins, events=events, spend=spend, contracts=contracts,
        contracts_known=contracts_known,
        profiles=loader(session, sorted(orgs), as_of),
        profiles_year_ago=loader(session, sorted(orgs), as_of - timedelta(days=365)),
        tone=risk_store.tone_series(session, start=as_of - timedelta(days=tone_days), end=as_of),
        sources=risk_store.event_sources(session),
        kvk_registered=frozenset(risk_store.kvk_numbers(session, orgs)),
    )


@dataclass
class ScoringSummary:
    """What one run stored, for the CLI and the flow's artifacts: counts, warnings, notes, the riskiest of ours."""

    run_id: int
    as_of: date
    model_version: str
    counts: dict[str, int]
    warnings: list[str]
    notes: list[str]
    kraljic: list[dict[str, Any]]
    top: list[dict[str, Any]]
    synthetic: bool

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "as_of": self.as_of.isoformat(), "model_version": self.model_version,
                "counts": self.counts, "warnings": self.warnings, "notes": self.notes, "kraljic": self.kraljic,
                "top": self.top, "synthetic": self.synthetic}


def score_suppliers(store: Store, settings: Settings, *, as_of: date | None = None,
                    profile_loader: ProfileLoader | None = None) -> ScoringSummary:
    """One scoring run as of ``as_of`` (default today), written to ``scoring_runs`` and ``risk_scores``."""
    as_of = as_of or date.today()
    config = load_risk_config(settings.risk.config_file)
    materials = load_category_materials(settings.risk.materials_file)
    model, warning = select_model(model_dir(settings), baseline_model(config))
    warnings = [warning] if warning else []
    if warning:  # reported by the caller from the summary's warnings (the flow's run logger, the CLI): once, not twice
        log.info("failure model: %s", warning)
    with store.sessions.begin() as session:
        inputs = load_inputs(session, as_of, config, profile_loader=profile_loader)
        synthetic = get_meta(session, SYNTHETIC_MARKER) is not None
    scores = build_scores(inputs, config, materials, model)
    counts: dict[str, int] = defaultdict(int)
    for row in scores.rows:
        counts[row["kind"] + ("" if not row["category"] else "/category")] += 1
    top = top_risks(scores, inputs)
    details = {
        "as_of": as_of.isoformat(), "failure_model": model.version, "warnings": warnings, "notes": scores.notes,
        "counts": dict(counts), "kraljic": [k.as_dict() for k in scores.kraljic],
        "category_spend": scores.category_spend, "category_unpriced": scores.category_unpriced,
        "config": config.model_dump(mode="json"), "synthetic": synthetic,
    }
    with store.sessions.begin() as session:
        run_id = risk_store.start_scoring_run(session, as_of=as_of, model_version=model.version)
        risk_store.save_scores(session, run_id, scores.rows)
        risk_store.finish_scoring_run(session, run_id, status="ok", details=details)
        thinned = thin_scoring_runs(session, before=as_of - timedelta(days=settings.risk.keep_daily_runs_days))
    log.info("scoring run %d as of %s: %d scores (%s); %d older runs thinned to monthly", run_id, as_of,
             len(scores.rows), model.version, thinned)
    return ScoringSummary(run_id, as_of, model.version, dict(counts), warnings, scores.notes,
                          details["kraljic"], top, synthetic)
