"""Builds the companies part of the demo bundle: KvK register entries and insolvency cases (SYNTHETIC).

    python -m demo.build_companies [--seed N] [--out DIR]

From the world (``world.py``: who the Dutch suppliers and buyers are) and the story (``story.py``:
what happens to them and when), it writes ``demo/data/companies/companies.json``: per
organisation its fixed register facts (KvK number, founding date, RSIN, branch number, SBI, first
address) and its dated signals, and every insolvency case with its dated publications. The replay
(``replay_companies.py``) renders the real API answers from it per request, as of the transport's
day (Basisprofiel in API-Version 1.5.0 shape, Zoeken v2, the CIR's SOAP 1.2 responses), which keeps
the bundle small and every day consistent with the story.

Insolvency cases follow the story's ``insolvency.*`` signals: a provisional suspension is an
``S`` case (3300), a bankruptcy an ``F`` case (1300, or 1306 after a suspension, which the
suspension case closes with 3313); a final suspension is 3302, an end 1316. A bankrupt company
whose registration ends (``kvk.dissolved``) has its bankruptcy lifted for lack of assets (1316)
shortly before: that is how the register's end follows a bankruptcy. Court names are the world's
invented courts. Deterministic: the same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from demo.story import STORY_TODAY, CompanyLife, Story, build_story
from demo.world import DEFAULT_SEED, REGION_BY_KEY, World, build_world, review_body

OUT_DIR = Path(__file__).resolve().parent / "data" / "companies"
COMPANIES_FILE = "companies.json"

#: SBI 2008 main activity per category of the world (code, Dutch description as KvK writes it).
SBI_BY_CATEGORY = {
    "72": ("62020", "Advisering en ondersteuning op het gebied van informatietechnologie"),
    "48": ("58290", "Overige uitgeverijen van software"),
    "79": ("70221", "Organisatie-adviesbureaus"),
    "90910000": ("81211", "Algemene schoonmaak van gebouwen"),
    "45": ("41200", "Algemene burgerlijke en utiliteitsbouw"),
    "09310000": ("35140", "Handel in elektriciteit"),
}
SBI_BY_BUYER_KIND = {
    "municipality": ("84111", "Algemeen overheidsbestuur"), "province": ("84111", "Algemeen overheidsbestuur"),
    "water-board": ("84111", "Algemeen overheidsbestuur"), "agency": ("84119", "Overig openbaar bestuur"),
    "hospital": ("86101", "Ziekenhuizen"), "university": ("85420", "Wetenschappelijk onderwijs"),
}
LEGAL_FORMS = {
    "B.V.": ("Besloten Vennootschap", "Besloten Vennootschap met gewone structuur"),
    "N.V.": ("Naamloze Vennootschap", "Naamloze Vennootschap met gewone structuur"),
    "V.O.F.": ("Vennootschap onder firma", "Vennootschap onder firma"),
    "public": ("Publiekrechtelijke Rechtspersoon", "Publiekrechtelijke Rechtspersoon"),
}
#: Per region: court system number (also its instance code), the three letters of publication numbers.
COURTS = {"noord": ("18", "nmk"), "oost": ("05", "ogw"), "midden": ("16", "mwd"), "west": ("15", "wmk"),
          "zuidwest": ("10", "zkw"), "zuid": ("03", "hmk")}
_STREETS = ("Industrieweg", "Handelskade", "Nijverheidsstraat", "Stationsplein", "Kanaalweg", "Ambachtsweg",
            "Marktstraat", "Zuiderhaven", "Molenweg", "Parallelweg")
_LAWYERS = ("Brommel", "Garrel", "Harvel", "Kwint", "Lubbel", "Nijsel", "Ommel", "Tessel", "Vinkel", "Zandel")
_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december")


def dutch_date(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _rng(*parts: object) -> random.Random:
    return random.Random(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest())


def _register_entry(kvk: str, name: str, legal_form: str, founded: int, region: str | None, town: str, postcode: str,
                    sbi: tuple[str, str], employees: int, seed: int) -> dict[str, Any]:
    rng = _rng(seed, kvk, "register")
    registered = date(founded, rng.randint(1, 12), rng.randint(1, 28))
    form = LEGAL_FORMS[legal_form]
    return {
        "kvk": kvk, "name": name, "legal_form": form[0], "legal_form_extended": form[1],
        "registered_on": registered.isoformat(),
        "started_on": (registered - timedelta(days=rng.randint(0, 90))).isoformat(),
        "rsin": str(rng.randint(800_000_000, 899_999_999)) if legal_form in ("B.V.", "N.V.", "public") else None,
        "branch": f"0000{rng.randint(10_000_000, 99_999_999)}",
        "sbi": list(sbi), "employees": employees, "region": region, "non_mailing": rng.random() < 0.3,
        "address": {"street": rng.choice(_STREETS), "house_number": str(rng.randint(1, 220)),
                    "postcode": postcode.replace(" ", ""), "town": town},
        "signals": [],
    }


def _signals(life: CompanyLife) -> list[list[Any]]:
    """The register's part of a company's life: ``[day, kind, detail]`` for the ``kvk.*`` signals."""
    return [[s.day.isoformat(), s.kind, dict(s.detail)] for s in life.signals if s.kind.startswith("kvk.")]


def _cases(world: World, story: Story, entries: dict[str, dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """One insolvency case per procedure (S for a suspension, F for a bankruptcy), with dated publications."""
    plans: list[tuple[date, str, str, list[tuple[date, str, str]]]] = []  # (opened, procedure, kvk, [(day, code, text)])
    for kvk, life in sorted(story.lives.items()):
        signals = {s.kind: s.day for s in life.signals}
        provisional, bankrupt = signals.get("insolvency.suspension_provisional"), signals.get("insolvency.bankruptcy_declared")
        final, ended, dissolved = (signals.get("insolvency.suspension_final"), signals.get("insolvency.ended"),
                                   signals.get("kvk.dissolved"))
        if provisional or final:
            first = provisional or final
            items = []
            if provisional:
                items.append((provisional, "3300", f"Verlening voorlopige surseance op {dutch_date(provisional)}"))
            if final:
                items.append((final, "3302", f"Verlening definitieve surseance bij beschikking van {dutch_date(final)}"))
            if bankrupt:
                items.append((bankrupt, "3313", f"Beëindiging door omzetting in faillissement op {dutch_date(bankrupt)}"))
            elif ended:  # a rescue: the creditors accepted an agreement and the company carries on
                items.append((ended, "3309", f"Beëindiging surseance door homologatie van het akkoord op {dutch_date(ended)}"))
            plans.append((first, "S", kvk, items))
        if bankrupt:
            code, text = ("1306", "Uitspraak faillissement na beëindiging surseance op") if provisional else (
                "1300", "Uitspraak faillissement op")
            items = [(bankrupt, code, f"{text} {dutch_date(bankrupt)}")]
            end = ended or (dissolved - timedelta(days=_rng(seed, kvk, "end").randint(7, 30)) if dissolved else None)
            if end and end > bankrupt:
                items.append((end, "1316", f"Opheffing faillissement wegens gebrek aan baten op {dutch_date(end)}"))
            plans.append((bankrupt, "F", kvk, items))
    serials: dict[tuple[str, int], int] = defaultdict(lambda: 99)
    cases = []
    for opened, procedure, kvk, items in sorted(plans):
        entry = entries[kvk]
        system, letters = COURTS[entry["region"] or "midden"]
        court, town = review_body(REGION_BY_KEY[entry["region"] or "midden"])
        serials[(system, opened.year)] += _rng(seed, kvk, procedure).randint(1, 40)
        serial = serials[(system, opened.year)]
        rng = _rng(seed, kvk, procedure, "people")
        publications, counts = [], defaultdict(int)
        for day, code, text in items:
            counts[code] += 1
            published = day + timedelta(days=rng.randint(1, 3))
            kenmerk = f"{system}.{letters}.{opened:%y}.{serial}.{procedure}.{code}.{counts[code]}.{published:%y}"
            publications.append({"kenmerk": kenmerk, "published_on": published.isoformat(), "code": code,
                                 "description": text})
        cases.append({
            "case_number": f"{procedure}.{system}/{opened:%y}/{serial}", "procedure": procedure, "kvk": kvk,
            "court": court, "court_code": system, "court_town": town, "opened_on": opened.isoformat(),
            "judge": f"mr. {rng.choice('ABCDEFGHJKLMNPRSTVW')}. {rng.choice(_LAWYERS)}",
            "administrator": {"initials": f"{rng.choice('ABCDEFGHJKLMNPRSTVW')}.", "surname": rng.choice(_LAWYERS),
                              "role": "C" if procedure == "F" else "B"},
            "publications": publications,
        })
    return cases


def build_companies(out: Path = OUT_DIR, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Write ``companies.json`` for one seed; returns counts for the README."""
    world, story = build_world(seed), build_story(seed)
    entries: dict[str, dict[str, Any]] = {}
    for supplier in world.suppliers:
        if supplier.country != "NL":
            continue
        life = story.lives[supplier.id]
        entry = _register_entry(supplier.id, supplier.name, supplier.legal_form, supplier.founded, supplier.region,
                                supplier.town, supplier.postcode, SBI_BY_CATEGORY[supplier.categories[0]],
                                life.employees_start, seed)
        entry["signals"] = _signals(life)
        entries[supplier.id] = entry
    for buyer in world.buyers:
        rng = _rng(seed, buyer.id, "buyer")
        entries[buyer.id] = _register_entry(buyer.id, buyer.name, "public", rng.randint(1950, 1995), buyer.region,
                                            buyer.town, buyer.postcode, SBI_BY_BUYER_KIND[buyer.kind],
                                            rng.randint(150, 4000), seed)
    cases = _cases(world, story, entries, seed)
    out.mkdir(parents=True, exist_ok=True)
    data = {"synthetic": True, "seed": seed, "today": STORY_TODAY.isoformat(),
            "companies": [entries[k] for k in sorted(entries)], "cases": cases}
    lines = ["{", f'"synthetic": true, "seed": {seed}, "today": {json.dumps(data["today"])},', '"companies": [']
    lines.append(",\n".join(json.dumps(e, sort_keys=True, ensure_ascii=False) for e in data["companies"]) + "],")
    lines.append('"cases": [')
    lines.append(",\n".join(json.dumps(c, sort_keys=True, ensure_ascii=False) for c in cases) + "]")
    lines.append("}")
    (out / COMPANIES_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts = {"companies": len(entries), "suppliers": sum(1 for s in world.suppliers if s.country == "NL"),
              "cases": len(cases), "publications": sum(len(c["publications"]) for c in cases)}
    (out / "README.md").write_text(_readme(counts), encoding="utf-8")
    return counts


def _readme(counts: dict[str, int]) -> str:
    return (
        "# Demo company register and insolvency cases (SYNTHETIC)\n\n"
        "Invented companies, rendered by `python -m demo.build_companies` from the demo world and its\n"
        "story (`demo/world.py`, `story.py`). Not real KvK or insolvency data.\n\n"
        f"- {counts['companies']} register entries ({counts['suppliers']} Dutch suppliers, the rest the buyers)\n"
        f"- {counts['cases']} insolvency cases with {counts['publications']} publications\n\n"
        "`demo/replay_companies.py` answers `api.kvk.nl` (Zoeken v2, Basisprofiel v1, Vestigingsprofiel v1)\n"
        "and `webservice.rechtspraak.nl/cir.asmx` (SOAP 1.2) from `companies.json`, as of the transport's day.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    print(build_companies(args.out, args.seed))


if __name__ == "__main__":
    main()
