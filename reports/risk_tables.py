"""The rows of the risk tables a terminal shows: ``supplyradar risk`` and ``supplyradar model train|evaluate|score``.

Each function turns a result of ``store.risk_views`` or ``pipelines.train_models`` /
``pipelines.score_suppliers`` (read by attribute or key, not imported) into plain dict rows for
``reports.tables.rows_table``; the commands print them. Unknown figures are shown as "–", never 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any


def marked(row: dict) -> str:
    """The supplier's name, with why it is listed when it is not a current supplier (``risk --all``)."""
    status = row.get("status")
    return row["supplier"] if status in (None, "current") else f"{row['supplier']} [{status}: {row.get('status_why')}]"


def ranked_rows(rows: Iterable[dict], kind: str) -> list[dict]:
    """The ranked suppliers of ``store.risk_views.ranked_scores``, numbered, with their top three reasons."""
    return [{"#": i, "supplier": marked(r), "category": r["category"] or "–", kind: f"{r['value']:.3f}",
             "band": r["band"], "confidence": f"{r['confidence']:.0%}", "trend": r["trend"],
             "reasons": "; ".join(r["reasons"][:3])} for i, r in enumerate(rows, start=1)]


def unknown_rows(rows: Iterable[dict]) -> list[dict]:
    """The suppliers whose risk is unknown, with what is missing (listed apart, never ranked)."""
    return [{"supplier": marked(r), "country": r["country"] or "–", "confidence": f"{r['confidence']:.0%}",
             "what is missing": r["reasons"][0] if r["reasons"] else ""} for r in rows]


def metric_rows(model: Any, baseline: Any) -> list[dict[str, str]]:
    """The held-out figures of the trained model and the baseline (``None``: not evaluated)."""
    def cells(name: str, m: Any) -> dict[str, str]:
        if m is None:
            return {"model": name, "rows": "–", "positives": "–", "ROC AUC": "–", "Brier": "–"}
        auc = m.roc_auc
        brier = m.brier
        return {"model": name, "rows": str(m.rows), "positives": str(m.positives),
                "ROC AUC": "–" if auc is None else f"{auc:.3f}", "Brier": "–" if brier is None else f"{brier:.4f}"}

    return [cells("trained model", model), cells("baseline", baseline)]


def evidence_rows(outcome: Any) -> list[dict]:
    """Rows, positive rows and failing companies in each part of the training split."""
    return [{"part": part, "rows": v["rows"], "positive rows": v["positives"], "failing companies": v["failing_companies"]}
            for part, v in outcome.counts.items()]


def interval_rows(outcome: Any) -> list[dict]:
    """The 95% intervals (resampling companies), Brier to four digits."""
    return [{"figure": key, "value": interval.text(4 if "brier" in key else 3)} for key, interval in outcome.intervals.items()]


def warning_rows(outcome: Any) -> list[dict]:
    """Per model: failing companies warned, the median months of warning, the alert burden."""
    return [{"model": name, "threshold": f"{w.threshold:.2f}", "failing companies": w.failing, "warned": w.warned,
             "median months of warning": "–" if w.median_lead_months is None else f"{w.median_lead_months:.1f}",
             "alerts per 100 suppliers per year": "–" if w.alerts_per_100_per_year is None else f"{w.alerts_per_100_per_year:.1f}"}
            for name, w in outcome.warnings.items()]


def origin_rows(origins: Iterable[Any]) -> list[dict]:
    """The rolling-origin repeat: each origin's data day, the choice, failing companies per part, ROC AUC."""
    return [{"data as of": str(x.split.evaluation_end + timedelta(days=x.split.horizon_days)), "chosen": x.chosen,
             "failing companies fit/cal/eval": "/".join(str(x.counts[p]["failing_companies"])
                                                       for p in ("fit", "calibration", "evaluation")),
             "ROC AUC model": _auc(x.model_metrics), "ROC AUC baseline": _auc(x.baseline_metrics)}
            for x in origins]


def kraljic_rows(kraljic: Iterable[dict]) -> list[dict]:
    """The Kraljic position of each category of a scoring run."""
    return [{"category": k["category"], "quadrant": k["quadrant"] or "–",
             "profit impact": "–" if k["profit_impact"] is None else f"{k['profit_impact']:.0%}",
             "supply risk": "–" if k["supply_risk"] is None else f"{k['supply_risk']:.2f}",
             "notes": "; ".join(k["notes"])} for k in kraljic]


def _auc(metrics: Any) -> str:  # models.failure evaluation metrics, or None
    return "–" if not metrics or metrics.roc_auc is None else f"{metrics.roc_auc:.3f}"
