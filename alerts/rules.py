"""Alert rules from ``config/alert_rules.yaml``: loaded once at start-up, refused with clear errors.

A rule says which facts become alerts and how loud: company events (insolvency, dissolution,
sanctions, classified news), risk-score bands crossed upwards or downwards, sharp rises between
two scoring runs, contracts ending soon in a concentrated market, and sources gone silent. Rules
are tried **in file order and the first rule that matches a fact decides**, so a narrow rule with
severity ``ignore`` placed before a broad one silences that case (a supplier everyone knows about,
a news class that only makes noise). Everything a rule names (event kinds, score kinds, bands,
CPV categories) is checked when the file is read; an error names the file, the rule and the field.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from config.yaml_text import safe_load
from reference.cpv import cpv_prefix

SEVERITIES = ("info", "warning", "critical")
#: "ignore" is a severity a rule may have: the facts it matches produce no alert at all.
IGNORE = "ignore"
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}

RULE_TYPES = ("event", "score_band", "score_threshold", "score_rise", "contract_horizon", "source_health")
SCORE_KINDS = ("dependency", "failure", "geopolitical", "combined")
BANDS = ("low", "medium", "high")
BAND_RANK = {band: rank for rank, band in enumerate(BANDS)}

#: News event classes the classifier emits (``news.<class>``); see demo/story.py.
NEWS_CLASSES = (
    "insolvency", "strike", "cyber", "disaster", "sanctions_legal", "reorganisation", "acquisition",
    "export_controls", "other",
)
#: Every ``supplier_events.kind`` a rule may name (store/schema/shared.py, SupplierEvent).
EVENT_KINDS: tuple[str, ...] = (
    "kvk.dissolved", "kvk.legal_form_changed", "kvk.address_moved", "kvk.name_changed", "kvk.sbi_changed",
    "kvk.employees_changed", "kvk.not_found",
    "insolvency.bankruptcy_declared", "insolvency.suspension_provisional", "insolvency.suspension_final",
    "insolvency.ended",
    "sanctions.possible_match",
    *(f"news.{cls}" for cls in NEWS_CLASSES),
)

_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_CPV_PREFIX = re.compile(r"^\d{1,8}$")

DEFAULT_COOLDOWN_DAYS = 14
DEFAULT_EXPIRE_DAYS = 30
DEFAULT_EVENT_MAX_AGE_DAYS = 30


class RuleConfigError(ValueError):
    """The rules file cannot be used; the message names the file, the rule and the field."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One validated rule. Fields not used by the rule's type keep their defaults."""

    id: str
    type: str
    #: One severity, or per band for ``score_band`` rules ({"medium": "warning", "high": "critical"}).
    severity: str | Mapping[str, str]
    description: str = ""
    description_nl: str = ""  # the same in Dutch, for Dutch readers (else they see none)
    categories: tuple[str, ...] = ()  # CPV prefixes; empty: every category
    suppliers: tuple[str, ...] = ()  # org_keys or KvK numbers; empty: every supplier
    cooldown_days: float = DEFAULT_COOLDOWN_DAYS
    expire_days: float = DEFAULT_EXPIRE_DAYS
    # event
    kinds: tuple[str, ...] = ()  # exact kinds or patterns such as "news.*"
    min_confidence: float = 0.0
    max_age_days: int = DEFAULT_EVENT_MAX_AGE_DAYS
    alternatives: bool = False  # attach suggested alternative suppliers
    # score_band / score_threshold / score_rise
    score: str = ""
    direction: str = "up"
    threshold: float = 0.5
    min_increase: float = 0.0
    # contract_horizon
    months: int = 12
    min_hhi: float = 2000.0
    market_years: int = 3
    critical_within_months: int | None = None
    verdicts: tuple[str, ...] = ("late", "failing")

    def severity_for(self, band: str | None = None) -> str:
        """The severity of a match; for per-band severities, the one of ``band`` (ignore when unlisted)."""
        if isinstance(self.severity, str):
            return self.severity
        return self.severity.get(band or "", IGNORE)

    def matches_kind(self, kind: str) -> bool:
        return any(fnmatch.fnmatchcase(kind, pattern) for pattern in self.kinds)

    def in_scope(self, *, org_key: str | None = None, cpvs: Iterable[str] = ()) -> bool:
        """Whether a subject falls under this rule's supplier and category scope."""
        if self.suppliers and not (org_key and any(_same_supplier(org_key, s) for s in self.suppliers)):
            return False
        if self.categories:
            return any(code.startswith(prefix) for code in cpvs for prefix in self.categories)
        return True

    def scoped_cpvs(self, cpvs: Iterable[str]) -> list[str]:
        """The CPV codes among ``cpvs`` that this rule's categories cover (all when unscoped)."""
        codes = sorted(set(cpvs))
        if not self.categories:
            return codes
        return [c for c in codes if any(c.startswith(prefix) for prefix in self.categories)]


def _same_supplier(org_key: str, wanted: str) -> bool:
    """A scope entry is an org_key ("NL:id:12345678") or a bare KvK number ("12345678")."""
    return org_key == wanted or org_key.endswith(f":id:{wanted}")


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    path: Path | None = None
    categories_known: frozenset[str] = field(default_factory=frozenset)

    def of_type(self, rule_type: str) -> list[Rule]:
        return [r for r in self.rules if r.type == rule_type]

    def by_id(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


_COMMON = {"id", "type", "severity", "description", "description_nl", "categories", "suppliers", "cooldown_days", "expire_days"}
_ALLOWED = {
    "event": _COMMON | {"kinds", "min_confidence", "max_age_days", "alternatives"},
    "score_band": _COMMON | {"score", "direction", "alternatives"},
    "score_threshold": _COMMON | {"score", "direction", "threshold", "alternatives"},
    "score_rise": _COMMON | {"score", "min_increase", "alternatives"},
    "contract_horizon": _COMMON | {"months", "min_hhi", "market_years", "critical_within_months", "alternatives"},
    "source_health": _COMMON | {"verdicts"},
}


def read_yaml(path: Path, what: str, error: type[ValueError]) -> Any:
    """A YAML file's content; a missing or broken file raises ``error`` naming the file."""
    try:
        return safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        # Not str(exc): it quotes the offending line, and a routing line holds an Apprise URL (secrets).
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise error(f"{path}: not valid YAML{where}: {problem}") from None


def load_rules(path: Path, *, known_categories: Iterable[str] | None = None) -> RuleSet:
    """Read and validate the rules file.

    ``known_categories`` are the CPV prefixes the routing knows: a rule scoped to a category no
    one manages would never reach anyone, so it is refused too.
    """
    raw = read_yaml(path, "the alert rules", RuleConfigError)
    return parse_rules(raw, where=str(path), known_categories=known_categories, path=path)


def parse_rules(
    raw: Any, *, where: str, known_categories: Iterable[str] | None = None, path: Path | None = None
) -> RuleSet:
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
        raise RuleConfigError(f"{where}: expected a mapping with a 'rules' list")
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise RuleConfigError(f"{where}: 'defaults' must be a mapping")
    unknown_defaults = set(defaults) - {"cooldown_days", "expire_days", "max_age_days"}
    if unknown_defaults:
        raise RuleConfigError(f"{where}: defaults: unknown field(s) {', '.join(sorted(unknown_defaults))}")
    known = frozenset(known_categories) if known_categories is not None else None
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw["rules"], start=1):
        rule = _parse_rule(entry, defaults, f"{where}: rule #{index}", known)
        if rule.id in seen:
            raise RuleConfigError(f"{where}: rule {rule.id!r}: the id is used twice")
        seen.add(rule.id)
        rules.append(rule)
    return RuleSet(tuple(rules), path=path, categories_known=known or frozenset())


def _parse_rule(entry: Any, defaults: Mapping[str, Any], where: str, known: frozenset[str] | None) -> Rule:
    if not isinstance(entry, dict):
        raise RuleConfigError(f"{where}: a rule must be a mapping")
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID.match(rule_id):
        raise RuleConfigError(f"{where}: 'id' must be lowercase letters, digits and dashes, got {rule_id!r}")
    where = f"{where.rsplit(': ', 1)[0]}: rule {rule_id!r}"
    rule_type = entry.get("type")
    if rule_type not in RULE_TYPES:
        raise RuleConfigError(f"{where}: unknown type {rule_type!r}; choose one of {', '.join(RULE_TYPES)}")
    extra = set(entry) - _ALLOWED[rule_type]
    if extra:
        raise RuleConfigError(f"{where}: field(s) not used by {rule_type} rules: {', '.join(sorted(extra))}")
    values: dict[str, Any] = {"id": rule_id, "type": rule_type}
    values["severity"] = _severity(entry.get("severity"), rule_type, where)
    values["description"] = str(entry.get("description", ""))
    values["description_nl"] = str(entry.get("description_nl", ""))
    values["categories"] = _categories(entry.get("categories", []), where, known)
    values["suppliers"] = _strings(entry.get("suppliers", []), "suppliers", where)
    for name in ("cooldown_days", "expire_days", "max_age_days"):
        if name in entry or name in defaults:
            values[name] = _number(entry.get(name, defaults.get(name)), name, where, minimum=0)
    if rule_type == "event":
        kinds = _strings(entry.get("kinds"), "kinds", where)
        if not kinds:
            raise RuleConfigError(f"{where}: 'kinds' must list at least one event kind")
        for kind in kinds:
            if not any(fnmatch.fnmatchcase(known_kind, kind) for known_kind in EVENT_KINDS):
                raise RuleConfigError(
                    f"{where}: kinds: unknown event kind {kind!r}; known: {', '.join(EVENT_KINDS)} (patterns like news.* work)"
                )
        values["kinds"] = kinds
        values["min_confidence"] = _number(entry.get("min_confidence", 0.0), "min_confidence", where, minimum=0, maximum=1)
    if rule_type in ("score_band", "score_threshold", "score_rise"):
        score = entry.get("score")
        if score not in SCORE_KINDS:
            raise RuleConfigError(f"{where}: score: unknown score kind {score!r}; choose one of {', '.join(SCORE_KINDS)}")
        values["score"] = score
    if rule_type == "score_threshold":
        values["threshold"] = _number(entry.get("threshold"), "threshold", where, minimum=0, maximum=1)
    if rule_type in ("score_band", "score_threshold"):
        direction = entry.get("direction", "up")
        if direction not in ("up", "down"):
            raise RuleConfigError(f"{where}: direction must be 'up' or 'down', got {direction!r}")
        values["direction"] = direction
    if rule_type == "score_rise":
        values["min_increase"] = _number(entry.get("min_increase"), "min_increase", where, minimum=0.0001, maximum=1)
    if rule_type == "contract_horizon":
        values["months"] = int(_number(entry.get("months", 12), "months", where, minimum=1, maximum=120))
        values["min_hhi"] = _number(entry.get("min_hhi", 2000), "min_hhi", where, minimum=0, maximum=10_000)
        values["market_years"] = int(_number(entry.get("market_years", 3), "market_years", where, minimum=1, maximum=20))
        if entry.get("critical_within_months") is not None:
            values["critical_within_months"] = int(
                _number(entry["critical_within_months"], "critical_within_months", where, minimum=0, maximum=120)
            )
    if rule_type == "source_health":
        verdicts = _strings(entry.get("verdicts", ["late", "failing"]), "verdicts", where)
        bad = [v for v in verdicts if v not in ("late", "failing")]
        if bad or not verdicts:
            raise RuleConfigError(f"{where}: verdicts: choose from 'late' and 'failing', got {bad or verdicts}")
        values["verdicts"] = verdicts
    if "alternatives" in entry:
        values["alternatives"] = bool(entry["alternatives"])
    return Rule(**values)


def _severity(value: Any, rule_type: str, where: str) -> str | dict[str, str]:
    allowed = (*SEVERITIES, IGNORE)
    if rule_type == "score_band" and isinstance(value, dict):
        for band, severity in value.items():
            if band not in BANDS:
                raise RuleConfigError(f"{where}: severity: unknown band {band!r}; bands are {', '.join(BANDS)}")
            if severity not in allowed:
                raise RuleConfigError(f"{where}: severity of band {band!r}: {severity!r} is not one of {', '.join(allowed)}")
        return dict(value)
    if value not in allowed:
        raise RuleConfigError(f"{where}: severity: {value!r} is not one of {', '.join(allowed)}")
    return value


def _categories(value: Any, where: str, known: frozenset[str] | None) -> tuple[str, ...]:
    from reference.cpv import UnknownCpvCodeError, prefix_label

    prefixes = tuple(cpv_prefix(p) for p in _strings(value, "categories", where))
    for prefix in prefixes:
        try:
            if not _CPV_PREFIX.match(prefix):
                raise UnknownCpvCodeError(prefix)
            prefix_label(prefix)
        except UnknownCpvCodeError:
            raise RuleConfigError(f"{where}: categories: unknown category {prefix!r} (not a CPV 2008 code or prefix)") from None
        if known is not None and not any(prefix.startswith(k) or k.startswith(prefix) for k in known):
            raise RuleConfigError(
                f"{where}: categories: unknown category {prefix!r}: the routing has no manager for it "
                f"(routed categories: {', '.join(sorted(known)) or 'none'})"
            )
    return prefixes


def _strings(value: Any, name: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise RuleConfigError(f"{where}: {name} must be a list of strings")
    return tuple(str(v) for v in value)


def _number(value: Any, name: str, where: str, *, minimum: float, maximum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleConfigError(f"{where}: {name} must be a number, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise RuleConfigError(f"{where}: {name} must be {bound}, got {value!r}")
    return float(value)
