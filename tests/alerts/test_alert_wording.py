"""Alert texts follow from the facts they show: advice only when its premise holds, counts that say what
they count, sources a person can open (each once), singular and plural right, Dutch without our English."""

from __future__ import annotations

import re
from datetime import date, datetime
from types import SimpleNamespace

import pytest

from alerts import wording
from alerts.render import render_alert, render_digest
from reference.public_pages import public_page

CONTRACT = {"ref": "C-9", "title": "Openbare verlichting", "cpv": "09310000", "end_date": "2027-04-30",
            "extension_until": "2027-04-30", "owner": "anna", "value": None, "months_left": 5.9}
MARKET = {"category": "0931", "label": "Electricity", "hhi": 4659, "band": "highly concentrated", "cr4": 1.0,
          "basis": "value", "awards": 54, "awards_total": 56, "since": "2023-11-01", "until": "2026-11-01"}


def _alert(severity: str = "warning", **facts: object) -> SimpleNamespace:
    return SimpleNamespace(id=1, severity=severity, title="Title that must not repeat", rule_id="r", count=1,
                           first_seen=datetime(2026, 11, 1, 7), last_seen=datetime(2026, 11, 1, 7), facts=facts)


def test_no_alternatives_advice_without_alternatives() -> None:
    facts = {"kind": "score", "actions": ["review-score", "prepare-alternatives"]}
    assert wording.actions(facts) == ["review-score"]  # nobody looked: no advice about them
    facts["alternatives"] = {"ranked": [], "notes": [], "excluded": []}
    assert wording.actions(facts) == ["review-score", "find-alternatives"]
    facts["alternatives"]["ranked"] = [{"name": "B.V."}]
    assert wording.actions(facts) == ["review-score", "prepare-alternatives"]
    for language in ("en", "nl"):
        body = render_alert(_alert(kind="event", event_kind="news.insolvency", occurred_on="2026-10-01", confidence=0.9,
                                   actions=["verify-news", "prepare-alternatives"]), language=language).body
        assert "hierboven" not in body and "listed above" not in body


def test_no_extension_advice_when_none_is_left_and_never_extended_to_the_end_date() -> None:
    facts = {"kind": "horizon", "contract": dict(CONTRACT), "market": MARKET, "actions": ["prepare-consultation", "check-extension"]}
    assert wording.actions(facts) == ["prepare-consultation", "plan-retender"]
    nl = render_alert(_alert(**facts), language="nl").body
    assert "verlengbaar tot" not in nl and "geen verlenging meer mogelijk" in nl and "verlengingsoptie" not in nl
    facts["contract"]["extension_until"] = "2029-04-30"
    assert wording.actions(facts) == ["prepare-consultation", "check-extension"]
    assert "verlengbaar tot 2029-04-30" in render_alert(_alert(**facts), language="nl").body


def test_counts_say_what_they_count() -> None:
    assert wording.market_counts(MARKET, "nl") == "56 gunningen, waarvan 54 met bedrag"
    assert wording.market_counts(MARKET, "en") == "56 awards, 54 of them with an amount"
    assert wording.market_counts({**MARKET, "awards_total": 54}, "en") == "54 awards with an amount"
    assert wording.market_counts({**MARKET, "basis": "count", "awards": 1, "awards_total": 1}, "nl") == "1 gunning"
    assert render_digest([_alert()], period="daily", language="nl").title.endswith(": 1 melding")
    assert render_digest([_alert(), _alert()], period="daily", language="en").title.endswith(": 2 alerts")


def test_sources_are_pages_a_person_can_open_each_once() -> None:
    facts = {"kind": "score", "sources": [
        {"source": "cir", "date": "2026-10-20", "title": "Uitspraak faillissement", "url": "https://webservice.rechtspraak.nl/cir.asmx",
         "ref": "F.16/26/175 16.mid.26.175.F.1300.1.26"},
        {"source": "kvk", "date": "2026-09-30", "title": "Naam gewijzigd", "url": "https://api.kvk.nl/test/api/v1/basisprofielen/45968655"},
        {"source": "supplier_events", "date": "2026-10-20", "title": "supplier_events"},
        {"source": "supplier_events", "date": "2026-10-20", "title": "supplier_events"},
        {"source": "awards", "date": "2026-07-10", "title": "7 wins"},
    ]}
    shown = wording.sources(facts, "nl")
    assert [s["url"] for s in shown] == [
        "https://insolventies.rechtspraak.nl/#!/details/16.mid.26.175.F.1300.1.26",
        "https://www.kvk.nl/zoeken/?source=all&q=45968655", None, None]
    assert shown[2] == {"date": "2026-10-20", "source": "", "title": "bedrijfsgebeurtenissen (register, nieuws)",
                        "url": None, "confidence": None}
    assert shown[3]["title"] == "7 gunningen"
    body = render_alert(_alert(**facts), fmt="text", language="nl").body
    assert "supplier_events" not in body and "api.kvk.nl" not in body and "cir.asmx" not in body


def test_public_pages() -> None:
    assert public_page("ted", "123456-2024") == "https://ted.europa.eu/en/notice/-/detail/123456-2024"
    assert public_page("tenderned", "401234") == "https://www.tenderned.nl/aankondigingen/overzicht/401234"
    assert public_page("cir", "no mark") == "https://insolventies.rechtspraak.nl/"
    assert public_page("rss", None, "https://news.example/a") == "https://news.example/a"
    assert public_page("kvk", None, "https://api.kvk.nl/api/v1/basisprofielen/12345678") == (
        "https://www.kvk.nl/zoeken/?source=all&q=12345678")


def test_the_title_is_not_repeated_in_a_message_of_its_own() -> None:
    for fmt in ("markdown", "html", "text"):
        message = render_alert(_alert(kind="source", source="ted", verdict="late", reason="r", last_success="x",
                                      actions=["check-source"]), fmt=fmt)
        assert "Title that must not repeat" in message.title
        assert "Title that must not repeat" not in message.body.replace("<title>Title that must not repeat</title>", "")


#: Words of ours that must never reach a Dutch reader (source texts such as headlines are not in the fixtures).
ENGLISH = re.compile(r"\b(highly|concentrated|raises|lowers|awards?|failure|dependency|high|low|medium|unknown|"
                     r"spend|category|criticality|dissolved|bankruptcy|declared|alternatives?|synthetic|alerts?|"
                     r"supplier_events|Electricity|Preferred|others)\b")

KINDS = [
    {"kind": "event", "event_kind": "insolvency.bankruptcy_declared", "occurred_on": "2026-10-20", "confidence": 1.0,
     "rule_description": "Bankruptcy declared", "rule_description_nl": "Faillissement uitgesproken",
     "sources": [{"source": "cir", "date": "2026-10-20", "title": "Uitspraak faillissement", "ref": "x"}],
     "actions": ["check-continuity", "contact-curator", "prepare-alternatives"],
     "alternatives": {"ranked": [], "notes": ["Preferred locations: NL (score x1.2); others are still listed."],
                      "excluded": [{"name": "Weg B.V.", "why": "dissolved 2025-01-01"}]}},
    {"kind": "score", "score": {"kind": "failure", "category": "", "value": 0.9, "band": "high", "previous_value": 0.1,
                                "previous_band": "low", "as_of": "2026-11-01", "previous_as_of": "2026-10-01",
                                "confidence": 0.8, "coverage": 0.9, "reasons": [
                                    {"feature": "bankruptcy_declared", "text": "bankruptcy declared on 2026-10-20", "contribution": 7.5},
                                    {"feature": "age_years", "text": "company age (years since registration, capped at 30): unknown (lowers the log-odds by 0.03)"},
                                    {"feature": "x", "text": "news of financial distress or reorganisation (recency- and confidence-weighted): 0.97 (raises the log-odds by 2.24)"}]},
     "sources": [{"source": "supplier_events", "date": "2026-10-20", "title": "supplier_events"},
                 {"source": "awards", "date": "2026-07-10", "title": "7 wins"}],
     "actions": ["review-score", "talk-to-supplier", "prepare-alternatives"]},
    {"kind": "score", "score": {"kind": "dependency", "category": "09310000", "value": 0.62, "band": "high", "previous_value": None,
                                "previous_band": None, "as_of": "2026-11-01", "previous_as_of": None, "confidence": 1.0,
                                "coverage": 1.0, "reasons": [
                                    {"feature": "spend_share", "text": "our spend share with this supplier in the category: 0.62", "contribution": 0.22},
                                    {"feature": "criticality", "text": "criticality of category 09310000: 0.90", "contribution": 0.14},
                                    {"feature": "substitutability", "text": "2 credible alternatives won similar contracts: 0.51", "contribution": 0.13},
                                    {"feature": "concentration", "text": "concentration of our category spend (HHI/10,000): 0.48", "contribution": 0.05}]},
     "sources": [{"source": "spend", "date": "2026-10-08", "title": "09310000"}], "actions": ["review-score"]},
    {"kind": "horizon", "contract": CONTRACT, "market": MARKET, "sources": [], "actions": ["prepare-consultation", "check-extension"]},
    {"kind": "source", "source": "ted", "verdict": "late", "reason": "", "last_success": "2026-10-29", "actions": ["check-source"]},
]


@pytest.mark.parametrize("fmt", ["markdown", "html", "text"])
def test_every_kind_in_dutch_has_none_of_our_english(fmt: str) -> None:
    for facts in KINDS:
        message = render_alert(_alert(**facts), fmt=fmt, language="nl", synthetic=True)
        found = ENGLISH.findall(re.sub(r"<[^>]+>", " ", message.body))
        assert not found, (facts["kind"], found, message.body)
    digest = render_digest([_alert(**f) for f in KINDS], period="weekly", fmt=fmt, language="nl", synthetic=True)
    text = re.sub(r"<[^>]+>", " ", digest.body) + digest.title
    assert not ENGLISH.findall(text), ENGLISH.findall(text)


def test_a_rule_description_that_repeats_the_event_is_not_said_twice() -> None:
    facts = {"kind": "event", "event_kind": "insolvency.bankruptcy_declared", "rule_description": "Bankruptcy declared",
             "rule_description_nl": "Faillissement uitgesproken"}
    assert wording.present(facts, "nl")["rule_description"] == ""
    facts["rule_description_nl"] = "Let op: curator"
    assert wording.present(facts, "nl")["rule_description"] == "Let op: curator"


def test_every_failure_reason_phrase_reads_in_dutch() -> None:
    """Each plain-unit phrase of models.failure_reasons, for known and empty values, has its Dutch."""
    from alerts.wording import reason_text
    from models.failure_reasons import feature_phrase, how_to_get
    from models.failure_reasons import reason_text as model_reason
    from models.features import FEATURES

    english = re.compile(r"\b(risk|odds|staff|registered|years ago|weight|news of|wins|company|companies|no effect|"
                         r"suspension|insolvency of|moves|changes of|limited|employees|unknown)\b")
    samples = [{name: value for name in FEATURES} | {"log_employees": 2.0} for value in (0.0, 0.5, 3.0, 40.0, -0.7)]
    texts = [model_reason(name, values, c) for values in samples for name in FEATURES
             if feature_phrase(name, values) is not None for c in (0.0, 0.8, -0.6)]
    texts += [f"risk unknown: no company-register data (age, legal form, staff) and no insolvency-register data; "
              f"{how_to_get(country, covered)}" for country in ("US", None) for covered in (False, True)]
    def words(text: str) -> str:  # commands in backticks are names, not English
        return re.sub(r"`[^`]*`", "", text)

    leaks = {t: reason_text(t, "nl") for t in texts if english.search(words(reason_text(t, "nl")))}
    assert leaks == {}


def test_the_dependency_reasons_of_spend_in_another_currency_read_in_dutch() -> None:
    """What a supplier paid in another currency gets in its dependency reasons and notes (models.dependency)."""
    from alerts.wording import reason_text
    from config.risk import load_risk_config
    from models.dependency import DependencyParams, category_dependencies

    config = load_risk_config().dependency
    params = DependencyParams(config.weights, config.lock_in_weights, config.alternatives_scale,
                              config.lock_in_full_term_months)
    scores = category_dependencies("72", {1: 100.0}, [], {5, 6}, as_of=date(2026, 11, 1), criticality=0.5,
                                   params=params, unpriced={2})
    texts = [r["text"] for score in scores.values() for r in score.reasons() if "currency" in (r.get("text") or "")]
    assert len(texts) >= 4  # the unknown share, the unknown concentration (twice), each side's note
    dutch = [reason_text(text, "nl") for text in texts]
    assert not [text for text in dutch if re.search(r"\b(currency|spend|share|unknown|euros)\b", text)], dutch
