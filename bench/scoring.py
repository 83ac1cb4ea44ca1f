"""Scoring 50,000 suppliers: features and all three scores (plus the combined view) from in-memory inputs.

The inputs are SYNTHETIC and built in memory (no database): 50,000 suppliers with about three
award wins each, a few company-register, insolvency and news events, company snapshots for the
Dutch ones, 2,000 suppliers in our own spend with 1,000 contracts, and news tone for the
countries. ``models.risk_run.build_scores`` then computes what a scoring run writes. Time is
measured in a plain run, peak memory (Python allocations) in a second run under tracemalloc.

Target: under ``MAX_SECONDS`` and ``MAX_PEAK_MB``: a daily run over a large national supplier
base must fit comfortably in half a minute and in a small worker's memory.
"""

from __future__ import annotations

import random
import time
import tracemalloc
from datetime import date, timedelta

from bench import Result
from config.risk import load_category_materials, load_risk_config
from models.dependency import ContractFact
from models.features import EventFact
from models.risk_facts import OrgFact, ScoringInputs, SpendFact, WinFact
from models.risk_run import baseline_model, build_scores

SUPPLIERS = 50_000
OURS = 2_000
MAX_SECONDS = 30.0
MAX_PEAK_MB = 1_000.0
AS_OF = date(2026, 11, 1)
_CPV = ("72500000", "48000000", "79410000", "90911000", "45233000", "09310000", "33100000")
_COUNTRIES = ("NL",) * 8 + ("DE", "BE", "FR", "US", "GB", "CN")
_KINDS = ("kvk.address_moved", "kvk.employees_changed", "news.insolvency", "news.strike", "insolvency.suspension_provisional",
          "insolvency.bankruptcy_declared", "sanctions.possible_match")


def synthetic_inputs(count: int = SUPPLIERS, seed: int = 11) -> ScoringInputs:
    rng = random.Random(seed)
    orgs = {i: OrgFact(i, f"Supplier {i}", rng.choice(_COUNTRIES), f"XX:id:{i}", f"{rng.randint(1000, 9999)} AB")
            for i in range(1, count + 1)}
    wins = [WinFact(i, AS_OF - timedelta(days=rng.randint(0, 2500)), rng.choice(_CPV), rng.uniform(1e4, 1e7))
            for i in orgs for _ in range(rng.randint(1, 5))]
    events: dict[int, list[EventFact]] = {}
    for i in rng.sample(sorted(orgs), count // 3):
        events[i] = sorted((EventFact(i, rng.choices(_KINDS, weights=(10, 10, 5, 5, 1, 1, 1))[0],
                                      AS_OF - timedelta(days=rng.randint(0, 1500)), rng.uniform(0.5, 1.0))
                            for _ in range(rng.randint(1, 4))), key=lambda e: e.occurred_on)
    ours = rng.sample(sorted(orgs), OURS)
    spend = [SpendFact(i, rng.choice(_CPV), rng.uniform(1e3, 1e6), AS_OF - timedelta(days=rng.randint(0, 700)))
             for i in ours for _ in range(rng.randint(1, 6))]
    contracts = [ContractFact(i, load_risk_config().category_of(rng.choice(_CPV)) or "", AS_OF + timedelta(days=rng.randint(-200, 1500)),
                              None, rng.uniform(1e4, 5e6), rng.random() < 0.2, f"K-{i}") for i in ours[: OURS // 2]]
    profiles = {i: {"kvk_number": str(i), "legal_form": rng.choice(("Besloten Vennootschap", "Eenmanszaak")),
                    "sbi_main": rng.choice(("6202", "4120", "8121", "7022")), "registration_start": date(rng.randint(1980, 2024), 1, 1),
                    "registration_end": None, "employees": rng.randint(1, 500), "postcode": o.postcode, "town": "X",
                    "observed_on": AS_OF} for i, o in orgs.items() if o.country == "NL"}
    year_ago = {i: dict(p, employees=max(1, int(p["employees"] * rng.uniform(0.7, 1.3)))) for i, p in profiles.items()}
    tone = {c: [(AS_OF - timedelta(days=d), rng.uniform(-4, 0)) for d in range(0, 455, 7)] for c in set(_COUNTRIES)}
    return ScoringInputs(AS_OF, orgs, wins, events, spend, contracts, True, profiles, year_ago, tone,
                         frozenset({"kvk", "insolvency", "news", "sanctions"}))


def _run(inputs: ScoringInputs) -> int:
    config = load_risk_config()
    return len(build_scores(inputs, config, load_category_materials(), baseline_model(config)).rows)


def scoring() -> Result:
    inputs = synthetic_inputs()
    started = time.process_time()
    rows = _run(inputs)
    seconds = time.process_time() - started
    tracemalloc.start()
    _run(inputs)
    peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return {
        "name": "risk scoring",
        "target": f"{SUPPLIERS:,} suppliers in < {MAX_SECONDS:.0f} s, peak < {MAX_PEAK_MB:.0f} MB",
        "passed": seconds < MAX_SECONDS and peak_mb < MAX_PEAK_MB,
        "suppliers": SUPPLIERS,
        "score rows": rows,
        "seconds": round(seconds, 2),
        "suppliers per second": round(SUPPLIERS / seconds),
        "tracemalloc peak MB": round(peak_mb, 1),
    }


if __name__ == "__main__":
    print(scoring())
