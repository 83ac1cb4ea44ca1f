"""Feature rows of the failure model, and the weighted-component scores the other risk models share.

Where this sits: ``pipelines.score_suppliers`` (through ``models.risk_run``) and ``pipelines.train_models`` load facts from the store in
bulk (company snapshots, supplier events, award wins) and call :func:`feature_row` once per
(organisation, snapshot date); :mod:`models.failure` turns rows into probabilities. Pure: no I/O.

The one rule that matters for a model trained on history: a row for snapshot date ``s`` uses only
data dated on or before ``s``. Events are filtered by ``occurred_on``, wins by publication date,
company snapshots by ``observed_on`` (a snapshot observed later is ignored even when passed in):
the tests check that adding future data never changes a row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

#: The failure model's features, in the order the model sees them. Event counts are decayed sums.
FEATURES: tuple[str, ...] = (
    "age_years",
    "legal_form_small",
    "log_employees",
    "employees_change_12m",
    "sector_base_rate",
    "kvk_employee_changes",
    "kvk_moves",
    "kvk_legal_form_changes",
    "own_suspension",
    "insolvency_related",
    "news_distress",
    "news_incidents",
    "wins_trend",
    "years_since_last_win",
)
#: Data coverage is not a model input: labels exist only for companies the register covers, so a
#: coverage feature would learn the label gap ("no data means safe"). It is the score's coverage
#: and confidence instead, reported with every score.

#: What each feature means, for reasons and the model card.
FEATURE_TEXT: dict[str, str] = {
    "age_years": "company age (years since registration, capped at 30)",
    "legal_form_small": "sole proprietorship or partnership (1) rather than a limited company (0)",
    "log_employees": "size: log(1 + employees)",
    "employees_change_12m": "change in employees over the last 12 months (log ratio)",
    "sector_base_rate": "bankruptcy rate of the company's SBI division over the last 3 years",
    "kvk_employee_changes": "falls in registered employees (recency-weighted count)",
    "kvk_moves": "moves of the registered address (recency-weighted count)",
    "kvk_legal_form_changes": "changes of legal form (recency-weighted count)",
    "own_suspension": "suspension of payments of the company itself (recency-weighted)",
    "insolvency_related": "insolvency publications of companies at the same registered address (recency-weighted)",
    "news_distress": "news of financial distress or reorganisation (recency- and confidence-weighted)",
    "news_incidents": "news of strikes, cyber incidents, fires, fines (recency- and confidence-weighted)",
    "wins_trend": "public contract wins, last 12 months against the 12 before (log ratio)",
    "years_since_last_win": "years since the last public contract win (capped at 5)",
}

#: News classes (``news.<class>``) by what they say about failure risk.
DISTRESS_NEWS = frozenset({"news.insolvency", "news.reorganisation"})
INCIDENT_NEWS = frozenset({"news.strike", "news.cyber", "news.disaster", "news.sanctions_legal"})
FAILURE_KINDS = frozenset({"insolvency.bankruptcy_declared", "insolvency.suspension_provisional",
                           "insolvency.suspension_final"})
SMALL_LEGAL_FORMS = ("eenmanszaak", "vennootschap onder firma", "v.o.f", "vof", "commanditaire vennootschap",
                     "c.v.", "maatschap", "sole", "partnership")
#: Company-data features (from the KvK snapshots).
COMPANY_FEATURES = ("age_years", "legal_form_small", "log_employees", "employees_change_12m", "sector_base_rate")
AGE_CAP, YEARS_SINCE_WIN_CAP = 30.0, 5.0
#: Counts that come from the Dutch registers (KvK mutations, insolvency publications): unknown for an
#: organisation those registers do not cover.
REGISTER_FEATURES = ("kvk_employee_changes", "kvk_moves", "kvk_legal_form_changes", "own_suspension",
                     "insolvency_related")
#: The failure score's main inputs: without any company-register value and without the insolvency register,
#: the score is "unknown" (no band), however the rest of the inputs look.
MAIN_INPUT_GROUPS: dict[str, tuple[str, ...]] = {
    "company-register data (age, legal form, staff)": ("age_years", "legal_form_small", "log_employees"),
    "insolvency-register data": ("own_suspension",),
}


@dataclass(frozen=True, slots=True)
class EventFact:
    """A supplier event as the models see it (a ``supplier_events`` row, trimmed)."""

    organisation_id: int
    kind: str
    occurred_on: date
    confidence: float = 1.0
    source: str = ""
    title: str = ""
    details: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class FeatureInputs:
    """Everything the feature rows of one snapshot date may draw on; the rows filter by date again.

    ``profiles`` are the company snapshots as of the snapshot date, ``profiles_year_ago`` as of a
    year before (payloads of ``store.companies.latest_profiles``). ``sources`` names the event
    sources that are collected at all ("kvk", "insolvency", "news"): without one, its counts are
    missing (unknown), not zero.
    """

    profiles: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    profiles_year_ago: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    events: Mapping[int, Sequence[EventFact]] = field(default_factory=dict)
    wins: Mapping[int, Sequence[date]] = field(default_factory=dict)
    related: Mapping[int, Sequence[int]] = field(default_factory=dict)
    sector_rates: Mapping[str, float] = field(default_factory=dict)
    sources: frozenset[str] = frozenset({"kvk", "insolvency", "news"})
    #: Organisations the Dutch registers (KvK, insolvency register) do not cover, e.g. foreign suppliers: their
    #: register counts are unknown, not zero (no publication there says nothing about them).
    uncovered: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class FeatureRow:
    organisation_id: int
    snapshot: date
    values: dict[str, float | None]
    #: Where the values came from: [{"source": ..., "as_of": ISO date, "ref": ...}].
    inputs: tuple[dict[str, Any], ...]
    #: A bankruptcy on or before the snapshot (the score goes to the top whatever the model says).
    bankruptcy_on: date | None = None
    #: A suspension of payments in the year before the snapshot that has not ended (a floor on the score).
    suspension_on: date | None = None
    #: Whether the Dutch registers (KvK, insolvency register) cover the organisation at all.
    register_covered: bool = True

    @property
    def coverage(self) -> float:
        present = sum(1 for name in FEATURES if self.values.get(name) is not None)
        return present / len(FEATURES)


def uncovered_by_registers(countries: Mapping[int, str | None], kvk_registered: Iterable[int] | None) -> frozenset[int]:
    """Organisations the Dutch registers do not cover: neither a KvK number nor a Dutch address.

    The same rule as the training population (``pipelines.train_models``): only there is a failure observed.
    With ``kvk_registered`` None (not known), the country alone decides and no country counts as covered.
    """
    registered = set(kvk_registered or ())

    def covered(org: int, country: str | None) -> bool:
        code = (country or "").strip().upper()
        if org in registered or code in ("NL", "NLD"):
            return True
        return not code and kvk_registered is None

    return frozenset(org for org, country in countries.items() if not covered(org, country))


def decay(age_days: int, half_life_days: float) -> float:
    """Weight of an event ``age_days`` old: 1 today, 1/2 after one half-life."""
    return 0.5 ** (max(age_days, 0) / half_life_days)


def _is_drop(details: Mapping[str, Any] | None) -> bool:
    """Whether an employees change is a fall; a change of unknown direction counts (it is news either way)."""
    if not details:
        return True
    for old_key, new_key in (("old", "new"), ("from", "to"), ("before", "after"), ("employees_old", "employees_new")):
        old, new = details.get(old_key), details.get(new_key)
        if isinstance(old, dict) or isinstance(new, dict):
            old = (old or {}).get("employees") if isinstance(old, dict) else old
            new = (new or {}).get("employees") if isinstance(new, dict) else new
        if isinstance(old, (int, float)) and isinstance(new, (int, float)):
            return new < old
    return True


def as_date(value: object) -> date | None:
    """A date from a snapshot payload: a date, an ISO string, or nothing usable (None)."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _profile(profiles: Mapping[int, Mapping[str, Any]], org: int, snapshot: date) -> Mapping[str, Any] | None:
    profile = profiles.get(org)
    if profile is None:
        return None
    observed = as_date(profile.get("observed_on"))
    if observed is not None and observed > snapshot:
        return None  # a snapshot from the future: never used
    return profile


def sbi_division(sbi: object) -> str | None:
    text = str(sbi or "").strip()
    return text[:2] if len(text) >= 2 and text[:2].isdigit() else None


def _company_values(profile: Mapping[str, Any] | None, before: Mapping[str, Any] | None, snapshot: date,
                    sector_rates: Mapping[str, float]) -> dict[str, float | None]:
    values: dict[str, float | None] = dict.fromkeys(COMPANY_FEATURES)
    if profile is None:
        return values
    start = as_date(profile.get("registration_start"))
    if start is not None and start <= snapshot:
        values["age_years"] = min((snapshot - start).days / 365.25, AGE_CAP)
    form = str(profile.get("legal_form") or "").casefold()
    if form:
        values["legal_form_small"] = 1.0 if any(token in form for token in SMALL_LEGAL_FORMS) else 0.0
    employees = profile.get("employees")
    if isinstance(employees, int) and employees >= 0:
        values["log_employees"] = math.log1p(employees)
        earlier = before.get("employees") if before else None
        if isinstance(earlier, int) and earlier >= 0:
            values["employees_change_12m"] = math.log((employees + 1) / (earlier + 1))
    division = sbi_division(profile.get("sbi_main"))
    if division is not None and division in sector_rates:
        values["sector_base_rate"] = sector_rates[division]
    return values


def _latest(current: date | None, day: date) -> date:
    return max(current, day) if current else day


def event_values(own: Sequence[EventFact], related: Iterable[Sequence[EventFact]], snapshot: date,
                  half_life: float, sources: frozenset[str]) -> tuple[dict[str, float | None], dict[str, date | None]]:
    """Decayed event sums, and the dates that matter on their own: bankruptcy, open suspension, newest event."""
    sums = dict.fromkeys(("kvk_employee_changes", "kvk_moves", "kvk_legal_form_changes", "own_suspension",
                          "insolvency_related", "news_distress", "news_incidents"), 0.0)
    bankruptcy_on: date | None = None
    suspension_on: date | None = None
    ended_on: date | None = None
    newest: date | None = None
    for event in own:
        if event.occurred_on > snapshot:
            continue
        newest = _latest(newest, event.occurred_on)
        weight = decay((snapshot - event.occurred_on).days, half_life)
        kind = event.kind
        if kind == "kvk.employees_changed" and _is_drop(event.details):
            sums["kvk_employee_changes"] += weight
        elif kind == "kvk.address_moved":
            sums["kvk_moves"] += weight
        elif kind == "kvk.legal_form_changed":
            sums["kvk_legal_form_changes"] += weight
        elif kind.startswith("insolvency.suspension"):
            sums["own_suspension"] += weight
            suspension_on = _latest(suspension_on, event.occurred_on)
        elif kind == "insolvency.bankruptcy_declared":
            bankruptcy_on = _latest(bankruptcy_on, event.occurred_on)
        elif kind == "insolvency.ended":
            ended_on = _latest(ended_on, event.occurred_on)
        elif kind in DISTRESS_NEWS:
            sums["news_distress"] += weight * event.confidence
        elif kind in INCIDENT_NEWS:
            sums["news_incidents"] += weight * event.confidence
    for events in related:
        for event in events:
            if event.occurred_on <= snapshot and event.kind in FAILURE_KINDS:
                sums["insolvency_related"] += decay((snapshot - event.occurred_on).days, half_life)
    values: dict[str, float | None] = dict(sums)
    for name, source in (("kvk_employee_changes", "kvk"), ("kvk_moves", "kvk"), ("kvk_legal_form_changes", "kvk"),
                         ("own_suspension", "insolvency"), ("insolvency_related", "insolvency"),
                         ("news_distress", "news"), ("news_incidents", "news")):
        if source not in sources:
            values[name] = None
    open_suspension = suspension_on if (
        suspension_on and (ended_on is None or ended_on < suspension_on) and (snapshot - suspension_on).days <= 365
    ) else None
    return values, {"bankruptcy_on": bankruptcy_on, "suspension_on": open_suspension, "newest": newest}


def _win_values(wins: Sequence[date], snapshot: date) -> dict[str, float | None]:
    year_ago, two_years_ago = snapshot - timedelta(days=365), snapshot - timedelta(days=730)
    recent = sum(1 for day in wins if year_ago < day <= snapshot)
    before = sum(1 for day in wins if two_years_ago < day <= year_ago)
    past = [day for day in wins if day <= snapshot]
    since = min((snapshot - max(past)).days / 365.25, YEARS_SINCE_WIN_CAP) if past else None
    return {"wins_trend": math.log((recent + 1) / (before + 1)), "years_since_last_win": since}


def feature_row(org: int, snapshot: date, inputs: FeatureInputs, *, half_life_days: float = 180.0) -> FeatureRow:
    """The features of ``org`` on ``snapshot``, from data dated on or before it only."""
    profile = _profile(inputs.profiles, org, snapshot)
    before = _profile(inputs.profiles_year_ago, org, snapshot - timedelta(days=365))
    values = _company_values(profile, before, snapshot, inputs.sector_rates)
    related = [inputs.events.get(other, ()) for other in inputs.related.get(org, ()) if other != org]
    own_values, dates = event_values(inputs.events.get(org, ()), related, snapshot, half_life_days, inputs.sources)
    newest_event = dates["newest"]
    values.update(own_values)
    covered = org not in inputs.uncovered
    if not covered:
        for name in REGISTER_FEATURES:
            values[name] = None
    wins = inputs.wins.get(org, ())
    values.update(_win_values(wins, snapshot))
    used: list[dict[str, Any]] = []
    if profile is not None:
        observed = as_date(profile.get("observed_on"))
        used.append({"source": "kvk-snapshot", "as_of": observed.isoformat() if observed else None,
                     "ref": profile.get("kvk_number")})
    if newest_event is not None:
        used.append({"source": "supplier_events", "as_of": newest_event.isoformat(), "ref": None})
    past_wins = [day for day in wins if day <= snapshot]
    if past_wins:
        used.append({"source": "awards", "as_of": max(past_wins).isoformat(), "ref": f"{len(past_wins)} wins"})
    return FeatureRow(org, snapshot, {name: values.get(name) for name in FEATURES}, tuple(used),
                      dates["bankruptcy_on"], dates["suspension_on"], covered)


def sector_rates(profiles: Mapping[int, Mapping[str, Any]], events: Mapping[int, Sequence[EventFact]],
                 snapshot: date, *, years: int = 3, smoothing: float = 20.0) -> dict[str, float]:
    """Bankruptcy rate per SBI division over the ``years`` before ``snapshot``, shrunk towards the overall rate.

    Only bankruptcies dated on or before the snapshot count. ``smoothing`` is the number of
    pseudo-companies at the overall rate added to each division, so a division of three
    companies with one failure does not read as a 33 % base rate.
    """
    start = snapshot - timedelta(days=365 * years)
    return division_rates(((sbi_division(profile.get("sbi_main")),
                            any(e.kind == "insolvency.bankruptcy_declared" and start < e.occurred_on <= snapshot
                                for e in events.get(org, ()))) for org, profile in profiles.items()),
                          smoothing=smoothing)


def division_rates(companies: Iterable[tuple[str | None, bool]], *, smoothing: float = 20.0) -> dict[str, float]:
    """The shrunk failure rate per division from (division, failed) per company (``sector_rates``)."""
    members: dict[str, int] = {}
    failed: dict[str, int] = {}
    for division, bankrupt in companies:
        if division is None:
            continue
        members[division] = members.get(division, 0) + 1
        if bankrupt:
            failed[division] = failed.get(division, 0) + 1
    total = sum(members.values())
    if not total:
        return {}
    overall = sum(failed.values()) / total
    return {d: (failed.get(d, 0) + smoothing * overall) / (n + smoothing) for d, n in members.items()}


# --------------------------------------------------------------------------------------------
# Weighted components: the shape of the dependency and geopolitical scores.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Component:
    """One part of a score: its value (0..1, None when unknown), its published weight and a readable line."""

    name: str
    value: float | None
    weight: float
    text: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WeightedScore:
    """A weighted mean of the known components; unknown ones are left out and lower coverage and confidence."""

    value: float | None
    components: tuple[Component, ...]
    coverage: float
    confidence: float
    notes: tuple[str, ...] = ()
    #: Why the score is "unknown" although some components are known (the input it is about is missing), and how to
    #: get it; None for a scored row. Its value is kept for the record, not as a risk level (as ``FailureScore``'s).
    unknown_because: str | None = None

    def reasons(self) -> list[dict[str, Any]]:
        """Known components by contribution, largest first, then unknown ones and the notes; contributions sum to the
        value. An unknown score's first reason says why it is unknown."""
        known_weight = sum(c.weight for c in self.components if c.value is not None)
        rows = [
            {"feature": c.name, "value": c.value, "weight": c.weight,
             "contribution": (c.weight * c.value / known_weight) if known_weight else 0.0,
             "text": f"{c.text}: {c.value:.2f}", **c.detail}
            for c in self.components if c.value is not None
        ]
        missing = [{"feature": c.name, "value": None, "weight": c.weight, "contribution": 0.0, "text": f"{c.text}: unknown"}
                   for c in self.components if c.value is None]
        notes = [{"feature": "(note)", "value": None, "weight": 0.0, "contribution": 0.0, "text": note}
                 for note in self.notes]
        why = [{"feature": "(unknown)", "value": None, "weight": 0.0, "contribution": 0.0, "text": self.unknown_because}
               ] if self.unknown_because else []
        return why + sorted(rows, key=lambda r: -r["contribution"]) + missing + notes

    def features(self) -> dict[str, float | None]:
        return {c.name: c.value for c in self.components}


def weighted_score(components: Sequence[Component], notes: Sequence[str] = ()) -> WeightedScore:
    """Combine components: the value is the weighted mean of the known ones; coverage is their weight share."""
    total = sum(c.weight for c in components)
    known = [c for c in components if c.value is not None]
    known_weight = sum(c.weight for c in known)
    coverage = known_weight / total if total else 0.0
    value = sum(c.weight * float(c.value) for c in known) / known_weight if known_weight else None  # type: ignore[arg-type]
    return WeightedScore(value=value, components=tuple(components), coverage=coverage, confidence=coverage,
                         notes=tuple(notes))


def band(value: float | None, medium_from: float, high_from: float) -> str:
    """"low", "medium" or "high"; "unknown" without a value."""
    if value is None:
        return "unknown"
    return "high" if value >= high_from else "medium" if value >= medium_from else "low"
