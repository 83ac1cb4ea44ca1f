"""The failure model's feature values for one organisation on many snapshot dates: training's rows, made cheaply.

Why: training builds a row per supplier and snapshot (a hundred thousand at the demo's scale 8, over half a
million on a national store) and :func:`models.features.feature_row` works each one out from scratch: it
parses the same company snapshot again on every date, scans every win three times and assembles the
sources a score shows, which training never reads. :class:`FeatureHistory` gives the same values (the
tests compare them with ``feature_row`` value for value) from facts worked out once: a snapshot's fields
parsed once per snapshot, wins counted by bisection, and the event sums only for suppliers that have events
(most have none: their sums are the same zeros every time). It also answers the population questions of
training (known by then, gone by then, the label), from the same facts. Pure: no I/O.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from models.features import (
    AGE_CAP,
    COMPANY_FEATURES,
    FAILURE_KINDS,
    FEATURES,
    REGISTER_FEATURES,
    SMALL_LEGAL_FORMS,
    YEARS_SINCE_WIN_CAP,
    EventFact,
    FeatureInputs,
    as_date,
    division_rates,
    event_values,
    sbi_division,
)
from models.risk_run import address_key, related_groups

_YEAR, _TWO_YEARS = timedelta(days=365), timedelta(days=730)
_UNREAD = object()  # ``values`` without the parsed snapshot: it reads it


class _Snapshot:
    """One company snapshot's fields as the features read them, parsed once."""

    __slots__ = ("profile", "observed", "start", "end", "small", "employees", "division", "address")

    def __init__(self, profile: Mapping[str, Any]) -> None:
        self.profile = profile  # kept so that its id is not reused while this entry lives
        self.observed = as_date(profile.get("observed_on"))
        self.start = as_date(profile.get("registration_start"))
        self.end = as_date(profile.get("registration_end"))
        form = str(profile.get("legal_form") or "").casefold()
        self.small = (1.0 if any(token in form for token in SMALL_LEGAL_FORMS) else 0.0) if form else None
        employees = profile.get("employees")
        self.employees = employees if isinstance(employees, int) and employees >= 0 else None
        self.division = sbi_division(profile.get("sbi_main"))
        self.address = address_key(profile)


class FeatureHistory:
    """``feature_row(org, snapshot, inputs).values`` for any number of snapshots, from facts worked out once.

    ``wins`` and ``events`` are the whole history (each snapshot's values use only what is dated on or
    before it, as ``feature_row`` does); each snapshot's :class:`FeatureInputs` still brings its profiles,
    related organisations, sector rates, sources and uncovered organisations.
    """

    def __init__(self, wins: Mapping[int, Sequence[date]], events: Mapping[int, Sequence[EventFact]], *,
                 half_life_days: float) -> None:
        self.wins = {org: sorted(days) for org, days in wins.items()}
        self.events = events
        self.half_life = half_life_days
        self._snapshots: dict[int, _Snapshot] = {}
        self._bankruptcies = {org: days for org, evs in events.items()
                              if (days := [e.occurred_on for e in evs if e.kind == "insolvency.bankruptcy_declared"])}
        self._first_bankruptcy = {org: min(days) for org, days in self._bankruptcies.items()}
        self._failures = {org: days for org, evs in events.items()
                          if (days := [e.occurred_on for e in evs if e.kind in FAILURE_KINDS])}

    def _parsed(self, profile: Mapping[str, Any] | None) -> _Snapshot | None:
        if profile is None:
            return None
        found = self._snapshots.get(id(profile))
        if found is None or found.profile is not profile:
            found = self._snapshots[id(profile)] = _Snapshot(profile)
        return found

    def _as_of(self, profiles: Mapping[int, Mapping[str, Any]], org: int, day: date) -> _Snapshot | None:
        """The organisation's snapshot usable on ``day`` (one observed later is never used)."""
        parsed = self._parsed(profiles.get(org))
        return None if parsed is None or (parsed.observed is not None and parsed.observed > day) else parsed

    def row(self, org: int, snapshot: date, inputs: FeatureInputs,
            horizon_days: int) -> tuple[tuple[float | None, ...], int] | None:
        """A training row's values (in ``FEATURES`` order: a million rows at national scale, no dict each) and
        label; None when the organisation has no row on the date (not known yet, or gone): :meth:`known_on`,
        :meth:`gone`, :meth:`values` and :meth:`label` in one pass."""
        parsed = self._parsed(inputs.profiles.get(org))
        if not self._known(org, snapshot, parsed) or self._gone(org, snapshot, parsed):
            return None
        failures = self._failures.get(org)
        return self._values(org, snapshot, inputs, parsed), self.label(org, snapshot, horizon_days) if failures else 0

    def known_on(self, org: int, snapshot: date, profiles: Mapping[int, Mapping[str, Any]]) -> bool:
        """A supplier with a win, or registered, by the snapshot date: it gets a row from then on."""
        return self._known(org, snapshot, self._parsed(profiles.get(org)))

    def _known(self, org: int, snapshot: date, parsed: _Snapshot | None) -> bool:
        days = self.wins.get(org)
        if days and days[0] <= snapshot:
            return True
        return parsed is not None and parsed.start is not None and parsed.start <= snapshot

    def gone(self, org: int, snapshot: date, profiles: Mapping[int, Mapping[str, Any]]) -> bool:
        """Already bankrupt or deregistered on the snapshot date: no longer a company that can fail."""
        return self._gone(org, snapshot, self._parsed(profiles.get(org)))

    def _gone(self, org: int, snapshot: date, parsed: _Snapshot | None) -> bool:
        bankrupt = self._first_bankruptcy.get(org)
        if bankrupt is not None and bankrupt <= snapshot:
            return True
        return parsed is not None and parsed.end is not None and parsed.end <= snapshot

    def label(self, org: int, snapshot: date, horizon_days: int) -> int:
        """1 when a bankruptcy or suspension of payments falls in (snapshot, snapshot + horizon]."""
        end = snapshot + timedelta(days=horizon_days)
        return int(any(snapshot < day <= end for day in self._failures.get(org, ())))

    def sector_rates(self, profiles: Mapping[int, Mapping[str, Any]], snapshot: date, *, years: int = 3,
                     smoothing: float = 20.0) -> dict[str, float]:
        """The same rates as ``models.features.sector_rates(profiles, events, snapshot)``, from divisions parsed once."""
        start = snapshot - timedelta(days=365 * years)
        return division_rates(((self._parsed(profile).division,  # type: ignore[union-attr]
                                any(start < day <= snapshot for day in self._bankruptcies.get(org, ())))
                               for org, profile in profiles.items()), smoothing=smoothing)

    def related_by_address(self, profiles: Mapping[int, Mapping[str, Any]]) -> dict[int, list[int]]:
        """The same groups as ``models.risk_run.related_by_address(profiles)``, from addresses parsed once."""
        return related_groups((org, self._parsed(profile).address) for org, profile in profiles.items())  # type: ignore[union-attr]

    def values(self, org: int, snapshot: date, inputs: FeatureInputs,
               parsed: _Snapshot | None = _UNREAD) -> dict[str, float | None]:  # type: ignore[assignment]
        """The same values as ``feature_row(org, snapshot, inputs, half_life_days=...).values``."""
        if parsed is _UNREAD:
            parsed = self._parsed(inputs.profiles.get(org))
        return dict(zip(FEATURES, self._values(org, snapshot, inputs, parsed), strict=True))

    def _values(self, org: int, snapshot: date, inputs: FeatureInputs,
                parsed: _Snapshot | None) -> tuple[float | None, ...]:
        """:meth:`values` in ``FEATURES`` order."""
        now = None if parsed is None or (parsed.observed is not None and parsed.observed > snapshot) else parsed
        company = self._company_values(org, snapshot, now, inputs) if now is not None else _NO_COMPANY
        own = self.events.get(org, ())
        related = [self.events.get(other, ()) for other in inputs.related.get(org, ()) if other != org]
        if own or any(related):
            found = event_values(own, related, snapshot, self.half_life, inputs.sources)[0]
            events = tuple(found[name] for name in _EVENT_FEATURES)
        else:
            events = _no_events(inputs.sources)
        if org in inputs.uncovered:
            events = tuple(None if name in REGISTER_FEATURES else value
                           for name, value in zip(_EVENT_FEATURES, events, strict=True))
        return (*company, *events, *self._win_values(org, snapshot))

    def _company_values(self, org: int, snapshot: date, now: _Snapshot,
                        inputs: FeatureInputs) -> tuple[float | None, ...]:
        """The company features (``COMPANY_FEATURES`` order) from the snapshot usable on the date."""
        age = change = log_employees = sector = None
        if now.start is not None and now.start <= snapshot:
            age = min((snapshot - now.start).days / 365.25, AGE_CAP)
        if now.employees is not None:
            log_employees = math.log1p(now.employees)
            before = self._as_of(inputs.profiles_year_ago, org, snapshot - _YEAR)
            earlier = before.profile.get("employees") if before else None
            if isinstance(earlier, int) and earlier >= 0:
                change = math.log((now.employees + 1) / (earlier + 1))
        if now.division is not None and now.division in inputs.sector_rates:
            sector = inputs.sector_rates[now.division]
        return age, now.small, log_employees, change, sector

    def _win_values(self, org: int, snapshot: date) -> tuple[float, float | None]:
        days = self.wins.get(org, ())
        upto = bisect_right(days, snapshot)
        year_ago = bisect_right(days, snapshot - _YEAR)
        two_years_ago = bisect_right(days, snapshot - _TWO_YEARS)
        recent, before = upto - year_ago, year_ago - two_years_ago
        since = min((snapshot - days[upto - 1]).days / 365.25, YEARS_SINCE_WIN_CAP) if upto else None
        return math.log((recent + 1) / (before + 1)), since


#: The features in the order the values are put together (the tests hold them to ``feature_row``'s).
_EVENT_FEATURES = FEATURES[len(COMPANY_FEATURES):-2]
_NO_COMPANY: tuple[None, ...] = (None,) * len(COMPANY_FEATURES)
_NO_EVENTS: dict[frozenset[str], tuple[float | None, ...]] = {}
assert FEATURES[:len(COMPANY_FEATURES)] == COMPANY_FEATURES and FEATURES[-2:] == ("wins_trend", "years_since_last_win")


def _no_events(sources: frozenset[str]) -> tuple[float | None, ...]:
    """The event values of an organisation without any event (its own or a related one's), per set of sources."""
    if sources not in _NO_EVENTS:
        found = event_values((), (), date.min, 1.0, sources)[0]
        _NO_EVENTS[sources] = tuple(found[name] for name in _EVENT_FEATURES)
    return _NO_EVENTS[sources]
