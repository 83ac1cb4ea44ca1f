"""Alert messages as Markdown, HTML and plain text, in English or Dutch (Jinja2 templates).

Everything that comes from outside (supplier names, news headlines, register titles, URLs,
reasons) is escaped for the format it lands in: HTML by Jinja2's autoescape; Markdown by an
escaping ``finalize`` hook, so that a headline like ``[click](http://evil)`` or ``<script>``
is shown as text and never becomes a link or markup; links to sources are built here, from
http(s) URLs only. Our own texts (labels, the translations below) are ``Markup`` and pass as is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from alerts import wording
from reference.figures import figure

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = {"markdown": "md", "html": "html", "text": "txt"}

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: Characters dropped from titles, which channels may show as Markdown or HTML: no links, tags, emphasis.
_TITLE_MARKUP = re.compile(r"[<>\[\]`*#|!\\]")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "severity.info": "info", "severity.warning": "warning", "severity.critical": "CRITICAL",
        "why": "Why this alert", "rule": "Rule", "seen": "Seen", "first": "first", "last": "last",
        "sources": "Sources", "score": "Score breakdown", "value": "score", "band": "band", "previous": "previous run",
        "coverage": "coverage", "confidence": "confidence", "contract": "Contract", "ends": "ends",
        "extension": "can be extended to", "owner": "owner", "months_left": "months left", "market": "Market",
        "hhi": "HHI", "cr4": "CR4", "awards": "awards", "alternatives": "Possible alternative suppliers",
        "alternatives_none": "No alternative suppliers found in the award history of this branch.",
        "excluded": "Left out", "actions": "What you can do", "digest": "Supplier alerts", "digest_daily": "daily digest",
        "digest_weekly": "weekly digest", "alerts": "alerts",
        "signal_note": "A signal for a person to check, not a verdict.", "open_link": "Open in supplyradar",
        "source_health": "Source health", "verdict": "verdict", "last_success": "last success",
        "delivery": "Delivery", "channel": "channel", "error": "error", "confidence_match": "match confidence",
        "action.check-continuity": "Check the contract's continuity clause and who holds the work in progress.",
        "action.contact-curator": "Contact the administrator (bewindvoerder) or trustee (curator) about continuing the work.",
        "action.prepare-alternatives": "Talk to the alternative suppliers listed above before you need them.",
        "action.find-alternatives": "The award history shows no alternative supplier: look for some now (market consultation, other branches).",
        "action.plan-retender": "No extension is left: plan the new tender so a contract is in place before the end date.",
        "no_extension": "no extension left", "period": "period", "synthetic": "synthetic demo data",
        "action.verify-match": "Verify that the sanctions match is really this supplier (names, country, identifiers).",
        "action.suspend-payments-check": "Check with finance whether payments must be held while this is verified.",
        "action.legal": "Involve legal: sanctions law may forbid making funds available.",
        "action.verify-news": "Read the source and check whether it concerns this supplier and your contracts.",
        "action.talk-to-supplier": "Raise it in your next supplier meeting.",
        "action.review-score": "Review the reasons behind the score and their sources.",
        "action.prepare-consultation": "Prepare a market consultation now: few suppliers win in this market.",
        "action.check-extension": "Decide on the extension option in time, and on what the new tender needs.",
        "action.check-source": "Check the collection's logs and the source's status; collected data may be missing.",
        "action.check-channel": "Check the channel's settings; the messages wait in the outbox meanwhile.",
    },
    "nl": {
        "severity.info": "info", "severity.warning": "waarschuwing", "severity.critical": "KRITIEK",
        "why": "Waarom deze melding", "rule": "Regel", "seen": "Gezien", "first": "eerst", "last": "laatst",
        "sources": "Bronnen", "score": "Opbouw van de score", "value": "score", "band": "klasse", "previous": "vorige run",
        "coverage": "dekking", "confidence": "betrouwbaarheid", "contract": "Contract", "ends": "loopt af op",
        "extension": "verlengbaar tot", "owner": "eigenaar", "months_left": "maanden resterend", "market": "Markt",
        "hhi": "HHI", "cr4": "CR4", "awards": "gunningen", "alternatives": "Mogelijke alternatieve leveranciers",
        "alternatives_none": "Geen alternatieve leveranciers gevonden in de gunningshistorie van deze branche.",
        "excluded": "Weggelaten", "actions": "Wat u kunt doen", "digest": "Leveranciersmeldingen",
        "digest_daily": "dagelijks overzicht", "digest_weekly": "wekelijks overzicht", "alerts": "meldingen",
        "signal_note": "Een signaal om te controleren, geen oordeel.", "open_link": "Openen in supplyradar",
        "source_health": "Status van de bron", "verdict": "oordeel", "last_success": "laatst gelukt",
        "delivery": "Bezorging", "channel": "kanaal", "error": "fout", "confidence_match": "zekerheid van de koppeling",
        "action.check-continuity": "Controleer de continuïteitsclausule van het contract en wie het onderhanden werk heeft.",
        "action.contact-curator": "Neem contact op met de bewindvoerder of curator over voortzetting van het werk.",
        "action.prepare-alternatives": "Spreek de alternatieve leveranciers hierboven voordat u ze nodig heeft.",
        "action.find-alternatives": "De gunningshistorie toont geen alternatieve leverancier: zoek er nu naar (marktconsultatie, verwante branches).",
        "action.plan-retender": "Er is geen verlenging meer mogelijk: plan de nieuwe aanbesteding zodat er vóór de einddatum een contract is.",
        "no_extension": "geen verlenging meer mogelijk", "period": "periode", "synthetic": "synthetische demodata",
        "action.verify-match": "Controleer of de sanctietreffer echt deze leverancier is (namen, land, nummers).",
        "action.suspend-payments-check": "Overleg met financiën of betalingen moeten worden aangehouden tot dit vaststaat.",
        "action.legal": "Betrek juridische zaken: sanctiewetgeving kan verbieden middelen ter beschikking te stellen.",
        "action.verify-news": "Lees de bron en controleer of het deze leverancier en uw contracten betreft.",
        "action.talk-to-supplier": "Bespreek het in het volgende leveranciersoverleg.",
        "action.review-score": "Bekijk de redenen achter de score en hun bronnen.",
        "action.prepare-consultation": "Bereid nu een marktconsultatie voor: in deze markt winnen weinig leveranciers.",
        "action.check-extension": "Besluit tijdig over de verlengingsoptie en over wat de nieuwe aanbesteding vraagt.",
        "action.check-source": "Bekijk de logs van de verzameling en de status van de bron; er kunnen gegevens ontbreken.",
        "action.check-channel": "Controleer de instellingen van het kanaal; de berichten wachten intussen in de outbox.",
    },
}


def md_escape(value: object) -> str:
    """Text that Markdown shows as text: no links, emphasis, headings or HTML can come out of it."""
    text = _CONTROL.sub("", str(value)).replace("\r", " ").replace("\n", " ")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_finalize(value: object) -> object:
    if value is None:
        return ""
    return value if isinstance(value, Markup) else md_escape(value)


def _text_finalize(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    return _CONTROL.sub("", str(value)).replace("\r", " ").replace("\n", " ")


def safe_url(url: object) -> str | None:
    """An http(s) URL with the characters that could break out of a link quoted; None otherwise."""
    if not isinstance(url, str) or not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "http://[x": outside text that is no URL at all
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#[]@!$&'*+,;=%-._~")


def _md_link(text: object, url: object) -> Markup:
    target = safe_url(url)
    label = md_escape(text or url or "")
    if target is None:
        return Markup(label)
    target = target.replace("(", "%28").replace(")", "%29").replace("[", "%5B").replace("]", "%5D")
    return Markup(f"[{label}]({target})")


def _number(value: object, language: str, spec: str = "") -> object:
    """A figure of the facts as the reader writes it ("0,999" in Dutch); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return figure(value, language, spec)


@lru_cache(maxsize=1)
def _environments() -> dict[str, Environment]:
    loader = FileSystemLoader(TEMPLATES)
    common = {"loader": loader, "undefined": StrictUndefined, "trim_blocks": True, "lstrip_blocks": True,
              "keep_trailing_newline": True}
    envs = {
        "html": Environment(autoescape=True, **common),
        "markdown": Environment(autoescape=False, finalize=_md_finalize, **common),
        "text": Environment(autoescape=False, finalize=_text_finalize, **common),
    }
    envs["markdown"].filters["link"] = _md_link
    envs["html"].filters["safe_url"] = safe_url
    envs["text"].filters["safe_url"] = safe_url
    for env in envs.values():
        env.filters["esc"] = escape
        env.filters["num"] = _number
    return envs


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    body: str
    format: str


def _texts(language: str) -> dict[str, Markup]:
    return {k: Markup(v) for k, v in TEXTS.get(language, TEXTS["en"]).items()}


def alert_view(alert: Any, language: str = "en") -> dict[str, Any]:
    """The plain values a template needs from an alert row (or anything with the same attributes).

    ``w`` is the facts as worded for the reader (``alerts.wording.present``): the templates lay it out.
    """
    def stamp(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else ""

    facts = alert.facts or {}
    return {
        "id": alert.id, "severity": alert.severity, "title": alert.title, "rule": alert.rule_id, "count": alert.count,
        "first_seen": stamp(alert.first_seen), "last_seen": stamp(alert.last_seen), "facts": facts,
        "w": wording.present(facts, language),
    }


def localized_title(view: Mapping[str, Any], language: str) -> str:
    """The alert's title in the reader's language where we wrote it (scores, contract horizons).

    Titles of events keep the source's own words (an insolvency publication is in Dutch, a news
    headline in its own language): translating them would put words in a source's mouth.
    """
    facts = view.get("facts") or {}
    if language != "nl":
        return str(view["title"])
    if facts.get("kind") == "score" and facts.get("score"):
        score = facts["score"]
        scope = f" ({score['category']})" if score.get("category") else ""
        what = wording.label("score", score.get("kind"), "nl")
        before, now = wording.label("band", score.get("previous_band") or "", "nl"), wording.label("band", score.get("band"), "nl")
        return f"{facts.get('supplier')}: {what} {before} → {now}{scope}"
    if facts.get("kind") == "horizon" and facts.get("contract"):
        contract = facts["contract"]
        return (f"Contract {contract['ref']} ({facts.get('supplier')}) loopt af op {contract['end_date']} "
                "in een geconcentreerde markt")
    return str(view["title"])


def render_alert(alert: Any, *, fmt: str = "markdown", language: str = "en", synthetic: bool = False,
                 link: str | None = None) -> Message:
    """One alert's message: the title line and a body in ``fmt`` ("markdown", "html", "text").

    ``link`` is the alert's page in the web workspace, where the manager acts on it.
    """
    view = alert_view(alert, language)
    view["title"] = localized_title(view, language)
    texts = _texts(language)
    body = _environments()[fmt].get_template(f"alert.{FORMATS[fmt]}.j2").render(
        a=view, t=texts, language=language, synthetic=synthetic, link=link
    )
    return Message(title=_title(view, texts), body=body, format=fmt)


def render_digest(alerts: Sequence[Any], *, period: str, fmt: str = "markdown", language: str = "en",
                  synthetic: bool = False) -> Message:
    """Several alerts in one message (a daily or weekly digest), most severe first."""
    rank = {"critical": 0, "warning": 1, "info": 2}
    views = sorted(({**(v := alert_view(a, language)), "title": localized_title(v, language)} for a in alerts),
                   key=lambda v: (rank.get(v["severity"], 3), v["title"]))
    texts = _texts(language)
    body = _environments()[fmt].get_template(f"digest.{FORMATS[fmt]}.j2").render(
        alerts=views, t=texts, period=period, language=language, synthetic=synthetic,
        count_text=wording.n_alerts(len(views), language),
    )
    title = f"{texts['digest']} ({texts['digest_' + period]}): {wording.n_alerts(len(views), language)}"
    return Message(title=title, body=body, format=fmt)


def _title(view: Mapping[str, Any], texts: Mapping[str, str]) -> str:
    """Titles go to every channel as plain text (mail subjects, chat headers): no markup at all."""
    title = _TITLE_MARKUP.sub("", _CONTROL.sub("", str(view["title"])).replace("\n", " "))
    return f"[{texts['severity.' + view['severity']]}] {title}"[:250]
