"""Dutch and English for the web workspace: a small catalogue in code, no gettext binaries.

Each person reads their own language (``web.core.translator``): their account's choice, else
their routing entry's, else ``settings.language`` (the server's, also used before sign-in). A key
missing from the chosen language falls back to English; ``tests/store/test_web_store.py`` keeps the two
catalogues in step. Values are filled in with ``str.format`` before Jinja escapes the result.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from reference.figures import figure
from web.texts_en import EN
from web.texts_nl import NL

LANGUAGES = ("en", "nl")

CATALOGUES = {"en": EN, "nl": NL}


class Translator:
    """``t("key", name=...)`` in templates and handlers; numbers and dates the reader's way."""

    def __init__(self, language: str) -> None:
        self.language = language if language in CATALOGUES else "en"
        self._catalogue = CATALOGUES[self.language]

    def __call__(self, key: str, **values: object) -> str:
        text = self._catalogue.get(key) or EN.get(key) or key
        return text.format(**values) if values else text

    def money(self, value: Decimal | float | int | None, currency: str = "EUR") -> str:
        if value is None:
            return "–"
        text = figure(Decimal(value), self.language, ",.0f")
        return f"{currency} {text}" if currency != "EUR" else f"€ {text}"

    def number(self, value: float | None, digits: int = 0) -> str:
        if value is None:
            return "–"
        return figure(value, self.language, f",.{digits}f")

    def figure(self, value: object) -> str:
        """A figure of an alert's facts as stored ("0.999", "5.9"), written the reader's way ("0,999"); text as it is."""
        if value is None:
            return "–"
        if isinstance(value, int | float) and not isinstance(value, bool):
            return figure(value, self.language)
        return str(value)

    def signed(self, value: object, digits: int = 2) -> str:
        """A contribution to a score: "+0.41", "-0.16"; text as it is; nothing for None."""
        if value is None:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return ("+" if value > 0 else "") + self.number(float(value), digits) if value else self.number(0.0, digits)
        return str(value)

    def pct(self, value: float | None) -> str:
        return "–" if value is None else f"{self.number(value * 100)}%"

    def word(self, value: object) -> str:
        """A state, severity or band as stored ("snoozed", "critical") in the reader's words; other text as it is."""
        if value is None or value == "":
            return ""
        for group in ("state", "severity", "band"):
            text = self._catalogue.get(f"{group}.{value}") or (EN.get(f"{group}.{value}") if self.language == "en" else None)
            if text:
                return text
        return str(value)

    def reason(self, text: object) -> str:
        """A score reason (our models write English) in the reader's language, as the alert messages word it."""
        from alerts.wording import reason_text

        return reason_text(str(text or ""), self.language)

    def phrase(self, text: object) -> str:
        """A note our code wrote in English (market scans, exclusions) in the reader's language."""
        from alerts.wording import phrase

        return phrase(str(text or ""), self.language)

    def label(self, group: str, key: object) -> str:
        """Our word for a source, event kind, market band... (``alerts.wording.LABELS``) in the reader's language."""
        from alerts.wording import label

        return label(group, key, self.language)

    def day(self, value: date | datetime | str | None) -> str:
        if value is None or value == "":
            return "–"
        if isinstance(value, str):
            return value
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return value.isoformat()
