"""OCDS import: throughput on a 100,000-release file, and memory that does not grow with the file.

A synthetic release package is written (gzip-compressed, as publishers ship yearly files): each
process has four releases (tender, award, contract, contract amendment), written stage by stage a
block of processes apart, so the import has to merge releases that are not next to each other
(ocdsmerge, as for real uncompiled data), and 100,000 releases make 25,000 notices. Each size runs in its
own process, so its peak resident memory (ijson, SQLite and the store included; ``bench.peak_memory``, not
``ru_maxrss``, which a child inherits from its parent) belongs to that import alone; the file is written in a separate child first,
so writing it does not count.

Targets: for 4x the releases, peak memory at most ``MAX_GROWTH`` times higher (streamed import:
memory must not follow the file), and at least ``MIN_RELEASES_PER_S`` releases per CPU second on
the big file (CPU time, because the machine running the benchmarks may be shared; wall time is
shown too). Most of the time goes to ``store.notices.save_notices``, as in the TenderNed benchmark.
"""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench import Result
from bench.peak_memory import peak_rss_mib

RELEASES = 100_000
SMALL_RELEASES = 25_000
#: Processes whose tender releases are written before their award releases.
BLOCK = 500
MAX_GROWTH = 1.5
MIN_RELEASES_PER_S = 500
REPO_ROOT = Path(__file__).resolve().parents[1]
CPVS = ("72000000-5", "48000000-8", "79000000-4", "45000000-7", "33000000-0", "90000000-7")


def _releases(process: int, rng: random.Random) -> tuple[dict, ...]:
    """A process's four releases: tender, award, contract, contract amendment."""
    ocid = f"ocds-bench-{process:07d}"
    published = date(2024, 1, 1) + timedelta(days=rng.randrange(300))
    buyer = {"id": f"B{rng.randrange(400)}", "name": f"Gemeente {rng.randrange(400):03d}", "roles": ["buyer"],
             "address": {"country": "NL"}}
    supplier_id = rng.randrange(5_000)
    supplier = {"id": f"NL-KVK-{10_000_000 + supplier_id}", "name": f"Leverancier {supplier_id:04d} B.V.",
                "roles": ["supplier", "tenderer"], "identifier": {"scheme": "NL-KVK", "id": str(10_000_000 + supplier_id)},
                "address": {"country": "NL", "locality": "Utrecht"}}
    tender = {
        "ocid": ocid, "id": f"{ocid}-tender", "date": f"{published.isoformat()}T09:00:00Z", "tag": ["tender"],
        "parties": [buyer], "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": {"id": ocid, "title": f"Opdracht {process}", "procurementMethod": "open", "numberOfTenderers": 3,
                   "items": [{"id": "1", "classification": {"scheme": "CPV", "id": rng.choice(CPVS)}}]},
    }
    awarded = published + timedelta(days=40)
    award = {
        "ocid": ocid, "id": f"{ocid}-award", "date": f"{awarded.isoformat()}T09:00:00Z", "tag": ["award"],
        "parties": [supplier],
        "awards": [{"id": "1", "status": "active", "date": f"{awarded.isoformat()}T00:00:00Z",
                    "value": {"amount": rng.randrange(10_000, 5_000_000), "currency": "EUR"},
                    "suppliers": [{"id": supplier["id"], "name": supplier["name"]}]}],
    }
    value = award["awards"][0]["value"]["amount"]
    contract = {
        "ocid": ocid, "id": f"{ocid}-contract", "date": f"{(awarded + timedelta(days=20)).isoformat()}T09:00:00Z",
        "tag": ["contract"],
        "contracts": [{"id": "C1", "awardID": "1", "status": "active", "value": {"amount": value, "currency": "EUR"}}],
    }
    amendment = {
        "ocid": ocid, "id": f"{ocid}-amendment", "date": f"{(awarded + timedelta(days=200)).isoformat()}T09:00:00Z",
        "tag": ["contractAmendment"],
        "contracts": [{"id": "C1", "awardID": "1", "value": {"amount": value + 10_000, "currency": "EUR"},
                       "amendments": [{"id": "1", "rationale": "Meerwerk", "amendsReleaseID": contract["id"],
                                       "releaseID": f"{ocid}-amendment"}]}],
    }
    return tender, award, contract, amendment


def write_package(path: Path, releases: int, seed: int = 2024) -> None:
    """A gzip release package of ``releases`` releases, written as a stream (never whole in memory)."""
    rng = random.Random(seed)
    processes = releases // 4
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write('{"uri": "https://bench.example/ocds.json", "version": "1.1", "publisher": {"name": "Bench"}, "releases": [')
        first = True
        for start in range(0, processes, BLOCK):
            block = [_releases(p, rng) for p in range(start, min(start + BLOCK, processes))]
            # By stage, as a yearly file sorted by date has them: a process's releases are far apart.
            for stage in range(4):
                for releases_of_process in block:
                    out.write(("" if first else ",") + json.dumps(releases_of_process[stage]))
                    first = False
        out.write("]}")


def measure(path: Path) -> dict:
    """In this process: one import of the file into a fresh store."""
    from pipelines.import_ocds import import_ocds
    from store.db import Store

    with tempfile.TemporaryDirectory(prefix="bench-ocds-store-") as tmp:
        with Store(f"sqlite:///{Path(tmp) / 'store.db'}") as store:
            started, cpu_started = time.perf_counter(), time.process_time()
            report = import_ocds(store, [path], batch_size=500)
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "releases": report.entries_read, "processes": report.processes, "awards": report.awards_added,
        "rejected": len(report.rejected), "seconds": seconds, "cpu_seconds": cpu_seconds,
        "maxrss_mb": peak_rss_mib(),
    }


def _child(*args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.ocds_import", *args], cwd=REPO_ROOT, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def ocds_import() -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-ocds-") as tmp:
        files = {n: Path(tmp) / f"releases_{n}.json.gz" for n in (SMALL_RELEASES, RELEASES)}
        for count, path in files.items():
            _child("write", str(count), str(path))
        small, big = _child("measure", str(files[SMALL_RELEASES])), _child("measure", str(files[RELEASES]))
        megabytes = files[RELEASES].stat().st_size / 1e6
    growth = big["maxrss_mb"] / small["maxrss_mb"]
    # The machine is shared: the target is on CPU time (what the import costs), wall time is shown too.
    per_second = big["releases"] / big["cpu_seconds"]
    return {
        "name": "ocds import",
        "target": f"memory growth 4x releases <= {MAX_GROWTH}x, >= {MIN_RELEASES_PER_S:,} releases per CPU s",
        "passed": growth <= MAX_GROWTH and per_second >= MIN_RELEASES_PER_S and big["rejected"] == 0,
        "releases": big["releases"],
        "processes (merged)": big["processes"],
        "awards added": big["awards"],
        "gzip MB": round(megabytes, 2),
        "import s (wall)": round(big["seconds"], 1),
        "import s (CPU)": round(big["cpu_seconds"], 1),
        "releases/s (CPU)": round(per_second),
        "releases/s (wall)": round(big["releases"] / big["seconds"]),
        f"releases/s (CPU, {SMALL_RELEASES // 1000}k)": round(small["releases"] / small["cpu_seconds"]),
        f"peak rss MiB ({SMALL_RELEASES // 1000}k)": round(small["maxrss_mb"], 1),
        f"peak rss MiB ({RELEASES // 1000}k)": round(big["maxrss_mb"], 1),
        "peak rss growth": round(growth, 2),
    }


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write_package(Path(sys.argv[3]), int(sys.argv[2]))
        print(json.dumps({"written": sys.argv[3]}))
    else:
        print(json.dumps(measure(Path(sys.argv[2]))))
