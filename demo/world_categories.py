"""The demo market's structure: its categories and the tiers of suppliers that compete in each.

Each category has its own concentration (three electricity suppliers, two or three software vendors, a
few IT integrators and a long tail, a fragmented consultancy and construction market with regional
players) and its own buyers' appetite: the numbers here are what make the statistics show something.
"""

from __future__ import annotations

from dataclasses import dataclass

from demo.world_records import Nature


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
KIND_APPETITE: dict[str, dict[str, float]] = {
    "municipality": {"45": 1.2, "09310000": 0.9},
    "water-board": {"45": 2.2, "79": 0.8, "48": 0.7},
    "province": {"45": 1.8, "79": 1.2},
    "agency": {"45": 0.5, "72": 1.8, "48": 1.5, "79": 1.4},
    "hospital": {"45": 0.6, "90910000": 1.6, "48": 1.2},
    "university": {"45": 0.7, "72": 1.3, "90910000": 1.3},
}
KIND_VOLUME = {"municipality": 1.0, "water-board": 0.9, "province": 1.4, "agency": 1.8, "hospital": 0.8,
                "university": 0.9}

PROCEDURES = (("open", 0.74), ("restricted", 0.15), ("neg-w-call", 0.08), ("comp-dial", 0.03))
