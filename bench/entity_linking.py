"""Entity linking throughput: 50,000 news articles against 20,000 supplier names.

Synthetic and generated here (seeded): supplier names are invented two-word names with a legal
form, like the demo's, plus a few common-word names; each article is a headline and a summary of
about 40 words, a fifth of them mentioning one or two suppliers (some with the legal form), the
rest only common words and country names. What is measured is what a collection does per article:
fold the text, run the automaton, score the matches (``models.entity_linking.link``).

Targets: at least 2,000 articles per second (a day of feeds and GDELT for a large buyer is a few
thousand articles, so linking must take seconds, not minutes), building the linker for 20,000
names in under 10 s, and a tracemalloc peak under 200 MB for building the linker and linking
(measured in a separate pass over 5,000 articles, as tracemalloc slows the code it watches).
"""

from __future__ import annotations

import random
import time
import tracemalloc

from bench import Result
from bench.peak_memory import peak_rss_mib
from models.entity_linking import build_linker, link

ARTICLES = 50_000
NAMES = 20_000
TARGET_RATE = 2_000
TARGET_BUILD_SECONDS = 10.0
TARGET_PEAK_MB = 200.0
SEED = 7
MEMORY_SAMPLE = 5_000
CONFIDENT = 0.5

_SYLLABLES = ("kwa", "vel", "dor", "bra", "zwe", "lun", "gra", "mos", "hen", "tar", "wis", "olm", "ruy", "pre", "fal", "tes",
              "lor", "bel", "cor", "ilm", "jor", "ulv", "xan", "quin", "sel", "fen", "vor", "del", "eri", "sto")
_TRADES = ("Logistiek", "Bouw", "Techniek", "Schoonmaak", "Advies", "Software", "Data", "Infra", "Installatie", "Facilitair")
_FORMS = ("B.V.", "N.V.", "GmbH", "Ltd", "SAS", "V.O.F.")
_FILLER = ("de", "het", "een", "markt", "gemeente", "contract", "nieuwe", "jaar", "the", "market", "council", "growth", "prices",
           "Nederland", "Duitsland", "China", "energie", "brand", "digital", "solutions", "levering", "aanbesteding", "regio")
_EVENTS = ("failliet verklaard", "schrapt banen", "overgenomen door branchegenoot", "getroffen door ransomware", "hit by strike",
           "wins contract", "fined by regulator")


def names(rng: random.Random, count: int) -> list[str]:
    seen: set[str] = set()
    result: list[str] = []
    while len(result) < count:
        head = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        name = f"{head} {rng.choice(_TRADES)} {rng.choice(_FORMS)}"
        if name not in seen:
            seen.add(name)
            result.append(name)
    return result + ["Brand B.V.", "Digital Solutions B.V.", "Energie Groep N.V."]


def articles(rng: random.Random, suppliers: list[str], count: int) -> list[str]:
    texts = []
    for _ in range(count):
        words = [rng.choice(_FILLER) for _ in range(rng.randint(30, 45))]
        if rng.random() < 0.2:
            for _ in range(rng.randint(1, 2)):
                name = rng.choice(suppliers)
                shown = name if rng.random() < 0.3 else name.rsplit(" ", 1)[0]
                words.insert(rng.randrange(len(words)), f"{shown} {rng.choice(_EVENTS)}")
        texts.append(" ".join(words).capitalize() + ".")
    return texts


def link_all(linker, texts: list[str]) -> tuple[int, int]:  # a models.entity_linking.Linker
    """(mentions found, mentions confident enough to link: the common-word names mostly are not)."""
    found = confident = 0
    for text in texts:
        mentions, _countries = link(linker, text)
        found += len(mentions)
        confident += sum(m.confidence >= CONFIDENT for m in mentions)
    return found, confident


def peak_memory(suppliers: list[str], texts: list[str]) -> float:
    """The tracemalloc peak (MB) of building the linker and linking ``MEMORY_SAMPLE`` articles.

    Measured apart from the timing: tracemalloc slows every allocation several times over.
    """
    tracemalloc.start()
    try:
        linker = build_linker((str(i), name) for i, name in enumerate(suppliers))
        link_all(linker, texts[:MEMORY_SAMPLE])
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def entity_linking() -> Result:
    rng = random.Random(SEED)
    suppliers = names(rng, NAMES)
    texts = articles(rng, suppliers, ARTICLES)
    started = time.process_time()
    linker = build_linker((str(i), name) for i, name in enumerate(suppliers))
    build_seconds = time.process_time() - started
    started = time.process_time()
    found, confident = link_all(linker, texts)
    seconds = time.process_time() - started
    peak = peak_memory(suppliers, texts)
    rate = ARTICLES / seconds
    passed = rate >= TARGET_RATE and build_seconds < TARGET_BUILD_SECONDS and peak < TARGET_PEAK_MB
    return {
        "name": "entity linking",
        "target": f">= {TARGET_RATE:,} articles/s, build < {TARGET_BUILD_SECONDS:.0f} s, peak < {TARGET_PEAK_MB:.0f} MB",
        "passed": passed,
        "articles": ARTICLES,
        "names": len(suppliers),
        "articles/s": round(rate),
        "link s": round(seconds, 2),
        "build s": round(build_seconds, 2),
        "mentions": found,
        "mentions >= 0.5": confident,
        "tracemalloc peak MB": round(peak, 1),
        "peak rss MiB": round(peak_rss_mib(), 1),
    }


if __name__ == "__main__":
    print(entity_linking())
