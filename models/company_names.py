"""How a company name is built: the words that say *which* legal entity, and the words that only say *what kind*.

Why this module exists
  In Dutch law "Asito Holding B.V.", "Asito B.V." and "Stichting Asito" are three legal entities that
  fail separately; "Gemeente Bergen (NH)" and "Gemeente Bergen (L)" are two municipalities; "Siemens AG"
  and "Siemens Nederland N.V." are a German parent and its Dutch subsidiary. A matcher that strips
  "holding", "stichting", bracketed parts and country words as noise puts one company's bankruptcy or
  spend on another. So a name is parsed into parts that are compared separately:

  - ``core``: the identifying words ("asito", "tonkeling schoonmaak"), what name similarity is scored on;
  - ``legal_forms``: canonical legal forms (B.V., BV, "besloten vennootschap" -> ``bv``), dropped from
    the key because clerks add, drop and misspell them, but compared when both sides state one:
    a V.O.F. and a B.V. of one name are two entities, a GmbH and an N.V. are in two countries;
  - ``structure``: holding, beheer, groep/group, stichting, vereniging, cooperatie, participaties:
    words that make a *sibling* entity; they stay in the key and a difference is never merged automatically;
  - ``scope``: country or region words ("Nederland", "Benelux", "Deutschland"): a group's national company;
  - ``qualifiers``: a location after the name ("(NH)", "(L)", "B.V. te Zwolle", "B.V. Zwolle"): its own signal;
  - ``branch``: an office or department remark ("(hoofdkantoor)", "vestiging Utrecht", ", afdeling Inkoop"):
    part of the same legal entity, so it is noted and otherwise ignored;
  - ``trade_names`` and ``former_names`` written into the name ("h.o.d.n. CleanPro", "(voorheen Nuon)"),
    which are evidence for a match like the KvK trade names and former names of a register;
  - ``honorific`` ("Koninklijke", "Royal"): the royal predicate, often omitted, never identifying.

Pure: a string in, a ``CompanyName`` out.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass, field

#: Legal-form token (after folding, dots removed) -> (canonical form, the countries that have it).
#: Canonical forms are compared; two forms whose countries do not overlap are two legal entities.
_NL, _BE, _LU = "NL", "BE", "LU"
_DACH = ("DE", "AT", "CH", "LI")
_COMMON_LAW = ("GB", "IE", "US", "CA", "AU", "NZ", "SG", "HK", "IN", "CN", "MT", "CY", "ZA")
LEGAL_FORMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "bv": ("bv", (_NL, _BE)), "nv": ("nv", (_NL, _BE, "CW", "SR")), "vof": ("vof", (_NL, _BE)),
    "cv": ("cv", (_NL, _BE)), "eenmanszaak": ("eenmanszaak", (_NL, _BE)), "maatschap": ("maatschap", (_NL,)),
    "bvba": ("bvba", (_BE,)), "cvba": ("cvba", (_BE,)), "vzw": ("vzw", (_BE,)), "sprl": ("sprl", (_BE,)),
    "srl": ("srl", (_BE, "IT", "RO")), "comm v": ("cv", (_BE,)),
    "gmbh": ("gmbh", _DACH), "mbh": ("gmbh", _DACH), "ag": ("ag", _DACH), "kg": ("kg", _DACH), "ug": ("ug", ("DE",)),
    "ohg": ("ohg", ("DE",)), "kgaa": ("kgaa", ("DE",)), "ev": ("ev", ("DE",)),
    "ltd": ("ltd", _COMMON_LAW), "limited": ("ltd", _COMMON_LAW), "plc": ("plc", ("GB", "IE")),
    "llp": ("llp", ("GB", "US")), "llc": ("llc", ("US",)), "inc": ("inc", ("US", "CA")),
    "incorporated": ("inc", ("US", "CA")), "corp": ("corp", ("US", "CA")), "corporation": ("corp", ("US", "CA")),
    "lp": ("lp", ("US", "GB")), "pty": ("pty", ("AU", "ZA")), "pte": ("pte", ("SG",)),
    "sa": ("sa", ("FR", _BE, _LU, "CH", "ES", "PT", "PL", "GR", "AR", "MX", "BR")), "sas": ("sas", ("FR",)),
    "sasu": ("sas", ("FR",)), "sarl": ("sarl", ("FR", _LU, "CH")), "eurl": ("sarl", ("FR",)),
    "sl": ("sl", ("ES",)), "slu": ("sl", ("ES",)), "spa": ("spa", ("IT",)), "as": ("as", ("NO", "DK", "CZ", "EE")),
    "asa": ("asa", ("NO",)), "aps": ("aps", ("DK",)), "ab": ("ab", ("SE", "FI")), "oy": ("oy", ("FI",)),
    "oyj": ("oyj", ("FI",)), "kft": ("kft", ("HU",)), "sro": ("sro", ("CZ", "SK")), "zoo": ("zoo", ("PL",)),
    "se": ("se", ("EU",)),
}
#: Tokens that sit among legal forms but say nothing on their own ("Co., Ltd.", "GmbH & Co. KG", "U.A.").
NEUTRAL_FORM_WORDS = frozenset({"co", "company", "ua", "wa", "ba", "eg"})
#: Multi-word legal forms, spelled out, replaced by their abbreviation before tokens are classified.
_LONG_FORMS = (
    ("besloten vennootschap met beperkte aansprakelijkheid", "bv"), ("besloten vennootschap", "bv"),
    ("naamloze vennootschap", "nv"), ("vennootschap onder firma", "vof"), ("commanditaire vennootschap", "cv"),
    ("gesellschaft mit beschrankter haftung", "gmbh"), ("aktiengesellschaft", "ag"), ("societe anonyme", "sa"),
    ("public limited company", "plc"), ("private limited company", "ltd"), ("limited liability company", "llc"),
    ("sp z o o", "zoo"), ("s r o", "sro"), ("sp zoo", "zoo"), ("comm v", "cv"),
    ("societe a responsabilite limitee", "sarl"), ("societe par actions simplifiee", "sas"), ("sa rl", "sarl"),
    ("s a r l", "sarl"), ("s a s", "sas"), ("societa per azioni", "spa"), ("sociedad anonima", "sa"),
    ("sociedad limitada", "sl"), ("limited liability partnership", "llp"), ("kommanditgesellschaft", "kg"),
    ("aktiebolag", "ab"), ("aktieselskab", "as"), ("allmennaksjeselskap", "asa"), ("aksjeselskap", "as"),
    # spaced letters: "B. V.", "N. V.", "V. O. F."
    ("b v", "bv"), ("n v", "nv"), ("v o f", "vof"),
)
#: Words that make a sibling legal entity: kept in the key, never merged away.
STRUCTURE_WORDS = {
    "holding": "holding", "holdings": "holding", "beheer": "beheer", "beheermaatschappij": "beheer",
    "groep": "group", "group": "group", "groupe": "group", "gruppe": "group", "stichting": "stichting",
    "foundation": "stichting", "stiftung": "stichting", "vereniging": "vereniging", "verein": "vereniging",
    "association": "vereniging", "cooperatie": "cooperatie", "cooperatieve": "cooperatie",
    "cooperative": "cooperatie", "participaties": "participaties", "participatie": "participaties",
    "beleggingen": "participaties", "investments": "participaties",
}
#: Country and region words: "Siemens Nederland" is the Dutch company of a group, "Siemens" its parent.
SCOPE_WORDS = {
    "nederland": "nederland", "netherlands": "nederland", "holland": "nederland", "benelux": "benelux",
    "europe": "europe", "europa": "europe", "emea": "europe", "deutschland": "deutschland", "germany": "deutschland",
    "belgie": "belgie", "belgium": "belgie", "belgique": "belgie", "france": "france", "uk": "uk",
    "international": "international", "worldwide": "international", "global": "international",
}
#: Structure and country words together (``parse`` asks once whether a name has any).
_ENTITY_WORDS = frozenset(STRUCTURE_WORDS) | frozenset(SCOPE_WORDS)
#: Words that begin an office or department remark: the same legal entity.
BRANCH_WORDS = frozenset({
    "hoofdkantoor", "vestiging", "filiaal", "afdeling", "locatie", "kantoor", "regio", "divisie", "dienst",
    "stadsdeel", "headquarters", "hq", "branch", "department", "dept", "office", "site",
})
#: Remarks about the company's state, not its identity.
STATUS_WORDS = frozenset({"io", "il", "liquidatie", "oprichting", "faillissement", "failliet"})
#: The royal predicate and its abbreviations.
HONORIFICS = frozenset({"koninklijke", "koninklijk", "kon", "royal"})
#: Dutch province codes, as they follow a municipality's name ("Bergen (NH)", "Hengelo Gld").
PROVINCE_CODES = frozenset({"nh", "zh", "nb", "gld", "gl", "ov", "fr", "gr", "dr", "ut", "fl", "lb", "zl", "l", "z", "o", "u"})
#: ``_LONG_FORMS`` as whole words (space on either side), as ``_words`` replaces them: spelled once, not per name.
_LONG_FORMS_SPACED = tuple((f" {long} ", f" {short} ") for long, short in _LONG_FORMS)
#: Any of them in a text: a name without one skips the replacements (one search, not one call per form).
_ANY_LONG_FORM = re.compile("|".join(re.escape(long) for long, _ in _LONG_FORMS_SPACED))
#: Common abbreviations, expanded so both spellings meet.
ABBREVIATIONS = {
    "gebr": "gebroeders", "zn": "zonen", "mij": "maatschappij", "int": "international", "intl": "international",
    "bros": "brothers", "ned": "nederland", "nl": "nederland", "en": "&", "and": "&", "und": "&", "et": "&",
    "stg": "stichting", "stgn": "stichting", "hldg": "holding", "coop": "cooperatie", "coop.": "cooperatie",
}
#: Tokens left over that carry no identity.
FILLER = frozenset({"de", "het", "the", "van", "der", "den", "&", "te", "le", "la", "des", "du"})

_TRADE_MARKERS = re.compile(
    r"\b(?:t\.?\s?)?h\.?\s?o\.?\s?d\.?\s?n\.?(?=\s|$|:)|\bh/o/d/n\b|\b(?:tevens\s+)?handelend\s+onder\s+de\s+(?:handels)?naa?m\b"
    r"|\btrading\s+as\b|\bt/a\b|\bd/b/a\b|\bdba\b|\bdoing\s+business\s+as\b|\bhandelsnaam\b"
)
_FORMER_MARKERS = re.compile(r"\bvoorheen\b|\bv/h\b|(?<![a-z.])v\.\s?h\.|\bformerly\b|\bpreviously\b|\bvoormalig\b|\bfka\b|\bf/k/a\b")
_MARKERS = re.compile(f"({_TRADE_MARKERS.pattern}|{_FORMER_MARKERS.pattern})")
#: What every marker above contains (without its word boundaries and lookarounds): a name without any of it has
#: no marker, found for a tenth of what ``_MARKERS`` costs to say so (its alternatives begin with a word boundary,
#: so the regular expression engine tries each of them at every letter; these begin with a letter it can skip to).
_MARKER_TEXT = re.compile(
    r"h\.?\s?o\.?\s?d\.?\s?n|h/o/d/n|handelend|trading|t/a|d/b/a|dba|doing|handelsnaam"
    r"|voorheen|v/h|v\.\s?h\.|formerly|previously|voormalig|fka|f/k/a"
)
_PARENS = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")
_DROPPED = re.compile(r"[.'’`´]")
_SLASH_INITIALS = re.compile(r"\b([a-z])/([a-z])\b")
_NON_ALNUM = re.compile(r"[^0-9a-z&]+")
_AMP = re.compile(r"&")
_BRANCH_SUFFIX = re.compile(r"\s*[,\-–]\s*(?=(?:" + "|".join(sorted(BRANCH_WORDS)) + r")\b)")


@dataclass(frozen=True, slots=True)
class CompanyName:
    """A name taken apart (see the module docstring); ``key`` keeps every word that tells entities apart."""

    original: str
    core: tuple[str, ...]
    legal_forms: tuple[str, ...] = ()
    structure: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()
    branch: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    trade_names: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    honorific: bool = False
    #: Identifying tokens in the order they were written: core, structure and scope words, then qualifiers.
    tokens: tuple[str, ...] = ()
    #: ``initials(core)`` and ``numbers(core)``, once per name: ``differences`` asks for them for every pair scored.
    core_initials: tuple[str, ...] = field(init=False, repr=False, compare=False)
    core_numbers: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "core_initials", initials(self.core))
        object.__setattr__(self, "core_numbers", numbers(self.core))

    @property
    def key(self) -> str:
        return " ".join(self.tokens)

    @property
    def core_key(self) -> str:
        return " ".join(self.core)

    @property
    def countries(self) -> frozenset[str]:
        """The countries whose law has every legal form the name states (empty: not known)."""
        return _countries_of_forms(self.legal_forms)


LEGAL_FORMS_BY_CANONICAL: dict[str, set[str]] = {}
for _canonical, _countries in LEGAL_FORMS.values():
    LEGAL_FORMS_BY_CANONICAL.setdefault(_canonical, set()).update(_countries)


@functools.lru_cache(maxsize=1024)
def _countries_of_forms(legal_forms: tuple[str, ...]) -> frozenset[str]:
    """``CompanyName.countries`` once per set of legal forms: asked for both names of every pair scored whose forms differ."""
    sets = [set(LEGAL_FORMS_BY_CANONICAL.get(f, ())) for f in legal_forms]
    sets = [s for s in sets if s]
    if not sets:
        return frozenset()
    return frozenset(set.intersection(*sets)) or frozenset(set.union(*sets))


def fold(text: str) -> str:
    """Lower case, accents off ("Société" -> "societe"), ligatures spelled out."""
    if text.isascii():  # most names: nothing to decompose, and casefold is lower (one call, not one per letter)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().replace("ß", "ss")


def _words(text: str) -> list[str]:
    if "/" in text:  # (what the pattern needs: most names have none)
        text = _SLASH_INITIALS.sub(r"\1\2", text)  # a/s -> as
    text = _DROPPED.sub("", text)  # b.v. -> bv, j.p. -> jp
    if "&" in text:
        text = _AMP.sub(" & ", text)
    flat = " " + " ".join(_NON_ALNUM.sub(" ", text).split()) + " "  # (split() gives no empty words)
    if _ANY_LONG_FORM.search(flat):  # none there: the replacements below change nothing (nor make one)
        for long, short in _LONG_FORMS_SPACED:
            flat = flat.replace(long, short)
    return [ABBREVIATIONS.get(t, t) for t in flat.split()]


def _split_markers(text: str, *, remark: bool = False) -> tuple[str, list[str], list[str]]:
    """The name before any "h.o.d.n." or "voorheen", and the trade and former names after them."""
    trade: list[str] = []
    former: list[str] = []
    pieces = _MARKERS.split(text) if _MARKER_TEXT.search(text) else [text]
    head = pieces[0]
    if not remark and not _NON_ALNUM.sub("", head):  # "Voorheen & Nu B.V.": a name, not a remark about one
        return text, [], []
    for i in range(1, len(pieces) - 1, 2):
        marker, tail = pieces[i], pieces[i + 1].strip(" ,:;-")
        if not tail:
            continue
        (former if _FORMER_MARKERS.fullmatch(marker.strip()) else trade).append(tail)
    return head, trade, former


def parse(name: str) -> CompanyName:
    """Take a company name apart; an empty or punctuation-only name gives an empty ``CompanyName``."""
    text = fold(name or "")
    qualifiers: list[str] = []
    branch: list[str] = []
    status: list[str] = []
    trade: list[str] = []
    former: list[str] = []

    def bracket(match: re.Match[str]) -> str:
        inner = (match.group(1) or match.group(2) or "").strip()
        head, t, f = _split_markers(inner, remark=True)
        trade.extend(t)
        former.extend(f)
        words = _words(head)
        if not words:
            return " "
        if words[0] in BRANCH_WORDS:
            branch.extend(words)
        elif all(w in STATUS_WORDS or w == "in" for w in words):
            status.extend(w for w in words if w != "in")
        else:
            qualifiers.extend(w for w in words if w not in FILLER)
        return " "

    text = _PARENS.sub(bracket, text)
    text, t, f = _split_markers(text)
    trade.extend(t)
    former.extend(f)
    text = _BRANCH_SUFFIX.sub(" ", text)
    words = _words(text)
    if not STATUS_WORDS.isdisjoint(words):  # "in liquidatie", "i.o.": a state, not a name (most names have none)
        kept: list[str] = []
        for i, w in enumerate(words):
            if w in STATUS_WORDS or (w == "in" and i + 1 < len(words) and words[i + 1] in STATUS_WORDS):
                if w != "in":
                    status.append(w)
                continue
            kept.append(w)
        words = kept
    # a branch or department remark without brackets: "Gemeente Utrecht afdeling Inkoop"
    for i, w in enumerate(words):
        if i > 0 and w in BRANCH_WORDS:
            branch.extend(words[i:])
            words = words[:i]
            break
    forms_at = [i for i, w in enumerate(words) if (w in LEGAL_FORMS or w in NEUTRAL_FORM_WORDS) and i > 0]
    strong_forms = [i for i in forms_at if words[i] in LEGAL_FORMS]
    # words after a legal form that ends the name proper: "Jansen Bouw B.V. Zwolle", "B.V. te Zwolle"
    if strong_forms:
        last = strong_forms[-1]
        tail = [w for w in words[last + 1 :] if w not in LEGAL_FORMS and w not in NEUTRAL_FORM_WORDS]
        if tail and words[0] not in LEGAL_FORMS:
            qualifiers.extend(w for w in tail if w not in FILLER)
            words = words[: last + 1]
    if len(words) > 2 and words[-1] in PROVINCE_CODES and len(words[-1]) > 1:
        qualifiers.append(words[-1])
        words = words[:-1]
    forms = tuple(LEGAL_FORMS[w][0] for i, w in enumerate(words) if w in LEGAL_FORMS and (i > 0 or len(words) == 1))
    if words and words[0] in LEGAL_FORMS and len(words) > 1:  # "B.V. Bouwbedrijf Jansen", "N.V. Nederlandsche ..."
        forms = (LEGAL_FORMS[words[0]][0], *forms)
    identity = [w for i, w in enumerate(words)
                if not ((w in LEGAL_FORMS or w in NEUTRAL_FORM_WORDS) and (i > 0 or w in LEGAL_FORMS))]
    honorific = any(w in HONORIFICS for w in identity)
    named = [w for w in identity if w not in HONORIFICS]
    if not [w for w in named if w not in FILLER and w not in STRUCTURE_WORDS and w not in SCOPE_WORDS]:
        # nothing but legal-form, structure or country words ("Holding B.V."): keep them all rather than nothing
        everything = tuple(w for w in words if w != "&")
        return CompanyName(original=name, core=everything, qualifiers=tuple(qualifiers), branch=tuple(branch),
                           status=tuple(status), trade_names=tuple(trade), former_names=tuple(former),
                           honorific=honorific, tokens=everything + tuple(qualifiers))
    structure, scope, core, tokens = _entity_words(named, qualifiers)
    return CompanyName(
        original=name, core=core, legal_forms=forms, structure=tuple(sorted(set(structure))),
        scope=tuple(sorted(set(scope))), qualifiers=tuple(qualifiers), branch=tuple(branch), status=tuple(status),
        trade_names=tuple(trade), former_names=tuple(former), honorific=honorific, tokens=tokens,
    )


def _entity_words(named: list[str], qualifiers: list[str]) -> tuple[tuple[str, ...], ...]:
    """(structure words, country words, core, tokens) of a name's words: structure and country words mapped to
    their canonical form, "&" left out."""
    if _ENTITY_WORDS.isdisjoint(named):  # most names: no structure or country word, so no word to take out or map
        core = tuple(w for w in named if w != "&") if "&" in named else tuple(named)
        return (), (), core, core + tuple(qualifiers)
    structure = tuple(STRUCTURE_WORDS[w] for w in named if w in STRUCTURE_WORDS)
    scope = tuple(SCOPE_WORDS[w] for w in named if w in SCOPE_WORDS)
    core = tuple(w for w in named if w not in STRUCTURE_WORDS and w not in SCOPE_WORDS and w != "&")
    tokens = tuple(STRUCTURE_WORDS.get(w, SCOPE_WORDS.get(w, w)) for w in named if w != "&") + tuple(qualifiers)
    return structure, scope, core, tokens


_ROMAN = frozenset({"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"})


def numbers(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Numbers in a name ("Holding 2", "Beheer III"): two companies of one family often differ only by them."""
    # (a list comprehension, not a generator: asked for every name parsed, and a generator resumes once per word)
    return tuple([t for t in tokens if t.isdigit() or (t in _ROMAN and len(t) > 1)])


def initials(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Tokens that are a person's initials ("jp", "h", "j"): one or two letters."""
    return tuple([t for t in tokens if len(t) <= 2 and t.isalpha() and t not in FILLER])  # (as ``numbers``)


@dataclass(frozen=True, slots=True)
class Difference:
    """One way two names say they may be two legal entities; ``verdict`` is the most a matcher may then decide."""

    kind: str
    verdict: str  # "review" (never an automatic merge) or "different" (never a merge at all)
    text: str


def differences(a: CompanyName, b: CompanyName) -> list[Difference]:
    """What in two names' structure speaks against one legal entity, whatever their core words' similarity."""
    found: list[Difference] = []
    if (a.structure == b.structure and a.scope == b.scope and a.qualifiers == b.qualifiers
            and (a.legal_forms == b.legal_forms or not a.legal_forms or not b.legal_forms)
            and not (a.core_initials and b.core_initials) and a.core_numbers == b.core_numbers):
        return found  # the common case, decided without building sets
    if set(a.structure) != set(b.structure):
        found.append(Difference("structure", "review", _one_sided("structure word", a.structure, b.structure)))
    if set(a.scope) != set(b.scope):
        found.append(Difference("scope", "review", _one_sided("country or region word", a.scope, b.scope)))
    if a.qualifiers != b.qualifiers:
        if a.qualifiers and b.qualifiers:
            text = f"another place or qualifier: {' '.join(a.qualifiers)!r} vs {' '.join(b.qualifiers)!r}"
        else:
            text = _one_sided("place or qualifier", a.qualifiers, b.qualifiers)
        found.append(Difference("location", "review", text))
    forms_a, forms_b = set(a.legal_forms), set(b.legal_forms)
    if forms_a and forms_b and forms_a != forms_b:
        shown = f"{'/'.join(sorted(forms_a))} vs {'/'.join(sorted(forms_b))}"
        if a.countries and b.countries and not (a.countries & b.countries):
            found.append(Difference("legal_form", "different",
                                    f"legal forms of different countries ({shown}): two legal entities"))
        else:
            found.append(Difference("legal_form", "review", f"another legal form ({shown})"))
    ia, ib = a.core_initials, b.core_initials
    if ia and ib and ia[0][0] != ib[0][0]:
        found.append(Difference("initials", "review", f"other initials ({' '.join(ia)} vs {' '.join(ib)})"))
    na, nb = a.core_numbers, b.core_numbers
    if na != nb:
        found.append(Difference("number", "review", f"another number in the name ({' '.join(na) or 'none'} vs "
                                                    f"{' '.join(nb) or 'none'}): often a sibling company"))
    return found


def notes(a: CompanyName, b: CompanyName) -> list[str]:
    """Parts that were set aside as not identifying (so a reader sees why they did not count)."""
    out: list[str] = []
    for label, name in (("A", a), ("B", b)):
        if name.branch:
            out.append(f"{label}: office or department remark {' '.join(name.branch)!r} set aside (same legal entity)")
        if name.status:
            out.append(f"{label}: state remark {' '.join(name.status)!r} set aside")
        if name.honorific:
            out.append(f"{label}: royal predicate set aside")
    if bool(a.legal_forms) != bool(b.legal_forms):
        out.append("legal form stated on one side only")
    return out


def _one_sided(label: str, a: tuple[str, ...], b: tuple[str, ...]) -> str:
    only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    parts = []
    if only_a:
        parts.append(f"{label} {' '.join(only_a)!r} only in A")
    if only_b:
        parts.append(f"{label} {' '.join(only_b)!r} only in B")
    return "; ".join(parts) + " (a sibling or related entity, not the same one)"


#: Words that say what a company does or whom it serves, after its own name ("Eneco Zakelijk", "Centric
#: Netherlands", "Van Oord Dredging and Marine Contractors"): dropped to get the name people use in news.
DESCRIPTOR_WORDS = frozenset(
    ["zakelijk", "consumenten", "particulier", "energie", "energy", "services", "service", "diensten", "dienstverlening", "infra", "infrastructure", "bouw", "construction", "techniek", "technology", "technologies", "solutions", "systems", "software", "ict", "it", "nederland", "netherlands", "holland", "benelux", "europe", "international", "group", "groep", "holding", "beheer", "dredging", "marine", "contractors", "engineering", "consultancy", "consulting", "facility", "facilities", "management", "retail", "telecom", "mobile", "logistics", "logistiek", "transport", "rail"]
)
_PARTICLES = frozenset({"van", "de", "den", "der", "ten", "ter", "te", "het"})
#: The most common Dutch family names: "Jansen" alone names thousands of businesses, never a short form.
COMMON_SURNAMES = frozenset(
    """de jong|jansen|de vries|van den berg|van dijk|bakker|janssen|visser|smit|meijer|meyer|de boer|mulder|de groot|
    bos|vos|peters|hendriks|van leeuwen|dekker|brouwer|de wit|dijkstra|smits|de graaf|van der meer|van der linden|kok|
    jacobs|de haan|vermeulen|van den heuvel|van der veen|van den broek|de bruijn|de bruin|van der heijden|schouten|
    van beek|willems|van wijk|van vliet|hoekstra|maas|verhoeven|koster|van dam|prins|blom|huisman|peeters|kuipers|
    van der wal|mol|kuiper|wouters|van der berg|boer|postma|groen|timmermans|de lange|hermans|
    gerritsen|kramer|van dongen|van der ploeg|evers|van der velde|hoek|bosman|martens|van der horst|van dalen""".replace("\n", "").split("|")
)


def short_forms(name: str) -> list[str]:
    """Shorter names people use for a company in headlines, derived from its name (folded, without legal form).

    "Koninklijke KPN N.V." -> "kpn"; "Koninklijke BAM Groep N.V." -> "bam"; "Eneco Zakelijk B.V." -> "eneco";
    "Van Oord Dredging and Marine Contractors B.V." -> "van oord". Only the company's own leading words are
    kept, and only when what follows them is descriptive (``DESCRIPTOR_WORDS``); whether a short form is
    unambiguous among all watched companies, and not a common word, is for the caller and the linker to judge.
    """
    honorific = _may_hold_honorific(name) and parse(name).honorific
    written = [w for w in _words(_PARENS.sub(" ", fold(name))) if w != "&"]
    written = [w for i, w in enumerate(written) if not ((w in LEGAL_FORMS or w in NEUTRAL_FORM_WORDS) and i > 0)]
    full = " ".join(written)
    words = [w for w in written if w not in HONORIFICS]
    words = [w for i, w in enumerate(words) if not ((w in LEGAL_FORMS or w in NEUTRAL_FORM_WORDS) and i > 0)]
    if words and words[0] in LEGAL_FORMS:
        words = words[1:]
    found: list[str] = []
    if honorific and words:
        found.append(" ".join(words))
    # the leading name: a particle-led family name ("van oord"), or the first word, before descriptive words
    lead = 1
    while lead < len(words) and words[lead - 1] in _PARTICLES:
        lead += 1
    if len(words) > lead and all(w in DESCRIPTOR_WORDS or w in FILLER for w in words[lead:]):
        found.append(" ".join(words[:lead]))
    elif len(words) > lead + 1 and words[0] in _PARTICLES and words[lead] not in DESCRIPTOR_WORDS:
        found.append(" ".join(words[:lead]))  # "van oord dredging ...": the family name is the short form
    return [f for f in dict.fromkeys(found)
            if f and f != full and len(f.replace(" ", "")) >= 3 and " ".join(f.split()) not in COMMON_SURNAMES]


#: What every one of ``HONORIFICS`` holds (``_may_hold_honorific``).
_HONORIFIC_STEMS = ("kon", "royal")
_NOT_ALNUM_ASCII = re.compile(r"[^0-9a-z]")


def _may_hold_honorific(name: str) -> bool:
    """False when ``parse(name).honorific`` cannot be true, found without parsing (most names: parsing was most of
    ``short_forms``' cost). Each word ``parse`` reads is a run of letters and digits of the folded name once some
    characters are taken out (dots, slashes) or made spaces, or a legal form or abbreviation spelled out; none of
    those spells an honorific, and every honorific holds one of ``_HONORIFIC_STEMS``, so a name whose letters and
    digits alone hold no stem has no honorific."""
    letters = _NOT_ALNUM_ASCII.sub("", fold(name or ""))
    return any(stem in letters for stem in _HONORIFIC_STEMS)


def unambiguous_short_forms(names: list[tuple[Hashable, str]]) -> list[tuple[Hashable, str]]:
    """(organisation, short form) for every name, keeping only short forms that point at one organisation
    and are not another organisation's own name: "BAM" for one watched company, never for two."""
    owners: dict[str, set[Hashable]] = {}
    # every organisation whose name begins with the short form's words could be the one meant; by first word,
    # so a short form is held against the few names that begin like it, not all of them
    by_first_word: dict[str, list[tuple[Hashable, tuple[str, ...]]]] = {}
    for org, name in names:
        shorts, words = _short_forms_and_words(name)
        for short in shorts:
            owners.setdefault(short, set()).add(org)
        if words:
            by_first_word.setdefault(words[0], []).append((org, words))
    result = []
    for short, orgs in owners.items():
        wanted = tuple(short.split(" "))
        claimants = orgs | {org for org, words in by_first_word.get(wanted[0], ()) if words[: len(wanted)] == wanted}
        if len(claimants) == 1:
            result.append((next(iter(claimants)), short))
    return result


@functools.lru_cache(maxsize=1 << 18)
def _short_forms_and_words(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A name's short forms and its words without the royal predicate, worked out once per name: the news
    sources and the sanctions screening each ask for every watched supplier's, and parsing was most of it."""
    return tuple(short_forms(name)), tuple(w for w in _words(fold(name)) if w not in HONORIFICS)


__all__ = [
    "BRANCH_WORDS", "DESCRIPTOR_WORDS", "FILLER", "LEGAL_FORMS", "SCOPE_WORDS", "STRUCTURE_WORDS", "CompanyName",
    "Difference", "differences", "fold", "initials", "notes", "parse", "short_forms", "unambiguous_short_forms",
]
