"""Rendering alert messages: hostile text from outside sources (HTML, script tags, Markdown links,
javascript: URLs) comes out as text in Markdown, HTML and plain text, in English and Dutch."""

from __future__ import annotations

import re
from datetime import datetime
from types import SimpleNamespace

import pytest

from alerts.render import md_escape, render_alert, render_digest, safe_url

HOSTILE_NAME = "Evil <script>alert(1)</script> [click me](http://evil.example) **B.V.**"
HOSTILE_TITLE = "Faillissement <img src=x onerror=alert(1)> ![pixel](http://evil.example/p.png)"


def _alert(**facts) -> SimpleNamespace:
    base = {
        "kind": "event", "event_kind": "insolvency.bankruptcy_declared", "supplier": HOSTILE_NAME,
        "supplier_key": "NL:id:12345678", "occurred_on": "2026-10-20", "confidence": 1.0, "rule_description": "Bankruptcy",
        "sources": [
            {"source": "cir", "date": "2026-10-20", "title": HOSTILE_TITLE, "url": "javascript:alert(1)"},
            {"source": "rss", "date": "2026-10-19", "title": "Report (with brackets)", "url": "https://news.example/a b)c"},
        ],
        "actions": ["check-continuity", "prepare-alternatives"],
        "alternatives": {
            "branch": "CPV 909*", "since": "2021-11-01", "notes": [],
            "ranked": [{"name": "Alt <b>One</b> [x](http://evil.example)", "key": "NL:id:1", "country": "NL", "wins": 3,
                        "reason_en": "won 3 contracts in CPV 909* since 2021-11-01, e.g. for Gemeente <i>X</i>",
                        "reason_nl": "won 3 opdrachten in CPV 909* sinds 2021-11-01, o.a. voor Gemeente <i>X</i>"}],
            "excluded": [{"name": "Gone B.V.", "why": "dissolved 2025-01-01"}],
        },
    }
    base.update(facts)
    return SimpleNamespace(
        id=7, severity="critical", title=f"{HOSTILE_NAME}: bankruptcy", rule_id="bankruptcy", count=2,
        first_seen=datetime(2026, 10, 20, 7), last_seen=datetime(2026, 10, 21, 7), facts=base,
    )


def _markdown_links(text: str) -> list[str]:
    """Link targets a Markdown renderer would make: [label](target) not preceded by a backslash."""
    return re.findall(r"(?<!\\)\[[^\]]*(?<!\\)\]\(([^)]*)\)", text)


def test_markdown_escapes_hostile_text_and_links_only_safe_sources() -> None:
    body = render_alert(_alert(), fmt="markdown", language="en").body
    assert "<script>" not in body and "<img" not in body and "<b>" not in body
    # The insolvency source's own URL is not followed: its link is the public register page.
    assert _markdown_links(body) == ["https://news.example/a%20b%29c"]  # the finder skips labels with escaped brackets
    assert "](https://insolventies.rechtspraak.nl/)" in body
    digest = render_digest([_alert()], period="daily", fmt="markdown", language="en").body  # titles are in digests
    assert "<script>" not in digest and "&lt;script&gt;" in digest
    assert "javascript:" not in body
    assert "\\*\\*B.V.\\*\\*" in digest  # emphasis markers shown, not applied
    assert "Possible alternative suppliers" in body and "Check the contract's continuity clause" in body


def test_html_is_autoescaped_and_links_only_to_http() -> None:
    body = render_alert(_alert(), fmt="html", language="nl").body
    assert "<script>" not in body and "<img src=x" not in body and "<b>One</b>" not in body
    assert "&lt;img src=x" in body
    assert re.findall(r'href="([^"]*)"', body) == ["https://insolventies.rechtspraak.nl/", "https://news.example/a%20b%29c"]
    digest = render_digest([_alert()], period="daily", fmt="html", language="nl").body
    assert "<script>" not in digest and "&lt;script&gt;" in digest
    assert "Mogelijke alternatieve leveranciers" in body and "continuïteitsclausule" in body
    assert "o.a. voor Gemeente &lt;i&gt;X&lt;/i&gt;" in body


def test_plain_text_and_title_carry_no_markup() -> None:
    message = render_alert(_alert(), fmt="text", language="en")
    assert "javascript:" not in message.body
    assert "<https://news.example/a%20b%29c>" in message.body
    for char in "<>[]*":
        assert char not in message.title.removeprefix("[CRITICAL]")
    assert message.title.startswith("[CRITICAL] Evil script")


def test_line_breaks_in_outside_text_cannot_start_markdown_blocks() -> None:
    body = render_alert(_alert(supplier="x", sources=[{"source": "rss", "date": "2026-10-01", "title": "a\n# Heading\n- item",
                                                        "url": None}]), fmt="markdown").body
    assert "\n# Heading" not in body and "\n- item" not in body


@pytest.mark.parametrize("fmt", ["markdown", "html", "text"])
def test_every_kind_of_alert_renders_in_both_languages(fmt: str) -> None:
    kinds = [
        {"kind": "score", "score": {"kind": "failure", "category": "", "value": 0.41, "band": "high", "previous_value": 0.12,
                                     "previous_band": "low", "as_of": "2026-11-01", "previous_as_of": "2026-10-01",
                                     "confidence": 0.8, "coverage": 0.9,
                                     "reasons": [{"feature": "employees_drop", "contribution": 0.2, "text": "staff fell <40%>"}]},
         "actions": ["review-score"]},
        {"kind": "horizon", "contract": {"ref": "C-1", "title": "Licences", "cpv": "48400000", "end_date": "2027-03-31",
                                         "extension_until": None, "owner": "Sanne", "value": None, "months_left": 4.9},
         "market": {"category": "48", "label": "Software", "hhi": 4235, "band": "highly concentrated", "cr4": 0.98,
                    "basis": "value", "awards": 106, "since": "2023-11-01", "until": "2026-11-01"},
         "actions": ["prepare-consultation"]},
        {"kind": "source", "source": "ted", "verdict": "late", "reason": "last success 3 d ago", "last_success": "2026-10-29",
         "actions": ["check-source"]},
        {"kind": "delivery", "person": "anna", "channel": "mail", "error": "refused", "alert": "x", "actions": ["check-channel"]},
    ]
    for language, marker in (("en", "What you can do"), ("nl", "Wat u kunt doen")):
        for facts in kinds:
            body = render_alert(_alert(**facts, sources=[]), fmt=fmt, language=language).body
            assert marker in body
    digest = render_digest([_alert(), _alert(**kinds[1])], period="weekly", fmt=fmt, language="nl")
    assert digest.title == "Leveranciersmeldingen (wekelijks overzicht): 2 meldingen"
    assert "HHI" in digest.body


def test_escape_helpers() -> None:
    assert md_escape("[a](b)") == "\\[a\\]\\(b\\)"
    assert md_escape("<i>&") == "&lt;i&gt;&amp;"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url("https://x.example/a b") == "https://x.example/a%20b"


def test_a_source_url_that_cannot_be_parsed_is_shown_as_text_not_a_crash() -> None:
    assert safe_url("http://[broken/x") is None
    sources = [{"source": "rss", "date": "2026-10-19", "title": "Broken link", "url": "http://[broken/x"}]
    for fmt in ("markdown", "html", "text"):
        body = render_alert(_alert(sources=sources), fmt=fmt, language="en").body
        assert "Broken link" in body and "broken/x" not in body  # shown as text, never a link


def test_titles_we_write_follow_the_reader_language_and_source_titles_keep_their_words() -> None:
    score = {"kind": "score", "supplier": "Stroom B.V.", "sources": [], "actions": ["review-score"],
             "score": {"kind": "failure", "category": "09310000", "value": 0.41, "band": "high", "previous_value": 0.12,
                       "previous_band": "low", "as_of": "2026-11-01", "previous_as_of": "2026-10-01", "confidence": 0.8,
                       "coverage": 0.9, "reasons": []}}
    horizon = {"kind": "horizon", "supplier": "Stroom B.V.", "sources": [], "actions": ["prepare-consultation"], "market": None,
               "contract": {"ref": "C-1", "title": "Stroom", "cpv": "09310000", "end_date": "2027-04-30",
                            "extension_until": None, "owner": None, "value": None, "months_left": 5.9}}
    assert render_alert(_alert(**score), language="nl").title == "[KRITIEK] Stroom B.V.: faalrisico laag → hoog (09310000)"
    nl = render_alert(_alert(**horizon), language="nl")
    assert nl.title == "[KRITIEK] Contract C-1 (Stroom B.V.) loopt af op 2027-04-30 in een geconcentreerde markt"
    assert "loopt af op 2027-04-30" in nl.body
    # English readers get the title as evaluated; an event keeps its source's words in every language
    assert render_alert(_alert(**score), language="en").title.endswith(": bankruptcy")
    assert render_alert(_alert(), language="nl").title.endswith(": bankruptcy")


def test_a_dutch_reader_gets_figures_written_the_dutch_way() -> None:
    horizon = {"kind": "horizon", "supplier": "Stroom B.V.", "sources": [], "actions": ["prepare-consultation"],
               "contract": {"ref": "C-1", "title": "Stroom", "cpv": "09310000", "end_date": "2027-04-30",
                            "extension_until": None, "owner": None, "value": None, "months_left": 5.9},
               "market": {"category": "09310000", "label": "Elektriciteit", "hhi": 4659, "band": "highly concentrated",
                          "cr4": 1.0, "basis": "value", "awards": 54, "awards_total": 56, "since": "2023-11-01",
                          "until": "2026-11-01"},
               "alternatives": {"ranked": [], "excluded": [], "notes": [
                   "Ranked by a model learned from 1,000 awards before 2026-11-01 (1,065 winners among the candidates); "
                   "reasons name its largest contributions."]}}
    score = {"kind": "score", "sources": [], "actions": ["review-score"],
             "score": {"kind": "failure", "category": "", "value": 0.236, "band": "high", "previous_value": 0.087,
                       "previous_band": "medium", "as_of": "2026-07-01", "previous_as_of": "2026-04-01", "confidence": 0.8,
                       "coverage": 0.9, "reasons": [{"feature": "news", "contribution": 0.41,
                                                     "text": "news of financial distress or reorganisation (weight 1.86: 1 for one event "
                                                             "today, halving with every half-life of age) (raises the "
                                                             "risk: odds x9.26)"}]}}
    for fmt in ("markdown", "html", "text"):
        nl = render_alert(_alert(**horizon), fmt=fmt, language="nl").body
        assert "5,9 maanden" in nl and "CR4 1,00" in nl, nl
        en = render_alert(_alert(**horizon), fmt=fmt, language="en").body
        assert "5.9 months" in en and "CR4 1.00" in en, en
        if fmt != "text":  # (the plain-text format leaves out how the alternatives were ranked)
            assert "1.000 gunningen" in nl and "1.065 winnaars" in nl and "1,000 awards" in en
        nl = render_alert(_alert(**score), fmt=fmt, language="nl").body
        assert "0,236" in nl and "0,087" in nl and "gewicht 1,86" in nl and "kansverhouding x9,26" in nl, nl
    assert "(\\+0,41)" in render_alert(_alert(**score), fmt="markdown", language="nl").body
