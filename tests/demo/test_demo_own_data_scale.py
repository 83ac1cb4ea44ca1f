"""Our own data in a scaled world (``build_own_data(out, seed, scale)``, ``demo.own_data_copies``).

A scaled world is N copies of the default one, and "us" buys in every copy, so our spend and contracts must
grow with N: copy 1's rows exactly the committed files' (first, byte for byte), then those of our buyer's copy
in copies 2..N, made the same dirty-ERP way, with numbers that stay unique, the same for the same seed; a scaled
bundle carries them and the demo chain imports them from there.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from config.settings import Settings
from demo.build import BUNDLE_ENV, DATA_DIR, OWN_DATA, build_bundle, own_data_dir
from demo.build_own_data import (
    CONTRACTS_FILE,
    OUT_DIR,
    SPEND_FILE,
    UNPARSEABLE_AMOUNTS,
    build_own_data,
    manager,
)
from demo.own_data_copies import our_buyer_copies
from demo.story import build_story
from demo.world import DEFAULT_SEED, World, build_world
from pipelines.import_own_data import import_file
from store.db import Store
from store.schema import SpendLine


@pytest.fixture(scope="module")
def two() -> World:
    return build_world(DEFAULT_SEED, scale=2)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, two: World) -> Path:
    out = tmp_path_factory.mktemp("own-x2")
    build_own_data(out, DEFAULT_SEED, 2, world=two)
    return out


def spend_rows(path: Path) -> list[list[str]]:
    lines = path.read_bytes().decode("cp1252").splitlines()[2:]  # the synthetic note and the header
    return list(csv.reader(io.StringIO("\n".join(lines)), delimiter=";"))


def register_rows(path: Path) -> list[tuple[object, ...]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return list(workbook.worksheets[0].iter_rows(min_row=3, values_only=True))
    finally:
        workbook.close()


def test_copy_one_rows_are_the_committed_files_and_come_first(folder: Path) -> None:
    committed = (OUT_DIR / SPEND_FILE).read_bytes()
    scaled = (folder / SPEND_FILE).read_bytes()
    assert scaled.startswith(committed) and len(scaled) > 1.5 * len(committed)
    ours = register_rows(OUT_DIR / CONTRACTS_FILE)
    rows = register_rows(folder / CONTRACTS_FILE)
    assert rows[: len(ours)] == ours and len(rows) > 1.5 * len(ours)


def test_copy_two_rows_are_our_buyer_copys_awards_and_its_suppliers(folder: Path, two: World) -> None:
    one = build_world(DEFAULT_SEED)
    story = build_story(DEFAULT_SEED)
    buyer = our_buyer_copies(two, one, story.our_buyer_id, 2)[2]
    assert two.buyer_by_id[buyer].name == f"{one.buyer_by_id[story.our_buyer_id].name} 2"
    awarded = Counter(w for notice, lot in two.awards() if notice.buyer_id == buyer for w in lot.winners)
    copy_two = register_rows(folder / CONTRACTS_FILE)[len(register_rows(OUT_DIR / CONTRACTS_FILE)):]
    assert len(copy_two) == sum(awarded.values())
    assert all(str(r[0]).endswith("-2") for r in copy_two)
    assert {r[3] for r in copy_two if r[3]} <= set(awarded)  # KvK numbers: the copy's winners only
    assert {r[14] for r in copy_two} == {manager(c) for c in {n.category for n, _ in two.awards() if n.buyer_id == buyer}}
    refs = [r[0] for r in register_rows(folder / CONTRACTS_FILE)]
    assert len(set(refs)) == len(refs)


def test_copy_two_spend_is_as_dirty_as_copy_one(folder: Path) -> None:
    committed = spend_rows(OUT_DIR / SPEND_FILE)
    copy_two = spend_rows(folder / SPEND_FILE)[len(committed):]
    assert len(copy_two) > 1000
    assert all(r[0].endswith("-2") and r[6].removesuffix("-C").endswith("-2") for r in copy_two)
    assert not {r[0] for r in copy_two} & {r[0] for r in committed}  # creditor numbers never shared across copies
    assert 0.2 < sum(1 for r in copy_two if not r[2]) / len(copy_two) < 0.5  # no KvK number
    assert sum(1 for r in copy_two if r[4] in UNPARSEABLE_AMOUNTS) == len(UNPARSEABLE_AMOUNTS)
    assert any(r[1].isupper() for r in copy_two) and any(r[1].endswith("(hoofdkantoor)") for r in copy_two)
    assert any(n > 1 for n in Counter(tuple(r) for r in copy_two).values())  # invoices booked twice
    assert any(r[1] == "Café De Zwaan 2" for r in copy_two)  # the copy's own local shops, off-contract
    assert any(r[4].startswith("-") for r in copy_two)  # credit notes


def test_scaled_own_data_is_the_same_for_the_same_seed(folder: Path, tmp_path: Path, two: World) -> None:
    build_own_data(tmp_path, DEFAULT_SEED, 2)  # building the world itself this time
    for name in (SPEND_FILE, CONTRACTS_FILE, "README.md"):
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name
    assert "at scale **2**" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_a_scaled_bundle_carries_its_own_data_and_the_demo_reads_it_there(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, folder: Path
) -> None:
    monkeypatch.delenv(BUNDLE_ENV, raising=False)
    assert own_data_dir() == DATA_DIR / OWN_DATA == OUT_DIR
    counts = build_bundle(tmp_path, DEFAULT_SEED, 2)
    assert (tmp_path / OWN_DATA / SPEND_FILE).read_bytes() == (folder / SPEND_FILE).read_bytes()
    assert counts["our_contracts"] == len(register_rows(folder / CONTRACTS_FILE))
    monkeypatch.setenv(BUNDLE_ENV, str(tmp_path))
    assert own_data_dir() == tmp_path / OWN_DATA
    monkeypatch.setenv(BUNDLE_ENV, str(tmp_path / "elsewhere"))  # a bundle without own data: the committed ones
    assert own_data_dir() == OUT_DIR


def test_the_scaled_files_import_whole(folder: Path, tmp_path: Path, settings: Settings) -> None:
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        contracts = import_file(store, folder / CONTRACTS_FILE, "contracts", settings)
        spend = import_file(store, folder / SPEND_FILE, "spend", settings)
        with store.session() as session:
            lines = session.scalar(select(func.count(SpendLine.id)))
    assert contracts.rows_read == len(register_rows(folder / CONTRACTS_FILE)) == contracts.added
    assert spend.rows_read == len(spend_rows(folder / SPEND_FILE))
    assert spend.issues["amount_unparsed"] == 2 * len(UNPARSEABLE_AMOUNTS)
    assert lines == spend.added > 0.9 * spend.rows_read
