""""Wrong company" on an alert (``store.identity_feedback``, via ``supplyradar alerts dismiss --reason wrong-entity``):
the link by name behind a contract alert is undone with a preview and an undo; the supplier's KvK-keyed identity is
never touched, and the next resolution run creates no phantom organisation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from alerts.evaluate import Candidate
from config.settings import Settings
from pipelines.resolve_suppliers import resolve_suppliers
from store.alerts import record_candidate
from store.db import Store
from store.identity_feedback import plan_wrong_company
from store.schema import Contract, Organisation
from store.schema.alerts import AlertRow
from store.schema.own_data import MatchDecision
from supplyradar.cli import app

NOW = datetime(2026, 11, 1, tzinfo=UTC)
runner = CliRunner()


def _contract(session, ref: str, name: str, kvk: str | None) -> None:
    session.add(Contract(contract_ref=ref, source_file="contracts.xlsx", row_number=1, supplier_name=name,
                         supplier_kvk=kvk, cpv="90911200", end_date=date(2027, 1, 1), content_hash=ref, imported_at=NOW))


def _alert(session, org_id: int, ref: str) -> int:
    contract_id = session.scalar(select(Contract.id).where(Contract.contract_ref == ref))
    candidate = Candidate(
        rule_id="contract-horizon", rule_type="contract_horizon", subject=f"contract:{ref}", cause="horizon",
        occurrence=f"contract:{ref}:2027-01-01", severity="warning", title=f"Contract {ref} ends", categories=("90911200",),
        organisation_id=org_id, contract_id=contract_id,
        facts={"kind": "horizon", "supplier": "Asito B.V.", "sources": [], "actions": []},
    )
    return record_candidate(session, candidate, now=NOW, plan=lambda row: [])[1]


@pytest.fixture
def world(store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Asito B.V. (KvK 04028976): one contract with its KvK number, one linked by the name "ASITO BV" alone."""
    with store.session() as session, session.begin():
        _contract(session, "C-KVK", "Asito B.V.", "04028976")
        _contract(session, "C-NAME", "ASITO BV", None)
    resolve_suppliers(store, settings)
    with store.session() as session, session.begin():
        asito = session.scalar(select(Organisation.id).where(Organisation.org_key == "NL:id:04028976"))
        assert set(session.scalars(select(Contract.organisation_id))) == {asito}
        alerts = {"kvk": _alert(session, asito, "C-KVK"), "name": _alert(session, asito, "C-NAME")}
    monkeypatch.setenv("SUPPLYRADAR_DATABASE_URL", store.url)
    return {"asito": asito, **alerts}


def _links(store: Store) -> dict[str, int | None]:
    with store.session() as session:
        return dict(session.execute(select(Contract.contract_ref, Contract.organisation_id)).all())


def test_wrong_company_on_a_contract_linked_by_kvk_is_refused(store: Store, world: dict[str, int]) -> None:
    with store.session() as session:
        plan = plan_wrong_company(session, world["kvk"])
    assert not plan.allowed and "04028976" in plan.explanation
    result = runner.invoke(app, ["alerts", "dismiss", str(world["kvk"]), "--reason", "wrong-entity"])
    assert result.exit_code == 1 and "Refused" in result.output
    with store.session() as session:
        assert session.get(AlertRow, world["kvk"]).state == "open"
        assert session.scalars(select(MatchDecision)).all() == []


def test_wrong_company_undoes_the_name_link_with_preview_and_undo_and_no_phantom(
    store: Store, settings: Settings, world: dict[str, int]
) -> None:
    before = _links(store)
    preview = runner.invoke(app, ["alerts", "dismiss", str(world["name"]), "--reason", "wrong-entity", "--preview"])
    assert preview.exit_code == 0 and "ASITO BV" in preview.output and "Preview only" in preview.output
    assert _links(store) == before
    with store.session() as session:
        organisations = session.scalar(select(func.count()).select_from(Organisation))
        assert session.get(AlertRow, world["name"]).state == "open"

    result = runner.invoke(app, ["alerts", "dismiss", str(world["name"]), "--reason", "wrong-entity", "--by", "bob"])
    assert result.exit_code == 0, result.output
    assert _links(store) == {"C-KVK": world["asito"], "C-NAME": None}
    for _ in range(2):  # the next runs create no organisation from the rejected pair and leave the contract waiting
        summary = resolve_suppliers(store, settings)
        assert summary.organisations_created == 0
        assert _links(store) == {"C-KVK": world["asito"], "C-NAME": None}
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Organisation)) == organisations
        assert [(d.decision, d.decided_by) for d in session.scalars(select(MatchDecision))] == [("reject", "bob")]

    undone = runner.invoke(app, ["alerts", "undo-wrong-company", str(world["name"])])
    assert undone.exit_code == 0 and "relinked 1 contracts" in undone.output
    assert _links(store) == before
    with store.session() as session:
        assert session.scalars(select(MatchDecision)).all() == []
    assert runner.invoke(app, ["alerts", "undo-wrong-company", str(world["name"])]).exit_code == 1
