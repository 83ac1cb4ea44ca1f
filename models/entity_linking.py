"""Which watched suppliers (and which countries) a news text mentions, with a confidence and its reasons.

Pure: names in, mentions out. One Aho-Corasick automaton over the normalised names finds every
name in one pass over the text, whatever the number of names (the benchmark links 50,000 articles
against 20,000 names), instead of comparing every article with every name.

Names are matched without their legal form ("Norlys Digital B.V." is found as "Norlys Digital"),
because news rarely prints it; when the legal form is printed too, that counts for the link.
Two traps are guarded against:

- **Common words**: a company called "Brand B.V." or "Digital Solutions" would be "found" in every
  text about a fire or about software. A name whose core is too short or made only of common Dutch
  or English words is *weak*: it is linked with a high confidence only when the legal form follows
  it or a company word ("bedrijf", "company", "leverancier") stands next to it, else with a low one.
- **Collisions**: "Norlys Digital" inside "Norlys Digital Media GmbH" is probably a different
  company; a name followed by more capitalised name words is down-weighted and says so.

Text normalisation (``fold``) is the one the sanctions matcher uses too: accents and Cyrillic or
Greek letters folded to ASCII, case folded, dots and slashes removed (so "B.V." is "bv" and "A/S"
is "as"), every other non-alphanumeric character a space.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import ahocorasick

#: Trailing words that are a legal form, not part of the name (normalised: no dots or slashes).
LEGAL_FORMS = frozenset(
    """bv nv vof cv bvba cvba sprl srl sa sas sarl spa gmbh ag kg ohg ug ev eg ltd limited llc inc incorporated
    corp corporation co company plc lp llp as aps ab oy oyj asa kft sro zoo sp ooo oao zao pao ao jsc ojsc cjsc
    pte pty kk holding holdings groep group""".split()
)
#: Words that, next to a weak name, say that a company is meant.
COMPANY_WORDS = frozenset(
    """bedrijf bedrijven onderneming firma leverancier leveranciers fabrikant producent concern aannemer
    company firm supplier manufacturer vendor contractor group groep""".split()
)
#: Common Dutch and English words: a name made only of these (or of short tokens) is weak.
COMMON_WORDS = frozenset(
    """de het een en van in op met voor door over naar bij uit als aan om tot dat die dit niet ook maar nog
    brand vuur water zon licht lucht groen blauw rood wit zwart goud zilver ster staal hout steen glas
    nieuw nieuws groot klein beter best snel slim goed vrij echt samen thuis stad land dorp huis bouw werk
    zorg data digital digitaal online cloud net web it ict tech techniek systems systemen solutions service
    services diensten advies consult consultancy groep partners partner totaal centrum noord zuid oost west
    holland nederland europa euro direct plus max pro expert experts kwaliteit energie schoon schoonmaak
    the a an and of in on at for to by with from new news big small best fast smart good free real
    fire light air green blue red white black gold silver star steel wood stone glass city home house work
    care support first one united global general national international world apple orange shell
    bridge tower river ocean north south east west central capital trust alliance""".split()
)
#: Cyrillic and Greek letters to Latin, so that "Технопром" and "Tekhnoprom" meet.
_TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
        "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
        "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "i", "є": "ye", "ґ": "g",
        "α": "a", "β": "b", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k",
        "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t",
        "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
        "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "þ": "th",
    }
)
#: ``fold``'s last step as one table over ASCII (what the text is by then): ".", "'" and "/" dropped ("b.v." is "bv"),
#: every other character but 0-9 and a-z a space. (Two regular expressions before: "’" is not ASCII, gone already.)
_ASCII_WORDS = {code: None if chr(code) in ".'/" else " " for code in range(128)
                if not ("0" <= chr(code) <= "9" or "a" <= chr(code) <= "z")}
_WORD = re.compile(r"\S+")
#: Confidence of a link, by what was matched (see ``_confidence``).
STRONG, SINGLE_TOKEN, WEAK, WEAK_CONFIRMED, COLLISION_FACTOR = 0.9, 0.75, 0.2, 0.7, 0.5
COUNTRY_NAME, COUNTRY_ADJECTIVE = 0.8, 0.6
#: How many words on either side of a weak name are searched for a company word.
CONTEXT_WORDS = 3


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces (see the module docstring)."""
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT)).encode("ascii", "ignore").decode("ascii")
    return " ".join(text.translate(_ASCII_WORDS).split())


def core_name(name: str) -> tuple[str, tuple[str, ...]]:
    """The folded name without trailing legal forms, and the legal-form words removed."""
    tokens = fold(name).split()
    removed: list[str] = []
    while len(tokens) > 1 and tokens[-1] in LEGAL_FORMS:
        removed.insert(0, tokens.pop())
    return " ".join(tokens), tuple(removed)


def is_weak(core: str) -> bool:
    """A core name that is short or made only of common words cannot be trusted alone."""
    tokens = core.split()
    return len(core.replace(" ", "")) < 4 or all(token in COMMON_WORDS or len(token) < 3 for token in tokens)


#: Endings of country adjectives in Dutch and English ("Nederlandse", "Chinese", "Dutch", "Polish").
_ADJECTIVE_ENDINGS = ("se", "sche", "ish", "ese", "ian", "can", "ch", "ss", "eli", "ean", "ees", "an")
_NAMES_LIKE_ADJECTIVES = frozenset({"taiwan", "iran", "japan", "oman", "sudan", "jordan", "pakistan", "afghanistan"})


def is_adjective(term: str) -> bool:
    """A country adjective ("Chinese") rather than a name ("China"): it counts for less as a mention."""
    lowered = term.casefold()
    return lowered.endswith(_ADJECTIVE_ENDINGS) and lowered not in _NAMES_LIKE_ADJECTIVES


@dataclass(frozen=True, slots=True)
class Mention:
    """A watched organisation found in a text: ``key`` is the caller's id for it."""

    key: str
    name: str  # the name as the caller knows it
    matched: str  # the words found in the text (folded)
    confidence: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CountryMention:
    country: str  # ISO alpha-2
    matched: str
    confidence: float


@dataclass
class Linker:
    """The automaton over every watched name and every country name; build once, link many texts."""

    automaton: ahocorasick.Automaton
    #: core name -> [(key, name, weak, legal-form words)]
    names: dict[str, list[tuple[str, str, bool, tuple[str, ...]]]] = field(default_factory=dict)
    size: int = 0


def build_linker(names: Iterable[tuple[str, str]], countries: Mapping[str, Iterable[str]] | None = None) -> Linker:
    """A linker for ``(key, name)`` pairs (names and trade names alike) and country names.

    ``countries`` maps ISO alpha-2 to names and adjectives in any language; default ``COUNTRY_TERMS``.
    """
    automaton = ahocorasick.Automaton()
    by_core: dict[str, list[tuple[str, str, bool, tuple[str, ...]]]] = {}
    for key, name in names:
        core, forms = core_name(name)
        if not core:
            continue
        entries = by_core.setdefault(core, [])
        if all(existing[0] != key for existing in entries):
            entries.append((key, name, is_weak(core), forms))
    for core in by_core:
        automaton.add_word(f" {core} ", ("org", core))
    for code, terms in (COUNTRY_TERMS if countries is None else countries).items():
        for term in terms:
            folded = fold(term)
            if folded and automaton.get(f" {folded} ", None) is None:
                automaton.add_word(f" {folded} ", ("country", code, folded, not is_adjective(term)))
    if len(automaton):
        automaton.make_automaton()
    return Linker(automaton, by_core, len(by_core))


def link(linker: Linker, text: str, *, original: str | None = None) -> tuple[list[Mention], list[CountryMention]]:
    """Every watched organisation and country ``text`` mentions (best confidence per key and country).

    ``original`` is the unfolded text (default: ``text``), read for capitalisation around a match.
    """
    folded = f" {fold(text)} "
    if not linker.automaton.kind == ahocorasick.AHOCORASICK or len(folded) < 3:
        return [], []
    orgs: dict[str, Mention] = {}
    countries: dict[str, CountryMention] = {}
    words: list[str] = []
    raw_words: list[str] = []
    starts: list[int] = []
    for end, value in linker.automaton.iter(folded):
        if value[0] == "country":
            _, code, term, is_name = value
            confidence = COUNTRY_NAME if is_name else COUNTRY_ADJECTIVE
            if code not in countries or countries[code].confidence < confidence:
                countries[code] = CountryMention(code, term, confidence)
            continue
        if not words:  # only texts with a match pay for word positions
            words = folded.split()
            raw_words = _WORD.findall(original or text)
            starts = [m.start() for m in _WORD.finditer(folded)]
        core = value[1]
        start_word = bisect.bisect_left(starts, end - len(core))
        end_word = start_word + core.count(" ") + 1
        for key, name, weak, forms in linker.names[core]:
            confidence, reasons = _confidence(core, forms, weak, words, start_word, end_word, raw_words)
            if key not in orgs or orgs[key].confidence < confidence:
                orgs[key] = Mention(key, name, core, confidence, reasons)
    return sorted(orgs.values(), key=lambda m: -m.confidence), sorted(countries.values(), key=lambda c: c.country)


def _confidence(
    core: str, forms: tuple[str, ...], weak: bool, words: list[str], start: int, end: int, raw_words: list[str]
) -> tuple[float, tuple[str, ...]]:
    """How sure a match is a mention of this organisation, and why."""
    following = words[end : end + 3]
    with_form = bool(forms) and following[: len(forms)] == list(forms)
    any_form = bool(following) and following[0] in LEGAL_FORMS
    context = set(words[max(0, start - CONTEXT_WORDS) : start]) | set(words[end : end + CONTEXT_WORDS])
    reasons = [f"name {core!r} found"]
    if weak and _written_as_acronym(core, raw_words, words, start):
        confidence = SINGLE_TOKEN
        reasons.append("a short name written in capitals, as its acronym (\"KPN\", \"BAM\")")
    elif weak:
        if with_form or any_form or context & COMPANY_WORDS:
            confidence = WEAK_CONFIRMED
            reasons.append("common-word or short name, confirmed by a legal form or company word next to it")
        else:
            confidence = WEAK
            reasons.append("common-word or short name without a legal form or company word next to it")
    else:
        confidence = STRONG if " " in core else SINGLE_TOKEN
        if with_form:
            confidence = min(1.0, confidence + 0.1)
            reasons.append(f"legal form {' '.join(forms)!r} follows")
    if not (with_form or any_form) and _followed_by_name_word(raw_words, words, end):
        confidence *= COLLISION_FACTOR
        reasons.append(f"followed by {words[end]!r}: possibly a different company with a longer name")
    return round(confidence, 3), tuple(reasons)


def _written_as_acronym(core: str, raw_words: list[str], words: list[str], start: int) -> bool:
    """A one-word short name that is not a common word, written in capitals in a text that is not all capitals.

    "Storing bij KPN" names the company; "brand" or "IT" do not count (common words), nor does a headline
    in capitals throughout (every word looks like an acronym there).
    """
    if " " in core or core in COMMON_WORDS or len(core) < 2 or len(raw_words) != len(words) or start >= len(raw_words):
        return False
    raw = raw_words[start].strip(".,:;!?\"'()")
    shouting = sum(1 for w in raw_words if w.isupper() and len(w) > 1) * 2 > len(raw_words)
    return raw.isupper() and len(raw) == len(core) and not shouting


def _followed_by_name_word(raw_words: list[str], words: list[str], end: int) -> bool:
    """Is the word after the match a capitalised word that is not a common word (part of a longer name)?

    Folded and raw words line up only when punctuation did not split or join words; when they
    do not, no collision is claimed (the link keeps its confidence).
    """
    if end >= len(words) or len(raw_words) != len(words):
        return False
    raw = raw_words[end]
    return raw[:1].isupper() and words[end] not in COMMON_WORDS and words[end] not in COMPANY_WORDS


#: Country names and adjectives (``is_adjective`` tells them apart), Dutch and English, for the
#: countries procurement news is most often about. Editable in code; the risk area keeps the
#: country table itself.
COUNTRY_TERMS: dict[str, tuple[str, ...]] = {
    "NL": ("Netherlands", "Nederland", "Nederlandse", "Dutch", "Holland"),
    "BE": ("Belgium", "België", "Belgische", "Belgian"),
    "DE": ("Germany", "Duitsland", "Duitse", "German"),
    "FR": ("France", "Frankrijk", "Franse", "French"),
    "GB": ("United Kingdom", "Verenigd Koninkrijk", "Britain", "Groot-Brittannië", "Britse", "British"),
    "IE": ("Ireland", "Ierland", "Ierse", "Irish"),
    "DK": ("Denmark", "Denemarken", "Deense", "Danish"),
    "NO": ("Norway", "Noorwegen", "Noorse", "Norwegian"),
    "CH": ("Switzerland", "Zwitserland", "Zwitserse", "Swiss"),
    "ES": ("Spain", "Spanje", "Spaanse", "Spanish"),
    "IT": ("Italy", "Italië", "Italiaanse", "Italian"),
    "PL": ("Poland", "Polen", "Poolse", "Polish"),
    "SE": ("Sweden", "Zweden", "Zweedse", "Swedish"),
    "FI": ("Finland", "Finse", "Finnish"),
    "AT": ("Austria", "Oostenrijk", "Oostenrijkse", "Austrian"),
    "CZ": ("Czech Republic", "Tsjechië", "Tsjechische", "Czech"),
    "US": ("United States", "Verenigde Staten", "Amerika", "Amerikaanse", "American", "USA"),
    "CN": ("China", "Chinese", "Chinees"),
    "TW": ("Taiwan", "Taiwanese"),
    "JP": ("Japan", "Japanse", "Japanese"),
    "KR": ("South Korea", "Zuid-Korea", "Zuid-Koreaanse", "South Korean"),
    "IN": ("India", "Indiase", "Indian"),
    "RU": ("Russia", "Rusland", "Russische", "Russian"),
    "UA": ("Ukraine", "Oekraïne", "Oekraïense", "Ukrainian"),
    "BY": ("Belarus", "Wit-Rusland"),
    "TR": ("Turkey", "Turkije", "Turkse", "Turkish"),
    "IR": ("Iran", "Iraanse", "Iranian"),
    "IL": ("Israel", "Israëlische", "Israeli"),
    "CD": ("Democratic Republic of the Congo", "Congo"),
    "ZA": ("South Africa", "Zuid-Afrika"),
    "BR": ("Brazil", "Brazilië", "Braziliaanse", "Brazilian"),
    "CL": ("Chile", "Chili", "Chileense", "Chilean"),
    "AU": ("Australia", "Australië", "Australische", "Australian"),
    "CA": ("Canada", "Canadese", "Canadian"),
    "MX": ("Mexico", "Mexicaanse", "Mexican"),
}
