"""Render the demo world's news into real formats: RSS 2.0 and Atom feeds, GDELT answers, the EU sanctions list.

``python -m demo.build_news`` writes ``demo/data/news/`` deterministically
from the world and the story (``story.py``): every ``news.*`` signal becomes an article, dated on
its day, in the feed of its language (Dutch: an RSS 2.0 business paper, English: an Atom wire),
and again in GDELT's pool with the English headline; the press also reports most provisional
suspensions of payments of the story (always the one of "our" failing supplier). Noise is added on purpose, so that linking,
classification and de-duplication are visibly exercised:

- irrelevant articles (markets, weather, politics) and trade news (export controls) without a supplier;
- name collisions: an article about "<supplier name> Media" (a different company with a longer name);
- duplicates across feeds: a trade journal repeats articles under the same URL with tracking
  parameters, and under its own URL with the same title in HTML;
- HTML in titles, an item without a link, an item whose bytes are not in the feed's encoding;
- a sanctions list with an enterprise whose name nearly matches a demo supplier (a review case),
  unrelated enterprises (one with a Cyrillic alias) and a person.

Everything is SYNTHETIC and uses invented outlets on ``.example`` hosts. **Feed archives are a
demo simplification**: real feeds hold only their latest items, so a real installation builds its
news history by collecting daily; the demo's feeds carry the whole 2019-2026 story so that the
demo store ends up with the ``news.*`` events the risk model trains on.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from demo.story import STORY_TODAY, build_story
from demo.world import DEFAULT_SEED, build_world

NEWS_DIR = Path(__file__).resolve().parent / "data" / "news"
NL_FEED = ("zakenkrant-bedrijven.rss.xml", "https://www.zakenkrant.example/rss/bedrijven", "zakenkrant-bedrijven")
EN_FEED = ("tradewire.atom.xml", "https://news.tradewire.example/feeds/companies.atom", "tradewire-companies")
TRADE_FEED = ("vakblad-inkoop.rss.xml", "https://www.vakblad-inkoop.example/feed", "vakblad-inkoop")
GDELT_ARTLIST = "gdelt-artlist.json"
GDELT_TONE = "gdelt-timelinetone.json"
SANCTIONS_LIST = "eu-fsf-sanctions.xml"
FEEDS_CONFIG = "feeds.yaml"
TONE_DAYS = 92
GDELT_DOMAINS = ("europe-business.example", "tradewire.example", "industrydaily.example", "techinsider.example")

_NOISE_NL = (
    "Beurs sluit week hoger af", "Rente blijft voorlopig ongewijzigd", "Kabinet presenteert plannen voor woningbouw",
    "Zonnig en droog weekend verwacht", "Inflatie daalt licht in oktober", "Gemeenten krijgen meer geld voor jeugdzorg",
    "Nieuwe minister van Economische Zaken beëdigd", "Thuiswerken blijft populair", "Consumentenvertrouwen stijgt",
)
_NOISE_EN = (
    "Stock markets close higher", "Central bank holds interest rates", "Oil prices steady after volatile week",
    "Heatwave expected across Europe", "Football club signs new striker", "Euro gains against the dollar",
)
_TRADE_EN = (
    ("China tightens export controls on gallium and germanium", "CN"),
    ("US expands export restrictions on advanced chips", "US"),
    ("New tariffs on imported steel hit European manufacturers", "CN"),
    ("Rare earths shortage feared as China curbs exports", "CN"),
)
_SUMMARY_NL = ("Dat meldt de krant op basis van ingewijden.", "Het bedrijf wilde niet reageren.", "Meer details volgen later.")
_SUMMARY_EN = ("The company declined to comment.", "Details were not disclosed.", "Sources close to the matter confirmed the news.")


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _NOT_SLUG.sub("-", text.lower()).strip("-")[:70]


def moment_on(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(6, 21), rng.choice((0, 15, 30, 45))), tzinfo=UTC)


def trade_repeat(item: dict, rng: random.Random, own_url: str) -> dict | None:
    """Now and then the trade journal repeats a story: under the same URL with tracking parameters, or under
    ``own_url`` with the same title in HTML; else None."""
    if rng.random() >= 0.15:
        return None
    if rng.random() < 0.5:
        return {**item, "url": item["url"] + "?utm_source=vakblad&utm_medium=rss"}
    return {**item, "url": own_url, "title": item["title"].replace(" ", " <b>", 1) + "</b>", "html": True}


def _articles(seed: int) -> dict[str, list[dict]]:
    """Every article of every outlet: dicts with title, url, moment, summary, language."""
    world, story = build_world(seed), build_story(seed)
    rng = random.Random(seed * 31 + 5)
    nl, en, trade, pool = [], [], [], []
    for number, (_sid, signal) in enumerate(row for row in story.signals() if row[1].kind.startswith("news.")):
        moment = moment_on(signal.day, rng)
        headline_nl, headline_en = str(signal.get("headline_nl")), str(signal.get("headline_en"))
        if signal.get("language") == "nl":
            item = {"title": headline_nl, "url": f"{NL_FEED[1].rsplit('/rss', 1)[0]}/nieuws/{moment:%Y/%m}/{slug(headline_nl)}-{number}",
                    "moment": moment, "summary": rng.choice(_SUMMARY_NL), "language": "nl"}
            nl.append(item)
            if repeat := trade_repeat(item, rng, f"https://www.vakblad-inkoop.example/artikel/{number}"):
                trade.append(repeat)
        else:
            en.append({"title": headline_en, "url": f"https://news.tradewire.example/companies/{moment:%Y%m%d}-{slug(headline_en)}",
                       "moment": moment, "summary": rng.choice(_SUMMARY_EN), "language": "en"})
        pool.append({"title": headline_en, "url": f"https://www.{rng.choice(GDELT_DOMAINS)}/news/{moment:%Y/%m/%d}/{slug(headline_en)}",
                     "moment": moment + timedelta(hours=rng.randint(1, 30)), "language": "English", "country": "Netherlands"})
    # The press reports most provisional suspensions of payments (always the one of "our" supplier).
    for number, (sid, signal) in enumerate(row for row in story.signals() if row[1].kind == "insolvency.suspension_provisional"):
        if sid != story.our_failure_id and rng.random() < 0.4:
            continue
        name = world.supplier_by_id[sid].name
        title = f"{name} in surseance: bewindvoerder aangesteld"
        moment = moment_on(signal.day + timedelta(days=1), rng)
        nl.append({"title": title, "url": f"https://www.zakenkrant.example/nieuws/{moment:%Y/%m}/{slug(title)}-s{number}",
                   "moment": moment, "summary": "De rechtbank verleende voorlopige surseance van betaling.", "language": "nl"})
        pool.append({"title": f"{name} granted provisional suspension of payments", "moment": moment + timedelta(hours=3),
                     "url": f"https://www.europe-business.example/news/{moment:%Y/%m/%d}/{slug(name)}-suspension",
                     "language": "English", "country": "Netherlands"})
    first, span = date(2019, 3, 1), (STORY_TODAY - date(2019, 3, 1)).days
    for index, title in enumerate(_NOISE_NL * 3):
        moment = moment_on(first + timedelta(days=rng.randint(0, span)), rng)
        nl.append({"title": title, "url": f"https://www.zakenkrant.example/nieuws/{moment:%Y/%m}/{slug(title)}-n{index}",
                   "moment": moment, "summary": rng.choice(_SUMMARY_NL), "language": "nl"})
    for index, title in enumerate(_NOISE_EN * 3):
        moment = moment_on(first + timedelta(days=rng.randint(0, span)), rng)
        en.append({"title": title, "url": f"https://news.tradewire.example/markets/{moment:%Y%m%d}-{slug(title)}-{index}",
                   "moment": moment, "summary": rng.choice(_SUMMARY_EN), "language": "en"})
    for index, (title, _country) in enumerate(_TRADE_EN):
        moment = moment_on(STORY_TODAY - timedelta(days=rng.randint(2, 80)), rng)
        en.append({"title": title, "url": f"https://news.tradewire.example/trade/{moment:%Y%m%d}-{slug(title)}",
                   "moment": moment, "summary": rng.choice(_SUMMARY_EN), "language": "en"})
        pool.append({"title": title, "url": f"https://www.industrydaily.example/trade/{index}-{slug(title)}",
                     "moment": moment + timedelta(hours=5), "language": "English", "country": "United Kingdom"})
    # Name collisions: a different company whose name starts with a supplier's name.
    dutch = [s for s in world.suppliers if s.country == "NL" and len(s.name.split()) >= 3]
    for index, supplier in enumerate(rng.sample(dutch, 4)):
        core = " ".join(supplier.name.split()[:-1])
        title = f"Faillissement dreigt voor {core} Media GmbH in Keulen" if index % 2 == 0 else f"{core} Logistics Poland getroffen door staking"
        moment = moment_on(first + timedelta(days=rng.randint(0, span)), rng)
        trade.append({"title": title, "url": f"https://www.vakblad-inkoop.example/artikel/c{index}", "moment": moment,
                      "summary": "Het Duitse bedrijf is niet verwant aan de Nederlandse naamgenoot.", "language": "nl"})
        pool.append({"title": title, "url": f"https://www.europe-business.example/c{index}", "moment": moment,
                     "language": "Dutch", "country": "Germany"})
    # HTML and entities in a title, and two broken items (see _rss: no link, bad bytes).
    moment = moment_on(STORY_TODAY - timedelta(days=12), rng)
    trade.append({"title": "<i>Inkoop</i> &amp; aanbesteden: nieuwe regels per 1 januari", "url": "https://www.vakblad-inkoop.example/artikel/regels",
                  "moment": moment, "summary": "<p>De <b>nieuwe</b> regels gelden voor alle overheden.</p>", "language": "nl", "html": True})
    trade.append({"title": "Aanbesteding zonder link", "url": "", "moment": moment, "summary": "", "language": "nl"})
    trade.append({"title": "Caf\udce9 in kantine failliet", "url": "https://www.vakblad-inkoop.example/artikel/kantine", "moment": moment,
                  "summary": "", "language": "nl", "latin1": True})
    for outlet in (nl, en, trade, pool):
        outlet.sort(key=lambda a: a["moment"], reverse=True)
    return {"nl": nl, "en": en, "trade": trade, "pool": pool}


def render_rss(title: str, link: str, items: list[dict]) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">', "<channel>",
             f"<title>{escape(title)}</title>", f"<link>{escape(link)}</link>", "<description>SYNTHETIC demo feed</description>",
             "<language>nl</language>"]
    out = "\n".join(parts).encode("utf-8")
    for item in items:
        text = escape(item["title"])  # HTML in a title arrives escaped, as real feeds send it
        summary = f"<![CDATA[{item['summary']}]]>" if item.get("html") else escape(item["summary"])
        body = (f"\n<item><title>{text}</title>" + (f"<link>{escape(item['url'])}</link>" if item["url"] else "")
                + f"<description>{summary}</description><pubDate>{format_datetime(item['moment'])}</pubDate>"
                + (f"<guid isPermaLink=\"true\">{escape(item['url'])}</guid>" if item["url"] else "") + "</item>")
        out += body.encode("utf-8", "surrogateescape") if item.get("latin1") else body.encode("utf-8")
    return out + b"\n</channel>\n</rss>\n"


def render_atom(title: str, link: str, items: list[dict]) -> bytes:
    updated = max(item["moment"] for item in items).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">', f"<title>{escape(title)}</title>",
             f"<link rel=\"self\" href={quoteattr(link)}/>", f"<id>{escape(link)}</id>", f"<updated>{updated}</updated>",
             "<subtitle>SYNTHETIC demo feed</subtitle>"]
    for item in items:
        stamp = item["moment"].strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"<entry><title type=\"text\">{escape(item['title'])}</title><link rel=\"alternate\" href={quoteattr(item['url'])}/>"
                     f"<id>{escape(item['url'])}</id><published>{stamp}</published><updated>{stamp}</updated>"
                     f"<summary type=\"html\">{escape(item['summary'])}</summary></entry>")
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def gdelt_artlist(items: list[dict]) -> dict:
    return {"articles": [
        {"url": item["url"], "url_mobile": "", "title": item["title"], "seendate": item["moment"].strftime("%Y%m%dT%H%M%SZ"),
         "socialimage": "", "domain": item["url"].split("/")[2].removeprefix("www."), "language": item["language"],
         "sourcecountry": item["country"]}
        for item in items
    ]}


def _tone(seed: int, countries: dict[str, str]) -> dict:
    """Real ``timelinetone`` answers per query term, one value per day for the last ``TONE_DAYS`` days."""
    rng = random.Random(seed * 13 + 1)
    base = {"NL": 0.4, "DE": 0.1, "BE": 0.2, "FR": -0.2, "GB": -0.1, "US": -0.6, "CN": -1.9, "RU": -4.2, "TR": -2.1, "IN": -0.5, "TW": -1.2}
    answers = {}
    for code, term in countries.items():
        level, data = base.get(code, -0.5), []
        for offset in range(TONE_DAYS, 0, -1):
            day = STORY_TODAY - timedelta(days=offset)
            level += rng.uniform(-0.15, 0.15) - (0.02 if code in {"CN", "RU"} else 0)
            data.append({"date": f"{day:%Y%m%d}T000000Z", "value": round(level + rng.uniform(-0.6, 0.6), 4)})
        answers[term] = {"query_details": {"title": term, "date_resolution": "day"},
                         "timeline": [{"series": "Average Tone", "data": data}]}
    return answers


def _sanctions(seed: int) -> bytes:
    """A small list in the FSF 1.1 format: one near-match of a demo supplier, unrelated enterprises, a person."""
    world = build_world(seed)
    target = next(s for s in world.suppliers if s.country == "CN")
    first = target.name.split()[0]
    variant = first[:-1] + "ks" if first.endswith("x") else first + "e"
    near = target.name.replace(first, variant, 1)
    entities = [
        ("9101", "EU.9101.12", "enterprise", "RUS", [near, near.upper()], "CN", "CHINA", "2024-06-24", "2024/1745 (OJ L 2024/1745)"),
        ("9102", "EU.9102.34", "enterprise", "RUS", ["OOO Tekhnopromimport", "ООО Технопромимпорт", "Technopromimport LLC"], "RU", "RUSSIAN FEDERATION",
         "2023-02-25", "2023/427 (OJ L 59I)"),
        ("9103", "EU.9103.56", "enterprise", "IRN", ["Pars Electronic Industries Company"], "IR", "IRAN (ISLAMIC REPUBLIC OF)", "2012-03-23",
         "267/2012 (OJ L 88)"),
        ("9104", "EU.9104.78", "person", "BLR", ["Ivan Petrovich Demoname", "Иван Петрович Демонейм"], "BY", "BELARUS", "2022-03-02",
         "2022/355 (OJ L 67)"),
    ]
    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
             f'<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="{STORY_TODAY:%Y-%m-%d}T06:00:00.000+01:00" globalFileId="{seed % 100000}">',
             "<!-- SYNTHETIC demo list in the FSF XML 1.1 format: invented entities, not the real list -->"]
    for logical_id, reference, kind, programme, names, country, description, day, title in entities:
        lines.append(f'<sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="{reference}" logicalId="{logical_id}">')
        lines.append(f'<regulation regulationType="amendment" organisationType="council" publicationDate="{day}" entryIntoForceDate="{day}" '
                     f'numberTitle={quoteattr(title)} programme="{programme}" logicalId="{logical_id}1">'
                     f"<publicationUrl>https://eur-lex.europa.eu/demo/{logical_id}</publicationUrl></regulation>")
        lines.append(f'<subjectType code="{kind}" classificationCode="{"E" if kind == "enterprise" else "P"}"/>')
        for position, name in enumerate(names):
            lines.append(f'<nameAlias firstName="" middleName="" lastName="" wholeName={quoteattr(name)} function="" gender="" title="" '
                         f'nameLanguage="{"RU" if any(ord(c) > 1000 for c in name) else ""}" strong="true" regulationLanguage="en" '
                         f'logicalId="{logical_id}{position + 10}"/>')
        tag = "citizenship" if kind == "person" else "address"
        lines.append(f'<{tag} region="" countryIso2Code="{country}" countryDescription="{description}" regulationLanguage="en" logicalId="{logical_id}99"/>')
        lines.append("</sanctionEntity>")
    lines.append("</export>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def outlet_feeds(copy: int = 1) -> tuple[tuple[str, str, str, str, str], ...]:
    """(file, URL, name, language, countries) of each demo outlet's feed for one copy of the world: copy 1's are
    the committed ones; a scaled world's copy c has each outlet's own section feed for it (real outlets run many)."""
    base = ((*NL_FEED, "nl", "[NL]"), (*EN_FEED, "en", "[]"), (*TRADE_FEED, "nl", "[NL]"))
    if copy == 1:
        return base
    sections = ("/regio-{c}", "-{c}", "/editie-{c}")
    return tuple((file.replace(".", f"-{copy}.", 1), url.removesuffix(".atom") + section.format(c=copy) + (".atom" if url.endswith(".atom") else ""),
                  f"{name}-{copy}", language, countries)
                 for (file, url, name, language, countries), section in zip(base, sections, strict=True))


def feeds_yaml(copies: int = 1) -> str:
    rows = ["# SYNTHETIC demo outlets (the demo's replay transport serves them); see config/feeds.yaml for the format.", "feeds:"]
    for copy in range(1, copies + 1):
        for _, url, name, language, countries in outlet_feeds(copy):
            rows += [f"  - url: {url}", f"    name: {name}", f"    language: {language}", f"    countries: {countries}"]
    return "\n".join(rows) + "\n"


def news_folder() -> Path:
    """The news the demo reads: the scaled bundle's when ``$SUPPLYRADAR_DEMO_BUNDLE`` names one with news
    (``demo.scale_news``), else the committed ``demo/data/news``."""
    from demo.build import bundle_part

    return bundle_part(NEWS_DIR.name, FEEDS_CONFIG)


def build_news(out: Path = NEWS_DIR, seed: int = DEFAULT_SEED) -> dict[str, int]:
    from config.news import GdeltSettings

    out.mkdir(parents=True, exist_ok=True)
    articles = _articles(seed)
    (out / NL_FEED[0]).write_bytes(render_rss("Zakenkrant: bedrijven", NL_FEED[1], articles["nl"]))
    (out / EN_FEED[0]).write_bytes(render_atom("Tradewire: companies", EN_FEED[1], articles["en"]))
    (out / TRADE_FEED[0]).write_bytes(render_rss("Vakblad Inkoop", TRADE_FEED[1], articles["trade"]))
    (out / GDELT_ARTLIST).write_text(json.dumps(gdelt_artlist(articles["pool"]), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    (out / GDELT_TONE).write_text(json.dumps(_tone(seed, GdeltSettings().tone_countries), indent=0) + "\n", encoding="utf-8")
    (out / SANCTIONS_LIST).write_bytes(_sanctions(seed))
    (out / FEEDS_CONFIG).write_text(feeds_yaml(), encoding="utf-8")
    return {name: len(items) for name, items in articles.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Render the demo news feeds, GDELT answers and sanctions list.")
    parser.add_argument("--out", type=Path, default=NEWS_DIR)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    print(build_news(args.out, args.seed))


if __name__ == "__main__":
    main()
