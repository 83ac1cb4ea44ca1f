"""News for a scaled world (``supplyradar demo --scale N``): the committed news, then each further copy's.

Why: a world N times the demo's should bring N times its news, so that the news stage (de-duplication,
linking against the watch list, classification, storage) is measured at size, not on the committed
demo's ~200 articles. Copy 1 is the committed ``demo/data/news`` (its files copied byte for byte); copy c
adds, in the same outlets' own section feeds (``build_news.outlet_feeds(c)``) and in GDELT's pool
(``gdelt-artlist-<c>.json``), in the same real formats (RSS 2.0, Atom, GDELT artlist JSON):

- articles naming the copy's suppliers (contract wins, expansions, results, reorganisations, and some
  negative news the classifier may flag: losses, strikes, attacks, fines), in Dutch or English, each
  also seen by GDELT with its English headline (GDELT only answers for its last three months);
- noise without a supplier (markets, councils, weather), export-control news that GDELT's topic
  queries find (more of it than one GDELT answer holds: ``maxrecords`` cuts it, as it does for real),
  and a name collision ("<supplier> Media GmbH", another company);
- syndicated repeats that de-duplication must drop: the trade journal repeating a story under its URL
  with tracking parameters or under its own URL with the same title in HTML, a corrected headline
  re-published hours later, and the English wire's stories in GDELT under another outlet's URL.

Deterministic per seed and copy; SYNTHETIC, on ``.example`` hosts. The feeds carry the whole 2019-2026
story, which real feeds do not (they hold only their latest items): the caveat of ``demo.build_news``.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from collections import defaultdict
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from demo.build_news import (
    FEEDS_CONFIG,
    GDELT_ARTLIST,
    GDELT_DOMAINS,
    NEWS_DIR,
    feeds_yaml,
    gdelt_artlist,
    moment_on,
    outlet_feeds,
    render_atom,
    render_rss,
    slug,
    trade_repeat,
)
from demo.story import STORY_TODAY
from demo.world import Buyer, Supplier, World

#: Stories about the copy's suppliers and items without a supplier, per copy: about 930 stored articles.
STORIES, NOISE, TRADE = 780, 190, 5
FIRST_DAY = date(2019, 3, 1)
_COPY = re.compile(r"(?<= )(\d+)(?= |$)")

# (Dutch, English) headlines; {name} the supplier, {buyer} a buyer, {town}, {n}, {m}, {year}, {other} another supplier
_GOOD = (
    ("{name} wint aanbesteding van {buyer}", "{name} wins tender from {buyer}"),
    ("{name} sleept meerjarig contract binnen bij {buyer}", "{name} lands multi-year contract with {buyer}"),
    ("{name} opent nieuwe vestiging in {town}", "{name} opens new office in {town}"),
    ("{name} breidt uit en neemt {n} mensen aan", "{name} expands and hires {n} staff"),
    ("{name} investeert {m} miljoen in nieuw bedrijfspand in {town}", "{name} invests {m} million in new premises in {town}"),
    ("{name} boekt hogere omzet over {year}", "{name} reports higher revenue for {year}"),
    ("Nieuwe directeur bij {name}", "{name} appoints new chief executive"),
    ("{name} gaat samenwerken met {other}", "{name} partners with {other}"),
)
_REORGANISATION = (
    ("{name} schrapt {n} banen in reorganisatie", "{name} cuts {n} jobs in reorganisation"),
    ("{name} herstructureert afdelingen in {town}", "{name} restructures departments in {town}"),
)
_BAD = (
    ("Zorgen over financiële positie {name}", "Concerns over the financial position of {name}"),
    ("{name} kampt met forse verliezen en betalingsachterstanden", "{name} reports heavy losses and payment arrears"),
    ("Personeel van {name} in {town} legt werk neer", "Staff at {name} in {town} go on strike"),
    ("{name} getroffen door ransomware-aanval", "{name} hit by ransomware attack"),
    ("Brand in bedrijfspand van {name} in {town}", "Fire at {name} premises in {town}"),
    ("Boete voor {name} na onderzoek toezichthouder", "{name} fined after regulator investigation"),
    ("{name} overgenomen door {other}", "{name} acquired by {other}"),
)
_KINDS = ((_GOOD, 0.72), (_REORGANISATION, 0.1), (_BAD, 0.18))
_NOISE_NL = (
    "Gemeente {town} trekt {m} miljoen uit voor {topic}", "Beurs sluit week {way} af na {event}",
    "{topic} in {town}: wachtlijsten lopen op", "Provincie steunt {topic} met {m} miljoen", "Files rond {town} na {event}",
)
_NOISE_EN = (
    "Stock markets close {way_en} after {event_en}", "Council in {town} sets aside {m} million for {topic_en}",
    "Port of Rotterdam volumes {way_en} in {year}", "Euro {way_en} against the dollar after {event_en}",
)
_TOPICS = ("woningbouw", "jeugdzorg", "fietspaden", "schoolgebouwen", "energietransitie", "dijkversterking", "openbaar vervoer")
_TOPICS_EN = ("housing", "youth care", "cycle paths", "school buildings", "flood defences", "public transport")
_EVENTS = (("rentebesluit", "rate decision"), ("kwartaalcijfers", "earnings"), ("storm", "storm"), ("verkiezingen", "elections"),
           ("staking", "strike"), ("olieprijs", "oil price"))
_WAYS = (("hoger", "higher"), ("lager", "lower"), ("vlak", "steady"))
_TOWNS = ("Amersfoort", "Zwolle", "Apeldoorn", "Breda", "Tilburg", "Almere", "Leeuwarden", "Deventer", "Venlo", "Gouda",
          "Assen", "Delft", "Haarlem", "Nijmegen", "Enschede", "Middelburg", "Roermond", "Hoorn", "Emmen", "Alkmaar")
_TRADE = ("China", "United States", "Japan", "Taiwan", "South Korea")
_MATERIALS = ("gallium", "germanium", "chips", "semiconductors", "gallium and germanium", "advanced chips")


def by_copy(records: tuple[Supplier, ...] | tuple[Buyer, ...]) -> dict[int, list]:
    """Records per copy of a scaled world: copy c's invented names carry " c" (copy 1's carry none)."""
    copies: dict[int, list] = defaultdict(list)
    for record in records:
        found = _COPY.findall(record.name)
        copies[int(found[-1]) if found else 1].append(record)
    return copies


def build_scaled_news(out: Path, world: World, seed: int, scale: int) -> int:
    """The committed news (copy 1) and copies 2..``scale`` into ``out``; the number of items written."""
    out.mkdir(parents=True, exist_ok=True)
    for path in NEWS_DIR.iterdir():
        if path.is_file() and path.name != FEEDS_CONFIG:
            shutil.copyfile(path, out / path.name)
    (out / FEEDS_CONFIG).write_text(feeds_yaml(scale), encoding="utf-8")
    suppliers, buyers = by_copy(world.suppliers), by_copy(world.buyers)
    written = 0
    for copy in range(2, scale + 1):
        outlets = copy_articles(random.Random(f"{seed}:news:{copy}"), copy, suppliers[copy], buyers[copy])
        (nl, nl_url, nl_name, *_), (en, en_url, en_name, *_), (trade, trade_url, trade_name, *_) = outlet_feeds(copy)
        (out / nl).write_bytes(render_rss(f"Zakenkrant: bedrijven ({nl_name})", nl_url, outlets["nl"]))
        (out / en).write_bytes(render_atom(f"Tradewire: companies ({en_name})", en_url, outlets["en"]))
        (out / trade).write_bytes(render_rss(f"Vakblad Inkoop ({trade_name})", trade_url, outlets["trade"]))
        pool = json.dumps(gdelt_artlist(outlets["pool"]), ensure_ascii=False, indent=0) + "\n"
        (out / GDELT_ARTLIST.replace(".json", f"-{copy}.json")).write_text(pool, encoding="utf-8")
        written += sum(len(items) for items in outlets.values())
    return written


def _day(rng: random.Random, first: date = FIRST_DAY, last: date = STORY_TODAY) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _fill(template: str, rng: random.Random, **names: str) -> str:
    return template.format(**_details(rng), **names)


def _details(rng: random.Random) -> dict[str, object]:
    """The town, figures, topic, event and direction a headline template may name, drawn in one fixed order."""
    (event, event_en), (way, way_en) = rng.choice(_EVENTS), rng.choice(_WAYS)
    return {"town": rng.choice(_TOWNS), "n": rng.randint(3, 40) * 5, "m": rng.randint(2, 90), "year": rng.randint(2019, 2025),
            "topic": rng.choice(_TOPICS), "topic_en": rng.choice(_TOPICS_EN), "event": event, "event_en": event_en, "way": way,
            "way_en": way_en}


def _typo(title: str, rng: random.Random) -> str:
    """The same headline with two letters of its longest word swapped: what a corrected re-publication differs by."""
    words = title.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) > 3:
        at = rng.randrange(1, len(word) - 2)
        words[longest] = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    return " ".join(words)


def copy_articles(rng: random.Random, copy: int, suppliers: list[Supplier], buyers: list[Buyer]) -> dict[str, list[dict]]:
    """Every item of one copy per outlet ("nl", "en", "trade", "pool"), newest first, in ``build_news``'s item shape."""
    # Long because it is one generator over the outlets, as build_news._articles is; each kind of item is one block.
    nl: list[dict] = []
    en: list[dict] = []
    trade: list[dict] = []
    pool: list[dict] = []
    # cumulated once: ``choices(weights=...)`` cumulates them on every call (a copy's every supplier, per story),
    # and given the same sums it draws the same items
    weights = list(accumulate(4 if s.size == "large" else 1 for s in suppliers))
    kinds, shares = [kind for kind, _ in _KINDS], list(accumulate(share for _, share in _KINDS))
    for number in range(STORIES):
        supplier, other = rng.choices(suppliers, cum_weights=weights)[0], rng.choice(suppliers)
        table = rng.choices(kinds, cum_weights=shares)[0]
        template_nl, template_en = rng.choice(table)
        # the press writes a name with or without its legal form
        name = supplier.name if rng.random() < 0.4 else supplier.name.removesuffix(f" {supplier.legal_form}")
        names = {"name": name, "buyer": rng.choice(buyers).name if buyers else "de gemeente", "other": other.name}
        details = _details(rng)  # the same town and figures in both languages
        title_nl, title_en = template_nl.format(**details, **names), template_en.format(**details, **names)
        moment = moment_on(_day(rng), rng)
        if rng.random() < 0.65:
            item = {"title": title_nl, "url": f"https://www.zakenkrant.example/nieuws/{moment:%Y/%m}/{slug(title_nl)}-r{copy}-{number}",
                    "moment": moment, "summary": "Dat meldt de krant op basis van ingewijden.", "language": "nl"}
            nl.append(item)
            if repeat := trade_repeat(item, rng, f"https://www.vakblad-inkoop.example/artikel/e{copy}-{number}"):
                trade.append(repeat)
        else:
            item = {"title": title_en, "url": f"https://news.tradewire.example/companies/{moment:%Y%m%d}-{slug(title_en)}-{copy}-{number}",
                    "moment": moment, "summary": "The company declined to comment.", "language": "en"}
            en.append(item)
        if rng.random() < 0.05:  # a corrected headline re-published hours later under a new URL
            (nl if item["language"] == "nl" else en).append({**item, "title": _typo(item["title"], rng), "url": item["url"] + "-v2",
                                                             "moment": item["moment"] + timedelta(hours=rng.randint(1, 20))})
        pool.append({"title": title_en, "url": f"https://www.{rng.choice(GDELT_DOMAINS)}/news/{moment:%Y/%m/%d}/{slug(title_en)}-{copy}",
                     "moment": moment + timedelta(hours=rng.randint(1, 30)), "language": "English", "country": "Netherlands"})
    for index in range(NOISE):
        moment = moment_on(_day(rng), rng)
        if rng.random() < 0.7:
            title = _fill(rng.choice(_NOISE_NL), rng)
            nl.append({"title": title, "url": f"https://www.zakenkrant.example/nieuws/{moment:%Y/%m}/{slug(title)}-n{copy}-{index}",
                       "moment": moment, "summary": "Meer details volgen later.", "language": "nl"})
        else:
            title = _fill(rng.choice(_NOISE_EN), rng)
            en.append({"title": title, "url": f"https://news.tradewire.example/markets/{moment:%Y%m%d}-{slug(title)}-{copy}-{index}",
                       "moment": moment, "summary": "Details were not disclosed.", "language": "en"})
    for index in range(TRADE):  # export controls, recent: what GDELT's topic queries find
        country, material = rng.choice(_TRADE), rng.choice(_MATERIALS)
        title = f"{country} {rng.choice(('tightens', 'extends', 'announces'))} export controls on {material}"
        moment = moment_on(_day(rng, STORY_TODAY - timedelta(days=80), STORY_TODAY - timedelta(days=2)), rng)
        en.append({"title": title, "url": f"https://news.tradewire.example/trade/{moment:%Y%m%d}-{slug(title)}-{copy}-{index}",
                   "moment": moment, "summary": "Details were not disclosed.", "language": "en"})
        pool.append({"title": title, "url": f"https://www.industrydaily.example/trade/{copy}-{index}-{slug(title)}",
                     "moment": moment + timedelta(hours=5), "language": "English", "country": "United Kingdom"})
    for index, supplier in enumerate(rng.sample(suppliers, min(2, len(suppliers)))):  # another company, a longer name
        title = f"Faillissement dreigt voor {supplier.name.removesuffix(f' {supplier.legal_form}')} Media GmbH in Keulen"
        moment = moment_on(_day(rng), rng)
        trade.append({"title": title, "url": f"https://www.vakblad-inkoop.example/artikel/c{copy}-{index}", "moment": moment,
                      "summary": "Het Duitse bedrijf is niet verwant aan de Nederlandse naamgenoot.", "language": "nl"})
    for outlet in (nl, en, trade, pool):
        outlet.sort(key=lambda a: a["moment"], reverse=True)
    return {"nl": nl, "en": en, "trade": trade, "pool": pool}
