"""Supplier name matching: 20,000 dirty spend rows against 50,000 organisations, per 1,000 rows.

Everything is SYNTHETIC and generated here (seeded): ``ORGANISATIONS`` invented company names
(brand syllables, a family name or two, a trade word, a Dutch or foreign legal form, a postcode),
and ``ROWS`` spend rows naming a sampled organisation the way clerks do (upper case, legal form
dropped or changed, a branch remark, a typo; or its holding, another legal entity) or naming a small business nobody knows
(a quarter of the rows). The matcher is ``models.matching.NameIndex.lookup`` as
``pipelines.resolve_suppliers`` calls it: blocking, then at most ``candidate_limit`` scored
candidates per name.

Measured: index build time and memory, matching time per 1,000 rows at ``SMALL_ROWS`` and ``ROWS``
(each row a distinct spelling: no caching helps), the tracemalloc peak per 1,000 rows while
matching, and how often an automatic match was the right organisation. Targets: the per-row
cost at 4x the rows at most ``MAX_GROWTH`` times the small run's (blocking, not all pairs: that
would grow 4x), at most ``MAX_MS_PER_1000`` ms per 1,000 rows, and automatic matches right in at
least ``MIN_AUTO_PRECISION`` of cases.
"""

from __future__ import annotations

import random
import time
import tracemalloc

from bench import Result
from config.own_data import MatchingSettings
from models.matching import Candidate, NameIndex, Thresholds

ORGANISATIONS = 50_000
ROWS = 20_000
SMALL_ROWS = 5_000
TRACED_ROWS = 2_000
MAX_GROWTH = 1.5
MAX_MS_PER_1000 = 4_000.0
MIN_AUTO_PRECISION = 0.97

_HEADS = ("kwa", "vel", "dor", "bra", "zwe", "lun", "gra", "mos", "hen", "tar", "wis", "olm", "ruy", "pre", "sto",
          "fen", "jor", "nes", "vor", "ame", "bel", "cor", "del", "eri", "fal", "gel", "hal", "ilm", "kel", "lor")
_MIDS = ("", "ri", "va", "ne", "lo", "ta", "mi", "do", "ke", "su")
_TAILS = ("dix", "tara", "vant", "nexa", "rium", "mara", "velt", "rando", "lys", "vian", "stone", "gate", "wise",
          "tiq", "lux", "mont", "vaart", "ora", "sma", "quay", "inga", "stra", "horst", "kamp", "ink", "ema")
_WORDS = ("Schoonmaak", "Bouw", "Infra", "ICT", "Advies", "Consultancy", "Software", "Data", "Facilitair",
          "Installatietechniek", "Groenvoorziening", "Transport", "Catering", "Beveiliging", "Energie", "Drukwerk")
_FORMS = (("B.V.", "NL", 0.7), ("N.V.", "NL", 0.05), ("V.O.F.", "NL", 0.05), ("GmbH", "DE", 0.06), ("Ltd", "GB", 0.04),
          ("SAS", "FR", 0.03), ("NV", "BE", 0.04), ("A/S", "DK", 0.03))


def _brand(rng: random.Random) -> str:
    return (rng.choice(_HEADS) + rng.choice(_MIDS) + rng.choice(_TAILS)).capitalize()


def organisations(rng: random.Random, count: int) -> list[Candidate]:
    seen: set[str] = set()
    result: list[Candidate] = []
    while len(result) < count:
        form, country, _ = rng.choices(_FORMS, weights=[f[2] for f in _FORMS])[0]
        words = [_brand(rng)] + ([_brand(rng)] if rng.random() < 0.3 else []) + [rng.choice(_WORDS)]
        name = f"{' '.join(words)} {form}"
        if name in seen:
            continue
        seen.add(name)
        postcode = f"{rng.randint(1000, 9999)} {rng.choice('ABCDEGHJKLMN')}{rng.choice('ABCDEGHJKLMN')}"
        result.append(Candidate(len(result) + 1, name, country, postcode if country == "NL" else None))
    return result


def _typo(text: str, rng: random.Random) -> str:
    i = rng.randint(1, max(1, len(text) - 2))
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :] if i + 1 < len(text) else text


def dirty_rows(rng: random.Random, orgs: list[Candidate], count: int) -> list[tuple[str, int | None]]:
    """(spelling, the organisation it names or None for an unknown business); every spelling distinct."""
    rows: list[tuple[str, int | None]] = []
    seen: set[str] = set()
    while len(rows) < count:
        if rng.random() < 0.25:
            name = f"{_brand(rng)} {rng.choice(_WORDS)} {rng.randint(1, 999)}"
            truth = None
        else:
            org = rng.choice(orgs)
            stem = org.name.rsplit(" ", 1)[0]
            style = rng.random()
            if style < 0.3:
                name = org.name.replace(".", "").upper()
            elif style < 0.55:
                name = stem
            elif style < 0.7:
                name = f"{org.name} (vestiging {rng.randint(1, 99)})"
            elif style < 0.85:
                name = _typo(stem, rng)
            else:
                name = f"{stem} Holding"
            # a holding of that name is another legal entity (issue 15): never the right automatic match
            truth = None if name.endswith(" Holding") else org.org_id
        if name not in seen:
            seen.add(name)
            rows.append((name, truth))
    return rows


def _match(index: NameIndex, rows: list[tuple[str, int | None]], thresholds: Thresholds, limit: int) -> tuple[float, int, int]:
    start = time.process_time()
    right = wrong = 0
    for name, truth in rows:
        matches = index.lookup(name, thresholds=thresholds, limit=limit)
        if matches and matches[0].decision == "auto":
            if matches[0].org_id == truth:
                right += 1
            else:
                wrong += 1
    return time.process_time() - start, right, wrong


def matching() -> Result:
    rng = random.Random(20261101)
    orgs = organisations(rng, ORGANISATIONS)
    rows = dirty_rows(rng, orgs, ROWS + SMALL_ROWS + TRACED_ROWS)
    small, large, traced = rows[:SMALL_ROWS], rows[SMALL_ROWS : SMALL_ROWS + ROWS], rows[SMALL_ROWS + ROWS :]
    settings = MatchingSettings()
    thresholds = Thresholds(settings.auto_accept, settings.review, settings.margin)

    started = time.process_time()
    index = NameIndex.build(orgs, max_block_size=settings.max_block_size)
    build_s = time.process_time() - started

    # Memory in a traced run of its own (tracing slows Python code several times over).
    tracemalloc.start()
    traced_index = NameIndex.build(orgs, max_block_size=settings.max_block_size)
    index_mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    _match(traced_index, traced, thresholds, settings.candidate_limit)
    peak_kb_per_1000 = (tracemalloc.get_traced_memory()[1] - base) / 1e3 / (len(traced) / 1000)
    tracemalloc.stop()
    del traced_index

    _match(index, traced[:500], thresholds, settings.candidate_limit)  # warm caches before timing
    small_s, _, _ = _match(index, small, thresholds, settings.candidate_limit)
    large_s, right, wrong = _match(index, large, thresholds, settings.candidate_limit)
    small_ms = small_s / len(small) * 1e6
    large_ms = large_s / len(large) * 1e6
    growth = large_ms / small_ms
    precision = right / (right + wrong) if right + wrong else 0.0
    known = sum(1 for _, truth in large if truth is not None)
    return {
        "name": "matching",
        "target": f"per-row growth 5k->20k <= {MAX_GROWTH}, <= {MAX_MS_PER_1000:,.0f} ms/1,000 rows, "
                  f"auto precision >= {MIN_AUTO_PRECISION}",
        "passed": growth <= MAX_GROWTH and large_ms <= MAX_MS_PER_1000 and precision >= MIN_AUTO_PRECISION,
        "organisations": ORGANISATIONS,
        "rows": ROWS,
        "index build s": round(build_s, 2),
        "index MB (tracemalloc)": round(index_mb, 1),
        f"ms per 1,000 rows ({SMALL_ROWS:,})": round(small_ms, 1),
        f"ms per 1,000 rows ({ROWS:,})": round(large_ms, 1),
        "growth per row": round(growth, 2),
        "peak KB per 1,000 rows matched": round(peak_kb_per_1000, 1),
        "auto-linked share of known suppliers": round((right + wrong) / known, 3) if known else 0.0,
        "auto precision": round(precision, 4),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(matching(), indent=2))
