"""Builds the demo organisation's own spend export and contract register (SYNTHETIC), from the world and story.

    python -m demo.build_own_data [--seed N] [--out DIR]

"Us" is ``story.our_buyer_id``. Our contracts are that buyer's awards in the world (start = the
award notice's date, end = start + 2-4 years, options to extend, the awarded value, an owner per
category ``manager.<category key>@demo.supplyradar.example``); our spend lines are monthly
invoices against those contracts from ``SPEND_FROM`` up to the story's today, plus some spend
off-contract. Like a real ERP export, the spend file is cp1252 with ``;`` and Dutch amounts, and
dirty: about 30% of rows carry no KvK number, supplier names come in variants ("TONKELING
SCHOONMAAK BV", "Tonkeling Schoonmaak B.V. (hoofdkantoor)"), some rows are duplicated, a few
amounts do not parse, some rows have no category. Two facts the other areas rely on are asserted:
one contract in a concentrated category (electricity or software) ends 4-9 months after
2026-11-01, and the contract with ``story.our_failure_id`` runs past that day. One supplier is
misspelt on a few rows so that ``supplyradar match list`` has a name to review.

Deterministic: the same seed gives the same bytes (fixed workbook dates and zip timestamps).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from connectors.contract_register import add_months
from demo.story import STORY_TODAY, build_story
from demo.world import CATEGORY_BY_KEY, DEFAULT_SEED, Lot, Publication, Supplier, World, build_world

OUT_DIR = Path(__file__).resolve().parent / "data" / "own_data"
SPEND_FILE = "spend.csv"
CONTRACTS_FILE = "contracts.xlsx"
SPEND_FROM = date(2022, 7, 1)
#: The re-tender case: a contract in a concentrated category ending this many months after today.
RETENDER_MONTHS = (4, 9)
CONCENTRATED = ("09310000", "48")
SYNTHETIC_NOTE = "SYNTHETIC demo data (supplyradar): invented organisation, suppliers and amounts; not real spend"
_FIXED_TIME = datetime(2026, 11, 1, 0, 0, 0)
#: Dutch category labels as a purchasing department writes them (config/own_data_columns.yaml maps them to CPV).
CATEGORY_LABELS = {"72": "ICT-diensten", "48": "Software", "79": "Advies", "90910000": "Schoonmaak", "45": "Bouw",
                   "09310000": "Elektriciteit"}
#: Off-contract suppliers nobody tendered: local shops and services that no notice names.
OFF_CONTRACT = (("Drukkerij Van Dommel", "Drukwerk"), ("Café De Zwaan", "Catering"), ("Bloemenhuis Elzenrade", "Representatie"),
                ("Taxicentrale Sterrenmeer", "Vervoer"), ("Koffie & Co Automaten", "Facilitair"),
                ("Opleidingsinstituut Kwintstra", "Opleidingen"), ("Vakblad Overheid & Inkoop", "Abonnementen"))
UNPARSEABLE_AMOUNTS = ("#WAARDE!", "1.234,5O", "n.t.b.", "EUR ??")
CENT = Decimal("0.01")


def manager(category: str) -> str:
    return f"manager.{category}@demo.supplyradar.example"


@dataclass(frozen=True, slots=True)
class DemoContract:
    ref: str
    title: str
    supplier: Supplier
    category: str
    cpv: str
    start: date
    end: date
    option_months: int
    option_count: int
    value: Decimal | None
    single_sourced: bool


def copy_tag(copy: int) -> str:
    """What marks copy ``copy``'s contract, invoice and creditor numbers in a scaled world's own data (unique
    across copies); nothing for copy 1, whose rows are the committed files' (see ``demo.own_data_copies``)."""
    return "" if copy == 1 else f"-{copy}"


def build_contracts(world: World, buyer_id: str, failure_id: str, rng: random.Random,
                    failed_on: dict[str, date] | None = None, *, copy: int = 1,
                    awards: Iterable[tuple[Publication, Lot]] | None = None) -> list[DemoContract]:
    """Our contracts; one with a supplier that went bankrupt ends a month later (terminated, no options),
    except the failure of October 2026, which the register has not caught up with yet.

    ``copy`` > 1: our buyer's copy in a scaled world (``demo.own_data_copies``): its numbers carry the copy's
    tag and the story's facts (the re-tender case) are left to copy 1. ``awards``: the world's awards already
    narrowed down (any superset of the buyer's, in the world's order), so N copies need not walk all N times."""
    failed_on = failed_on or {}
    contracts: list[DemoContract] = []
    tag = copy_tag(copy)
    for notice, lot in world.awards() if awards is None else awards:
        if notice.buyer_id != buyer_id:
            continue
        for winner in lot.winners:
            years = rng.choice((2, 3, 4))
            count = rng.choice((0, 1, 2, 2))
            share = lot.value / len(lot.winners) if lot.value is not None else None
            contracts.append(DemoContract(
                ref=f"CBA-{notice.published.year}-{len(contracts) + 1:04d}{tag}", title=lot.title,
                supplier=world.supplier_by_id[winner],
                category=notice.category, cpv=(lot.cpv or notice.cpv)[0], start=notice.published,
                end=add_months(notice.published, 12 * years) - timedelta(days=1), option_months=12 if count else 0,
                option_count=count, value=share.quantize(CENT) if share is not None else None,
                single_sourced=lot.tenders_received == 1,
            ))
            failed = failed_on.get(winner)
            last = contracts[-1]
            if failed and winner != failure_id and last.start <= failed < add_months(last.end, 12 * last.option_count):
                contracts[-1] = DemoContract(**{**{f: getattr(last, f) for f in DemoContract.__slots__},
                                                "end": min(last.end, failed + timedelta(days=30)), "option_count": 0,
                                                "option_months": 0})
    return _with_retender_case(contracts, failure_id) if copy == 1 else contracts


def _with_retender_case(contracts: list[DemoContract], failure_id: str) -> list[DemoContract]:
    """Make sure one concentrated-category contract ends 4-9 months after today with no options left."""
    low, high = (add_months(STORY_TODAY, m) for m in RETENDER_MONTHS)
    if any(c.category in CONCENTRATED and low <= c.end <= high for c in contracts):
        return contracts
    eligible = [c for c in contracts if c.category in CONCENTRATED and c.start.year >= 2023 and c.supplier.id != failure_id]
    chosen = max(eligible, key=lambda c: (c.category == "09310000", c.start))
    end = add_months(STORY_TODAY, 6) - timedelta(days=1)
    fixed = DemoContract(**{**{f: getattr(chosen, f) for f in DemoContract.__slots__}, "end": end, "option_count": 0,
                            "option_months": 0})
    return [fixed if c is chosen else c for c in contracts]


def _check(contracts: list[DemoContract], failure_id: str) -> DemoContract:
    low, high = (add_months(STORY_TODAY, m) for m in RETENDER_MONTHS)
    retender = [c for c in contracts if c.category in CONCENTRATED and low <= c.end <= high and not c.option_count]
    if not retender:
        raise AssertionError("no concentrated-category contract ends 4-9 months after today")
    failing = [c for c in contracts if c.supplier.id == failure_id]
    if not failing or max(add_months(c.end, c.option_count * c.option_months) for c in failing) <= STORY_TODAY:
        raise AssertionError("the failing supplier's contract must run past today")
    return retender[0]


# --- Spend --------------------------------------------------------------------------------------


def name_variant(supplier: Supplier, rng: random.Random) -> str:
    """How a clerk writes the supplier: official, shouting, without legal form, with a branch, sloppy."""
    stem = supplier.name.removesuffix(f" {supplier.legal_form}")
    roll = rng.random()
    if roll < 0.5:
        return supplier.name
    if roll < 0.68:
        return f"{stem} {supplier.legal_form.replace('.', '')}".upper()
    if roll < 0.88:
        return stem
    if roll < 0.94:
        return f"{supplier.name} (hoofdkantoor)"
    return supplier.name.rstrip(".")


def dutch_amount(value: Decimal) -> str:
    text = f"{abs(value):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"-{text}" if value < 0 else text


def dutch_date(day: date) -> str:
    """``31-12-2024``, as ``strftime("%d-%m-%Y")`` writes it, at a third of its cost (~140,000 lines at scale 54)."""
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"


def month_year(day: date) -> str:
    """``12-2024``, as ``strftime("%m-%Y")`` writes it, at a third of its cost."""
    return f"{day.month:02d}-{day.year:04d}"


def build_spend(suppliers: Sequence[Supplier], contracts: list[DemoContract], rng: random.Random,
                failed: frozenset[str] = frozenset(), *, copy: int = 1) -> list[list[str]]:
    """Our spend lines against ``contracts`` and off-contract (some of it with ``suppliers`` bought from directly),
    sorted by booking day. ``copy`` > 1: a scaled world's copy (numbers tagged, its own local shops)."""
    rows: list[list[str]] = []
    tag = copy_tag(copy)
    creditor: dict[str, str] = {}
    invoice = 0

    def line(name: str, kvk: str, category: str, amount: Decimal, day: date, description: str, contract: str,
             creditor_key: str) -> None:
        nonlocal invoice
        invoice += 1
        number = creditor.get(creditor_key)
        if number is None:  # numbered in order of first appearance; formatted only then (most lines repeat one)
            number = creditor[creditor_key] = f"CR{10000 + len(creditor) * 7:05d}{tag}"
        rows.append([number, name, kvk, category, dutch_amount(amount), dutch_date(day), f"F{day.year}-{invoice:06d}{tag}",
                     description, contract])

    today = STORY_TODAY
    for contract in contracts:
        last = min(add_months(contract.end, contract.option_count * contract.option_months), today - timedelta(days=1))
        months = max(1, (contract.end.year - contract.start.year) * 12 + contract.end.month - contract.start.month + 1)
        monthly = (contract.value or Decimal(rng.randint(20_000, 400_000))) / months
        day = max(contract.start, SPEND_FROM).replace(day=1)
        while day <= last:
            booked = day + timedelta(days=rng.randint(0, 24))
            if booked >= contract.start and booked <= last:
                amount = (monthly * Decimal(str(round(rng.uniform(0.85, 1.15), 3)))).quantize(CENT)
                label = CATEGORY_LABELS[contract.category] if rng.random() > 0.08 else ""
                supplier = contract.supplier
                kvk = supplier.id if supplier.country == "NL" and rng.random() > 0.05 else ""
                line(name_variant(supplier, rng), kvk, label, amount, booked, f"{contract.title[:60]} {month_year(booked)}",
                     contract.ref if rng.random() > 0.1 else "", supplier.id)
            day = add_months(day, 1)
    _off_contract(suppliers, rng, line, failed, copy)
    _review_case(contracts, line)
    _credit_notes(rows, rng)
    _dirt(rows, rng)
    rows.sort(key=lambda r: (r[5][6:], r[5][3:5], r[5][:2], r[6]))
    return rows


def _off_contract(suppliers: Sequence[Supplier], rng: random.Random, line, failed: frozenset[str] = frozenset(),
                  copy: int = 1) -> None:
    """Spend without a contract: small suppliers nobody tendered, and world suppliers bought from directly
    (never one that has gone bankrupt: nobody orders from a company in liquidation). Copy c > 1 of a scaled
    world has its own local shops, named like its other invented names (ending in " c")."""
    candidates = [s for s in suppliers if s.country == "NL" and s.id not in failed]
    direct = rng.sample(candidates, k=min(25, len(candidates)))
    shops = OFF_CONTRACT if copy == 1 else tuple((f"{name} {copy}", label) for name, label in OFF_CONTRACT)
    day = SPEND_FROM
    while day < STORY_TODAY:
        for name, label in shops:
            if rng.random() < 0.3:
                amount = Decimal(rng.randint(80, 4_000)) + Decimal(rng.randint(0, 99)) / 100
                line(name, "", label if rng.random() > 0.3 else "", amount, day + timedelta(days=rng.randint(0, 27)),
                     f"{label} {month_year(day)}", "", name)
        for supplier in rng.sample(direct, k=min(3, len(direct))):
            amount = Decimal(rng.randint(500, 25_000))
            category = CATEGORY_LABELS[supplier.categories[0]] if rng.random() > 0.25 else ""
            kvk = supplier.id if rng.random() > 0.15 else ""
            line(name_variant(supplier, rng), kvk, category, amount, day + timedelta(days=rng.randint(0, 27)),
                 "Losse opdracht", "", supplier.id)
        day = add_months(day, 1)


def _review_case(contracts: list[DemoContract], line) -> None:  # the line writer
    """A supplier the clerk misspells ("Braqauy" -> "Braquey"): close, not certain, so it waits for review
    (none when there is no Dutch consultancy contract, which only a scaled world's copy can lack)."""
    consultancy = [c for c in contracts if c.category == "79" and c.supplier.country == "NL"]
    if not consultancy:
        return
    contract = min(consultancy, key=lambda c: c.ref)
    brand, _, rest = contract.supplier.name.partition(" ")
    i = len(brand) // 2
    misspelt = brand[:i] + ("e" if brand[i] != "e" else "a") + brand[i + 1 :]
    stem = rest.removesuffix(f" {contract.supplier.legal_form}")
    for month in range(6):
        day = add_months(date(2026, 3, 5), month)
        line(f"{misspelt} {stem}".strip(), "", CATEGORY_LABELS["79"], Decimal(2_450 + 10 * month), day,
             "Advieswerkzaamheden", "", f"review:{contract.supplier.id}")


def _credit_notes(rows: list[list[str]], rng: random.Random) -> None:
    for source in rng.sample(rows, k=max(1, len(rows) // 120)):
        credit = list(source)
        credit[4] = "-" + source[4]
        credit[6] = source[6] + "-C"
        credit[7] = f"Creditnota {source[7]}"[:90]
        rows.append(credit)


def _dirt(rows: list[list[str]], rng: random.Random) -> None:
    for source in rng.sample(rows, k=max(1, len(rows) // 80)):  # duplicates: the same invoice booked twice
        rows.append(list(source))
    for row, text in zip(rng.sample(rows, k=len(UNPARSEABLE_AMOUNTS)), UNPARSEABLE_AMOUNTS, strict=True):
        row[4] = text


SPEND_HEADER = ["Crediteurnummer", "Leverancier", "KvK-nummer", "Categorie", "Bedrag", "Boekdatum", "Factuurnummer",
                "Omschrijving", "Contractnummer"]
CONTRACT_HEADER = ["Contractnummer", "Omschrijving", "Leverancier", "KvK-nummer", "BTW-nummer", "CPV", "Categorie",
                   "Startdatum", "Einddatum", "Verlengingsopties", "Einddatum incl. opties", "Aantal opties",
                   "Duur optie (maanden)", "Waarde", "Contractmanager", "Enkelvoudig"]


def write_spend(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    buffer.write(f"# {SYNTHETIC_NOTE}\r\n")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(SPEND_HEADER)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("cp1252"))


def contract_rows(contracts: list[DemoContract], rng: random.Random) -> list[list[object]]:
    rows: list[list[object]] = []
    for contract in contracts:
        s = contract.supplier
        kvk = s.id if s.country == "NL" and rng.random() > 0.1 else None
        vat = s.id if s.country != "NL" else None
        months = contract.option_count * contract.option_months
        shape = rng.random()
        text_options = until = count = length = None
        if shape < 0.45:
            text_options = f"{contract.option_count} x 1 jaar" if contract.option_count else "geen"
        elif shape < 0.75:
            until = add_months(contract.end, months)
        else:
            count, length = contract.option_count, contract.option_months or 12
        category = CATEGORY_BY_KEY[contract.category]
        rows.append([
            contract.ref, contract.title, s.name if rng.random() > 0.1 else name_variant(s, rng), kvk, vat,
            contract.cpv if rng.random() > 0.05 else None, category.label, contract.start, contract.end, text_options,
            until, count, length, contract.value, manager(contract.category), "Ja" if contract.single_sourced else "Nee",
        ])
    return rows


def write_contracts(path: Path, rows: list[list[object]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Contractregister"
    sheet.append([f"# {SYNTHETIC_NOTE}"])
    sheet.append(CONTRACT_HEADER)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    workbook.properties.created = workbook.properties.modified = _FIXED_TIME
    workbook.properties.creator = "supplyradar demo (synthetic)"
    raw = io.BytesIO()
    workbook.save(raw)
    _deterministic_zip(raw.getvalue(), path)


def _deterministic_zip(data: bytes, path: Path) -> None:
    """The same workbook always gives the same bytes: fixed timestamps, entries in their order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time there
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-11-01T00:00:00Z", content)
            target.writestr(entry, content)
    path.write_bytes(out.getvalue())


def build_own_data(out: Path = OUT_DIR, seed: int = DEFAULT_SEED, scale: int = 1,
                   world: World | None = None) -> dict[str, object]:
    """Write our spend export and contract register into ``out``; returns the facts the README states.

    ``scale`` N > 1: own data for the N-times world (``world``, built when not given): these rows, unchanged,
    then those of our buyer's copy in copies 2..N (``demo.own_data_copies``), so our spend grows with the world.
    """
    base, story = build_world(seed), build_story(seed)
    rng = random.Random(f"{seed}:own_data")
    failed_on = {life.supplier_id: life.failed_on for life in story.failures() if life.failed_on}
    contracts = build_contracts(base, story.our_buyer_id, story.our_failure_id, rng, failed_on)
    retender = _check(contracts, story.our_failure_id)
    spend = build_spend(base.suppliers, contracts, rng, frozenset(failed_on))
    register = contract_rows(contracts, rng)
    if scale > 1:
        from demo.own_data_copies import copies_own_data

        more = copies_own_data(world or build_world(seed, scale), base, story.our_buyer_id, seed, scale)
        contracts, spend, register = contracts + more.contracts, spend + more.spend, register + more.register
    out.mkdir(parents=True, exist_ok=True)
    write_spend(out / SPEND_FILE, spend)
    write_contracts(out / CONTRACTS_FILE, register)
    facts = {
        "buyer": base.buyer_by_id[story.our_buyer_id].name, "contracts": len(contracts), "spend_rows": len(spend),
        "rows_without_kvk": sum(1 for r in spend if not r[2]), "rows_without_category": sum(1 for r in spend if not r[3]),
        "unparseable_amounts": len(UNPARSEABLE_AMOUNTS) * scale, "retender_contract": retender.ref,
        "retender_end": retender.end.isoformat(), "retender_category": retender.category,
        "failing_supplier": base.supplier_by_id[story.our_failure_id].name,
        "categories": dict(Counter(c.category for c in contracts)),
    }
    readme = _readme(facts)
    if scale > 1:
        readme = readme.replace("invented amounts.", f"invented amounts, at scale **{scale}**: our buyer's copy in each "
                                "of the N copies of the world buys too (copy c's numbers end in \"-c\"; copy 1's rows "
                                "come first and are the committed files').", 1)
    (out / "README.md").write_text(readme, encoding="utf-8")
    return facts


def _readme(facts: dict[str, object]) -> str:
    return f"""# Demo own data (SYNTHETIC)

**Everything here is synthetic**: an invented organisation ("{facts['buyer']}", the busiest buyer of the demo
world), invented suppliers, invented amounts. Built by `python -m demo.build_own_data` from the demo
world and story (`demo/world.py`, `story.py`); the same seed gives the same bytes.

- `{SPEND_FILE}`: the spend export, as an ERP writes it: Windows-1252, `;`, CRLF, Dutch amounts (`1.234,56`,
  credit notes negative) and dates (`31-12-2024`); its first line is a `#` comment saying it is synthetic.
  {facts['spend_rows']} rows: monthly invoices against our contracts since {SPEND_FROM.isoformat()} and spend
  off-contract. Dirt on purpose: {facts['rows_without_kvk']} rows without KvK number, supplier names in variants
  (upper case, without legal form, "(hoofdkantoor)"), duplicated invoices, credit notes,
  {facts['rows_without_category']} rows without category, {facts['unparseable_amounts']} amounts that do not
  parse ({', '.join(UNPARSEABLE_AMOUNTS)}), and one supplier misspelt on six rows (a name for
  `supplyradar match list` to review).
- `{CONTRACTS_FILE}`: the contract register ({facts['contracts']} contracts: our awards in the world), a `#` comment
  row above the header. Options to extend in all three shapes (text "2 x 1 jaar", an end date with the options,
  a number and length of options); owners `manager.<category key>@demo.supplyradar.example`.

Facts other parts of the demo rely on: contract {facts['retender_contract']} (category
{facts['retender_category']}) ends {facts['retender_end']}, 4-9 months after 2026-11-01, with no options left
(a re-tender alert); the contract with {facts['failing_supplier']} (fails in October 2026) runs past 2026-11-01.

Import: `supplyradar import contracts {CONTRACTS_FILE}` then `supplyradar import spend {SPEND_FILE}`, then
`supplyradar quality`.
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--scale", type=int, default=1, help="own data for the N-times world (benchmarks only)")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error(f"--scale must be a positive whole number, not {args.scale}")
    if args.scale != 1 and args.out.resolve() == OUT_DIR:
        parser.error("a scaled world's own data goes to its own --out folder, not over the committed files")
    facts = build_own_data(args.out, args.seed, args.scale)
    for key, value in facts.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
