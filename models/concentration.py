"""Concentration measures over suppliers' shares: HHI, CR4 and the HHI bands.

Kept apart from the market scan so that every model that speaks of concentration (a
category's award market, a buyer's spend, a dependency on one supplier) uses the same
definitions and cites the same thresholds. Shares are exact fractions: the numbers a
reader checks by hand (50/30/20 -> HHI 3,800) come out exactly, not as 3799.9999.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

ConcentrationBand = Literal["unconcentrated", "moderately concentrated", "highly concentrated"]

#: The HHI of a market held by a single supplier: shares in percent, squared.
HHI_MAX = 10_000
#: Below this the EC guidelines see a market as unlikely to raise concerns (para. 19).
HHI_LOWER_THRESHOLD = 1_000
#: Above this the EC guidelines apply their stricter delta (para. 20).
HHI_UPPER_THRESHOLD = 2_000
#: CR4: the combined share of the four largest suppliers.
CR_SUPPLIERS = 4

EC_GUIDELINES_CITATION = (
    "European Commission, Guidelines on the assessment of horizontal mergers under the Council "
    "Regulation on the control of concentrations between undertakings (2004/C 31/03), "
    "OJ C 31, 5.2.2004, p. 5-18, paragraphs 19-21"
)
EC_GUIDELINES_URL = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:52004XC0205(02)"
#: What paragraphs 19-21 say, summarised; the report quotes it beside the bands so that a
#: reader sees where the thresholds come from and how little they claim.
EC_GUIDELINES_TEXT = (
    "Paragraph 19: the Commission is unlikely to identify horizontal competition concerns in a market "
    "with a post-merger HHI below 1,000; such markets normally need no extensive analysis. "
    "Paragraph 20: nor is it likely to where the post-merger HHI is between 1,000 and 2,000 with a "
    "change (delta) below 250, or above 2,000 with a delta below 150, unless special circumstances "
    "apply (for instance a significant new entrant, an important innovator, cross-shareholdings, a "
    "maverick firm, signs of past or ongoing coordination, or a merging party with a pre-merger share "
    "of 50% or more). Paragraph 21: these HHI levels and deltas are an initial indicator of the "
    "absence of competition concerns; they do not give rise to a presumption of either the existence "
    "or the absence of such concerns."
)
#: The band names are supplyradar's plain-language shorthand for the two EC thresholds; the
#: guidelines themselves name no bands, and a CPV category is not a relevant market.
BAND_CAVEAT = (
    "The band names are shorthand for the two thresholds of the guidelines, which name no bands. "
    "A CPV category of public awards is not a relevant market in the competition-law sense: "
    "read the bands as an orientation, not as an assessment."
)


@dataclass(frozen=True, slots=True)
class Concentration:
    """HHI and CR4 of one set of shares, with the band the HHI falls in."""

    hhi: float  # 0 to 10,000
    cr4: float  # 0 to 1
    band: ConcentrationBand
    suppliers: int


def shares(weights: Mapping[str, Fraction]) -> dict[str, Fraction]:
    """Each supplier's part of the total; an empty or zero total has no shares."""
    total = sum(weights.values(), Fraction(0))
    if total <= 0:
        return {}
    return {key: weight / total for key, weight in weights.items() if weight > 0}


def hhi(share_values: Iterable[Fraction]) -> float:
    """Herfindahl-Hirschman index on the 0-10,000 scale (shares in percent, squared, summed)."""
    return float(sum(((share * 100) ** 2 for share in share_values), Fraction(0)))


def concentration_ratio(share_values: Iterable[Fraction], n: int = CR_SUPPLIERS) -> float:
    """Combined share of the n largest suppliers (CR4 for n=4), as a fraction of 1."""
    return float(sum(sorted(share_values, reverse=True)[:n], Fraction(0)))


def hhi_band(value: float) -> ConcentrationBand:
    """Band of an HHI: below 1,000, 1,000 to 2,000 inclusive, above 2,000."""
    if value < HHI_LOWER_THRESHOLD:
        return "unconcentrated"
    if value <= HHI_UPPER_THRESHOLD:
        return "moderately concentrated"
    return "highly concentrated"


def integer_weights(weights: Mapping[str, Fraction | int]) -> tuple[dict[str, int], int] | None:
    """Exact weights as integers in the same proportions (each times the common denominator), and that
    denominator; None when a weight is not exact (a float).

    Why: shares, HHI and CR4 of integers need one exact division each, where a Fraction per supplier (and
    a sort comparing Fractions) cost a category with thousands of suppliers seconds. The figures are the
    same rationals, so the same floats.
    """
    scale = 1
    for weight in weights.values():
        if isinstance(weight, Fraction):
            scale = math.lcm(scale, weight.denominator)
        elif not isinstance(weight, int):
            return None
    return {key: weight.numerator * (scale // weight.denominator) if isinstance(weight, Fraction) else weight * scale
            for key, weight in weights.items()}, scale


def concentration(weights: Mapping[str, Fraction]) -> Concentration | None:
    """HHI, CR4 and band of suppliers' weights (values or award counts); None without any."""
    exact = integer_weights(weights)
    if exact is not None:
        return _integer_concentration(exact[0])
    parts = shares(weights)
    if not parts:
        return None
    index = hhi(parts.values())
    return Concentration(
        hhi=index, cr4=concentration_ratio(parts.values()), band=hhi_band(index), suppliers=len(parts)
    )


def _integer_concentration(weights: Mapping[str, int]) -> Concentration | None:
    """``concentration`` of integer weights: HHI = 10,000 x (sum of squares) / total², CR4 = top four / total."""
    total = sum(weights.values())
    if total <= 0:
        return None
    positive = sorted((weight for weight in weights.values() if weight > 0), reverse=True)
    index = float(Fraction(HHI_MAX * sum(weight * weight for weight in positive), total * total))
    return Concentration(hhi=index, cr4=float(Fraction(sum(positive[:CR_SUPPLIERS]), total)), band=hhi_band(index),
                         suppliers=len(positive))
