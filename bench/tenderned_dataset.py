"""TenderNed open-data import: throughput, and memory that does not grow with the file.

A synthetic year (``ROWS`` rows, one per lot award, two lots per publication on average, Dutch
amounts and dates, some joint winners, columns as in the current release) is written as XLSX
and imported into a fresh temporary SQLite store. Each size runs in its own process, so
its peak resident memory (libxml2 and SQLite included; ``bench.peak_memory``, not ``ru_maxrss``, which a child
inherits from its parent) belongs to that import alone. The tracemalloc peak (Python's own allocations during the import) comes from
separate traced runs at a quarter of those sizes (the same 4x step), because tracing slows the
import about fourfold.

Targets: for 4x the rows, peak memory (both measures) at most ``MAX_GROWTH`` times higher
(streamed import: memory must not follow the file), and at least ``MIN_ROWS_PER_S`` rows/s.
Most of the time goes to ``store.notices.save_notices`` (bulk inserts per batch) and openpyxl's
cell parsing, about equally, not to the import's own code.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from bench import Result
from bench.peak_memory import peak_rss_mib

ROWS = 40_000
SMALL_ROWS = 10_000
MAX_GROWTH = 1.5
MIN_ROWS_PER_S = 500
REPO_ROOT = Path(__file__).resolve().parents[1]

HEADERS = [
    "ID publicatie", "TenderNed kenmerk", "Publicatiedatum", "Publicatie soort", "Naam aanbestedende dienst",
    "Officiële naam", "CPV-codes", "Type opdracht", "Procedure", "Nationaal/Europees", "ID perceel", "Naam perceel",
    "Datum gunning", "Aantal inschrijvingen", "Naam gegunde ondernemer", "Plaats", "Postcode", "Land",
    "Geraamde waarde", "Definitieve waarde", "Valuta",
]
CPVS = ("72000000-5", "48000000-8", "79000000-4", "45000000-7", "33000000-0", "90000000-7")
TOWNS = (("Utrecht", "Nederland"), ("Gent", "België"), ("Keulen", "Duitsland"), ("Zwolle", "Nederland"))


def synthetic_rows(count: int, seed: int = 2024):  # an iterator of lists
    """``count`` rows, publications of 1 to 3 lots, in publication order as TenderNed sorts them."""
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    written, publication = 0, 700_000
    while written < count:
        publication += 1
        published = start + timedelta(days=rng.randrange(365))
        buyer = f"Gemeente {rng.randrange(400):03d}"
        cpv = ", ".join(rng.sample(CPVS, rng.randint(1, 2)))
        for lot in range(1, rng.randint(1, 3) + 1):
            if written == count:
                return
            winners = [f"Leverancier {rng.randrange(5_000):04d} B.V." for _ in range(1 if rng.random() < 0.9 else 2)]
            place = [rng.choice(TOWNS) for _ in winners]
            value = rng.randrange(10_000, 5_000_000_00) / 100
            yield [
                str(publication), str(publication - 400_000), published.strftime("%d-%m-%Y"),
                "Aankondiging van een gegunde opdracht", buyer, buyer, cpv, "Diensten", "Openbaar",
                rng.choice(("Europees", "Nationaal")), str(lot), f"Perceel {lot}", published.strftime("%d-%m-%Y"),
                rng.randint(1, 12), "; ".join(winners), "; ".join(t for t, _ in place), None,
                "; ".join(c for _, c in place), None, f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", "."),
                "EUR",
            ]
            written += 1


def write_xlsx(path: Path, count: int) -> None:
    """Written in openpyxl's write-only mode, so making a big file does not weigh on the measure."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Gunningen")
    sheet.append(HEADERS)
    for row in synthetic_rows(count):
        sheet.append(row)
    workbook.save(path)


def measure(count: int, traced: bool) -> dict:
    """In this process: one import of ``count`` rows into a fresh store, plain or under tracemalloc."""
    from pipelines.tenderned_dataset import import_tenderned_dataset
    from store.db import Store

    with tempfile.TemporaryDirectory(prefix="bench-tenderned-") as tmp:
        folder = Path(tmp)
        file = folder / f"gunningen_{count}.xlsx"
        write_xlsx(file, count)
        with Store(f"sqlite:///{folder / 'store.db'}") as store:
            if traced:
                tracemalloc.start()
            started = time.process_time()
            try:
                report = import_tenderned_dataset(store, file)
                seconds = time.process_time() - started
                peak = tracemalloc.get_traced_memory()[1] if traced else 0
            finally:
                tracemalloc.stop()
        return {
            "rows": report.rows_read, "publications": report.publications, "awards": report.awards_added,
            "seconds": seconds, "maxrss_mb": peak_rss_mib(),
            "tracemalloc_mb": peak / 1e6, "mb": file.stat().st_size / 1e6,
        }


def _in_child(count: int, *, traced: bool = False) -> dict:
    args = [sys.executable, "-m", "bench.tenderned_dataset", str(count)] + (["--traced"] if traced else [])
    out = subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def tenderned_dataset() -> Result:
    small, big = _in_child(SMALL_ROWS), _in_child(ROWS)
    # Tracing slows the import about fourfold: the same 4x step in size, a quarter of the rows.
    traced_small, traced_big = _in_child(SMALL_ROWS // 4, traced=True), _in_child(ROWS // 4, traced=True)
    traced_growth = traced_big["tracemalloc_mb"] / traced_small["tracemalloc_mb"]
    rss_growth = big["maxrss_mb"] / small["maxrss_mb"]
    rows_per_s = big["rows"] / big["seconds"]
    return {
        "name": "tenderned dataset import",
        "target": f"memory growth 4x rows <= {MAX_GROWTH}x, >= {MIN_ROWS_PER_S:,} rows/s",
        "passed": traced_growth <= MAX_GROWTH and rss_growth <= MAX_GROWTH and rows_per_s >= MIN_ROWS_PER_S,
        "rows": big["rows"],
        "publications": big["publications"],
        "awards added": big["awards"],
        "XLSX MB": round(big["mb"], 2),
        "import s": round(big["seconds"], 2),
        "rows/s": round(rows_per_s),
        f"rows/s ({SMALL_ROWS // 1000}k)": round(small["rows"] / small["seconds"]),
        f"peak rss MiB ({SMALL_ROWS // 1000}k)": round(small["maxrss_mb"], 1),
        f"peak rss MiB ({ROWS // 1000}k)": round(big["maxrss_mb"], 1),
        "peak rss growth": round(rss_growth, 2),
        f"tracemalloc peak MB ({SMALL_ROWS / 4000:g}k)": round(traced_small["tracemalloc_mb"], 1),
        f"tracemalloc peak MB ({ROWS / 4000:g}k)": round(traced_big["tracemalloc_mb"], 1),
        "tracemalloc growth": round(traced_growth, 2),
    }


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else ROWS, traced="--traced" in sys.argv)))
