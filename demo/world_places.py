"""Places and names of the demo world, all invented: regions on the real NUTS map, towns, company names, ids."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any


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

FOREIGN_TOWNS: dict[str, tuple[str, ...]] = {
    "DE": ("Düsseldorf", "Köln", "Hamburg", "München", "Essen"), "BE": ("Antwerpen", "Gent", "Leuven", "Hasselt"),
    "FR": ("Lyon", "Lille", "Nantes"), "IE": ("Dublin", "Cork"), "DK": ("Aarhus", "Odense"),
    "US": ("Seattle", "Austin", "Boston"), "GB": ("London", "Manchester", "Reading"), "CN": ("Shenzhen", "Hangzhou"),
    "CH": ("Zürich", "Basel"), "NO": ("Oslo", "Bergen"),
}
#: The shape of a foreign company's identifier (VAT number, or what the country uses) and postcode.
_FOREIGN_IDS = {"DE": "DE1########", "BE": "BE07########", "FR": "FR##3########", "IE": "IE#######@",
                "DK": "DK3#######", "US": "8#-#######", "GB": "GB2########", "CN": "91440300MA5@@@@@@#",
                "CH": "CHE-1##.###.###", "NO": "NO9########MVA"}
FOREIGN_POSTCODES = {"DE": "4####", "BE": "2###", "FR": "69###", "IE": "D0# @###", "DK": "8###", "US": "98###",
                      "GB": "EC1@ #@@", "CN": "518###", "CH": "80##", "NO": "0###"}
FOREIGN_FORMS = {"DE": "GmbH", "BE": "NV", "FR": "SAS", "IE": "Ltd", "DK": "A/S", "US": "Inc.", "GB": "Ltd",
                  "CN": "Co., Ltd.", "CH": "AG", "NO": "AS"}
#: What foreign suppliers call themselves, per category; German and French ones in their own language.
FOREIGN_WORDS = {"72": ("Solutions", "Technologies", "Consulting", "Systems"), "48": ("Software", "Systems"),
                  "79": ("Consulting", "Advisory", "Partners"), "90910000": ("Facility Services", "Cleaning"),
                  "45": ("Construction", "Infrastructure"), "09310000": ("Energy", "Power")}
TRANSLATED = {"DE": {"Consulting": "Beratung", "Systems": "Systemtechnik", "Cleaning": "Gebäudereinigung",
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
_INITIALS = "ABCDEFGHJKLMNPRSTW"
#: What the long tail's small firms (copies 2..N of a scaled world) call themselves, per category: an initial
#: ("{i}") and a surname ("{n}") in the trade's own words; electricity has no long tail.
SMALL_FIRM_PATTERNS = {
    "72": ("{n} ICT", "{n} IT-Diensten", "{n} Automatisering", "{i}. {n} IT Consultancy", "{n} Netwerkbeheer",
           "{i}. {n} Informatica"),
    "48": ("{n} Software", "{n} Apps", "{i}. {n} Softwareontwikkeling", "{n} Webapplicaties"),
    "79": ("{n} Advies", "Adviesbureau {n}", "{i}. {n} Consultancy", "{n} & Partners", "{n} Interim",
           "{i}. {n} Organisatieadvies"),
    "90910000": ("Schoonmaakbedrijf {n}", "{n} Schoonmaak", "Glazenwasserij {n}", "{i}. {n} Schoonmaakdiensten",
                 "{n} Hygiëne"),
    "45": ("Klusbedrijf {n}", "Installatiebedrijf {n}", "Schildersbedrijf {n}", "{i}. {n} Bouw", "{n} Grondwerken",
           "Timmerbedrijf {n}", "Hoveniersbedrijf {n}", "{i}. {n} Installatietechniek"),
}
BUILDER_PATTERNS = ("Aannemingsbedrijf {n}", "Bouwbedrijf {n}", "{n} Bouw", "{n} Infra", "Gebr. {n}",
                     "{n} & Zonen", "{n} Wegenbouw", "{n} Waterbouw")
CLEANER_PATTERNS = ("Schoonmaakbedrijf {n}", "{n} Schoonmaak", "{n} Facilitair", "{n} & Zonen Glazenwasserij")
AGENCIES = ("Agentschap Digitale Basisregistraties", "Landelijk Bureau Wegbeheer",
             "Uitvoeringsdienst Kustonderhoud", "Centraal Bureau Archiefbeheer",
             "Nationaal Instituut voor Bodemdata")


class Names:
    """Hands out invented names and identifiers, never the same one twice."""

    def __init__(self, rng: random.Random, *, suffix: str = "", shared: Names | None = None) -> None:
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

    def small_firm(self, patterns: tuple[str, ...]) -> str:
        """A small firm's name from one of ``patterns`` (``SMALL_FIRM_PATTERNS``): an initial and a surname."""
        rng = self.rng
        return self._fresh(lambda: rng.choice(patterns).format(i=rng.choice(_INITIALS),
                                                               n=rng.choice(_NAME_HEADS) + rng.choice(_NAME_TAILS)))

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


def review_body(region: Region) -> tuple[str, str]:
    """The (invented) court that hears complaints about a region's tenders, and its town."""
    return f"Rechtbank {region.province.removeprefix('Provincie ')}", TOWNS[region.key][0]
