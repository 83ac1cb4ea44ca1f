"""The demo's synthetic Dutch public procurement market: who bought what from whom, 2019-2026.

The demo runs the production code against a replayed API, so its data has to *behave* like the real
market or the statistics built on it show nothing: each category has its own concentration (three
electricity suppliers, two or three software vendors, a few IT integrators and a long tail, a
fragmented consultancy and construction market with regional players), incumbents are re-awarded,
suppliers enter and leave, notices have lots, some lots go to two or three joint winners, some awards
carry no value. Every name is invented and everything is a pure function of the seed; the
``render_*`` modules turn this world into the real formats of the real APIs.
"""

from __future__ import annotations

import csv
import itertools
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any, Literal

DEFAULT_SEED = 20261101
FIRST_DAY = date(2019, 1, 2)
LAST_DAY = date(2026, 10, 30)
#: TED switched from the legacy R2.0.9 schema to eForms on this day.
EFORMS_FROM = date(2023, 11, 1)
#: European notices also announced on TenderNed (the de-duplication case) are taken from here on.
TENDERNED_EUROPEAN_FROM = date(2023, 6, 1)

TED_AWARD_NOTICES = 1250
NATIONAL_AWARD_NOTICES = 300
TENDERNED_EUROPEAN_NOTICES = 100
CONTRACT_NOTICE_SHARE = 0.2  # contract notices, relative to all award notices

Nature = Literal["services", "supplies", "works"]
Channel = Literal["ted", "national"]
NoticeKind = Literal["can", "cn"]

#: ISO 3166-1 alpha-2 to alpha-3, for the countries the world uses (eForms wants alpha-3).
ALPHA3 = {
    "NL": "NLD", "DE": "DEU", "BE": "BEL", "FR": "FRA", "IE": "IRL", "DK": "DNK",
    "US": "USA", "GB": "GBR", "CN": "CHN", "CH": "CHE", "NO": "NOR",
}
#: EU thresholds (rounded) below which an award is national only, in EUR.
EU_THRESHOLD = {"services": 215_000, "supplies": 215_000, "works": 5_380_000}


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Buyer:
    id: str  # 8-digit KvK-like number
    name: str
    kind: str  # municipality, water-board, province, agency, hospital, university
    town: str
    postcode: str
    region: str
    nuts: str
    country: str = "NL"


@dataclass(frozen=True, slots=True)
class Supplier:
    id: str  # KvK number for Dutch companies, a VAT-like number elsewhere
    name: str
    legal_form: str
    country: str  # ISO alpha-2 ("GB", not "UK")
    town: str
    postcode: str
    founded: int
    size: str  # "large" or "sme"
    region: str | None  # Dutch region, for regional players
    nuts: str | None
    categories: tuple[str, ...]
    active_from: date
    active_until: date | None = None  # the last day it can win: an exit


@dataclass(frozen=True, slots=True)
class Lot:
    number: int  # 1-based; a notice without lots has one lot, number 1
    title: str
    cpv: tuple[str, ...]
    winners: tuple[str, ...] = ()  # supplier ids; joint winners share one tender
    value: Decimal | None = None  # EUR; None when not published
    tenders_received: int | None = None
    framework: bool = False


@dataclass(frozen=True, slots=True)
class Publication:
    """One notice: a contract award notice (``can``) or a contract notice (``cn``)."""

    key: str
    kind: NoticeKind
    channel: Channel  # "ted": European, published in the OJ S; "national": TenderNed only
    published: date  # on TED for European notices, on TenderNed for national ones
    dispatched: date
    buyer_id: str
    category: str
    cpv: tuple[str, ...]  # main first, no duplicates
    title: str
    description: str
    procedure: str  # eForms procurement-procedure-type code
    lots: tuple[Lot, ...]
    notice_uuid: str
    folder_uuid: str
    ted_number: str | None = None  # "123456-2024"
    tenderned_id: str | None = None  # 7 digits
    tenderned_date: date | None = None
    kenmerk: int | None = None

    @property
    def cpv_main(self) -> str:
        return self.cpv[0]

    @property
    def format(self) -> Literal["eforms", "ted-r209"]:
        """The format TED serves: legacy R2.0.9 before the eForms switch, national notices are eForms."""
        if self.channel == "ted" and self.published < EFORMS_FROM:
            return "ted-r209"
        return "eforms"

    @property
    def lotted(self) -> bool:
        return len(self.lots) > 1


@dataclass(frozen=True)
class World:
    seed: int
    buyers: tuple[Buyer, ...]
    suppliers: tuple[Supplier, ...]
    notices: tuple[Publication, ...]  # by publication date

    @cached_property
    def buyer_by_id(self) -> dict[str, Buyer]:
        return {b.id: b for b in self.buyers}

    @cached_property
    def supplier_by_id(self) -> dict[str, Supplier]:
        return {s.id: s for s in self.suppliers}

    def ted_notices(self) -> list[Publication]:
        return [n for n in self.notices if n.ted_number]

    def tenderned_notices(self) -> list[Publication]:
        return [n for n in self.notices if n.tenderned_id]

    def awards(self) -> Iterator[tuple[Publication, Lot]]:
        for notice in self.notices:
            for lot in notice.lots:
                if lot.winners:
                    yield notice, lot

    def to_json(self) -> dict[str, Any]:
        """The world's organisations, for later features (KvK profiles, insolvencies, spend).

        The awards themselves are in the notices; :meth:`awards` gives them as ground truth in code.
        """
        return {
            "synthetic": True,
            "seed": self.seed,
            "categories": {c.key: {"label": c.label, "nature": c.nature, "cpv": list(c.cpv)} for c in CATEGORIES},
            "buyers": [_plain(b) for b in self.buyers],
            "suppliers": [_plain(s) for s in self.suppliers],
        }


def _plain(record: Any) -> dict[str, Any]:
    """A record as JSON values: dates as ISO text, tuples as lists."""
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else list(value) if isinstance(value, tuple) else value

    return {f.name: plain(getattr(record, f.name)) for f in fields(record)}


# --------------------------------------------------------------------------------------------
# Market structure: categories and the tiers of suppliers that compete in them
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    """Suppliers that compete alike within a category: integrators, a long tail, regional builders."""

    count: int
    share: float  # the tier's share of wins
    zipf: float = 0.0  # 0: equal chances inside the tier; higher: a few lead it
    value_factor: float = 1.0  # large players win larger contracts
    regional: bool = False  # wins mostly near home
    size: str = "sme"
    foreign: tuple[tuple[str, float], ...] = ()  # (country, probability)
    entrants: float = 0.0  # share that only enters the market after 2019
    also: tuple[str, ...] = ()  # other categories it also wins in, now and then


@dataclass(frozen=True)
class Category:
    key: str  # the CPV prefix the category is known by: "72", "09310000"
    label: str
    nature: Nature
    cpv: tuple[str, ...]  # codes its notices use; the first is the category's own code
    cross_cpv: tuple[str, ...]  # additional codes from neighbouring categories
    notice_share: float  # share of European award notices
    national_share: float  # share of national (TenderNed-only) award notices
    value_median: float
    value_sigma: float
    single_bid: float  # probability of a single tender
    tenders_mean: float
    joint_share: float  # lots awarded as a framework to 2-3 joint winners
    incumbency: float  # weight multiplier for the buyer's previous winner
    tiers: tuple[Tier, ...]
    words: tuple[str, ...]  # what Dutch suppliers in it call themselves
    subjects: tuple[tuple[str, str], ...]  # what buyers buy in it: (title, main CPV code)
    lot_subjects: tuple[str, ...]


_EU_MIX = (("BE", 0.08), ("DE", 0.06), ("IE", 0.02), ("DK", 0.02), ("FR", 0.02))

CATEGORIES: tuple[Category, ...] = (
    Category(
        key="72", label="IT services", nature="services",
        cpv=("72000000", "72200000", "72250000", "72260000", "72500000", "72600000", "72300000", "72230000"),
        cross_cpv=("48000000", "48800000", "79421000"),
        notice_share=0.22, national_share=0.18, value_median=1_100_000, value_sigma=1.0,
        single_bid=0.12, tenders_mean=4.5, joint_share=0.06, incumbency=2.5,
        tiers=(
            Tier(5, 0.48, zipf=0.3, value_factor=1.7, size="large", also=("48", "79"),
                 foreign=(("FR", 0.2), ("DE", 0.2), ("US", 0.2))),
            Tier(66, 0.52, zipf=0.8, entrants=0.15, foreign=_EU_MIX + (("GB", 0.02), ("CH", 0.01))),
        ),
        words=("ICT", "IT Services", "Informatica", "Automatisering", "Digital", "Systems", "Data", "Cloud"),
        subjects=(("Applicatiebeheer en -onderhoud", "72260000"), ("Werkplekbeheer", "72250000"),
                  ("Hosting en clouddiensten", "72500000"), ("Netwerk- en infrastructuurbeheer", "72000000"),
                  ("Informatiebeveiliging en SOC-diensten", "72600000"), ("Datamigratie en integratie", "72300000"),
                  ("Inhuur ICT-professionals", "72200000"), ("Maatwerksoftware", "72230000")),
        lot_subjects=("Applicatiebeheer", "Werkplekken", "Hosting", "Netwerken", "Beveiliging", "Servicedesk"),
    ),
    Category(
        key="48", label="Software packages", nature="supplies",
        cpv=("48000000", "48200000", "48400000", "48440000", "48450000", "48600000", "48900000", "48300000"),
        cross_cpv=("72260000", "72250000"),
        notice_share=0.14, national_share=0.10, value_median=650_000, value_sigma=1.0,
        single_bid=0.40, tenders_mean=2.6, joint_share=0.0, incumbency=4.0,
        tiers=(
            Tier(3, 0.82, zipf=0.9, value_factor=1.8, size="large", foreign=(("US", 0.35), ("IE", 0.25))),
            Tier(14, 0.18, zipf=0.5, entrants=0.2,
                 foreign=(("US", 0.15), ("GB", 0.1), ("CN", 0.07), ("DE", 0.07), ("DK", 0.07), ("NO", 0.07))),
        ),
        words=("Software", "Systems", "Applications", "Platforms", "Informatiesystemen"),
        subjects=(("Zaaksysteem", "48000000"), ("ERP-systeem", "48400000"), ("Financieel systeem", "48440000"),
                  ("HR- en salarissoftware", "48450000"), ("Documentmanagementsysteem", "48300000"),
                  ("Licenties kantoorsoftware", "48900000"), ("Databaseplatform", "48600000"),
                  ("Netwerksoftware", "48200000")),
        lot_subjects=("Licenties", "Implementatie", "Onderhoud en support", "Hosting"),
    ),
    Category(
        key="79", label="Business and management consultancy", nature="services",
        cpv=("79400000", "79410000", "79411000", "79412000", "79414000", "79419000", "79420000", "79421000"),
        cross_cpv=("72220000", "72600000"),
        notice_share=0.20, national_share=0.28, value_median=420_000, value_sigma=0.8,
        single_bid=0.06, tenders_mean=6.5, joint_share=0.08, incumbency=1.2,
        tiers=(Tier(75, 1.0, zipf=0.55, entrants=0.15, foreign=_EU_MIX + (("GB", 0.03), ("US", 0.02))),),
        words=("Advies", "Consultancy", "Management", "Partners", "Organisatieadvies", "Strategie"),
        subjects=(("Organisatieadvies", "79410000"), ("Interim-management", "79420000"),
                  ("Verandermanagement", "79411000"), ("Strategisch advies", "79400000"),
                  ("Financieel advies", "79412000"), ("Onderzoek en evaluatie", "79419000"),
                  ("Projectmanagement", "79421000"), ("Advies personeelsbeleid", "79414000")),
        lot_subjects=("Organisatieadvies", "Interim-management", "Onderzoek", "Projectleiding"),
    ),
    Category(
        key="90910000", label="Cleaning services", nature="services",
        cpv=("90910000", "90911000", "90911200", "90919200", "90911300", "90919300"),
        cross_cpv=(),
        notice_share=0.10, national_share=0.12, value_median=1_600_000, value_sigma=0.8,
        single_bid=0.15, tenders_mean=4.5, joint_share=0.04, incumbency=1.8,
        tiers=(
            Tier(4, 0.62, zipf=0.2, value_factor=1.3, size="large"),
            Tier(18, 0.38, regional=True, entrants=0.1, foreign=(("BE", 0.05),)),
        ),
        words=("Schoonmaak", "Facilitair", "Schoonmaakdiensten", "Cleaning Services", "Glazenwasserij"),
        subjects=(("Schoonmaakdienstverlening kantoren", "90919200"), ("Glasbewassing", "90911300"),
                  ("Schoonmaak sportaccommodaties", "90911200"), ("Schoonmaak onderwijsgebouwen", "90919300"),
                  ("Schoonmaak- en hygiënediensten", "90910000"), ("Schoonmaak gebouwen", "90911000")),
        lot_subjects=("Kantoren", "Sportaccommodaties", "Glasbewassing", "Buitenlocaties"),
    ),
    Category(
        key="45", label="Construction works", nature="works",
        cpv=("45000000", "45210000", "45211000", "45212000", "45214200", "45215000", "45233000",
             "45232400", "45240000", "45246000", "45260000", "45453000", "45233140"),
        cross_cpv=("71000000",),
        notice_share=0.26, national_share=0.30, value_median=6_500_000, value_sigma=0.9,
        single_bid=0.05, tenders_mean=6.5, joint_share=0.08, incumbency=1.1,
        tiers=(
            Tier(3, 0.14, value_factor=1.6, size="large"),
            Tier(99, 0.86, zipf=0.3, regional=True, entrants=0.1, foreign=(("BE", 0.03), ("DE", 0.03))),
        ),
        words=("Bouw", "Infra", "Aannemingsbedrijf", "Bouwbedrijf", "Wegenbouw", "Waterbouw"),
        subjects=(("Vervanging riolering", "45232400"), ("Reconstructie wegen", "45233000"),
                  ("Nieuwbouw brede school", "45214200"), ("Renovatie stadskantoor", "45453000"),
                  ("Onderhoud kunstwerken", "45240000"), ("Dijkversterking", "45246000"),
                  ("Aanleg fietspad", "45233140"), ("Dakrenovatie", "45260000"),
                  ("Nieuwbouw woningen", "45211000"), ("Nieuwbouw sporthal", "45212000"),
                  ("Nieuwbouw zorgcentrum", "45215000"), ("Bouw gemeentewerf", "45210000")),
        lot_subjects=("Noord", "Zuid", "Centrum", "Buitengebied"),
    ),
    Category(
        key="09310000", label="Electricity", nature="supplies",
        cpv=("09310000",),
        cross_cpv=("09300000", "65310000"),
        notice_share=0.08, national_share=0.02, value_median=8_000_000, value_sigma=0.8,
        single_bid=0.45, tenders_mean=2.2, joint_share=0.0, incumbency=1.5,
        tiers=(Tier(3, 1.0, zipf=0.85, size="large", foreign=(("DE", 0.34),)),),
        words=("Energie", "Power", "Stroom"),
        subjects=(("Levering elektriciteit", "09310000"), ("Levering groene stroom", "09310000"),
                  ("Energielevering elektriciteit", "09310000")),
        lot_subjects=("Kleinverbruik", "Grootverbruik", "Openbare verlichting"),
    ),
)
CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}

#: How much each kind of buyer buys in each category, relative to the others.
_KIND_APPETITE: dict[str, dict[str, float]] = {
    "municipality": {"45": 1.2, "09310000": 0.9},
    "water-board": {"45": 2.2, "79": 0.8, "48": 0.7},
    "province": {"45": 1.8, "79": 1.2},
    "agency": {"45": 0.5, "72": 1.8, "48": 1.5, "79": 1.4},
    "hospital": {"45": 0.6, "90910000": 1.6, "48": 1.2},
    "university": {"45": 0.7, "72": 1.3, "90910000": 1.3},
}
_KIND_VOLUME = {"municipality": 1.0, "water-board": 0.9, "province": 1.4, "agency": 1.8, "hospital": 0.8,
                "university": 0.9}

_PROCEDURES = (("open", 0.74), ("restricted", 0.15), ("neg-w-call", 0.08), ("comp-dial", 0.03))


# --------------------------------------------------------------------------------------------
# Places and names: all invented
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    key: str
    nuts: tuple[str, ...]  # NUTS 3 codes of the real map; the towns on it are invented
    postcodes: tuple[int, int]
    province: str
    water_board: str


REGIONS: tuple[Region, ...] = (
    Region("noord", ("NL113", "NL124", "NL125", "NL132", "NL133"), (8400, 9999),
           "Provincie Noordermarke", "Waterschap Kwelderland"),
    Region("oost", ("NL211", "NL213", "NL221", "NL225", "NL226"), (6500, 8299),
           "Provincie Oostergouw", "Waterschap Essenstroom"),
    Region("midden", ("NL310", "NL230"), (3400, 3999), "Provincie Middenwaard", "Waterschap De Vier Vlieten"),
    Region("west", ("NL321", "NL324", "NL327", "NL328", "NL329"), (1000, 2199),
           "Provincie Westmarken", "Hoogheemraadschap Lindevallei"),
    Region("zuidwest", ("NL332", "NL333", "NL337", "NL33C", "NL342"), (2200, 3399),
           "Provincie Zuiderkwartier", "Hoogheemraadschap Brakenwaard"),
    Region("zuid", ("NL411", "NL412", "NL414", "NL421", "NL423"), (4600, 6499),
           "Provincie Heuvelmarke", "Waterschap Beekdal-Oost"),
)
REGION_BY_KEY = {r.key: r for r in REGIONS}

#: Names of the NUTS 3 areas the world's towns lie in (the areas are real, the towns are not).
NUTS_NAMES = {
    "NL113": "Overig Groningen", "NL124": "Noord-Friesland", "NL125": "Zuidwest-Friesland",
    "NL132": "Zuidoost-Drenthe", "NL133": "Zuidwest-Drenthe", "NL211": "Noord-Overijssel", "NL213": "Twente",
    "NL221": "Veluwe", "NL225": "Achterhoek", "NL226": "Arnhem/Nijmegen", "NL310": "Utrecht", "NL230": "Flevoland",
    "NL321": "Kop van Noord-Holland", "NL324": "Agglomeratie Haarlem", "NL327": "Het Gooi en Vechtstreek",
    "NL328": "Alkmaar en omgeving", "NL329": "Groot-Amsterdam", "NL332": "Agglomeratie 's-Gravenhage",
    "NL333": "Delft en Westland", "NL337": "Agglomeratie Leiden en Bollenstreek", "NL33C": "Groot-Rijnmond",
    "NL342": "Overig Zeeland", "NL411": "West-Noord-Brabant", "NL412": "Midden-Noord-Brabant",
    "NL414": "Zuidoost-Noord-Brabant", "NL421": "Noord-Limburg", "NL423": "Zuid-Limburg",
}

#: Invented towns, by region.
TOWNS: dict[str, tuple[str, ...]] = {
    "noord": ("Kwelderhoven", "Marwolde", "Heuvelzijl", "Wierdezijl", "Harkezijl", "Honingwolde", "Tjalkwerd"),
    "oost": ("Dravenloo", "Ekelhorst", "Stobbenhorst", "Garvelo", "Bremerloo", "Hulstwoude", "Eekhoorndal"),
    "midden": ("Sterrenmeer", "Elzenrade", "Klaverwoude", "Eemvelde", "Zeggeveen", "Tolmeer"),
    "west": ("Lindebroek", "Zwanenloo", "Kievitsveen", "Dunewaard", "Boterwijk", "Lommerzand", "Pluimdijk"),
    "zuidwest": ("Essenwaard", "Brakendijk", "Kalkhaven", "Schelvenhorst", "Oudekolk", "Koraalhoven", "Smeltveen"),
    "zuid": ("Beekhove", "Torvenburg", "Hazelwijk", "Vennekamp", "Hennekerk", "Ardenwolde", "Zandlinde"),
}

_FOREIGN_TOWNS: dict[str, tuple[str, ...]] = {
    "DE": ("Düsseldorf", "Köln", "Hamburg", "München", "Essen"), "BE": ("Antwerpen", "Gent", "Leuven", "Hasselt"),
    "FR": ("Lyon", "Lille", "Nantes"), "IE": ("Dublin", "Cork"), "DK": ("Aarhus", "Odense"),
    "US": ("Seattle", "Austin", "Boston"), "GB": ("London", "Manchester", "Reading"), "CN": ("Shenzhen", "Hangzhou"),
    "CH": ("Zürich", "Basel"), "NO": ("Oslo", "Bergen"),
}
#: The shape of a foreign company's identifier (VAT number, or what the country uses) and postcode.
_FOREIGN_IDS = {"DE": "DE1########", "BE": "BE07########", "FR": "FR##3########", "IE": "IE#######@",
                "DK": "DK3#######", "US": "8#-#######", "GB": "GB2########", "CN": "91440300MA5@@@@@@#",
                "CH": "CHE-1##.###.###", "NO": "NO9########MVA"}
_FOREIGN_POSTCODES = {"DE": "4####", "BE": "2###", "FR": "69###", "IE": "D0# @###", "DK": "8###", "US": "98###",
                      "GB": "EC1@ #@@", "CN": "518###", "CH": "80##", "NO": "0###"}
_FOREIGN_FORMS = {"DE": "GmbH", "BE": "NV", "FR": "SAS", "IE": "Ltd", "DK": "A/S", "US": "Inc.", "GB": "Ltd",
                  "CN": "Co., Ltd.", "CH": "AG", "NO": "AS"}
#: What foreign suppliers call themselves, per category; German and French ones in their own language.
_FOREIGN_WORDS = {"72": ("Solutions", "Technologies", "Consulting", "Systems"), "48": ("Software", "Systems"),
                  "79": ("Consulting", "Advisory", "Partners"), "90910000": ("Facility Services", "Cleaning"),
                  "45": ("Construction", "Infrastructure"), "09310000": ("Energy", "Power")}
_TRANSLATED = {"DE": {"Consulting": "Beratung", "Systems": "Systemtechnik", "Cleaning": "Gebäudereinigung",
                      "Construction": "Bau", "Energy": "Energie", "Infrastructure": "Tiefbau"},
               "FR": {"Consulting": "Conseil", "Solutions": "Informatique", "Construction": "Construction"}}

_BRAND_HEADS = ("Kwa", "Vel", "Dor", "Bra", "Zwe", "Lun", "Gra", "Mos", "Hen", "Tar", "Wis", "Olm", "Ruy", "Pre",
                "Sto", "Fen", "Jor", "Nes", "Vor", "Ame", "Bel", "Cor", "Del", "Eri", "Fal", "Gel", "Hal", "Ilm",
                "Kel", "Lor", "Mer", "Nor", "Orv", "Pal", "Quin", "Ros", "Sel", "Tes", "Ulv", "Wen", "Xan", "Zel")
_BRAND_TAILS = ("dix", "tara", "vant", "nexa", "rium", "mara", "velt", "rando", "lys", "vian", "stone", "gate",
                "wise", "tiq", "lux", "mont", "vaart", "ora", "sma", "quay")
_NAME_HEADS = ("Dravel", "Kwint", "Brommel", "Harvel", "Ommel", "Wiggel", "Tessel", "Garrel", "Hobbel", "Fokkel",
               "Jorrel", "Lubbel", "Nijsel", "Prikkel", "Ruttel", "Schrevel", "Tonkel", "Uffel", "Vinkel",
               "Zandel", "Morrel", "Kribbel", "Dommel", "Sprokkel")
_NAME_TAILS = ("inga", "stra", "aar", "ink", "ema", "horst", "kamp", "ing", "ers")
_BUILDER_PATTERNS = ("Aannemingsbedrijf {n}", "Bouwbedrijf {n}", "{n} Bouw", "{n} Infra", "Gebr. {n}",
                     "{n} & Zonen", "{n} Wegenbouw", "{n} Waterbouw")
_CLEANER_PATTERNS = ("Schoonmaakbedrijf {n}", "{n} Schoonmaak", "{n} Facilitair", "{n} & Zonen Glazenwasserij")
_AGENCIES = ("Agentschap Digitale Basisregistraties", "Landelijk Bureau Wegbeheer",
             "Uitvoeringsdienst Kustonderhoud", "Centraal Bureau Archiefbeheer",
             "Nationaal Instituut voor Bodemdata")


class _Names:
    """Hands out invented names and identifiers, never the same one twice."""

    def __init__(self, rng: random.Random, *, suffix: str = "", shared: _Names | None = None) -> None:
        """``suffix`` marks the names of one copy of a scaled world (" 2", " 3", ...): the invented stems run
        out after a few hundred, so each copy reuses them with its own number, and ``shared`` (the first
        copy's generator) keeps every name and identifier unique across copies."""
        self.rng = rng
        self.suffix = suffix
        self.used: set[str] = shared.used if shared else set()
        self.ids: set[str] = shared.ids if shared else set()

    def _fresh(self, make: Any) -> str:
        for _ in range(1000):
            name = make() + self.suffix
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("ran out of invented names")

    def brand(self) -> str:
        return self._fresh(lambda: self.rng.choice(_BRAND_HEADS) + self.rng.choice(_BRAND_TAILS))

    def surname(self) -> str:
        return self._fresh(lambda: self.rng.choice(_NAME_HEADS) + self.rng.choice(_NAME_TAILS))

    def kvk(self) -> str:
        return self._unique_id(lambda: str(self.rng.randint(10_000_000, 99_999_999)))

    def foreign_id(self, country: str) -> str:
        return self._unique_id(lambda: fill_pattern(self.rng, _FOREIGN_IDS[country]))

    def _unique_id(self, make: Any) -> str:
        while True:
            value = make()
            if value not in self.ids:
                self.ids.add(value)
                return value


def town_nuts(region: Region, town: str) -> str:
    """The NUTS 3 area a town lies in: fixed per town, so all organisations in it agree."""
    return region.nuts[TOWNS[region.key].index(town) % len(region.nuts)]


def dutch_postcode(rng: random.Random, region: Region, town: str) -> str:
    """A Dutch postcode ("1234 AB") in the town's own range; the letters avoid the combinations not issued."""
    low, high = region.postcodes
    towns = TOWNS[region.key]
    base = low + (high - low) * towns.index(town) // len(towns)
    letters = "ABCDEGHJKLMNPRSTVWXZ"
    while True:
        pair = rng.choice(letters) + rng.choice(letters)
        if pair not in {"SA", "SD", "SS"}:
            return f"{base + rng.randint(0, 45)} {pair}"


def fill_pattern(rng: random.Random, pattern: str) -> str:
    """Fill a pattern: "#" becomes a digit, "@" a capital letter, anything else stays."""
    return "".join(str(rng.randint(0, 9)) if c == "#" else rng.choice("ABCDEFGHJKLMNPRSTVWXYZ") if c == "@" else c
                   for c in pattern)


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


def build_world(seed: int = DEFAULT_SEED, scale: int = 1) -> World:
    """The whole market for one seed; the same seed (and scale) always gives the same world.

    ``scale`` N makes a market N times as large, for benchmarks: N copies of the buyers and of every
    category's suppliers (copy 1 is exactly the scale-1 world's; copy c has its own random streams and a
    " c" suffix on its invented names, so names and identifiers stay unique), and N times the notices,
    each buyer tendering among its own copy's suppliers (N markets of the default shape, and building
    stays linear in N). Scale 1 is the default world, byte for byte.
    """
    if scale < 1:
        raise ValueError(f"scale must be a positive whole number, not {scale}")
    names = _Names(random.Random(f"{seed}:names"))
    buyers = _make_buyers(random.Random(f"{seed}:buyers"), names)
    suppliers, pools = _make_suppliers(random.Random(f"{seed}:suppliers"), names)
    copies = [pools] * len(buyers)  # each buyer's market: the suppliers of its own copy
    for copy in range(2, scale + 1):
        more_names = _Names(random.Random(f"{seed}:names:{copy}"), suffix=f" {copy}", shared=names)
        more_buyers = _make_buyers(random.Random(f"{seed}:buyers:{copy}"), more_names, suffix=f" {copy}")
        more, more_pools = _make_suppliers(random.Random(f"{seed}:suppliers:{copy}"), more_names)
        buyers += more_buyers
        suppliers += more
        copies += [more_pools] * len(more_buyers)
    market = _Market(random.Random(f"{seed}:awards"), buyers, copies, scale=scale)
    notices = market.run()
    notices = _assign_identities(random.Random(f"{seed}:identities"), notices, scale=scale)
    return World(seed=seed, buyers=tuple(buyers), suppliers=tuple(suppliers), notices=tuple(notices))


def _make_buyers(rng: random.Random, names: _Names, suffix: str = "") -> list[Buyer]:
    buyers: list[Buyer] = []

    def add(name: str, kind: str, region: Region, town: str) -> None:
        buyers.append(Buyer(id=names.kvk(), name=name + suffix, kind=kind, town=town,
                            postcode=dutch_postcode(rng, region, town), region=region.key, nuts=town_nuts(region, town)))

    for region in REGIONS:
        towns = list(TOWNS[region.key])
        rng.shuffle(towns)
        for town in towns[:4] if region.key in {"west", "zuid", "zuidwest"} else towns[:3]:
            add(f"Gemeente {town}", "municipality", region, town)
        if region.key != "midden":
            add(region.province, "province", region, towns[4])
        else:
            add(region.water_board, "water-board", region, towns[4])
        if region.key in {"noord", "west", "zuidwest"}:
            add(region.water_board, "water-board", region, towns[5])
    for name in _AGENCIES:
        region = rng.choice(REGIONS)
        add(name, "agency", region, rng.choice(TOWNS[region.key]))
    for pattern, kind in (("Ziekenhuis {t}", "hospital"), ("Medisch Centrum {t}", "hospital"),
                          ("Zorggroep {t}", "hospital"), ("Universiteit van {t}", "university"),
                          ("Hogeschool {t}", "university"), ("Technische Hogeschool {t}", "university")):
        region = rng.choice(REGIONS)
        town = rng.choice(TOWNS[region.key])
        add(pattern.format(t=town), kind, region, town)
    return buyers


@dataclass
class _Entry:
    """A supplier's standing in one category's market."""

    supplier: Supplier
    weight: float
    value_factor: float
    regional: bool


def _zipf_weights(count: int, total: float, exponent: float, rng: random.Random) -> list[float]:
    raw = [1.0 / (rank + 1) ** exponent for rank in range(count)]
    rng.shuffle(raw)
    scale = total / sum(raw)
    return [w * scale for w in raw]


def _make_suppliers(rng: random.Random, names: _Names) -> tuple[list[Supplier], dict[str, list[_Entry]]]:
    suppliers: list[Supplier] = []
    pools: dict[str, list[_Entry]] = defaultdict(list)
    tiers: dict[tuple[str, int], list[_Entry]] = {}
    regions = list(REGIONS)
    for category in CATEGORIES:
        for tier_no, tier in enumerate(category.tiers):
            weights = _zipf_weights(tier.count, tier.share, tier.zipf, rng)
            members = tiers[(category.key, tier_no)] = []
            for i in range(tier.count):
                country = _pick(rng, tier.foreign + (("NL", max(0.0, 1 - sum(p for _, p in tier.foreign))),))
                region = regions[i % len(regions)] if tier.regional else rng.choice(regions)
                supplier = _make_supplier(rng, names, category, tier, country, region)
                suppliers.append(supplier)
                entry = _Entry(supplier, weights[i], tier.value_factor, tier.regional)
                members.append(entry)
                pools[category.key].append(entry)
                for other in tier.also:
                    pools[other].append(_Entry(supplier, tier.share * 0.02, 1.0, False))
    _mark_exits(rng, suppliers, pools, tiers)
    return suppliers, pools


def _make_supplier(rng: random.Random, names: _Names, category: Category, tier: Tier, country: str,
                   region: Region) -> Supplier:
    large = tier.size == "large"
    if country != "NL":
        word = rng.choice(_FOREIGN_WORDS[category.key])
        word = _TRANSLATED.get(country, {}).get(word, word)
        legal_form = _FOREIGN_FORMS[country]
        if country == "BE" and rng.random() < 0.4:
            legal_form = rng.choice(("BV", "SRL"))
        name = f"{names.brand()} {word} {legal_form}"
        ident, town = names.foreign_id(country), rng.choice(_FOREIGN_TOWNS[country])
        postcode, nuts = fill_pattern(rng, _FOREIGN_POSTCODES[country]), None
    else:
        legal_form = "N.V." if large and rng.random() < 0.5 else ("V.O.F." if rng.random() < 0.08 else "B.V.")
        if category.key == "45" and not large:
            stem = rng.choice(_BUILDER_PATTERNS).format(n=names.surname())
        elif category.key == "90910000" and not large:
            stem = rng.choice(_CLEANER_PATTERNS).format(n=names.surname())
        elif category.key == "79" and rng.random() < 0.15:
            stem = f"{names.surname()} & {names.surname()} Advies"
        else:
            stem = f"{names.brand()} {rng.choice(category.words)}"
        name = f"{stem} {legal_form}"
        ident, town = names.kvk(), rng.choice(TOWNS[region.key])
        postcode, nuts = dutch_postcode(rng, region, town), town_nuts(region, town)
    entrant = rng.random() < tier.entrants
    active_from = _working_day(_random_day(rng, date(2020, 3, 1), date(2025, 6, 30))) if entrant else FIRST_DAY
    founded = active_from.year - rng.randint(0, 1) if entrant else rng.randint(1952 if large else 1975, 2017)
    return Supplier(
        id=ident, name=name, legal_form=legal_form, country=country, town=town, postcode=postcode,
        founded=founded, size="large" if large else "sme", region=region.key if country == "NL" else None,
        nuts=nuts, categories=(category.key, *tier.also), active_from=active_from,
    )


#: Suppliers that stop winning (later features give them an insolvency): the largest IT integrator
#: of its tier leaves in 2024, a regional cleaner, a regional builder and a consultant before that.
_EXITS = {("72", 0): date(2024, 5, 17), ("90910000", 1): date(2022, 9, 30), ("45", 1): date(2023, 3, 10),
          ("79", 0): date(2021, 11, 5)}


def _mark_exits(rng: random.Random, suppliers: list[Supplier], pools: dict[str, list[_Entry]],
                tiers: dict[tuple[str, int], list[_Entry]]) -> None:
    for (key, tier_no), last_day in _EXITS.items():
        candidates = [e for e in tiers[(key, tier_no)] if e.supplier.active_from == FIRST_DAY]
        chosen = max(candidates, key=lambda e: e.weight) if key == "72" else rng.choice(candidates)
        leaving = replace(chosen.supplier, active_until=last_day)
        suppliers[suppliers.index(chosen.supplier)] = leaving
        for pool in pools.values():
            for entry in pool:
                if entry.supplier.id == leaving.id:
                    entry.supplier = leaving


def _random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _working_day(day: date) -> date:
    """The day itself, or the working day before: TED publishes neither at weekends nor on public holidays."""
    while day.weekday() >= 5 or (day.month, day.day) in {(1, 1), (12, 25), (12, 26)}:
        day -= timedelta(days=1)
    return max(day, FIRST_DAY)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _pick(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


class _Market:
    """Plays the years 2019-2026: buyers tender, suppliers win, incumbents tend to win again."""

    def __init__(self, rng: random.Random, buyers: list[Buyer], pools: list[dict[str, list[_Entry]]], scale: int = 1) -> None:
        """``pools``: per buyer (same order), the category markets it buys in. A scaled world is N copies of
        the market, each buyer tendering among its own copy's suppliers: N times the size, the same shape,
        and the work per award does not grow with N."""
        self.rng = rng
        self.buyers = buyers
        self.pools_of = {b.id: p for b, p in zip(buyers, pools, strict=True)}
        self.scale = scale
        self.entries: dict[tuple[str, str], _Entry] = {}  # a supplier's first standing in a category, found at once
        for market in {id(p): p for p in pools}.values():
            for key, pool in market.items():
                for entry in pool:
                    self.entries.setdefault((key, entry.supplier.id), entry)
        self.incumbent: dict[tuple[str, str], str] = {}
        self.count = 0
        self.buyer_volume = [_KIND_VOLUME[b.kind] * rng.uniform(0.5, 1.8) for b in buyers]
        self._cumulated: dict[str, list[float]] = {}

    def run(self) -> list[Publication]:
        plan: list[tuple[date, Channel, NoticeKind]] = []
        contract_notices = round(CONTRACT_NOTICE_SHARE * (TED_AWARD_NOTICES + NATIONAL_AWARD_NOTICES))
        for channel, kind, count in (("ted", "can", TED_AWARD_NOTICES), ("national", "can", NATIONAL_AWARD_NOTICES),
                                     ("ted", "cn", contract_notices)):
            plan += [(self._growing_day(), channel, kind) for _ in range(count * self.scale)]
        plan.sort()
        return [self._notice(day, channel, kind) for day, channel, kind in plan]

    def _buyer_weights(self, category: str) -> list[float]:
        """How likely each buyer tenders in a category, cumulated once per category (what ``choices`` would
        cumulate on every call: the same numbers, so the same draws, without a pass over all buyers per notice)."""
        if category not in self._cumulated:
            weights = [v * _KIND_APPETITE[b.kind].get(category, 1.0) for b, v in zip(self.buyers, self.buyer_volume, strict=True)]
            self._cumulated[category] = list(itertools.accumulate(weights))
        return self._cumulated[category]

    def _growing_day(self) -> date:
        """More notices in later years, as the market grows a little: mostly uniform, partly rising linearly."""
        u = self.rng.random()
        share = math.sqrt(u) if self.rng.random() < 0.3 else u
        return _working_day(FIRST_DAY + timedelta(days=int((LAST_DAY - FIRST_DAY).days * share)))

    def _notice(self, day: date, channel: Channel, kind: NoticeKind) -> Publication:
        rng = self.rng
        shares = [c.notice_share if channel == "ted" else c.national_share for c in CATEGORIES]
        category = rng.choices(CATEGORIES, weights=shares)[0]
        buyer = rng.choices(self.buyers, cum_weights=self._buyer_weights(category.key))[0]
        self.count += 1
        subject, main_cpv = rng.choice(category.subjects)
        cpv = [main_cpv]
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            extra = rng.choice(category.cpv)
            if category.cross_cpv and rng.random() < 0.25:
                extra = rng.choice(category.cross_cpv)
            if extra not in cpv:
                cpv.append(extra)
        years = rng.choice((2, 3, 4))
        title = f"{subject} {buyer.name} {day.year}"
        description = (f"{buyer.name} besteedt {subject[0].lower() + subject[1:]} aan voor een periode van "
                       f"{years} jaar, met opties tot verlenging.")
        n_lots = min(rng.choice((2, 2, 3, 4)), len(category.lot_subjects)) if rng.random() < 0.18 else 1
        subjects = rng.sample(category.lot_subjects, k=n_lots)
        total = self._total_value(category, channel)
        shares_of_total = [rng.uniform(0.5, 1.5) for _ in range(n_lots)]
        lots = []
        for number in range(1, n_lots + 1):
            lot_title = title if n_lots == 1 else f"Perceel {number}: {subjects[number - 1]}"
            # every code of the notice belongs to some lot, as legacy forms only state codes per lot
            lot_cpv = tuple(cpv[number - 1::n_lots]) or (rng.choice(cpv),)
            if kind == "cn":
                lots.append(Lot(number=number, title=lot_title, cpv=lot_cpv))
                continue
            value = total * shares_of_total[number - 1] / sum(shares_of_total)
            cap = EU_THRESHOLD[category.nature] * 0.97 if channel == "national" else None
            lots.append(self._award(day, buyer, category, number, lot_title, lot_cpv, value, cap))
        procedure = "open" if channel == "national" and rng.random() < 0.8 else _pick(rng, _PROCEDURES)
        # TED publishes a few days after a notice is sent; TenderNed publishes a national notice the same day.
        dispatched = day - timedelta(days=rng.randint(2, 5)) if channel == "ted" else day
        return Publication(
            key=f"N{self.count:05d}", kind=kind, channel=channel, published=day, dispatched=dispatched,
            buyer_id=buyer.id, category=category.key, cpv=tuple(cpv), title=title, description=description,
            procedure=procedure, lots=tuple(lots), notice_uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            folder_uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        )

    def _total_value(self, category: Category, channel: Channel) -> float:
        """What a procedure is worth: below the EU threshold when national, log-normal (and rarely below
        the threshold) when European."""
        threshold = EU_THRESHOLD[category.nature]
        if channel == "national":
            low = 40_000 if category.nature != "works" else 150_000
            return low + (threshold - low) * self.rng.betavariate(1.3, 2.2)
        value = self.rng.lognormvariate(math.log(category.value_median), category.value_sigma)
        return max(value, threshold * self.rng.uniform(0.85, 1.4))

    def _award(self, day: date, buyer: Buyer, category: Category, number: int, title: str, cpv: tuple[str, ...],
               value: float, cap: float | None) -> Lot:
        rng = self.rng
        joint = rng.random() < category.joint_share
        winners = self._winners(day, buyer, category, 3 if joint and rng.random() < 0.35 else 2 if joint else 1)
        factor = max(self._entry(category, w).value_factor for w in winners)
        amount: Decimal | None = None
        if rng.random() >= 0.06:
            raw = value * factor * rng.uniform(0.9, 1.1)
            raw = min(raw, cap) if cap else raw
            style = rng.random()
            if style < 0.25:
                amount = Decimal(round(raw, -3)).quantize(Decimal("0.01"))
            elif style < 0.75:
                amount = Decimal(round(raw)).quantize(Decimal("0.01"))
            else:
                amount = Decimal(f"{raw:.2f}")
        tenders: int | None = None
        if rng.random() >= 0.03:
            tenders = 1 if rng.random() < category.single_bid else min(12, 2 + _poisson(rng, category.tenders_mean - 2))
        return Lot(number=number, title=title, cpv=cpv, winners=winners, value=amount, tenders_received=tenders,
                   framework=joint or rng.random() < 0.1)

    def _entry(self, category: Category, supplier_id: str) -> _Entry:
        return self.entries[(category.key, supplier_id)]

    def _winners(self, day: date, buyer: Buyer, category: Category, count: int) -> tuple[str, ...]:
        rng = self.rng
        candidates, weights = [], []
        incumbent = self.incumbent.get((buyer.id, category.key))
        for entry in self.pools_of[buyer.id][category.key]:
            s = entry.supplier
            if day < s.active_from or (s.active_until is not None and day > s.active_until):
                continue
            weight = entry.weight
            if entry.regional:
                weight *= 6.0 if s.region == buyer.region else 0.15
            if s.id == incumbent:
                weight *= category.incumbency
            candidates.append(s.id)
            weights.append(weight)
        if not candidates:
            raise RuntimeError(f"nobody can win {category.key} on {day}: the market design leaves it empty")
        chosen: list[str] = []
        while len(chosen) < count and len(chosen) < len(candidates):
            pick = rng.choices(candidates, weights=weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        self.incumbent[(buyer.id, category.key)] = chosen[0]
        return tuple(chosen)


# --------------------------------------------------------------------------------------------
# Publication identities: OJ S numbers, TenderNed ids
# --------------------------------------------------------------------------------------------

#: Roughly how many notices TED publishes in a year: our numbers climb through the year like the real ones.
_TED_YEARLY = {2019: 610_000, 2020: 630_000, 2021: 660_000, 2022: 720_000, 2023: 770_000, 2024: 790_000,
               2025: 800_000, 2026: 810_000}


def _assign_identities(rng: random.Random, notices: list[Publication], scale: int = 1) -> list[Publication]:
    """OJ S publication numbers for European notices; TenderNed ids for national and some European ones."""
    out: list[Publication] = []
    last_number: dict[int, int] = {}
    for notice in notices:
        if notice.channel != "ted":
            out.append(notice)
            continue
        year = notice.published.year
        day_of_year = notice.published.timetuple().tm_yday
        base = round(day_of_year / 366 * _TED_YEARLY[year]) + rng.randint(0, 1500)
        number = max(base, last_number.get(year, 0) + rng.randint(1, 400))
        last_number[year] = number
        out.append(replace(notice, ted_number=f"{number}-{year}"))
    european = [n for n in out if n.channel == "ted" and n.kind == "can" and n.published >= TENDERNED_EUROPEAN_FROM]
    on_tenderned = {n.key for n in rng.sample(european, k=min(TENDERNED_EUROPEAN_NOTICES * scale, len(european)))}
    dated: list[tuple[date, str]] = []
    for notice in out:
        if notice.channel == "national":
            dated.append((notice.published, notice.key))
        elif notice.key in on_tenderned:
            dated.append((notice.published + timedelta(days=rng.randint(0, 2)), notice.key))
    dated.sort()
    identities: dict[str, tuple[date, str, int]] = {}
    last_id, last_kenmerk = 0, 0
    for day, key in dated:
        days = (day - FIRST_DAY).days
        last_id = max(1_100_000 + days * 150 + rng.randint(0, 100), last_id + rng.randint(1, 60))
        last_kenmerk = max(200_000 + days * 75 + rng.randint(0, 50), last_kenmerk + rng.randint(1, 30))
        identities[key] = (day, f"{last_id:07d}", last_kenmerk)
    result = []
    for notice in out:
        if notice.key in identities:
            day, tid, kenmerk = identities[notice.key]
            notice = replace(notice, tenderned_id=tid, tenderned_date=day, kenmerk=kenmerk)
        result.append(notice)
    return result


# --------------------------------------------------------------------------------------------
# The publication calendar, shared by every format
# --------------------------------------------------------------------------------------------


def oj_issue(day: date) -> int:
    """The OJ S issue number of a day: the Supplement appears on working days, numbered through the year."""
    first = date(day.year, 1, 1)
    return sum(1 for i in range((day - first).days + 1) if (first + timedelta(days=i)).weekday() < 5)


def brussels_offset(day: date) -> str:
    """UTC offset of Brussels on a day ("+01:00" or "+02:00"): TED writes dates with it."""
    def last_sunday(month: int) -> date:
        d = date(day.year, month, 31)
        return d - timedelta(days=(d.weekday() + 1) % 7)
    return "+02:00" if last_sunday(3) <= day < last_sunday(10) else "+01:00"


def ted_number_parts(number: str) -> tuple[int, int]:
    """("123456-2024") -> (123456, 2024)."""
    serial, year = number.split("-")
    return int(serial), int(year)


def review_body(region: Region) -> tuple[str, str]:
    """The (invented) court that hears complaints about a region's tenders, and its town."""
    return f"Rechtbank {region.province.removeprefix('Provincie ')}", TOWNS[region.key][0]


# --------------------------------------------------------------------------------------------
# Facts about the world, for tests and for the README
# --------------------------------------------------------------------------------------------


def value_shares(world: World, category: str) -> dict[str, Decimal]:
    """Each supplier's awarded value in a category; joint winners share a lot's value equally."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for notice, lot in world.awards():
        if notice.category == category and lot.value is not None:
            for winner in lot.winners:
                totals[winner] += lot.value / len(lot.winners)
    return dict(totals)


def hhi(world: World, category: str) -> float:
    """Herfindahl-Hirschman index (0-1) of a category, by awarded value."""
    totals = value_shares(world, category)
    grand = sum(totals.values())
    return float(sum((v / grand) ** 2 for v in totals.values())) if grand else 0.0


# --------------------------------------------------------------------------------------------
# CPV reference (labels and check digits), read once from the package's own copy
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CpvEntry:
    code: str
    label_en: str
    label_nl: str
    check_digit: str


@lru_cache(maxsize=1)
def cpv_reference() -> dict[str, CpvEntry]:
    source = resources.files("reference").joinpath("data/cpv_2008.csv")
    with source.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: CpvEntry(row["code"], row["label_en"], row["label_nl"], row["check_digit"])
                for row in csv.DictReader(handle)}


__all__ = [
    "ALPHA3", "CATEGORIES", "CATEGORY_BY_KEY", "DEFAULT_SEED", "EFORMS_FROM", "REGION_BY_KEY", "Buyer", "Category",
    "CpvEntry", "Lot", "NUTS_NAMES", "Publication", "Region", "Supplier", "World", "brussels_offset", "build_world",
    "cpv_reference", "hhi", "oj_issue", "review_body", "ted_number_parts", "value_shares",
]
