"""Builds the demo bundle (``demo/data``): the synthetic world in the real APIs' formats.

    python -m demo.build [--seed N] [--out DIR]

The bundle is committed, so the demo and the tests never need to generate it; rebuilding with the same
seed gives the same bytes (fixed zip timestamps, sorted JSON keys, a stable order), so a rebuild shows
up in a diff only when the world or a renderer really changed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from demo.render_api import ted_search_item, tenderned_detail, tenderned_summary
from demo.render_eforms import render_eforms
from demo.render_r209 import render_r209
from demo.world import CATEGORIES, DEFAULT_SEED, EFORMS_FROM, Publication, World, build_world, hhi_by_category
from models.collector_pause import collector_paused

DATA_DIR = Path(__file__).resolve().parent / "data"
TED_INDEX = "ted-search-index.json"
TED_NOTICES = "ted-notices.zip"
TENDERNED_PUBLICATIONS = "tenderned-publications.json"
TENDERNED_DETAILS = "tenderned-details.json"
TENDERNED_XML = "tenderned-public-xml.zip"
WORLD = "world.json"
OWN_DATA = "own_data"
#: Points the replay at another bundle (a scaled world in a temporary folder); unset: the committed one.
BUNDLE_ENV = "SUPPLYRADAR_DEMO_BUNDLE"
_ZIP_TIME = (2026, 11, 1, 0, 0, 0)


def bundle_dir() -> Path:
    """The bundle the replay serves: ``$SUPPLYRADAR_DEMO_BUNDLE`` when set (``supplyradar demo --scale N``
    builds one there), else the committed ``demo/data``."""
    override = os.environ.get(BUNDLE_ENV)
    return Path(override) if override else DATA_DIR


def bundle_part(name: str, marker: str | None = None) -> Path:
    """The folder ``name`` of the bundle being served when it has one (holding ``marker``, when given), else the
    committed bundle's: a scaled world brings its own news and own data, an older bundle may not."""
    folder = bundle_dir() / name
    found = folder / marker if marker else folder
    return folder if found.exists() else DATA_DIR / name


def own_data_dir() -> Path:
    """Our spend export and contract register for the bundle being served: a scaled bundle carries its own
    (N times ours, ``demo.build_own_data``); else, or when the bundle has none, the committed ones."""
    return bundle_part(OWN_DATA)


def notice_xml(notice: Publication, world: World) -> bytes:
    """The document a source serves for a notice: legacy R2.0.9 on TED before the eForms switch, else eForms."""
    return render_r209(notice, world) if notice.format == "ted-r209" else render_eforms(notice, world)


def build_bundle(out: Path = DATA_DIR, seed: int = DEFAULT_SEED, scale: int = 1) -> dict[str, int]:
    """Write the whole bundle for one seed into ``out``; returns the counts the README states.

    ``scale`` > 1 writes a world that many times as large (``demo.world.build_world``), for the scale
    benchmark and ``supplyradar demo --scale N``; such a bundle goes to a temporary folder, never over
    the committed one.
    """
    # A build allocates records, strings and dicts by the hundred thousand and makes no reference cycles, yet the
    # cyclic collector ran ~1,000 times in a scale-16 build, walking the growing world: an eighth of its CPU.
    with collector_paused():
        return _build_bundle(out, seed, scale)


def _build_bundle(out: Path, seed: int, scale: int) -> dict[str, int]:
    world = build_world(seed, scale)
    out.mkdir(parents=True, exist_ok=True)
    ted = sorted(world.ted_notices(), key=lambda n: (n.published, n.key))
    _write_json_lines(out / TED_INDEX, [ted_search_item(n, world) for n in ted])
    # the committed bundle is packed hard (it is in git); a scaled one lives for one run in a temporary folder:
    # stored, as deflating ~1 GB of XML at scale 54 costs more CPU than the rest of the build (and reading it back)
    level = 9 if scale == 1 else None
    # Documents are rendered as they are zipped, not all held at once (100,000 notices are ~1 GB of XML);
    # only those TenderNed serves too are kept for its zip.
    shared: dict[str, bytes] = {}

    def ted_document(notice: Publication) -> bytes:
        document = notice_xml(notice, world)
        if notice.tenderned_id:
            shared[notice.key] = document
        return document

    _write_zip(out / TED_NOTICES, ((f"{n.ted_number}.xml", ted_document(n)) for n in ted), level)
    tenderned = sorted(world.tenderned_notices(), key=lambda n: (n.tenderned_date, n.tenderned_id))
    _write_json_lines(out / TENDERNED_PUBLICATIONS, [tenderned_summary(n, world) for n in tenderned])
    details = {n.tenderned_id: tenderned_detail(n, world) for n in tenderned}
    _write_json_lines(out / TENDERNED_DETAILS, details)
    # A European notice on TenderNed is the very document TED serves: same bytes, same UUID and number.
    _write_zip(out / TENDERNED_XML, ((f"{n.tenderned_id}.xml", shared.pop(n.key, None) or notice_xml(n, world))
                                     for n in tenderned), level)
    _write_json_lines(out / WORLD, world.to_json())
    counts = world_counts(world)
    if scale != 1:  # the committed news is copy 1's; each further copy brings its own (demo.scale_news)
        from demo.scale_news import build_scaled_news

        counts["news_items"] = build_scaled_news(out / "news", world, seed, scale)
    _write_samples(out / "samples", world)
    readme = _readme(world, counts)
    if scale != 1:
        readme = readme.replace("with seed **", f"at scale **{scale}** (N copies of the buyers and suppliers, N times "
                                "the notices, and from copy 2 on a long tail of small firms that mostly bid and lose; "
                                "copy c's invented names end in \" c\") with seed **", 1)
    (out / "README.md").write_text(readme, encoding="utf-8")
    if scale != 1:  # our spend and contracts grow with the world (the committed ones are copy 1's)
        from demo.build_own_data import build_own_data

        own = build_own_data(out / OWN_DATA, seed, scale, world=world)
        counts |= {"our_contracts": int(own["contracts"]), "our_spend_lines": int(own["spend_rows"])}  # type: ignore[call-overload]
    return counts


def _write_json_lines(path: Path, data: list[Any] | dict[str, Any]) -> None:
    """JSON with one record per line (list items, or top-level keys whose lists are spread the same way):
    small enough to commit, and readable in a diff."""
    dump = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode  # one encoder, not one per record
    spread = lambda items: "[\n" + ",\n".join(dump(item) for item in items) + "\n]"  # noqa: E731
    if isinstance(data, dict):
        body = ",\n".join(f"{dump(key)}: {spread(value) if isinstance(value, list) else dump(value)}"
                          for key, value in sorted(data.items()))
        text = "{\n" + body + "\n}"
    else:
        text = spread(data)
    path.write_text(text + "\n", encoding="utf-8")


def _write_zip(path: Path, entries: Iterable[tuple[str, bytes]], level: int | None = 9) -> None:
    """A zip with fixed timestamps and modes; deflated at ``level``, or stored uncompressed when it is None."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if level is None else zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=level)


def _write_samples(folder: Path, world: World) -> None:
    """A few unzipped documents for people to read: a legacy and an eForms award, a national one."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    richest = lambda n: (n.lotted, any(len(lot.winners) > 1 for lot in n.lots), n.key)  # noqa: E731
    awards = [n for n in world.notices if n.kind == "can"]
    legacy = max((n for n in awards if n.format == "ted-r209"), key=richest)
    eforms = max((n for n in awards if n.format == "eforms" and n.ted_number and n.tenderned_id), key=richest)
    national = max((n for n in awards if n.channel == "national"), key=richest)
    for name, notice in ((f"ted-r209-{legacy.ted_number}.xml", legacy), (f"eforms-{eforms.ted_number}.xml", eforms),
                         (f"tenderned-national-{national.tenderned_id}.xml", national)):
        (folder / name).write_bytes(notice_xml(notice, world))


def world_counts(world: World) -> dict[str, int]:
    """The counts the README states (and the scale benchmark reports). ``suppliers``: the organisations that won or
    bid (a losing tender, in a scaled world's long tail); ``suppliers_listed``: the world's list, which also holds
    the few that never won."""
    ted = world.ted_notices()
    tendered = {s for _, lot in world.awards() for s in (*lot.winners, *lot.losers)}
    return {
        "buyers": len(world.buyers),
        "suppliers": len(tendered),
        "suppliers_listed": len(world.suppliers),
        "losing_tenders": sum(len(lot.losers) for _, lot in world.awards()),
        "ted_award_notices": sum(1 for n in ted if n.kind == "can"),
        "ted_contract_notices": sum(1 for n in ted if n.kind == "cn"),
        "ted_legacy": sum(1 for n in ted if n.format == "ted-r209"),
        "ted_eforms": sum(1 for n in ted if n.format == "eforms"),
        "tenderned_national": sum(1 for n in world.tenderned_notices() if n.channel == "national"),
        "tenderned_european": sum(1 for n in world.tenderned_notices() if n.channel == "ted"),
        "awards": sum(1 for _ in world.awards()),
    }


def _readme(world: World, counts: dict[str, int]) -> str:
    index = hhi_by_category(world)
    rows = "\n".join(f"| {c.key} | {c.label} | {index[c.key]:.3f} |" for c in CATEGORIES)
    return f"""# supplyradar demo bundle — SYNTHETIC DATA

Everything in this folder is **synthetic**: generated by `demo.world` with seed **{world.seed}**.
Every buyer, supplier, town, name and number is invented; any resemblance to a real organisation is
coincidental. Notices carry the comment "SYNTHETIC demo notice ... not a real publication". The NUTS areas
and CPV codes are the real code lists.

The data is rendered in the real formats of the real APIs and served by `demo.replay`
(an httpx transport), so the demo runs exactly the code that runs against TED and TenderNed.

Rebuild (byte for byte the same for the same seed):

    python -m demo.build            # seed {DEFAULT_SEED}, into this folder
    python -m demo.build --seed 7 --out /tmp/demo-bundle

## Contents

| file | what |
|---|---|
| `{TED_INDEX}` | TED Search API v3 items, one per notice, by publication date |
| `{TED_NOTICES}` | `<publication-number>.xml` per TED notice: TED XML R2.0.9 (F03/F02) before {EFORMS_FROM}, \
eForms UBL (subtypes 29 and 16) from then on |
| `{TENDERNED_PUBLICATIONS}` | TenderNed TNS v2 list items (AGO award publications) |
| `{TENDERNED_DETAILS}` | publicatieId -> detail (with `cpvCodes` and `kenmerk`) |
| `{TENDERNED_XML}` | `<publicatieId>.xml`: the public XML; European ones are the identical document TED serves |
| `{WORLD}` | the world's buyers and suppliers (with market entries and exits), for later features |
| `samples/` | a few of the documents, unzipped, to read |

## Counts

- {counts["buyers"]} buyers, {counts["suppliers_listed"]} suppliers, {counts["awards"]} awarded lots
- TED: {counts["ted_award_notices"]} contract award notices and {counts["ted_contract_notices"]} contract notices
  ({counts["ted_legacy"]} legacy R2.0.9, {counts["ted_eforms"]} eForms), 2019-01 to 2026-10
- TenderNed: {counts["tenderned_national"]} national award notices (below the EU thresholds, never on TED) and
  {counts["tenderned_european"]} European ones that are also on TED (same notice UUID and publication number)

## Concentration by category (HHI by awarded value, 0-1)

| CPV | category | HHI |
|---|---|---|
{rows}

By design: electricity has three suppliers, software two or three dominant vendors, IT services a few large
integrators and a long tail, cleaning national players next to regional ones, consultancy and construction
are fragmented (construction regionally). Incumbents tend to win a buyer's next tender; some suppliers enter
the market after 2019 and a few stop winning (`active_until` in `{WORLD}`).

## Good to know

- Joint winners are a consortium: one tender with several tenderers (eForms `efac:TenderingParty` with
  `efac:Tenderer`s, legacy `AWARDED_TO_GROUP`), so a lot's value is one number; statistics split it equally.
- National TenderNed notices are eForms subtype E4 (`RegulatoryDomain` "other", no `efac:Publication`), also
  before the 2023 eForms switch: a simplification, so every public XML is one parseable format.
- The TenderNed list is newest first; the detail names fields differently from the list (`aankondigingCode`,
  `procedureCode`, `typeOpdrachtCode`, id as a number), as the real API does.
- The replay serves the world as of 2026-11-01 by default (`demo_transport(today=...)` to go back in time).
- The ground truth is code: `demo.world.build_world(seed).awards()`.
- This README is generated by `demo.build`; edit the generator, not this file.
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the synthetic demo bundle.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    parser.add_argument("--scale", type=int, default=1, help="N times the default world (benchmarks only)")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error(f"--scale must be a positive whole number, not {args.scale}")
    if args.scale != 1 and args.out.resolve() == DATA_DIR:
        parser.error("a scaled world goes to its own --out folder, not over the committed bundle")
    counts = build_bundle(args.out, args.seed, args.scale)
    print(f"demo bundle (seed {args.seed}, scale {args.scale}) written to {args.out}: {counts}")


if __name__ == "__main__":
    main()
