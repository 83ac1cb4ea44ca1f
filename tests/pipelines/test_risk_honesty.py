"""Issue 16: unknown is not low, and risk lists show the suppliers we depend on now.

- a failure score without company-register and insolvency-register inputs (a foreign supplier) is "unknown":
  no band, a reason saying what is missing and how to get it, never "low" in alternatives or alerts;
- reasons speak only of known inputs, in units a person reads;
- a supplier is current (running contract or recent spend), former, or dissolved.
"""

from __future__ import annotations

from datetime import date

import pytest

from alerts.evaluate import ScoreChange, ScorePoint, Subject, score_candidates
from alerts.rules import parse_rules
from config.risk import load_risk_config
from models.alternatives import Alternative
from models.failure import BaselineModel, score_rows
from models.failure_reasons import feature_phrase, reason_text
from models.features import FeatureInputs, feature_row, uncovered_by_registers
from models.relationship import CURRENT, DISSOLVED, FORMER, NOT_OURS, relationship

CONFIG = load_risk_config()
BASELINE = BaselineModel(CONFIG.failure.baseline.intercept, dict(CONFIG.failure.baseline.weights))
SNAPSHOT = date(2025, 6, 1)
PROFILE = {"kvk_number": "12345678", "name": "X B.V.", "legal_form": "Besloten Vennootschap", "sbi_main": "4120",
           "registration_start": date(2010, 1, 1), "registration_end": None, "employees": 12, "town": "Gouda",
           "postcode": "2801 AB", "country": "NL", "observed_on": date(2025, 5, 1)}


def _score(inputs: FeatureInputs, org: int = 1, countries=None):
    row = feature_row(org, SNAPSHOT, inputs)
    (score,) = score_rows([row], BASELINE, medium_from=CONFIG.failure.medium_from, high_from=CONFIG.failure.high_from,
                          countries=countries)
    return row, score


def test_a_foreign_supplier_without_register_data_is_unknown_not_low() -> None:
    inputs = FeatureInputs(wins={2: [date(2024, 9, 1)]}, uncovered=frozenset({2}))
    row, score = _score(inputs, org=2, countries={2: "US"})
    assert not row.register_covered
    assert row.values["own_suspension"] is None and row.values["kvk_moves"] is None  # not known zeros
    assert score.band == "unknown" and score.unknown
    assert score.reasons[0]["feature"] == "(unknown)"
    assert "company-register" in score.unknown_because and "insolvency-register" in score.unknown_because
    assert "US" in score.unknown_because  # how to get it: that country's registers
    dutch_row, dutch = _score(FeatureInputs(profiles={1: PROFILE}, wins={1: [date(2024, 9, 1)]}))
    assert dutch.band != "unknown" and dutch.confidence > score.confidence


def test_a_dutch_supplier_with_the_insolvency_register_but_no_snapshot_is_still_scored() -> None:
    _row, score = _score(FeatureInputs(wins={1: [date(2024, 9, 1)]}))
    assert score.band in ("low", "medium", "high") and not score.unknown


def test_register_coverage_follows_the_training_population_rule() -> None:
    countries = {1: "NL", 2: "DE", 3: None, 4: "DE"}
    assert uncovered_by_registers(countries, kvk_registered={4}) == {2, 3}
    assert uncovered_by_registers(countries, kvk_registered=None) == {2, 4}


def test_reasons_name_only_known_inputs_in_units_a_person_reads() -> None:
    year_ago = dict(PROFILE, employees=40, observed_on=date(2024, 5, 1))
    inputs = FeatureInputs(profiles={1: dict(PROFILE, sbi_main=None)}, profiles_year_ago={1: year_ago},
                           wins={1: [date(2021, 3, 1)]})
    row, score = _score(inputs)
    assert feature_phrase("employees_change_12m", row.values) == "staff fell from 40 to 12 in a year"
    assert feature_phrase("age_years", row.values) == "registered 15 years ago"
    assert feature_phrase("years_since_last_win", row.values) == "last public contract win 4.3 years ago"
    texts = [r["text"] for r in score.reasons if r["feature"] not in ("(not known)", "(base)")]
    assert not any("unknown" in t for t in texts)
    assert row.values["sector_base_rate"] is None
    not_known = next(r for r in score.reasons if r["feature"] == "(not known)")
    assert "sector_base_rate" in not_known["missing"]
    assert sum(r["contribution"] for r in score.reasons) == pytest.approx(score.logit)
    assert reason_text("age_years", {"age_years": 2.0}, 0.7).endswith("(raises the risk: odds x2.01)")


def test_alternatives_never_call_an_unknown_risk_low() -> None:
    alt = Alternative(key="US:id:1", name="Far Inc.", country="US", score=1.0, wins=2, since=date(2024, 1, 1),
                      last_win=date(2025, 1, 1), example_buyer="Gemeente X", risk_band="unknown", preferred=None)
    assert "risk unknown" in alt.reason() and "low risk" not in alt.reason()
    assert "risico onbekend" in alt.reason("nl")


def test_alerts_never_treat_unknown_as_a_band_move() -> None:
    rules = parse_rules({"rules": [
        {"id": "up", "type": "score_band", "score": "failure", "direction": "up", "severity": "warning"},
        {"id": "down", "type": "score_band", "score": "failure", "direction": "down", "severity": "info"},
        {"id": "above", "type": "score_threshold", "score": "failure", "threshold": 0.01, "severity": "info"},
    ]}, where="rules.yaml", known_categories=["72"])
    subject = Subject(1, "US:id:1", "Far Inc.", ("72000000",))

    def change(previous: str | None, current: str) -> ScoreChange:
        prev = ScorePoint(1, date(2025, 5, 1), 0.013, previous) if previous else None
        return ScoreChange(subject, "failure", "", ScorePoint(2, SNAPSHOT, 0.5 if current == "high" else 0.013, current), prev)

    found = score_candidates([change(None, "unknown"), change("high", "unknown"), change("unknown", "high")], rules,
                             categories_of=lambda cpvs: ["72"])
    assert found == []


def test_current_former_dissolved_and_not_ours() -> None:
    day = date(2026, 11, 1)
    assert relationship(day, spend_days=[], contract_ends=[("K-1", date(2027, 1, 1))], dissolved_on=None).status == CURRENT
    assert relationship(day, spend_days=[], contract_ends=[("K-1", None)], dissolved_on=None).status == CURRENT
    recent = relationship(day, spend_days=[date(2026, 3, 1)], contract_ends=[], dissolved_on=None)
    assert recent.status == CURRENT and "2026-03-01" in recent.why
    old = relationship(day, spend_days=[date(2025, 3, 1)], contract_ends=[("K-2", date(2025, 6, 30))], dissolved_on=None)
    assert old.status == FORMER and "2025-06-30" in old.why
    gone = relationship(day, spend_days=[date(2026, 10, 1)], contract_ends=[("K-3", date(2028, 1, 1))],
                        dissolved_on=date(2022, 3, 27))
    assert gone.status == DISSOLVED and "2022-03-27" in gone.why
    failing = relationship(day, spend_days=[], contract_ends=[("K-4", date(2028, 1, 1))], dissolved_on=date(2026, 10, 20))
    assert failing.status == CURRENT and failing.why.startswith("dissolved or bankrupt since 2026-10-20") and "K-4" in failing.why
    ended = relationship(day, spend_days=[date(2025, 1, 1)], contract_ends=[], dissolved_on=date(2026, 10, 20))
    assert ended.status == DISSOLVED  # failed recently, but we no longer depend on it
    assert relationship(day, spend_days=[], contract_ends=[], dissolved_on=None).status == NOT_OURS


def test_category_lists_show_current_suppliers_unless_asked(store) -> None:
    """Former suppliers and ones dissolved long ago only on request; one that failed while we still depend on it
    (a running contract) stays on the list, its bankruptcy named: that is the supplier to look at first."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from store.schema import Contract, Organisation, SpendLine, SupplierEvent
    from store.supplier_list import our_suppliers

    now = datetime(2026, 11, 1, tzinfo=UTC)
    with store.sessions.begin() as s:
        orgs = {}
        for key, name in (("A", "Current B.V."), ("F", "Former B.V."), ("D", "Dissolved B.V."), ("X", "Failing B.V.")):
            org = Organisation(org_key=f"NL:id:{key * 8}", name=name, country="NL", first_seen=now, updated_at=now)
            s.add(org)
            s.flush()
            orgs[key] = org.id
        spend = (("A", date(2026, 6, 1)), ("F", date(2024, 2, 1)), ("D", date(2025, 1, 10)), ("X", date(2026, 5, 1)))
        for n, (key, booked) in enumerate(spend, 1):
            s.add(SpendLine(row_key=f"r{n}", source_file="spend.csv", row_number=n, organisation_id=orgs[key],
                            cpv="72500000", amount=Decimal(1000), booked_on=booked, imported_at=now))
        for n, key in enumerate(("D", "X"), 1):
            s.add(Contract(contract_ref=f"K-{n}", source_file="c.xlsx", row_number=n, organisation_id=orgs[key], cpv="72500000",
                           start_date=date(2025, 1, 1), end_date=date(2028, 1, 1), content_hash=f"x{n}", imported_at=now))
        for key, day in (("D", date(2025, 3, 1)), ("X", date(2026, 9, 1))):
            s.add(SupplierEvent(organisation_id=orgs[key], kind="insolvency.bankruptcy_declared", occurred_on=day,
                                source="cir", source_ref=f"b{key}", title="failliet", confidence=1.0, detected_at=now))
    with store.session() as session:
        shown = our_suppliers(session, None, category="72", today=date(2026, 11, 1))
        everyone = our_suppliers(session, None, category="72", today=date(2026, 11, 1), include_former=True)
    assert [r.name for r in shown] == ["Current B.V.", "Failing B.V."]
    failing = next(r for r in shown if r.name == "Failing B.V.")
    assert failing.status == "current" and "bankrupt since 2026-09-01" in failing.status_why and "K-2" in failing.status_why
    assert {(r.name, r.status) for r in everyone} == {("Current B.V.", "current"), ("Failing B.V.", "current"),
                                                      ("Former B.V.", "former"), ("Dissolved B.V.", "dissolved")}
    assert everyone[0].name == "Current B.V."  # current first, then the marked others
