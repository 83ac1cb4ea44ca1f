"""Company names reduced to what identifies the legal entity: the key names are grouped and remembered by.

``normalise`` folds case, accents and punctuation, expands a few Dutch abbreviations, drops
parenthesised remarks and branch words and strips legal-form words (see ``models.company_names``);
``name_variants`` adds the trade and former names a name or a register carries. Pure; the matcher
(``models.matching``) blocks and scores on these.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from models.company_names import CompanyName, initials, parse

#: Legal forms that do not split a group of lines: clerks add and drop "B.V." all the time.
GROUPABLE_FORMS = frozenset({"bv"})


@dataclass(frozen=True, slots=True)
class NormalisedName:
    """A name reduced to what identifies the legal entity; ``key`` is what names are grouped and remembered by.

    ``key`` keeps structure words, country words and a place ("asito holding", "gemeente bergen nh"): two
    names with one key are one legal entity as far as the name can tell. ``core`` (without those) is what
    the similarity is scored on; the structure is compared separately (``company_names.differences``).
    """

    original: str
    key: str
    tokens: tuple[str, ...]
    legal_forms: tuple[str, ...] = ()
    parsed: CompanyName | None = None
    #: Computed once (scoring reads them for every candidate): the core words, joined, and without spaces.
    core: tuple[str, ...] = ()
    core_key: str = ""
    compact: str = ""
    #: The core's one- and two-letter words and the others (``split_initials``), once per name: scoring compares
    #: them for every pair.
    initial_words: tuple[tuple[str, ...], tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        core = self.core or (self.parsed.core if self.parsed is not None else self.tokens)
        object.__setattr__(self, "core", core)
        object.__setattr__(self, "core_key", " ".join(core))
        object.__setattr__(self, "compact", "".join(core))
        object.__setattr__(self, "initial_words", split_initials(core))

    @property
    def group_key(self) -> str:
        """What lines without a KvK number are grouped and remembered by: ``key`` plus a stated legal form
        other than B.V. ("jansen [vof]", "siemens [ag]"). A V.O.F., a GmbH and a B.V. of one name are three
        legal entities, so their lines are never one group; "X B.V." and "X" (a form left out) still are.
        """
        forms = sorted(set(self.legal_forms) - GROUPABLE_FORMS)
        return f"{self.key} [{'/'.join(forms)}]" if forms and self.key else self.key


def split_initials(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the one- and two-letter words, the other words): "jp morrel advies" -> (("jp",), ("morrel", "advies"))."""
    # (list comprehensions, not generators: asked for every name normalised, and a generator resumes once per word)
    initials = tuple([t for t in tokens if len(t) <= 2 and t.isalpha()])
    return initials, tuple([t for t in tokens if t not in initials]) if initials else tokens


def normalise(name: str) -> NormalisedName:
    """Fold, drop remarks and punctuation, expand abbreviations, strip legal forms (see ``models.company_names``)."""
    parsed = parse(name)
    tokens = (tuple(t for t in parsed.tokens if t != "&") or parsed.tokens) if "&" in parsed.tokens else parsed.tokens
    return NormalisedName(original=name, key=" ".join(tokens), tokens=tokens, legal_forms=parsed.legal_forms,
                          parsed=parsed)


def name_variants(name: str, other_names: Iterable[str] = ()) -> list[tuple[str, NormalisedName]]:
    """(how the name is known, normalised) for a name, the trade and former names written into it, and others.

    ``other_names`` are "trade:NAME" / "former:NAME" (or plain names) from a register.
    """
    first = normalise(name)
    variants = [("name", first)]
    if first.parsed is not None:
        variants += [("trade name", _trading_under(first.parsed, normalise(t))) for t in first.parsed.trade_names]
        variants += [("former name", normalise(t)) for t in first.parsed.former_names]
    for other in other_names:
        kind, _, value = other.partition(":") if other.startswith(("trade:", "former:")) else ("", "", other)
        label = {"trade": "trade name", "former": "former name"}.get(kind, "other name")
        variants.append((label, normalise(value)))
    seen: set[str] = set()
    unique = []
    for label, variant in variants:
        if variant.key and variant.key not in seen:
            seen.add(variant.key)
            unique.append((label, variant))
    return unique


def _trading_under(owner: CompanyName, trade: NormalisedName) -> NormalisedName:
    """A trade name carries its owner's legal form: "Jansen Bouw B.V. h.o.d.n. Klusdienst" trades as a B.V., and
    "J. Jansen h.o.d.n. Klusdienst" as a person (a sole trader), never as "Klusdienst B.V."."""
    if trade.parsed is None or trade.legal_forms:
        return trade
    forms = owner.legal_forms or (("eenmanszaak",) if initials(owner.core) else ())
    if not forms:
        return trade
    parsed = replace(trade.parsed, legal_forms=forms)
    return replace(trade, legal_forms=forms, parsed=parsed)


def postcode_digits(postcode: str | None) -> str | None:
    """"3518 AA" -> "3518": Dutch postcodes block by their four digits; others by all their digits."""
    if not postcode:
        return None
    digits = "".join(c for c in postcode if c.isdigit())
    return digits[:4] or None
