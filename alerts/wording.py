"""What an alert says, worked out from the facts it shows: labels, reasons, counts, sources and advice.

The templates only lay this out. Every rule of wording lives here, so the messages and the
workspace agree and the rules can be tested without a template:

- advice only when its premise holds: no "talk to the alternatives above" without alternatives
  (then: look for some), no extension advice when no extension is left;
- "can be extended to X" only when X is after the end date;
- a count says what it counts ("56 awards, 54 of them with an amount");
- sources are pages a person can open (``reference.public_pages``), each once, with a
  readable name instead of a table name;
- every word we write ourselves in the reader's language; words of a source (headlines,
  register titles) stay as the source wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reference.figures import figure, in_dutch
from reference.public_pages import public_page

LANGUAGES = ("en", "nl")

#: Our own words, per group: key -> (English, Dutch).
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "event": {
        "insolvency.bankruptcy_declared": ("bankruptcy declared", "faillissement uitgesproken"),
        "insolvency.suspension_provisional": ("provisional suspension of payments", "voorlopige surseance van betaling"),
        "insolvency.suspension_final": ("suspension of payments", "definitieve surseance van betaling"),
        "insolvency.debt_restructuring": ("debt restructuring (WSNP)", "schuldsanering (WSNP)"),
        "insolvency.ended": ("insolvency proceedings ended", "insolventie beëindigd"),
        "kvk.dissolved": ("registration ended (dissolved)", "inschrijving beëindigd (opgeheven)"),
        "kvk.not_found": ("no longer in the company register", "niet meer in het handelsregister"),
        "kvk.address_moved": ("registered address moved", "vestigingsadres verhuisd"),
        "kvk.employees_changed": ("number of employees changed", "aantal werknemers veranderd"),
        "kvk.name_changed": ("name changed", "naam gewijzigd"),
        "kvk.legal_form_changed": ("legal form changed", "rechtsvorm gewijzigd"),
        "news.insolvency": ("news: financial distress", "nieuws: financiële problemen"),
        "news.reorganisation": ("news: reorganisation", "nieuws: reorganisatie"),
        "news.acquisition": ("news: acquisition", "nieuws: overname"),
        "news.cyber": ("news: cyber incident", "nieuws: cyberincident"),
        "news.strike": ("news: strike", "nieuws: staking"),
        "news.disaster": ("news: fire or disaster", "nieuws: brand of ramp"),
        "news.sanctions_legal": ("news: sanctions or legal trouble", "nieuws: sancties of juridische problemen"),
        "news.export_control": ("news: export controls", "nieuws: exportbeperkingen"),
        "sanctions.possible_match": ("possible match on the EU sanctions list", "mogelijke treffer op de EU-sanctielijst"),
    },
    "score": {
        "failure": ("failure risk", "faalrisico"),
        "dependency": ("dependency", "afhankelijkheid"),
        "geopolitical": ("geopolitical exposure", "geopolitieke blootstelling"),
        "combined": ("combined risk", "gecombineerd risico"),
    },
    "band": {"low": ("low", "laag"), "medium": ("medium", "middel"), "high": ("high", "hoog"), "": ("new", "nieuw")},
    "market_band": {
        "unconcentrated": ("unconcentrated", "niet geconcentreerd"),
        "moderately concentrated": ("moderately concentrated", "matig geconcentreerd"),
        "highly concentrated": ("highly concentrated", "sterk geconcentreerd"),
    },
    "verdict": {
        "fresh": ("up to date", "actueel"), "late": ("late", "te laat"), "failing": ("failing", "faalt"),
        "never": ("never collected", "nooit verzameld"), "unknown": ("unknown", "onbekend"),
    },
    "source": {
        "cir": ("insolvency register", "insolventieregister"),
        "kvk": ("KvK company register", "KvK-handelsregister"),
        "kvk-snapshot": ("KvK company register", "KvK-handelsregister"),
        "supplier_events": ("company events (register, news)", "bedrijfsgebeurtenissen (register, nieuws)"),
        "awards": ("award history (TED, TenderNed)", "gunningshistorie (TED, TenderNed)"),
        "contracts": ("our contract register", "ons contractregister"),
        "spend": ("our spend", "onze uitgaven"),
        "news": ("news", "nieuws"),
        "gdelt": ("news (GDELT)", "nieuws (GDELT)"),
        "sanctions": ("EU sanctions list", "EU-sanctielijst"),
        "eu-sanctions": ("EU sanctions list", "EU-sanctielijst"),
        "ted": ("TED", "TED"),
        "tenderned": ("TenderNed", "TenderNed"),
        "wgi": ("World Governance Indicators", "World Governance Indicators"),
    },
    "basis": {"value": ("on award value", "op gunningsbedrag"), "count": ("on number of awards", "op aantal gunningen")},
    "quadrant": {
        "strategic": ("strategic", "strategisch"), "leverage": ("leverage", "hefboom"),
        "bottleneck": ("bottleneck", "knelpunt"), "non-critical": ("non-critical", "routine"),
    },
    "advice": {
        "strategic": ("partnership: manage the supplier closely, plan for continuity and exit",
                      "partnerschap: beheer de leverancier nauw, plan continuïteit en exit"),
        "leverage": ("use buying power: tender competitively, bundle spend",
                     "gebruik inkoopkracht: besteed concurrerend aan, bundel uitgaven"),
        "bottleneck": ("secure supply: buffer, qualify alternatives, longer contracts",
                       "borg de levering: buffer, kwalificeer alternatieven, langere contracten"),
        "non-critical": ("simplify: standardise, framework agreements, low management effort",
                         "vereenvoudig: standaardiseer, raamovereenkomsten, weinig beheer"),
    },
}

#: The English phrases our models write in score reasons, and their Dutch; applied in order.
_REASON_NL: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"\(raises the log-odds by ([\d.]+)\)", r"(verhoogt de log-odds met \1)"),
    (r"\(lowers the log-odds by ([\d.]+)\)", r"(verlaagt de log-odds met \1)"),
    (r": unknown\b", ": onbekend"),
    (r"^base log-odds of the model \(intercept and calibration\)", "basis-log-odds van het model (intercept en kalibratie)"),
    (r"^bankruptcy declared on (\S+)", r"faillissement uitgesproken op \1"),
    (r"^company age \(years since registration, capped at 30\)", "leeftijd van het bedrijf (jaren sinds inschrijving, max. 30)"),
    (r"^change in employees over the last 12 months \(log ratio\)", "verandering in werknemers over de laatste 12 maanden (log-verhouding)"),
    (r"^falls in registered employees \(recency-weighted count\)", "dalingen in geregistreerde werknemers (naar recentheid gewogen aantal)"),
    (r"^size: log\(1 \+ employees\)", "omvang: log(1 + werknemers)"),
    (r"^news of financial distress or reorganisation \(recency- and confidence-weighted\)",
     "nieuws over financiële problemen of reorganisatie (gewogen naar recentheid en zekerheid)"),
    (r"^news of strikes, cyber incidents, fires, fines \(recency- and confidence-weighted\)",
     "nieuws over stakingen, cyberincidenten, branden, boetes (gewogen naar recentheid en zekerheid)"),
    (r"^suspension of payments of the company itself \(recency-weighted\)", "surseance van betaling van het bedrijf zelf (naar recentheid gewogen)"),
    (r"^insolvency publications of companies at the same registered address \(recency-weighted\)",
     "insolventiepublicaties van bedrijven op hetzelfde adres (naar recentheid gewogen)"),
    (r"^changes of legal form \(recency-weighted count\)", "wijzigingen van rechtsvorm (naar recentheid gewogen aantal)"),
    (r"^moves of the registered address \(recency-weighted count\)", "verhuizingen van het vestigingsadres (naar recentheid gewogen aantal)"),
    (r"^sole proprietorship or partnership \(1\) rather than a limited company \(0\)",
     "eenmanszaak of vennootschap onder firma (1) in plaats van een bv of nv (0)"),
    (r"^bankruptcy rate of the company's SBI division over the last 3 years", "faillissementspercentage van de SBI-afdeling over de laatste 3 jaar"),
    (r"^public contract wins, last 12 months against the 12 before \(log ratio\)",
     "gewonnen overheidsopdrachten, laatste 12 maanden tegen de 12 ervoor (log-verhouding)"),
    (r"^years since the last public contract win \(capped at 5\)", "jaren sinds de laatst gewonnen overheidsopdracht (max. 5)"),
    (r"^our spend share with this supplier in the category", "ons aandeel van de uitgaven bij deze leverancier in de categorie"),
    (r"^spend in another currency: share unknown", "uitgaven in een andere valuta: aandeel onbekend"),
    (r"^part of our category spend in another currency: concentration unknown",
     "een deel van onze uitgaven in de categorie in een andere valuta: concentratie onbekend"),
    (r"^part of our spend with it in category (\d+) is in another currency \(no exchange rate\): spend share unknown",
     r"een deel van onze uitgaven bij deze leverancier in categorie \1 is in een andere valuta (geen wisselkoers): "
     "aandeel onbekend"),
    (r"^our spend in category (\d+) in another currency \((\d+) supplier\(s\)\) is left out of the shares: they are "
     r"shares of the euros", r"onze uitgaven in categorie \1 in een andere valuta (\2 leverancier(s)) tellen niet mee in "
     "de aandelen: het zijn aandelen van de euro's"),
    (r"^part of our spend in category (\d+) is in another currency \(no exchange rate\): profit impact unknown, no quadrant",
     r"een deel van onze uitgaven in categorie \1 is in een andere valuta (geen wisselkoers): financiële impact onbekend, "
     "geen kwadrant"),
    (r"^criticality of category (\d+)", r"kritiekheid van categorie \1"),
    (r"^highest dependency in category (\d+)", r"hoogste afhankelijkheid in categorie \1"),
    (r"^1 credible alternative won similar contracts", "1 geloofwaardig alternatief won vergelijkbare opdrachten"),
    (r"^(\d+) credible alternatives won similar contracts", r"\1 geloofwaardige alternatieven wonnen vergelijkbare opdrachten"),
    (r"^no credible alternative won similar contracts", "geen geloofwaardig alternatief won vergelijkbare opdrachten"),
    (r"^lock-in: remaining term, extension options, single sourcing, value",
     "lock-in: resterende looptijd, verlengingsopties, enkele bron, waarde"),
    (r"^concentration of our category spend \(HHI/10,000\)", "concentratie van onze uitgaven in de categorie (HHI/10.000)"),
    (r"^impact: dependency ([\d.]+) in category (\d+)", r"impact: afhankelijkheid \1 in categorie \2"),
    (r"^likelihood of disruption ([\d.]+%) \(failure ([\d.]+%), geopolitical ([\d.]+)\)",
     r"kans op verstoring \1 (faalrisico \2, geopolitiek \3)"),
    (r"^likelihood of disruption ([\d.]+%) \(failure ([\d.]+%), geopolitical unknown\)",
     r"kans op verstoring \1 (faalrisico \2, geopolitiek onbekend)"),
    (r"^geopolitical exposure unknown: the supplier's country is unknown \(its country's stability, EU membership and "
     r"news tone rest on it\); add the country \(the company register, a notice or our own data\)",
     "geopolitieke blootstelling onbekend: het land van de leverancier is onbekend (de stabiliteit van het land, het "
     "EU-lidmaatschap en de nieuwstoon hangen ervan af); vul het land aan (handelsregister, een aankondiging of onze "
     "eigen gegevens)"),
    (r"^no news tone for (\w+)", r"geen nieuwstoon voor \1"),
    (r"^political stability of (\w+) \(WGI\)", r"politieke stabiliteit van \1 (WGI)"),
    (r"^critical raw material (.+?):", r"kritieke grondstof \1:"),
    (r"^outside the EU and the EEA", "buiten de EU en de EER"),
    (r"^inside the EU or the EEA", "binnen de EU of de EER"),
    (r"^no sanctions-list match", "geen treffer op de sanctielijst"),
    (r"^possible sanctions-list match", "mogelijke treffer op de sanctielijst"),
    (r"^news tone about (\w+), recent and its trend", r"toon van het nieuws over \1, recent en de trend"),
    # failure reasons in plain units (models.failure_reasons)
    (r"\(raises the risk: odds x([\d.]+)\)", r"(verhoogt het risico: kansverhouding x\1)"),
    (r"\(lowers the risk: odds x([\d.]+)\)", r"(verlaagt het risico: kansverhouding x\1)"),
    (r"\(no effect\)", "(geen effect)"),
    (r" \(weight ([\d.]+): 1 for one event today, halving with every half-life of age\)",
     r" (gewicht \1: 1 voor één gebeurtenis vandaag, gehalveerd per halveringstijd)"),
    (r"^registered 30 years ago or more", "30 jaar of langer ingeschreven"),
    (r"^registered (-?\d+) years ago", r"\1 jaar geleden ingeschreven"),
    (r"^sole proprietorship or partnership(?! \(1\))", "eenmanszaak of vennootschap onder firma"),
    (r"^limited company \(or other incorporated form\)", "bv, nv of andere rechtspersoon"),
    (r"^(\d+) employees registered", r"\1 werknemers ingeschreven"),
    (r"^staff changed by ([+-]?\d+%) in a year", r"personeel \1 veranderd in een jaar"),
    (r"^staff unchanged at (\d+) over the year", r"personeel gelijk gebleven op \1 in het jaar"),
    (r"^staff fell from (\d+) to (\d+) in a year", r"personeel gedaald van \1 naar \2 in een jaar"),
    (r"^staff rose from (\d+) to (\d+) in a year", r"personeel gestegen van \1 naar \2 in een jaar"),
    (r"^(-?[\d.,]+%) of companies in its sector \(SBI division\) went bankrupt in the last 3 years",
     r"\1 van de bedrijven in de sector (SBI-afdeling) ging de laatste 3 jaar failliet"),
    (r"^no registered falls in staff", "geen geregistreerde dalingen in personeel"),
    (r"^registered falls in staff", "geregistreerde dalingen in personeel"),
    (r"^no moves of the registered address", "geen verhuizingen van het vestigingsadres"),
    (r"^moves of the registered address", "verhuizingen van het vestigingsadres"),
    (r"^no changes of legal form", "geen wijzigingen van rechtsvorm"),
    (r"^changes of legal form", "wijzigingen van rechtsvorm"),
    (r"^no suspension of payments in the insolvency register", "geen surseance van betaling in het insolventieregister"),
    (r"^suspension of payments of its own", "eigen surseance van betaling"),
    (r"^no insolvency at companies at the same registered address", "geen insolventie bij bedrijven op hetzelfde adres"),
    (r"^insolvency of a company at the same registered address", "insolventie van een bedrijf op hetzelfde adres"),
    (r"^no news of financial distress", "geen nieuws over financiële problemen"),
    (r"^news of financial distress or reorganisation", "nieuws over financiële problemen of reorganisatie"),
    (r"^no news of incidents", "geen nieuws over incidenten"),
    (r"^news of strikes, cyber incidents, fires or fines", "nieuws over stakingen, cyberincidenten, branden of boetes"),
    (r"^as many public contract wins in the last 12 months as in the 12 before",
     "evenveel gewonnen overheidsopdrachten in de laatste 12 maanden als in de 12 ervoor"),
    (r"^fewer public contract wins in the last 12 months than in the 12 before \(wins \+ 1 in ratio ([\d.]+)\)",
     r"minder gewonnen overheidsopdrachten in de laatste 12 maanden dan in de 12 ervoor (winsten + 1 in verhouding \1)"),
    (r"^more public contract wins in the last 12 months than in the 12 before \(wins \+ 1 in ratio ([\d.]+)\)",
     r"meer gewonnen overheidsopdrachten in de laatste 12 maanden dan in de 12 ervoor (winsten + 1 in verhouding \1)"),
    (r"^last public contract win (\d+) years ago or more", r"laatst gewonnen overheidsopdracht \1 jaar geleden of langer"),
    (r"^last public contract win (-?[\d.]+) years ago", r"laatst gewonnen overheidsopdracht \1 jaar geleden"),
    (r"^not known, so not a reason: ", "onbekend, dus geen reden: "),
    # an unknown failure score (models.failure, models.failure_reasons.how_to_get)
    (r"^risk unknown: no ", "risico onbekend: geen "),
    (r"company-register data \(age, legal form, staff\)", "handelsregistergegevens (leeftijd, rechtsvorm, personeel)"),
    (r" and no insolvency-register data", " en geen gegevens uit het insolventieregister"),
    (r"^risico onbekend: geen insolvency-register data", "risico onbekend: geen gegevens uit het insolventieregister"),
    (r"(; the KvK and the Dutch insolvency register cover Dutch companies only; add the company register and insolvency "
     r"publications of )its country", r"\1het eigen land"),
    (r"; the KvK and the Dutch insolvency register cover Dutch companies only; add the company register and insolvency "
     r"publications of ([\w ]+?) \(a national register or a credit-information provider\), or review the "
     r"supplier by hand", r"; de KvK en het Nederlandse insolventieregister dekken alleen Nederlandse bedrijven; voeg het "
     r"handelsregister en de insolventiepublicaties van \1 toe (een nationaal register of een kredietinformatiebureau), "
     r"of beoordeel de leverancier met de hand"),
    (r"; collect its KvK register data and insolvency publications \(`supplyradar collect company-signals`\), or link "
     r"the supplier to its KvK number", "; haal de KvK-gegevens en insolventiepublicaties op (`supplyradar collect "
     "company-signals`), of koppel de leverancier aan zijn KvK-nummer"),
))

#: Other English phrases our code writes into stored facts (exclusions, notes), and their Dutch.
_PHRASES_NL: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"^insolvency published (\S+)", r"insolventie gepubliceerd \1"),
    (r"^dissolved (\S+)", r"opgeheven \1"),
    (r"^possible sanctions match (\S+)", r"mogelijke sanctietreffer \1"),
    (r"^Preferred locations: (.+) \((score|odds) x([\d.]+)\); others are still listed\.",
     r"Voorkeurslocaties: \1 (kansverhouding x\3); andere staan er ook bij."),
    # how alternatives were ranked (models.alternative_ranker.Ranker.describe)
    (r"^Ranked by a model learned from ([\d,]+) awards before (\S+) \(([\d,]+) winners among the candidates\); "
     r"reasons name its largest contributions\.",
     r"Gerangschikt door een model dat geleerd is van \1 gunningen vóór \2 (\3 winnaars onder de kandidaten); "
     r"de redenen noemen de grootste bijdragen."),
    (r"^Ranked by fixed weights \((.*)\); reasons name the largest contributions\.",
     r"Gerangschikt met vaste gewichten (\1); de redenen noemen de grootste bijdragen."),
    # market-scan notes (models.market)
    (r"^No awards in CPV (\S+) between (\S+) and (\S+) in the data passed in \((\d+) notices\): nothing to measure\.",
     r"Geen gunningen in CPV \1 tussen \2 en \3 in de gegevens (\4 aankondigingen): niets te meten."),
    ((r"^(\d+) of (\d+) awards carry no (\w+) value \((\d+) without an amount, (\d+) in another or no currency, "
      r"not converted\): totals and medians cover (\d+) awards\."),
     (r"\1 van \2 gunningen hebben geen bedrag in \3 (\4 zonder bedrag, \5 in een andere of geen valuta, niet "
      r"omgerekend): totalen en medianen gaan over \6 gunningen.")),
    (r"^HHI and CR4 rest on award counts in (.+): fewer than half of the awards there carry a (\w+) value\.",
     r"HHI en CR4 rusten op aantallen gunningen in \1: minder dan de helft van de gunningen daar heeft een bedrag in \2."),
    (r"^Fewer than (\d+) awards in (.+): a single award moves the HHI a lot there\.",
     r"Minder dan \1 gunningen in \2: één gunning verschuift de HHI daar sterk."),
    (r"^Tender counts are known for (\d+) of (\d+) awards; the single-bid share covers those only\.",
     r"Het aantal inschrijvingen is bekend voor \1 van \2 gunningen; het aandeel met één inschrijving gaat alleen daarover."),
    (r"^Country known for (\d+) of (\d+) winners\.", r"Land bekend voor \1 van \2 winnaars."),
    (r"^The award history starts on (\S+): every winner in (.+) counts as a new entrant there\.",
     r"De gunningshistorie begint op \1: elke winnaar in \2 telt daar als nieuwkomer."),
    (r"^(\d+) award rows name no winner: counted as awards, in no share\.",
     r"\1 gunningsregels noemen geen winnaar: geteld als gunning, in geen enkel aandeel."),
    (r"^(\d+) exact duplicate award rows dropped\.", r"\1 exact dubbele gunningsregels weggelaten."),
))

_WINS = re.compile(r"^(\d+) wins?$")


def label(group: str, key: object, language: str) -> str:
    """Our word for ``key`` in ``group``, in the reader's language; the key itself when we have none."""
    pair = LABELS.get(group, {}).get("" if key is None else str(key))
    if pair is None:
        return "" if key is None else str(key)
    return pair[1] if language == "nl" else pair[0]


def reason_text(text: str, language: str) -> str:
    """A score reason in the reader's language (our models write them in English), its figures too ("0,90")."""
    if language != "nl" or not text:
        return text
    for pattern, replacement in _REASON_NL:
        text = pattern.sub(replacement, text)
    return in_dutch(text)


def phrase(text: str, language: str) -> str:
    """A short phrase our code wrote in English (an exclusion, a note) in the reader's language, its figures too
    ("1.000 gunningen")."""
    if language != "nl" or not text:
        return text
    for pattern, replacement in _PHRASES_NL:
        text = pattern.sub(replacement, text)
    return in_dutch(text)


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def n_alerts(count: int, language: str) -> str:
    return plural(count, "melding", "meldingen") if language == "nl" else plural(count, "alert", "alerts")


def rule_description(facts: Mapping[str, Any], language: str) -> str:
    """The rule's description in the reader's language; none rather than one in another language."""
    if language == "en":
        return str(facts.get("rule_description") or "")
    return str(facts.get(f"rule_description_{language}") or "")


def extension_left(contract: Mapping[str, Any] | None) -> bool:
    """Whether the contract can still be extended past its end date."""
    if not contract:
        return False
    until, end = contract.get("extension_until"), contract.get("end_date")
    return bool(until) and (not end or str(until) > str(end))


def _ranked_alternatives(facts: Mapping[str, Any]) -> list[Any] | None:
    """The suggested alternatives; None when nobody looked for any."""
    alternatives = facts.get("alternatives")
    if not isinstance(alternatives, Mapping):
        return None
    return list(alternatives.get("ranked") or [])


def actions(facts: Mapping[str, Any]) -> list[str]:
    """The advice keys whose premise holds, in the rule's order."""
    ranked = _ranked_alternatives(facts)
    out: list[str] = []
    for action in facts.get("actions") or []:
        if action == "prepare-alternatives":
            if ranked is None:
                continue
            action = "prepare-alternatives" if ranked else "find-alternatives"
        elif action == "check-extension" and not extension_left(facts.get("contract")):
            action = "plan-retender" if facts.get("kind") == "horizon" else ""
        if action and action not in out:
            out.append(action)
    return out


def market_counts(market: Mapping[str, Any], language: str) -> str:
    """What the market's figures rest on: all awards, and how many of them carry an amount."""
    used = int(market.get("awards") or 0)
    total = market.get("awards_total")
    basis = market.get("basis")
    nl = language == "nl"
    if basis == "value":
        if total is not None and int(total) != used:
            return (f"{plural(int(total), 'gunning', 'gunningen')}, waarvan {used} met bedrag" if nl
                    else f"{plural(int(total), 'award', 'awards')}, {used} of them with an amount")
        return (f"{plural(used, 'gunning', 'gunningen')} met bedrag" if nl
                else f"{plural(used, 'award', 'awards')} with an amount")
    count = int(total) if total is not None else used
    return plural(count, "gunning", "gunningen") if nl else plural(count, "award", "awards")


def market_line(market: Mapping[str, Any], language: str) -> str:
    """HHI with its band and basis, CR4, and the counts behind them."""
    band = label("market_band", market.get("band"), language)
    basis = label("basis", market.get("basis"), language) if market.get("basis") else ""
    cr4 = market.get("cr4")
    cr4_text = "–" if cr4 is None else figure(float(cr4), language, ".2f")
    qualifier = ", ".join(x for x in (band, basis) if x)
    return f"HHI {market.get('hhi')} ({qualifier}), CR4 {cr4_text}; {market_counts(market, language)}"


def sources(facts: Mapping[str, Any], language: str) -> list[dict[str, Any]]:
    """The alert's sources as a person reads them: a named source, a title, a page to open; each once."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for item in facts.get("sources") or []:
        if not isinstance(item, Mapping):
            continue
        source = str(item.get("source") or "")
        name = label("source", source, language) or source
        ref = str(item.get("ref") or "")
        title = str(item.get("title") or "")
        if not title or title == source:
            title = ""
        wins = _WINS.match(title)
        if wins:
            title = plural(int(wins.group(1)), "gunning", "gunningen") if language == "nl" else plural(
                int(wins.group(1)), "award won", "awards won")
        url = public_page(source, ref or title, item.get("url") if isinstance(item.get("url"), str) else None)
        key = (name, title, url or "")
        if key in seen:
            continue
        seen.add(key)
        # Without a title of its own the source's name is the line: said once, not "name · name".
        out.append({"date": item.get("date") or "", "source": name if title else "", "title": title or name,
                    "url": url, "confidence": item.get("confidence")})
    out += [s for s in _derived_sources(facts, language) if (s["source"], s["title"], s["url"] or "") not in seen]
    return out


def _derived_sources(facts: Mapping[str, Any], language: str) -> list[dict[str, Any]]:
    """Sources an alert rests on that its facts name but do not list: the contract and the market's awards."""
    out: list[dict[str, Any]] = []
    contract = facts.get("contract") if isinstance(facts.get("contract"), Mapping) else None
    market = facts.get("market") if isinstance(facts.get("market"), Mapping) else None
    if facts.get("kind") == "horizon" and contract:
        out.append({"date": "", "source": label("source", "contracts", language),
                    "title": f"{contract.get('ref')}" + (f" ({contract.get('title')})" if contract.get("title") else ""),
                    "url": None, "confidence": None})
    if facts.get("kind") == "horizon" and market:
        out.append({"date": f"{market.get('since')} – {market.get('until')}", "source": label("source", "awards", language),
                    "title": f"{str(market.get('category') or '').ljust(8, '0')} {_category_label(market, language)}: "
                             f"{market_counts(market, language)}",
                    "url": None, "confidence": None})
    return out


def present(facts: Mapping[str, Any], language: str) -> dict[str, Any]:
    """Everything a template shows of an alert's facts, worded for the reader."""
    facts = facts or {}
    event_kind = label("event", facts.get("event_kind"), language) if facts.get("event_kind") else ""
    description = rule_description(facts, language)
    if event_kind and description.casefold().startswith(event_kind.casefold()):
        description = ""  # "faillissement uitgesproken — Faillissement uitgesproken" says it twice
    view: dict[str, Any] = {
        # The rule in words where the message does not already give them (events say it in their "why" line).
        "rule_label": rule_description(facts, language) if facts.get("kind") != "event" else "",
        "rule_description": description,
        "event_kind": event_kind,
        "sources": sources(facts, language),
        "actions": actions(facts),
        "verdict": label("verdict", facts.get("verdict"), language) if facts.get("verdict") else "",
    }
    score = facts.get("score") if isinstance(facts.get("score"), Mapping) else None
    if score:
        view["score"] = {
            "kind": label("score", score.get("kind"), language),
            "band": label("band", score.get("band"), language),
            "previous_band": label("band", score.get("previous_band"), language) if score.get("previous_band") else "",
            "reasons": [
                {"text": reason_text(str(r.get("text") or r.get("feature") or ""), language),
                 "contribution": r.get("contribution") if "log-odds" not in str(r.get("text") or "") else None}
                for r in score.get("reasons") or [] if isinstance(r, Mapping)
            ],
        }
    contract = facts.get("contract") if isinstance(facts.get("contract"), Mapping) else None
    if contract:
        view["extension"] = contract.get("extension_until") if extension_left(contract) else None
        view["no_extension_left"] = bool(contract.get("extension_until")) and not extension_left(contract)
    market = facts.get("market") if isinstance(facts.get("market"), Mapping) else None
    if market:
        view["market"] = market_line(market, language)
        view["market_label"] = _category_label(market, language)
        code = str(market.get("category") or "")
        view["market_code"] = code.ljust(8, "0") if code.isdigit() else code  # "0931" is looked up as 09310000
    alternatives = facts.get("alternatives") if isinstance(facts.get("alternatives"), Mapping) else {}
    view["alternative_notes"] = [phrase(str(n), language) for n in alternatives.get("notes") or []]
    view["excluded"] = [{"name": e.get("name"), "why": phrase(str(e.get("why") or ""), language)}
                        for e in alternatives.get("excluded") or [] if isinstance(e, Mapping)]
    return view


def _category_label(market: Mapping[str, Any], language: str) -> str:
    """The category's CPV label in the reader's language (the stored one was written in the server's)."""
    from reference.cpv import UnknownCpvCodeError, prefix_label

    try:
        return prefix_label(str(market.get("category") or ""), language)
    except (UnknownCpvCodeError, ValueError):
        return str(market.get("label") or "")
