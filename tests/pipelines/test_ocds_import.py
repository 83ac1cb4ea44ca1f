"""OCDS import: packages, records, JSON Lines, gzip; merging; any scheme; amendments; bad entries; idempotence."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from config.settings import Settings
from connectors import ocds
from connectors.ocds_read import OcdsFileError, iter_entries
from connectors.records import Award, Notice, Party
from pipelines.import_ocds import import_ocds
from store.db import Store
from store.notices import save_notices
from store.queries import award_facts, modification_facts
from store.schema import Notice as NoticeRow
from store.schema import NoticeCpv, QuarantinedRecord
from store.schema.bids import Bid as BidRow
from tests.conftest import FIXTURES

HERE = FIXTURES / "ocds"
PACKAGE = HERE / "release_package.json"
RECORDS = HERE / "record_package.json"
LINES = HERE / "releases.jsonl"


def _mapped(path: Path) -> dict[str, Notice]:
    """Every process of a file mapped without the store (releases grouped by ocid in memory: fixtures are small)."""
    groups: dict[str, list] = {}
    for entry in iter_entries(path):
        groups.setdefault(entry.data.get("ocid") or entry.data["compiledRelease"]["ocid"], []).append(entry)
    notices = {}
    for ocid, entries in groups.items():
        records = [e.data for e in entries if e.kind == "record"]
        if records and "compiledRelease" in records[-1]:
            releases, compiled = ocds.full_releases(records[-1]), records[-1]["compiledRelease"]
        else:
            releases = ocds.full_releases(records[-1]) if records else [e.data for e in entries]
            compiled = ocds.compile_releases(releases, where=str(path), record=ocid)
        mapped = ocds.notice_from_process(compiled, releases, where=str(path), record=ocid, publisher=entries[0].publisher)
        notices[ocid] = mapped.notice
    return notices


def _rows(store: Store) -> dict[str, NoticeRow]:
    with store.session() as session:
        rows = session.scalars(select(NoticeRow).where(NoticeRow.source == "ocds")).all()
        session.expunge_all()
        return {row.notice_id: row for row in rows}


# --- Mapping ---------------------------------------------------------------------------------


def test_uncompiled_releases_are_merged_per_ocid_and_only_active_awards_count() -> None:
    notice = _mapped(PACKAGE)["ocds-test01-1001"]
    assert (notice.kind, notice.published, notice.title, notice.procedure_type) == (
        "award", date(2024, 2, 28), "Schoonmaak gemeentehuis", "Openbare procedure")
    assert notice.buyer == Party("Gemeente Voorbeeldstad", "NL", "11111111", "Voorbeeldstad", "1234 AB")
    assert (notice.category_scheme, notice.cpv_main, notice.cpv) == ("CPV", "90910000", ("90910000", "90911200", "90919200"))
    assert [(lot.lot_id, lot.cpv) for lot in notice.lots] == [("LOT-1", ("90910000", "90911200")), ("LOT-2", ("90919200",))]
    # A-2 is pending: not an award.
    assert notice.awards == (Award(
        lot="LOT-1", winners=(Party("Schoon B.V.", "NL", "12345678", "Utrecht", "3511 AA"),),
        value=Decimal("100000"), currency="EUR", tenders_received=2, contract_id="A-1",
    ),)


def test_bids_won_and_lost_and_tenderers_with_kvk_numbers() -> None:
    bids = _mapped(PACKAGE)["ocds-test01-1001"].bids
    assert [(b.tender_id, b.lot, b.tenderers[0].name, b.tenderers[0].company_id, b.won, b.value) for b in bids] == [
        ("BID-1", "LOT-1", "Schoon B.V.", "12345678", True, Decimal("100000")),
        ("BID-2", "LOT-1", "Poets B.V.", "87654321", False, Decimal("120000")),
        # LOT-2's only award is pending: nobody has won it yet. "0123.4567" is a KvK number without its leading zero.
        ("BID-3", "LOT-2", "Glans Facilitair", "01234567", None, None),
    ]


def test_contract_amendments_are_modifications_with_values_before_and_after() -> None:
    (change,) = _mapped(PACKAGE)["ocds-test01-1001"].modifications
    assert (change.contract_id, change.lot, change.original_notice) == ("C-1", "LOT-1", "ocds-test01-1001")
    assert (change.value_before, change.value_after, change.currency) == (Decimal("100000"), Decimal("115000"), "EUR")
    assert (change.reason, change.description) == ("Extra locaties", "Twee wijkkantoren toegevoegd")
    assert [c.name for c in change.contractors] == ["Schoon B.V."]


def test_a_ted_link_and_a_foreign_supplier() -> None:
    notice = _mapped(PACKAGE)["ocds-test01-1002"]
    assert notice.same_as == ("ocid:ocds-test01-1002", "ted:123456-2024")
    (award,) = notice.awards
    assert (award.value, award.currency, award.lot) == (Decimal("48000.5"), "EUR", "1")
    assert award.winners == (Party("Software GmbH", "DE", "HRB 1234", "Bonn", None),)


def test_records_compiled_or_not_and_a_scheme_other_than_cpv() -> None:
    notices = _mapped(RECORDS)
    unspsc = notices["ocds-test02-2001"]
    assert (unspsc.category_scheme, unspsc.cpv_main, unspsc.cpv) == ("UNSPSC", "43211503", ("43211503", "43211507"))
    assert [(a.contract_id, a.value, a.currency) for a in unspsc.awards] == [("AW-1", Decimal("25000"), "CAD")]
    merged = notices["ocds-test02-2002"]  # a record without compiledRelease: its releases merged
    assert (merged.title, merged.buyer.name, merged.cpv_main, merged.published) == (
        "Kassasystemen restaurant", "Ziekenhuis Voorbeeld", "30141000", date(2023, 6, 10))
    assert [(w.name, w.company_id) for a in merged.awards for w in a.winners] == [("Kassa Systemen B.V.", "23456789")]


def test_gzip_reads_like_the_plain_file() -> None:
    plain = _mapped(PACKAGE)
    assert _mapped(HERE / "release_package.json.gz") == plain and len(plain) == 2


def test_merging_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import jsonref
    import requests

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access")

    monkeypatch.setattr(requests, "get", refuse)
    monkeypatch.setattr(jsonref, "load_uri", refuse)
    ocds.merger.cache_clear()
    try:
        assert _mapped(PACKAGE)["ocds-test01-1001"].awards[0].contract_id == "A-1"
    finally:
        ocds.merger.cache_clear()


# --- Import into the store ---------------------------------------------------------------------


def test_import_stores_notices_awards_and_keeps_other_schemes_out_of_cpv_queries(store: Store) -> None:
    report = import_ocds(store, [PACKAGE, RECORDS])
    assert (report.entries_read, report.processes, report.notices_added, report.awards_added) == (7, 4, 4, 4)
    assert not report.rejected and not report.failed_files
    rows = _rows(store)
    assert (rows["ocds-test02-2001"].category_scheme, rows["ocds-test02-2001"].cpv_main) == ("UNSPSC", None)
    assert rows["ocds-test02-2001"].category_codes == ["43211503", "43211507"]
    assert (rows["ocds-test01-1001"].category_scheme, rows["ocds-test01-1001"].cpv_main) == ("CPV", "90910000")
    with store.session() as session:
        assert session.scalars(select(NoticeCpv.code).where(NoticeCpv.notice_pk == rows["ocds-test02-2001"].id)).all() == []
        # UNSPSC 43211503 looks like a CPV code of division 43: it must not show up in a CPV market scan.
        assert award_facts(session, "432") == []
        facts = {f.notice_id: f for f in award_facts(session, "909")}
    assert facts["ocds-test01-1001"].value == Decimal("100000")
    assert [w.name for w in facts["ocds-test01-1001"].winners] == ["Schoon B.V."]


def test_bids_and_amendments_are_stored_and_amendments_are_never_awards(store: Store) -> None:
    import_ocds(store, [PACKAGE])
    with store.session() as session:
        bids = session.scalars(select(BidRow).order_by(BidRow.seq)).all()
        assert [(b.tender_id, b.lot_id, b.won, b.value) for b in bids] == [
            ("BID-1", "LOT-1", True, Decimal("100000")), ("BID-2", "LOT-1", False, Decimal("120000")),
            ("BID-3", "LOT-2", None, None)]
        (change,) = modification_facts(session, "909")
        awards = [f for f in award_facts(session, "909")]
    assert (change.notice_id, change.contract_id, change.value_before, change.value_after, change.reason) == (
        "ocds-test01-1001", "C-1", Decimal("100000"), Decimal("115000"), "Extra locaties")
    assert change.original_found and [c.name for c in change.contractors] == ["Schoon B.V."]
    assert [(a.notice_id, a.value) for a in awards] == [("ocds-test01-1001", Decimal("100000"))]


def test_bad_entries_are_quarantined_with_file_line_and_field_and_the_rest_goes_on(store: Store) -> None:
    report = import_ocds(store, [LINES])
    assert (report.entries_read, report.processes) == (5, 3)  # six lines, one of them empty; two without ocid or JSON
    assert {r.notice_id for r in _rows(store).values()} == {"ocds-test03-3001", "ocds-test03-3002"}
    with store.session() as session:
        quarantined = {(q.location, q.record_key, q.field) for q in session.scalars(select(QuarantinedRecord))}
    assert quarantined == {
        (str(LINES), "releases.jsonl line 2", "(entry)"),
        (str(LINES), "releases.jsonl line 3", "ocid"),
        (str(LINES), "releases.jsonl line 6, ocid ocds-test03-3003", "releases[0].date"),
    }
    assert len(report.rejected) == report.rejected_total == 3
    # An amount in an unknown currency: the award is kept, its value is unknown (not zero), with a warning.
    (warning,) = report.warnings
    assert (warning.field, warning.record) == ("awards[0].value.currency", "releases.jsonl line 5, ocid ocds-test03-3002")
    with store.session() as session:
        facts = {f.notice_id: f for f in award_facts(session, "")}
    assert (facts["ocds-test03-3001"].value, facts["ocds-test03-3001"].currency) == (Decimal("2500000"), "EUR")
    assert "ocds-test03-3002" not in facts  # no CPV code at all: not in a CPV scan, but stored
    assert _rows(store)["ocds-test03-3002"].kind == "award"


def test_reimport_changes_nothing(store: Store) -> None:
    first = import_ocds(store, [PACKAGE, RECORDS, LINES])
    second = import_ocds(store, [PACKAGE, RECORDS, LINES])
    assert first.notices_added == 6
    assert (second.notices_added, second.notices_updated, second.duplicates_skipped, second.awards_added) == (0, 0, 6, 0)
    with store.session() as session:
        assert {q.attempts for q in session.scalars(select(QuarantinedRecord))} == {2}


def test_the_same_award_from_ted_and_ocds_is_counted_once(store: Store) -> None:
    ted = Notice(
        notice_id="123456-2024", format="ted-r209", notice_type="Contract award notice", subtype="F03", kind="award",
        published=date(2024, 1, 31), buyer=Party("Gemeente Voorbeeldstad", "NL"), cpv_main="48000000", cpv=("48000000",),
        awards=(Award(lot="1", winners=(Party("Software GmbH", "DE"),), value=Decimal("48000.50"), currency="EUR"),),
    )
    with store.session() as session, session.begin():
        save_notices(session, [ted])
    import_ocds(store, [PACKAGE])
    with store.session() as session:
        facts = [f for f in award_facts(session, "48") if f.value == Decimal("48000.5")]
    assert [(f.source, f.notice_id) for f in facts] == [("ted", "123456-2024")]
    assert _rows(store)["ocds-test01-1002"].duplicate_of_id is not None


def test_a_file_broken_halfway_keeps_what_was_read_and_is_named(store: Store, tmp_path: Path) -> None:
    text = PACKAGE.read_text(encoding="utf-8")
    cut = tmp_path / "cut.json"
    cut.write_text(text[: text.index('"1001-contract"')], encoding="utf-8")
    report = import_ocds(store, [cut])
    assert "broken JSON" in report.failed_files[str(cut)]
    assert set(_rows(store)) == {"ocds-test01-1001", "ocds-test01-1002"}
    with pytest.raises(OcdsFileError, match="no releases or records"):
        (tmp_path / "empty.json").write_text(json.dumps({"publisher": {"name": "x"}}), encoding="utf-8")
        list(iter_entries(tmp_path / "empty.json"))


def test_command_imports_and_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from supplyradar.cli import app
    from supplyradar.commands import ocds as command

    monkeypatch.setattr(command, "console", Console(width=250))
    monkeypatch.setenv("SUPPLYRADAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SUPPLYRADAR_CONFIG", str(tmp_path / "none.toml"))
    result = CliRunner().invoke(app, ["import", "ocds", str(PACKAGE), str(LINES)])
    assert result.exit_code == 0, result.output
    assert "rejected: " in result.output and "line 3, field ocid" in result.output
    assert "awards[0].value.currency" in result.output
    with Store(Settings(_env_file=None).resolved_database_url) as store:
        assert set(_rows(store)) == {"ocds-test01-1001", "ocds-test01-1002", "ocds-test03-3001", "ocds-test03-3002"}
    missing = CliRunner().invoke(app, ["import", "ocds", str(tmp_path / "nope.json")])
    assert missing.exit_code == 1 and "not found" in missing.output


def test_bare_arrays_and_json_lines_of_records_or_packages(tmp_path: Path) -> None:
    package = json.loads(PACKAGE.read_text(encoding="utf-8"))
    records = json.loads(RECORDS.read_text(encoding="utf-8"))
    array = tmp_path / "array.json"
    array.write_text(json.dumps(package["releases"], indent=1), encoding="utf-8")
    lines = tmp_path / "records.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in records["records"]) + "\n", encoding="utf-8")
    packages = tmp_path / "packages.json"  # line-delimited packages, named .json: recognised by content
    packages.write_text(json.dumps(package) + "\n" + json.dumps(package) + "\n", encoding="utf-8")
    assert [(e.kind, e.position) for e in iter_entries(array)][:2] == [("release", "[0]"), ("release", "[1]")]
    assert [(e.kind, e.position) for e in iter_entries(lines)] == [("record", "line 1"), ("record", "line 2")]
    entries = list(iter_entries(packages))
    assert len(entries) == 10 and entries[5].position == "line 2 releases[0]"
    assert entries[0].publisher == "Voorbeeld Aanbestedingsplatform"
    assert _mapped(array) == _mapped(PACKAGE)


def test_a_notice_the_database_refuses_is_quarantined_and_the_batch_goes_on(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import DataError

    import pipelines.import_ocds as pipeline

    real = pipeline.save_notices

    def refusing(session, notices):
        if any(n.notice_id == "ocds-test01-1002" for n in notices):
            raise DataError("INSERT ...", {}, ValueError("value too long for type character varying(20)"))
        return real(session, notices)

    monkeypatch.setattr(pipeline, "save_notices", refusing)
    report = import_ocds(store, [PACKAGE])
    assert set(_rows(store)) == {"ocds-test01-1001"}
    (error,) = report.rejected
    assert error.record == "release_package.json releases[1], ocid ocds-test01-1002"
    assert "the store refused it: ValueError: value too long" in error.reason
    assert (report.notices_added, report.awards_added) == (1, 1)


def test_a_kvk_identifier_makes_a_dutch_company_and_other_schemes_keep_their_id() -> None:
    compiled = {
        "ocid": "ocds-x-1", "date": "2024-05-01T00:00:00Z", "tag": ["compiled"],
        "parties": [{"id": "b", "name": "Buyer", "roles": ["buyer"]},
                    {"id": "s1", "name": "Een B.V.", "identifier": {"scheme": "NL-KVK", "id": "1234 5678"}},
                    {"id": "s2", "name": "Two Ltd", "identifier": {"scheme": "GB-COH", "id": "01234567"},
                     "address": {"country": "GB", "postalCode": "X" * 40}}],
        "buyer": {"id": "b"},
        "awards": [{"id": "1", "suppliers": [{"id": "s1"}, {"id": "s2"}, {"id": "s3"}]},
                   {"id": "2", "status": "cancelled", "suppliers": [{"id": "s1"}]}],
    }
    mapped = ocds.notice_from_process(compiled, where="x.json", record="records[0]")
    (award,) = mapped.notice.awards  # no status: an award; cancelled: not
    assert award.winners == (Party("Een B.V.", "NL", "12345678"), Party("Two Ltd", "GB", "01234567", postcode="X" * 20))
    assert [(w.field, w.record) for w in mapped.warnings] == [("awards[0].suppliers[2].name", "records[0]")]


def test_a_tender_level_classification_and_an_eforms_uuid_release_id() -> None:
    uuid = "4f1c2a9e-1b2c-4d5e-8f90-123456789abc"
    release = {
        "ocid": "ocds-x-2", "id": uuid, "date": "2024-06-01T00:00:00Z", "tag": ["award"],
        "buyer": {"name": "Council"},
        "tender": {"id": "t", "classification": {"scheme": "CPV", "id": "75240000"},
                   "additionalClassifications": [{"scheme": "CPV", "id": "79710000"}],
                   "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "79713000-5"}}]},
        "awards": [{"id": "a", "status": "active", "suppliers": [{"name": "Guard Ltd"}]}],
    }
    notice = ocds.notice_from_process(ocds.compile_releases([release], where="x", record="r"), [release],
                                      where="x", record="r").notice
    assert (notice.cpv_main, notice.cpv) == ("75240000", ("75240000", "79710000", "79713000"))
    assert notice.same_as == ("ocid:ocds-x-2", f"eforms:{uuid}")


def test_an_award_without_id_restated_by_a_later_release_counts_once() -> None:
    award = {"status": "active", "value": {"amount": 500, "currency": "EUR"}, "suppliers": [{"name": "Een B.V."}]}
    releases = [
        {"ocid": "ocds-x-3", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["award"], "buyer": {"name": "B"},
         "awards": [award]},
        {"ocid": "ocds-x-3", "id": "2", "date": "2024-02-01T00:00:00Z", "tag": ["awardUpdate"], "awards": [award]},
    ]
    compiled = ocds.compile_releases(releases, where="x", record="r")
    assert len(compiled["awards"]) == 2  # what the merge rules give for objects without id
    notice = ocds.notice_from_process(compiled, releases, where="x", record="r").notice
    assert [(a.value, a.winners[0].name) for a in notice.awards] == [(Decimal("500"), "Een B.V.")]


def test_a_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    for source in (PACKAGE, LINES):
        copy = tmp_path / source.name
        copy.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
        assert [(e.kind, e.position) for e in iter_entries(copy)] == [(e.kind, e.position) for e in iter_entries(source)]
    assert [e.position for e in iter_entries(LINES)] == ["line 1", "line 2", "line 3", "line 5", "line 6"]


def test_an_empty_package_is_no_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty_package.json"
    empty.write_text('{"publisher": {"name": "x"}, "releases": []}', encoding="utf-8")
    assert list(iter_entries(empty)) == []
