"""Training's rows of one snapshot date for every organisation at once: ``FeatureHistory.row`` for all of them.

Why: training builds a row per supplier and snapshot (over a million at issue 20's scale 54), and
:meth:`FeatureHistory.row`, called once per (organisation, snapshot), was most of training's CPU.
:class:`SnapshotRows` works out a snapshot's population, labels and values with numpy over all
organisations: wins and failures are counted by searching one sorted array of (organisation, day) keys,
each company snapshot's fields are parsed once into columns, the sector rates and address groups are
counted per snapshot as ``FeatureHistory`` counts them. Only organisations with events (their own or a
related one's) are summed one at a time, by the same ``event_values``. Each logarithm is ``math``'s,
taken once per distinct ratio, and every other step is one IEEE operation that numpy does as Python does:
the values are bit for bit ``FeatureHistory.row``'s (the tests compare them). Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from typing import Any

import numpy as np

from models.feature_history import _EVENT_FEATURES, FeatureHistory, _no_events, _Snapshot
from models.features import AGE_CAP, FEATURES, REGISTER_FEATURES, YEARS_SINCE_WIN_CAP, event_values

_DAY_BITS = 22  # every ordinal day is below 2**22: (position << 22) + day sorts by organisation, then day
_NEVER = 1 << 40  # a day after every snapshot (a date that is not there)
_EVENTS = slice(5, 5 + len(_EVENT_FEATURES))
_REGISTER = [FEATURES.index(name) for name in REGISTER_FEATURES]
assert FEATURES[_EVENTS] == _EVENT_FEATURES


@dataclass(frozen=True, slots=True)
class Block:
    """One snapshot's rows: the organisations that have one (in the population's order), their values
    (``FEATURES`` columns, NaN: missing) and labels."""

    organisations: np.ndarray
    values: np.ndarray
    labels: np.ndarray


class _Columns:
    """The parsed company snapshots as columns (one entry per snapshot object seen), grown as new ones come."""

    def __init__(self) -> None:
        self.ids: dict[int, int] = {}
        self.kept: list[Mapping[str, Any]] = []  # the profiles, so that no id is reused while it is a key here
        self.divisions: dict[str, int] = {}
        self.addresses: dict[tuple[str, str], int] = {}
        self.size = 0
        self.ints = np.zeros((6, 1024), dtype=np.int64)  # observed, start, end, employees, division, address (-1: none)
        self.floats = np.zeros((2, 1024))  # small (NaN: unknown), log(1 + employees)

    def index(self, profile: Mapping[str, Any]) -> int:
        found = self.ids.get(id(profile))
        return self._add(profile) if found is None else found

    def _add(self, profile: Mapping[str, Any]) -> int:
        parsed = _Snapshot(profile)
        if self.size == self.ints.shape[1]:
            self.ints = np.concatenate([self.ints, np.zeros_like(self.ints)], axis=1)
            self.floats = np.concatenate([self.floats, np.zeros_like(self.floats)], axis=1)
        k = self.size
        self.ints[:, k] = (_day(parsed.observed, -1), _day(parsed.start, _NEVER), _day(parsed.end, _NEVER),
                           -1 if parsed.employees is None else parsed.employees,
                           -1 if parsed.division is None else self.divisions.setdefault(parsed.division, len(self.divisions)),
                           -1 if parsed.address is None else self.addresses.setdefault(parsed.address, len(self.addresses)))
        self.floats[:, k] = (math.nan if parsed.small is None else parsed.small,
                             math.nan if parsed.employees is None else math.log1p(parsed.employees))
        self.ids[id(profile)] = k
        self.kept.append(profile)
        self.size += 1
        return k


def _day(day: date | None, missing: int) -> int:
    return missing if day is None else day.toordinal()


def _keyed(position: Mapping[int, int], days: Mapping[int, Iterable[date]]) -> np.ndarray:
    """The days of each organisation in the population as sorted (position << 22) + ordinal keys."""
    keys = [(position[org] << _DAY_BITS) + day.toordinal() for org, found in days.items() if org in position
            for day in found]
    return np.sort(np.array(keys, dtype=np.int64))


def _counted(keys: np.ndarray, base: np.ndarray, upto: int | np.ndarray) -> np.ndarray:
    """Per organisation (``base``: its position << 22), how many of its keyed days are on or before ``upto``."""
    return np.searchsorted(keys, base + upto, side="right") - np.searchsorted(keys, base, side="left")


def _logs(ratios: np.ndarray) -> np.ndarray:
    """``math.log`` of each ratio (taken once per distinct one): numpy's own log may differ in the last bit."""
    distinct, where = np.unique(ratios, return_inverse=True)
    return np.array([math.log(r) for r in distinct.tolist()], dtype=np.float64)[where.reshape(-1)]


class SnapshotRows:
    """``history.row(org, snapshot, inputs, horizon_days)`` for every organisation of ``organisations`` at once,
    with the inputs ``build_training_rows`` gives it (sector rates and address groups of the day's profiles)."""

    def __init__(self, history: FeatureHistory, organisations: Sequence[int], *, years: int = 3,
                 smoothing: float = 20.0) -> None:
        self.history, self.years, self.smoothing = history, years, smoothing
        self.organisations = np.array(organisations, dtype=np.int64)
        self.position = {org: i for i, org in enumerate(organisations)}
        self.base = np.arange(len(organisations), dtype=np.int64) << _DAY_BITS
        self.wins = _keyed(self.position, history.wins)
        self.failures = _keyed(self.position, history._failures)
        self.bankruptcies = _keyed(self.position, history._bankruptcies)
        self.first_win = np.full(len(organisations), _NEVER, dtype=np.int64)
        self.first_bankruptcy = np.full(len(organisations), _NEVER, dtype=np.int64)
        for first, days in ((self.first_win, {org: days[0] for org, days in history.wins.items() if days}),
                            (self.first_bankruptcy, history._first_bankruptcy)):
            for org, day in days.items():
                if org in self.position:
                    first[self.position[org]] = day.toordinal()
        self.eventful = np.zeros(len(organisations), dtype=bool)
        self.eventful[[self.position[org] for org, evs in history.events.items() if evs and org in self.position]] = True
        self.columns = _Columns()
        self._recent: dict[int, tuple[Mapping[int, Mapping[str, Any]], np.ndarray, np.ndarray]] = {}

    def _in_order(self, profiles: Mapping[int, Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
        """The positions of ``profiles``' organisations (-1: not of the population) and the indexes of their parsed
        snapshots, in ``profiles``' order; each profile parsed when first seen. The last few days' are kept: the
        population's rates and groups read the same day's again (a day's profiles must not change meanwhile, as
        ``FeatureHistory`` takes a profile it has parsed to be the same)."""
        if (kept := self._recent.get(id(profiles))) is not None and kept[0] is profiles:
            return kept[1], kept[2]
        position, ids = self.position, self.columns.ids
        at = np.fromiter(map(position.get, profiles, repeat(-1)), dtype=np.int64, count=len(profiles))
        k = list(map(ids.get, map(id, profiles.values())))
        if None in k:
            k = [self.columns.index(profile) for profile in profiles.values()]
        found = np.array(k, dtype=np.int64) if k else np.zeros(0, dtype=np.int64)
        if len(self._recent) >= 4:
            del self._recent[next(iter(self._recent))]
        self._recent[id(profiles)] = (profiles, at, found)
        return at, found

    def _parsed(self, profiles: Mapping[int, Mapping[str, Any]]) -> tuple[np.ndarray, bool]:
        """Per position, the index of its parsed snapshot in ``profiles`` (-1: none); and whether every profile is
        of an organisation of the population (else the rates and groups count the others too)."""
        at, k = self._in_order(profiles)
        inside = at >= 0
        found = np.full(len(self.organisations), -1, dtype=np.int64)
        found[at[inside]] = k[inside]
        return found, bool(inside.all())

    def block(self, snapshot: date, profiles: Mapping[int, Mapping[str, Any]],
              profiles_year_ago: Mapping[int, Mapping[str, Any]], *, sources: frozenset[str], horizon_days: int,
              uncovered: frozenset[int] = frozenset()) -> Block:
        """The rows of ``snapshot``: who has one (known by then, not gone), the values and the labels."""
        s = snapshot.toordinal()
        k, inside = self._parsed(profiles)
        before = self._parsed(profiles_year_ago)[0]  # parsed before the columns are read: no growth after that
        has = k >= 0
        ints = self.columns.ints
        start, end = np.where(has, ints[1, k], _NEVER), np.where(has, ints[2, k], _NEVER)
        known = (self.first_win <= s) | (start <= s)
        gone = (self.first_bankruptcy <= s) | (end <= s)
        rows = np.flatnonzero(known & ~gone)
        k, start = k[rows], start[rows]
        x = np.full((len(rows), len(FEATURES)), np.nan)
        now = (k >= 0) & ~(ints[0, k] > s)
        rates, related = self._population(snapshot, profiles, inside)
        self._company(x, k, before[rows], now, start, s, rates)
        self._events(x, rows, snapshot, related, sources, uncovered)
        self._wins(x, rows, s)
        labels = (_counted(self.failures, self.base[rows], s + horizon_days)
                  - _counted(self.failures, self.base[rows], s) > 0).astype(np.int64)
        return Block(self.organisations[rows], x, labels)

    def _company(self, x: np.ndarray, k: np.ndarray, before: np.ndarray, now: np.ndarray, start: np.ndarray, s: int,
                 rates: np.ndarray) -> None:
        """Age, legal form, size, change in size and sector rate (``FeatureHistory._company_values``); ``k`` and
        ``before``: the rows' parsed snapshots of the day and of a year before."""
        ints, floats = self.columns.ints, self.columns.floats
        aged = now & (start <= s)
        x[aged, 0] = np.minimum((s - start[aged]) / 365.25, AGE_CAP)
        x[now, 1] = floats[0, k[now]]
        employees = np.where(now, ints[3, k], -1)
        staffed = employees >= 0
        x[staffed, 2] = floats[1, k[staffed]]
        earlier = np.where((before >= 0) & ~(ints[0, before] > s - 365), ints[3, before], -1)
        changed = staffed & (earlier >= 0)
        if changed.any():
            x[changed, 3] = _logs((employees[changed] + 1) / (earlier[changed] + 1))
        division = np.where(now, ints[4, k], -1)
        sector = (division >= 0) & (division < len(rates))
        x[sector, 4] = rates[division[sector]]

    def _population(self, snapshot: date, profiles: Mapping[int, Mapping[str, Any]],
                    inside: bool) -> tuple[np.ndarray, Mapping[int, list[int]]]:
        """The day's sector rates (by division code; NaN: no rate) and address groups, as ``FeatureHistory``'s."""
        if inside:
            by_division, related = self.sector_rates(snapshot, profiles), self.related_by_address(profiles)
        else:  # profiles of organisations outside the population count too: FeatureHistory's own loops
            by_division = self.history.sector_rates(profiles, snapshot, years=self.years, smoothing=self.smoothing)
            related = self.history.related_by_address(profiles)
        rates = np.full(len(self.columns.divisions), np.nan)
        for division, rate in by_division.items():
            rates[self.columns.divisions[division]] = rate
        return rates, related

    def sector_rates(self, snapshot: date, profiles: Mapping[int, Mapping[str, Any]]) -> dict[str, float]:
        """``FeatureHistory.sector_rates(profiles, snapshot)`` of profiles of the population only."""
        at, k = self._in_order(profiles)
        division = self.columns.ints[4, k] if len(k) else np.zeros(0, dtype=np.int64)
        s, start = snapshot.toordinal(), snapshot.toordinal() - 365 * self.years
        bankrupt = _counted(self.bankruptcies, self.base[at], s) - _counted(self.bankruptcies, self.base[at], start) > 0
        counted = division >= 0
        if not counted.any():
            return {}
        codes, first, members = np.unique(division[counted], return_index=True, return_counts=True)
        failed = np.bincount(division[counted & bankrupt], minlength=len(self.columns.divisions))
        names = {code: name for name, code in self.columns.divisions.items()}
        order = np.argsort(first, kind="stable")  # as the divisions first come, as FeatureHistory's dict has them
        overall = int(failed.sum()) / int(members.sum())
        return {names[code]: (int(failed[code]) + self.smoothing * overall) / (int(n) + self.smoothing)
                for code, n in zip(codes[order].tolist(), members[order].tolist(), strict=True)}

    def related_by_address(self, profiles: Mapping[int, Mapping[str, Any]], *,
                           max_group: int = 6) -> dict[int, list[int]]:
        """``FeatureHistory.related_by_address(profiles)`` (as a mapping: its order is not the same)."""
        at, k = self._in_order(profiles)
        address = self.columns.ints[5, k] if len(k) else np.zeros(0, dtype=np.int64)
        keep = np.flatnonzero(address >= 0)
        order = keep[np.argsort(address[keep], kind="stable")]  # by address, each in profiles' order
        codes = address[order]
        cuts = np.flatnonzero(np.diff(codes)) + 1
        starts, ends = np.concatenate([[0], cuts]), np.concatenate([cuts, [len(codes)]])
        related: dict[int, list[int]] = {}
        orgs = self.organisations[at[order]].tolist()
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            if 1 < b - a <= max_group:
                members = orgs[a:b]
                for org in members:
                    related[org] = [m for m in members if m != org]
        return related

    def _events(self, x: np.ndarray, rows: np.ndarray, snapshot: date, related: Mapping[int, list[int]],
                sources: frozenset[str], uncovered: frozenset[int]) -> None:
        """The decayed event sums: one ``event_values`` per organisation with events of its own or of a related
        one, the sums of no events for the rest; register counts unknown for ``uncovered`` organisations."""
        events, half_life = self.history.events, self.history.half_life
        x[:, _EVENTS] = [math.nan if v is None else v for v in _no_events(sources)]
        eventful = self.eventful.copy()
        for org, others in related.items():
            if org in self.position and any(events.get(other) for other in others if other != org):
                eventful[self.position[org]] = True
        orgs = self.organisations[rows]
        for i in np.flatnonzero(eventful[rows]).tolist():
            org = int(orgs[i])
            found = event_values(events.get(org, ()), [events.get(other, ()) for other in related.get(org, ())
                                                        if other != org], snapshot, half_life, sources)[0]
            x[i, _EVENTS] = [math.nan if (v := found[name]) is None else v for name in _EVENT_FEATURES]
        if uncovered:
            out = np.isin(orgs, np.array(sorted(uncovered), dtype=np.int64))
            x[np.ix_(out, _REGISTER)] = np.nan

    def _wins(self, x: np.ndarray, rows: np.ndarray, s: int) -> None:
        """Wins in the last year against the year before (log ratio), and years since the last win."""
        base = self.base[rows]
        upto, year_ago, two_years_ago = (_counted(self.wins, base, day) for day in (s, s - 365, s - 730))
        x[:, -2] = _logs((upto - year_ago + 1) / (year_ago - two_years_ago + 1))
        won = upto > 0
        first = np.searchsorted(self.wins, base[won], side="left")
        last = self.wins[first + upto[won] - 1] - base[won]
        x[won, -1] = np.minimum((s - last) / 365.25, YEARS_SINCE_WIN_CAP)
