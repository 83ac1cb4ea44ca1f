"""The words of a market scan: the trend from the first to the last period and the caveats a reader needs
before trusting a number (pure; ``models.market`` adds them to the scan).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from models.market_types import SMALL_SAMPLE_AWARDS, PeriodStats, Trend


def trend_of(periods: Sequence[PeriodStats]) -> Trend:
    entrants = tuple((p.label, len(p.entrants)) for p in periods)
    measured = [p for p in periods if p.concentration.hhi is not None]
    if len(measured) < 2:
        hints = (_entrants_hint(entrants),) if measured else ()
        return Trend(entrants_per_period=entrants, hints=hints)
    first, last = measured[0], measured[-1]
    a, b = first.concentration, last.concentration
    assert a.hhi is not None and b.hhi is not None  # measured periods have an HHI
    change = b.hhi - a.hhi
    comparable = a.basis == b.basis and not a.small_sample and not b.small_sample
    direction = "rose" if change > 0 else "fell" if change < 0 else "stayed"
    hhi_hint = (
        f"HHI {direction} from {a.hhi:,.0f} in {first.label} ({a.band}) to {b.hhi:,.0f} in {last.label} ({b.band})."
        if change
        else f"HHI stayed at {a.hhi:,.0f} from {first.label} to {last.label} ({a.band})."
    )
    if a.basis != b.basis:
        hhi_hint += (
            f" Not directly comparable: {first.label} rests on award {a.basis}, {last.label} on award {b.basis}."
        )
    elif not comparable:
        hhi_hint += " Few awards at one end or both: read the change with care."
    hints = [hhi_hint, _entrants_hint(entrants)]
    if first.bids.share is not None and last.bids.share is not None:
        hints.append(
            f"Single-bid share went from {first.bids.share:.0%} in {first.label} "
            f"to {last.bids.share:.0%} in {last.label}."
        )
    return Trend(
        first_period=first.label,
        last_period=last.label,
        hhi_first=a.hhi,
        hhi_last=b.hhi,
        hhi_change=change,
        comparable=comparable,
        entrants_per_period=entrants,
        hints=tuple(hints),
    )


def _entrants_hint(entrants: Sequence[tuple[str, int]]) -> str:
    """"New entrants: 2 in 2021, 1 in 2024; none in 2 other periods." Quarters make long lists of zeros."""
    counted = [f"{n} in {label}" for label, n in entrants if n]
    if not counted:
        return "No new entrants in any period."
    quiet = sum(1 for _, n in entrants if not n)
    rest = f"; none in {quiet} other period{'s' if quiet > 1 else ''}" if quiet else ""
    return f"New entrants: {', '.join(counted)}{rest}."


def scan_notes(
    cpv_prefix: str,
    window: PeriodStats,
    periods: Sequence[PeriodStats],
    history_start: date | None,
    dropped: int,
    currency: str,
) -> list[str]:
    """The caveats a reader needs before trusting a number, in the order they matter."""
    cov = window.coverage
    if cov.awards == 0:
        return [
            f"No awards in CPV {cpv_prefix} between {window.start.isoformat()} and {window.end.isoformat()} "
            f"in the data passed in ({window.notices} notices): nothing to measure."
        ]
    notes = []
    if cov.with_value < cov.awards:
        notes.append(
            f"{cov.awards - cov.with_value} of {cov.awards} awards carry no {currency} value "
            f"({cov.value_missing} without an amount, {cov.value_other_currency} in another or no currency, "
            f"not converted): totals and medians cover {cov.with_value} awards."
        )
    if counted := [p.label for p in periods if p.concentration.basis == "count"]:
        notes.append(
            f"HHI and CR4 rest on award counts in {', '.join(counted)}: "
            f"fewer than half of the awards there carry a {currency} value."
        )
    if small := [p.label for p in periods if p.concentration.small_sample]:
        notes.append(
            f"Fewer than {SMALL_SAMPLE_AWARDS} awards in {', '.join(small)}: a single award moves the HHI a lot there."
        )
    if cov.with_tenders < cov.awards:
        notes.append(
            f"Tender counts are known for {cov.with_tenders} of {cov.awards} awards; "
            "the single-bid share covers those only."
        )
    if cov.winners_with_country < cov.winners:
        notes.append(f"Country known for {cov.winners_with_country} of {cov.winners} winners.")
    if history_start is not None and (blind := [p.label for p in periods if p.awards and p.start <= history_start]):
        notes.append(
            f"The award history starts on {history_start.isoformat()}: every winner in {', '.join(blind)} "
            "counts as a new entrant there."
        )
    if cov.without_winner:
        notes.append(f"{cov.without_winner} award rows name no winner: counted as awards, in no share.")
    if dropped:
        notes.append(f"{dropped} exact duplicate award rows dropped.")
    return notes
