"""Figures in the reader's language: a Dutch reader takes "1,000 gunningen" for one award and a bit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reference.figures import figure, in_dutch


@pytest.mark.parametrize(("value", "spec", "en", "nl"), [
    (0.999, "", "0.999", "0,999"),
    (5.9, "", "5.9", "5,9"),
    (1065, ",", "1,065", "1.065"),
    (-0.048, "+.2f", "-0.05", "-0,05"),
    (Decimal("2722000.5"), ",.0f", "2,722,000", "2.722.000"),
    (12345.678, ",.2f", "12,345.68", "12.345,68"),
])
def test_a_figure_in_each_language(value: object, spec: str, en: str, nl: str) -> None:
    assert (figure(value, "en", spec), figure(value, "nl", spec)) == (en, nl)


def test_running_text_gets_its_figures_in_dutch_and_nothing_else() -> None:
    assert in_dutch("geleerd van 1,000 gunningen (1,065 winnaars)") == "geleerd van 1.000 gunningen (1.065 winnaars)"
    assert in_dutch("12.3% van de bedrijven (kansverhouding x2.66; gewicht 0.90)") == (
        "12,3% van de bedrijven (kansverhouding x2,66; gewicht 0,90)")
    assert in_dutch("verhouding -0.05.") == "verhouding -0,05."  # a full stop after a figure is the sentence's
    # dates, whole numbers, case numbers, versions and addresses stay as they are
    same = "op 2026-10-20 van 7 naar 2, zaak F.16/26/213, sklearn-1.5.2, v1.5, 127.0.0.1, 15:46"
    assert in_dutch(same) == same
