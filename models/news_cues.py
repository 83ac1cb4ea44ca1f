"""Rule-based cue features for the news event classifier: denial, negation, called-off, looking back, court wins,
statistics, a loss without distress.

Why rules beside the word model: "Bouwbedrijf ontkent geruchten over faillissement" shares every content word
with a real insolvency headline; only a few function words ("ontkent", "afgeblazen", "tien jaar na", "aantal ...
gedaald") say that nothing happened to the company. A bag of n-grams learns such words only from many examples,
and then only in the combinations it saw. Each cue here is a hand-written pattern (Dutch and English) that fires
as one binary feature; the logistic regression learns how much each cue weighs against the event words, from
labelled headlines in which the cues occur in every class. The cues are listed by ``cues_in`` so a person can see
why a headline went to "other" (``supplyradar news classify`` prints them).

The patterns run on lower-cased text with accents removed (``ë`` -> ``e``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from models.pattern_gate import PatternGate

_EVENT_NOUNS_PLURAL = (
    r"faillissementen|bankruptcies|insolvencies|insolventies|stakingen|strikes|walkouts|cyberaanvallen|cyberattacks|"
    r"cyber ?attacks|ransomware ?attacks|aanvallen|attacks|hacks|datalekken|breaches|overnames|takeovers|mergers|fusies|"
    r"deals|ontslagen|layoffs|job cuts|branden|fires|bedrijfsbranden|bedrijven|firms|companies|ondernemingen|mkb|"
    r"boetes|fines|rechtszaken|lawsuits|reorganisaties|stakingsdagen|"
    r"(bankruptcy|insolvency|strike|layoff|faillissements?|stakings?)[ -]?(numbers|figures|rates?|cijfers|aantallen)"
)

#: cue name -> pattern. Word boundaries matter: "no" must not fire inside "economy".
CUE_PATTERNS: dict[str, str] = {
    "denial": (
        r"\b(ontkent|ontkennen|ontkend|ontkenning|weerspreekt|weerspreken|spreekt\b.*\btegen|dementeert|"
        r"ongegrond|onwaar|onjuist|onzin|niet waar|denies|deny|denied|denial|untrue|unfounded|baseless|false|"
        r"rejects? (reports?|rumou?rs?|claims?|speculation|allegations?)|dismiss(es|ed)? (reports?|rumou?rs?|"
        r"speculation|claims?|concerns?))\b"
    ),
    "rumour": r"\b(geruchten?|gerucht|speculatie|rumou?rs?|rumou?red|speculation|reportedly)\b",
    "negation": (
        r"\b(geen|niet|nooit|no|not|never|zonder|without|nothing|rules? out|ruled out|sluit\b.*\buit|"
        r"unaffected|onaangetast)\b"
    ),
    "called_off": (
        r"\b(afgeblazen|blazen\b.*\baf|blaast\b.*\baf|afgelast|gaat niet door|gaan niet door|van de baan|afgewend|"
        r"opgeschort|schort\b.*\bop|ingetrokken|trekt\b.*\bin|ziet af van|zien af van|beeindigd|beeindigt|opgeheven|"
        r"heft\b.*\bop|teruggedraaid|called off|calls? off|averted|avert|abandon(s|ed)?|scrap(s|ped)?|"
        r"cancel(s|led|ed)?|suspend(s|ed)? (planned )?(strike|walkout|action|bid|plan)|withdraw(s|n)?|withdrew|"
        r"lift(s|ed)?\b.*\b(order|ban)|ends? (the )?strike|ended|overturned|reversed|"
        r"akkoord bereikt|deal reached|accept(s|ed)? (pay )?offer|falls? through|collapses?\b.*\b(talks|deal|merger|bid))\b"
    ),
    "looking_back": (
        r"\b(jaar na|jaren na|years? after|jaar geleden|years? ago|sinds het|herdenkt|herdenking|herdenken|"
        r"jubileum|anniversary|memorial|kijkt terug|blikt terug|terugblik|looks? back|remember(s|ed)?|recalls?|"
        r"revisits?|reflects?|overleefde|survived|documentaire|documentary|boek over|book about|oud-|voormalig|"
        r"former|historisch|history)\b"
    ),
    "past_year": r"\b(19[0-9]{2}|20[01][0-9])\b",
    "court_win": (
        r"\b(wint (rechtszaak|zaak|hoger beroep|beroep|kort geding|arbitrage)|in het gelijk|vrijgesproken|vrijspraak|"
        r"seponeert|geseponeerd|vernietigd|vernietigt|afgewezen|wijst\b.*\baf|wins? (appeal|case|lawsuit|court|"
        r"dispute|arbitration)|won (appeal|case|lawsuit)|cleared|acquitted|acquittal|dismiss(es|ed)? (lawsuit|case|"
        r"claim|charges|suit)|charges dropped|dropped charges|drops? (the )?(charges|case)|case dropped|"
        r"laat (de )?zaak\b.*\bvallen|rules? in favou?r|ruled in favou?r)\b"
    ),
    "event_noun_plural": rf"\b({_EVENT_NOUNS_PLURAL})\b",
    "trend": (
        r"\b(aantal|number of|meer|minder|fewer|more|record|hoogste|laagste|highest|lowest|procent|percent|per cent|"
        r"stijgt|stijgen|daalt|dalen|gedaald|gestegen|toename|afname|rise|rises|rose|fell|fall|falls|up|down|doubled|"
        r"verdubbeld|halved|ease|eases|eased|jump|jumped|surge|surged|niveau|level|decade|decennium|kwart|helft|"
        r"one in|een op de)\b|\d+ ?%"
    ),
    "statistics_source": (
        r"\b(cbs|eurostat|statistiek|statistics|survey|enquete|onderzoek|rapport|report says|report finds|studie|"
        r"study|insurer|verzekeraar|cijfers|figures|data show|index|graydon|creditsafe|kvk-cijfers)\b"
    ),
    "loss": (
        r"\b(verlies|verliezen|verlieslatend|rode cijfers|winstdaling|winst daalt|winst gehalveerd|winstwaarschuwing|"
        r"loss|losses|loss-making|profit warning|profit falls?|profits? fell|lower profit|swings? to (a )?loss)\b"
    ),
    "distress": (
        r"\b(surseance|uitstel van betaling|failliet|faillissement|curator|betalingsachterstand\w*|achterstand\w*|"
        r"schuldeisers|continuiteit|going.concern|material uncertainty|arrears|behind on|chapter 11|administration|"
        r"administrators?|receivers?|receivership|liquidation|liquidators?|insolvent|insolvency|bankrupt|bankruptcy|"
        r"creditors|defaults?|default(ed|s) on|misses? (interest|payment|debt)|covenants?|kredietlijn|beslag|"
        r"loon niet|salaris niet|salarissen niet|(not|un)paid (staff )?wages|unpaid|onbetaalde?|cash runs out|geldnood|"
        r"geldtekort|whoa|not survive|niet (meer )?(betalen|voldoen)|cannot pay|can't pay|unable to pay|omvallen|"
        r"goes bust|winding.up|run out of cash|runs? out of money)\b"
    ),
}
#: Cues that combine others: a statistics headline, a loss without any sign of distress.
DERIVED_CUES = ("statistics", "loss_without_distress", "past_and_looking_back")
CUE_NAMES: tuple[str, ...] = (*CUE_PATTERNS, *DERIVED_CUES)
_COMPILED = {name: re.compile(pattern) for name, pattern in CUE_PATTERNS.items()}
#: Which cues' patterns could match a text at all (``models.pattern_gate``): the others are not searched.
_GATE = PatternGate(CUE_PATTERNS)


def normalise(text: str) -> str:
    """Lower case without accents, so "beëindigd" matches "beeindigd"."""
    if text.isascii():  # most headlines: nothing to decompose, no combining marks to drop
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def cues_in(text: str) -> tuple[str, ...]:
    """The cue names that fire on ``text``, in ``CUE_NAMES`` order."""
    plain = normalise(text)
    possible = _GATE.possible(plain)
    found = {name for name, pattern in _COMPILED.items() if name in possible and pattern.search(plain)}
    if "event_noun_plural" in found and ({"trend", "statistics_source"} & found):
        found.add("statistics")
    if "loss" in found and "distress" not in found:
        found.add("loss_without_distress")
    if "past_year" in found and "looking_back" in found:
        found.add("past_and_looking_back")
    return tuple(name for name in CUE_NAMES if name in found)


class CueFeatures(TransformerMixin, BaseEstimator):
    """One binary column per cue in ``CUE_NAMES``, scaled by ``weight`` (TF-IDF rows have unit length)."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, texts: Iterable[str], labels: object = None) -> CueFeatures:
        return self

    def transform(self, texts: Iterable[str]) -> np.ndarray:
        rows = [cues_in(text) for text in texts]
        matrix = np.zeros((len(rows), len(CUE_NAMES)))
        for row, names in enumerate(rows):
            for name in names:
                matrix[row, CUE_NAMES.index(name)] = self.weight
        return matrix  # dense and narrow; FeatureUnion stacks it beside the sparse TF-IDF columns

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.array([f"cue:{name}" for name in CUE_NAMES], dtype=object)
