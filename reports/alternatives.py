"""The alternative suppliers and their backtest as a terminal shows them (``supplyradar alerts alternatives``,
``supplyradar evaluate alternatives``).

The results come from ``pipelines.alternatives`` (``suggest_for``, ``run_backtest``), read by attribute
or key, not imported; these functions only turn them into rows, titles and sentences for
``reports.tables.rows_table``. A figure that could not be worked out is "n/a", never 0%.
"""

from __future__ import annotations

from typing import Any


def suggestion_title(result: Any) -> str:
    """The title of the suggestions table: the branch and the window of awards they rest on."""
    return f"Alternatives for {result.branch_code} (awards from {result.since} to the day before {result.as_of})"


def suggestion_rows(result: Any, language: str) -> list[dict]:
    """The ranked alternatives, numbered, each with its score and the reason in ``language``."""
    return [{"#": i, "supplier": a.name, "country": a.country, "score": round(a.score, 2),
             "reason": a.reason(language)} for i, a in enumerate(result.ranked, 1)]


def excluded_line(result: Any) -> str | None:
    """Who was left out and why, in one line (None: nobody)."""
    if not result.excluded:
        return None
    return "Left out: " + "; ".join(f"{e.name} ({e.why})" for e in result.excluded)


def backtest_title(result: Any, summary: dict, prefix: str) -> str:
    return (f"Alternatives backtest ({result.mode}): cutoff {summary['cutoff']}, awards to {summary['until']}, "
            f"category {prefix or 'all'}, branch depth {result.depth}")


def backtest_rows(summary: dict) -> list[dict]:
    """Top-5 and top-10 recall of the alternatives and of the baseline: all cases, winners seen before, per division."""
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0%}"

    def row(name: str, figures: dict, cases: int) -> dict:
        return {"ranking": name, "cases": cases, **{k: pct(v) for k, v in figures.items()}}

    rows = []
    for label, block, cases in [("all cases", summary["rankings"], summary["cases"]),
                                ("winner seen before", summary["seen_before"]["rankings"], summary["seen_before"]["cases"]),
                                *[(f"division {d}", v["rankings"], v["cases"]) for d, v in summary["divisions"].items()]]:
        rows.append({"slice": label, **row("alternatives", block["alternatives"], cases)})
        rows.append({"slice": "", **row("baseline", block["baseline"], cases)})
    return rows


def difference_lines(summary: dict) -> list[str]:
    """Per figure: alternatives minus baseline with its 95% interval (figures without a value left out)."""
    return [f"{k}: alternatives minus baseline {diff['value']:+.1%} (95% interval {diff['ci95'][0]:+.1%} to "
            f"{diff['ci95'][1]:+.1%}, {summary['buyers']} buyers resampled); ratio {diff['ratio']}"
            for k, diff in summary["difference"].items() if diff["value"] is not None]


def backtest_notes(result: Any, summary: dict) -> str:
    """What the cases are, what was left out and how the rankers were made."""
    return (
        f"{summary['cases']} later awards to someone other than the buyer's previous supplier in the branch "
        f"({summary['new_to_branch']} to suppliers that had not won in the branch before: only neighbouring-code "
        f"wins or bids can name them). Left out: {result.skipped_incumbent_won} re-awarded to the incumbent, "
        f"{result.skipped_no_incumbent} by buyers with no earlier award in the branch. Awards dated on the cutoff day "
        "count as later awards. Joint awards: a hit when any winner is suggested. baseline: the branch's winners by "
        "number of wins in the window. " + (result.rankers[0] if len(result.rankers) == 1 else
                                            f"{len(result.rankers)} rankers, relearned every 91 days; the first: "
                                            + (result.rankers[0] if result.rankers else "none"))
    )
