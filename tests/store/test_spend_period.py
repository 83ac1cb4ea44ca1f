"""One meaning of "our spend": net (credit notes netted), over one stated period, the same on every screen."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from alembic import command
from sqlalchemy import select, update

from config.settings import Settings
from pipelines.import_own_data import import_file, quality_report
from store.db import Store
from store.migrate import alembic_config, upgrade_to_head
from store.risk import spend_facts
from store.schema import Organisation, SpendLine
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


def test_spend_in_another_currency_is_in_no_sum_and_the_quality_report_lists_it(
    tmp_path: Path, settings: Settings
) -> None:
    """Euros and dollars are not added up: a dollar line is kept, listed, and counts nowhere; a currency cell that
    names no currency ("$") is a row issue, and its line counts nowhere either; the euro's sign is the euro."""
    path = tmp_path / "spend.csv"
    rows = [ROWS[0].replace(";Bedrag;", ";Bedrag;Valuta;"),
            "Stroom B.V.;12345678;Energie;09310000;1000,00;€;01-06-2026;A1",
            "Stroom B.V.;12345678;Energie;09310000;400,00;;03-06-2026;A2",  # an empty cell: the ledger's euros
            "Cloudy Inc.;;Software;48000000;9000,00;usd;01-07-2026;US1",
            "Cloudy Inc.;;Software;48000000;70,00;$;02-07-2026;US2",
            # (a currency that names none is a row's problem while rare, 5% of the rows at most: else the file is refused)
            *[f"Stroom B.V.;12345678;Energie;09310000;0,00;EUR;0{m}-08-2026;Z{m}" for m in range(1, 10)],
            *[f"Stroom B.V.;12345678;Energie;09310000;0,00;EUR;1{m}-08-2026;Z1{m}" for m in range(0, 9)]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        result = import_file(store, path, "spend", settings)
        with store.session() as session:
            period = spend_period(session, months=24, today=date(2026, 11, 1))
            assert net_spend(session, period) == Decimal("1400.00")
            assert net_spend(session, period, prefix="48") == Decimal("0")
        with store.session() as session, session.begin():  # every line resolved to one supplier, as scoring reads them
            supplier = Organisation(org_key="test:one", name="One", first_seen=datetime(2026, 1, 1), updated_at=datetime(2026, 1, 1))
            session.add(supplier)
            session.flush()
            session.execute(update(SpendLine).values(organisation_id=supplier.id))
        with store.session() as session:
            spend = spend_facts(session, start=period.start, end=period.end)
            # every line says who we buy from; only the euros sum (the model leaves the others' shares unknown)
            assert sorted(fact.amount for fact in spend if fact.amount and fact.in_euros) == [400.0, 1000.0]
            assert sorted((fact.currency, fact.amount) for fact in spend if not fact.in_euros) == [("USD", 9000.0),
                                                                                                  ("XXX", 70.0)]
        report = quality_report(store)
    assert result.issues["currency_invalid"] == 1
    assert (report.net_spend, report.total_spend, report.currency) == (Decimal("1400.00"), Decimal("1400.00"), "EUR")
    [foreign] = report.findings["spend rows in another currency"]
    assert foreign["supplier"] == "Cloudy Inc. (USD)" and len(foreign["rows"]) == 1
    [unreadable] = [item for item in report.findings["values that did not parse"] if item["code"] == "currency_invalid"]
    assert unreadable["column"] == "Valuta" and unreadable["value"] == "$"
    assert "Our spend: EUR 1,400.00 net" in report.totals_text()


def test_a_line_stored_with_the_euro_sign_before_revision_0022_is_in_euros_after_it_and_known_when_imported_again(
    tmp_path: Path, settings: Settings
) -> None:
    """Before, the currency cell's first three letters were stored: "€" stayed "€", and would now drop out of our
    spend. The upgrade reads it as EUR (and "$" as no currency, XXX); the row's key is unchanged, so importing the
    file again finds the row instead of adding it twice."""
    path = tmp_path / "spend.csv"
    rows = [ROWS[0].replace(";Bedrag;", ";Bedrag;Valuta;"),
            "Stroom B.V.;12345678;Energie;09310000;1000,00;€;01-06-2026;A1",
            *[f"Stroom B.V.;12345678;Energie;09310000;{m},00;EUR;0{m}-07-2026;B{m}" for m in range(1, 10)],
            *[f"Stroom B.V.;12345678;Energie;09310000;1{m},00;EUR;1{m}-07-2026;C{m}" for m in range(0, 10)]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        import_file(store, path, "spend", settings)
        with store.session() as session, session.begin():  # as the import before 0022 stored them
            session.execute(update(SpendLine).where(SpendLine.amount == Decimal("1000.00")).values(currency="€"))
            session.execute(update(SpendLine).where(SpendLine.amount == Decimal("1.00")).values(currency="$"))
        config = alembic_config()
        with store.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0021_issue20_prefix_indexes")
        upgrade_to_head(store.engine)
        with store.session() as session:
            currencies = dict(session.execute(select(SpendLine.amount, SpendLine.currency)
                                              .where(SpendLine.amount.in_([Decimal("1000.00"), Decimal("1.00")]))).all())
        assert currencies == {Decimal("1000.00"): "EUR", Decimal("1.00"): "XXX"}
        again = import_file(store, path, "spend", settings)
        assert (again.added, again.unchanged) == (0, 20)
