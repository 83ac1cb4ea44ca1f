"""Reasons of a failure score in words and units a person reads, and the "unknown" verdict when main inputs are missing.

Why a separate module: the model works in log ratios, decayed sums and standardised values; a category manager
reads "staff fell from 40 to 12 in a year", "registered 3 years ago" or "last public contract win 4.2 years ago".
Each phrase is computed back from the feature values of the same row, so it states exactly what the model saw.
Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from models.features import (
    AGE_CAP,
    FEATURE_TEXT,
    MAIN_INPUT_GROUPS,
    YEARS_SINCE_WIN_CAP,
)


def _people(value: float) -> int:
    return max(0, round(math.expm1(value)))


def _weighted(value: float, what: str, none_text: str) -> str:
    if value < 0.01:  # nothing, or only events so old they no longer count
        return none_text
    return f"{what} (weight {value:.2f}: 1 for one event today, halving with every half-life of age)"


def feature_phrase(name: str, values: Mapping[str, float | None]) -> str | None:
    """What the value of ``name`` says, in plain units; ``None`` when the value is unknown."""
    value = values.get(name)
    if value is None:
        return None
    if name == "age_years":
        return "registered 30 years ago or more" if value >= AGE_CAP else f"registered {value:.0f} years ago"
    if name == "legal_form_small":
        return "sole proprietorship or partnership" if value >= 0.5 else "limited company (or other incorporated form)"
    if name == "log_employees":
        return f"{_people(value)} employees registered"
    if name == "employees_change_12m":
        current = values.get("log_employees")
        if current is None:
            return f"staff changed by {math.exp(value) - 1:+.0%} in a year"
        now = _people(current)
        before = max(0, round((now + 1) / math.exp(value) - 1))
        if before == now:
            return f"staff unchanged at {now} over the year"
        return f"staff {'fell' if now < before else 'rose'} from {before} to {now} in a year"
    if name == "sector_base_rate":
        return f"{value:.1%} of companies in its sector (SBI division) went bankrupt in the last 3 years"
    if name == "kvk_employee_changes":
        return _weighted(value, "registered falls in staff", "no registered falls in staff")
    if name == "kvk_moves":
        return _weighted(value, "moves of the registered address", "no moves of the registered address")
    if name == "kvk_legal_form_changes":
        return _weighted(value, "changes of legal form", "no changes of legal form")
    if name == "own_suspension":
        return _weighted(value, "suspension of payments of its own", "no suspension of payments in the insolvency register")
    if name == "insolvency_related":
        return _weighted(value, "insolvency of a company at the same registered address",
                         "no insolvency at companies at the same registered address")
    if name == "news_distress":
        return _weighted(value, "news of financial distress or reorganisation", "no news of financial distress")
    if name == "news_incidents":
        return _weighted(value, "news of strikes, cyber incidents, fires or fines", "no news of incidents")
    if name == "wins_trend":
        ratio = math.exp(value)
        if abs(value) < 1e-9:
            return "as many public contract wins in the last 12 months as in the 12 before"
        return (f"{'fewer' if ratio < 1 else 'more'} public contract wins in the last 12 months than in the 12 before "
                f"(wins + 1 in ratio {ratio:.2f})")
    if name == "years_since_last_win":
        if value >= YEARS_SINCE_WIN_CAP:
            return f"last public contract win {YEARS_SINCE_WIN_CAP:.0f} years ago or more"
        return f"last public contract win {value:.1f} years ago"
    return f"{FEATURE_TEXT.get(name, name)}: {value:.2f}"


def reason_text(name: str, values: Mapping[str, float | None], contribution: float) -> str:
    """"staff fell from 40 to 12 in a year (raises the risk: odds x1.8)"; needs a known value."""
    phrase = feature_phrase(name, values) or FEATURE_TEXT.get(name, name)
    if abs(contribution) < 0.005:
        return f"{phrase} (no effect)"
    factor = math.exp(max(min(contribution, 20.0), -20.0))
    return f"{phrase} ({'raises' if contribution > 0 else 'lowers'} the risk: odds x{factor:.2f})"


def missing_main_inputs(values: Mapping[str, float | None]) -> list[str]:
    """The main input groups with no known value in ``values``."""
    return [group for group, names in MAIN_INPUT_GROUPS.items() if all(values.get(n) is None for n in names)]


def how_to_get(country: str | None, register_covered: bool) -> str:
    """What to do to score the organisation: where its missing inputs could come from."""
    if not register_covered:
        where = f"the company register and insolvency publications of {country}" if country else \
            "the company register and insolvency publications of its country"
        return (f"the KvK and the Dutch insolvency register cover Dutch companies only; add {where} "
                "(a national register or a credit-information provider), or review the supplier by hand")
    return ("collect its KvK register data and insolvency publications (`supplyradar collect company-signals`), "
            "or link the supplier to its KvK number")
