"""One meaning of "our spend": net (credit notes netted), over one stated period, the same on every screen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from config.settings import Settings
from pipelines.import_own_data import import_file, quality_report
from store.db import Store
from store.spend_period import months_before, net_spend, spend_period

ROWS = [
    "Leverancier;KvK-nummer;Categorie;CPV;Bedrag;Boekdatum;Factuurnummer",
    "Stroom B.V.;12345678;Energie;09310000;1000,00;01-06-2026;A1",
    "Stroom B.V.;12345678;Energie;09310000;-250,00;02-06-2026;A1-C",  # a credit note
    "Stroom B.V.;12345678;Energie;09310000;5000,00;01-06-2020;OLD",  # before the period
]


def test_months_before_keeps_the_day_or_the_months_last() -> None:
    assert months_before(date(2026, 11, 1), 24) == date(2024, 11, 1)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)


def test_net_spend_nets_credit_notes_over_the_period_and_the_quality_report_says_which(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "spend.csv"
    path.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        import_file(store, path, "spend", settings)
        with store.session() as session:
            period = spend_period(session, months=24, today=date(2026, 11, 1))
            assert (period.start, period.end) == (date(2024, 11, 1), date(2026, 11, 1))
            assert net_spend(session, period, prefix="0931") == Decimal("750.00")
        report = quality_report(store)
    assert report.net_spend == Decimal("5750.00")  # every booking date, the credit note netted
    assert report.total_spend == Decimal("6250.00")  # the booked volume behind the matched share
    assert "credit notes netted" in report.as_json()["spend_basis"]
