"""Settings of the risk models (one section of Settings; see config/settings.py for precedence).

The weights, thresholds and category criticality live in editable YAML (``config/risk.yaml``,
``config/category_materials.yaml``), loaded and validated here: a wrong value fails with the file
and the field named, before any score is computed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from config.yaml_text import safe_load

CONFIG_DIR = Path(__file__).resolve().parent
RISK_FILE = CONFIG_DIR / "risk.yaml"
MATERIALS_FILE = CONFIG_DIR / "category_materials.yaml"

Unit = Field(ge=0.0, le=1.0)


def match_prefix(key: str) -> str:
    """The prefix a category key denotes: "90910000" is the class 9091, "72" the division 72."""
    if len(key) == 8:
        return key.rstrip("0").ljust(2, "0")
    return key


def longest_match(keys: object, code: str) -> str | None:
    """The key whose prefix is the longest one ``code`` starts with (``code`` itself may be a key or a CPV)."""
    target = match_prefix(code)
    best = None
    for key in keys:  # type: ignore[attr-defined]
        prefix = match_prefix(key)
        if target.startswith(prefix) and (best is None or len(prefix) > len(match_prefix(best))):
            best = key
    return best


class RiskConfigError(ValueError):
    """Raised when a risk YAML file cannot be read or holds an invalid value; names the file and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BaselineModel(_Strict):
    intercept: float
    weights: dict[str, float]


class FailureConfig(_Strict):
    horizon_days: int = Field(365, ge=30)
    snapshot_months: int = Field(3, ge=1, le=12)
    eval_months: int = Field(12, ge=1)
    calibration_months: int = Field(12, ge=1)
    min_positive_train: int = Field(10, ge=1)
    min_positive_eval: int = Field(5, ge=1)
    min_positive_calibration: int = Field(3, ge=1)
    decay_half_life_days: float = Field(180.0, gt=0)
    medium_from: float = Unit
    high_from: float = Unit
    baseline: BaselineModel


class DependencyConfig(_Strict):
    weights: dict[str, float]
    spend_window_months: int = Field(24, ge=1)
    #: A supplier is "current" with a running contract or spend in this many recent months (models.relationship).
    current_spend_months: int = Field(12, ge=1)
    alternatives_window_months: int = Field(36, ge=1)
    alternatives_scale: float = Field(3.0, gt=0)
    lock_in_weights: dict[str, float]
    lock_in_full_term_months: int = Field(36, ge=1)
    medium_from: float = Unit
    high_from: float = Unit

    @model_validator(mode="after")
    def _monotone(self) -> DependencyConfig:
        expected = {"spend_share", "concentration", "substitutability", "lock_in", "criticality"}
        if set(self.weights) != expected:
            raise ValueError(f"dependency.weights must name exactly {sorted(expected)}")
        if self.weights["spend_share"] < 2 * self.weights["concentration"]:
            raise ValueError("dependency.weights.spend_share must be at least twice concentration "
                             "(else more spend share could lower the dependency)")
        lock = {"remaining_term", "extension_options", "single_sourced", "value_share"}
        if set(self.lock_in_weights) != lock:
            raise ValueError(f"dependency.lock_in_weights must name exactly {sorted(lock)}")
        if any(w < 0 for w in [*self.weights.values(), *self.lock_in_weights.values()]):
            raise ValueError("dependency weights must not be negative")
        return self


class CategoryConfig(_Strict):
    label: str = ""
    criticality: float = Unit


class GeopoliticalConfig(_Strict):
    weights: dict[str, float]
    membership_risk: dict[str, float]
    sanctioned_countries: dict[str, str]
    tone_recent_days: int = Field(90, ge=7)
    tone_prior_days: int = Field(365, ge=30)
    medium_from: float = Unit
    high_from: float = Unit

    @field_validator("weights")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        expected = {"country_risk", "membership", "materials", "sanctions", "tone_trend"}
        if set(value) != expected or any(w < 0 for w in value.values()):
            raise ValueError(f"geopolitical.weights must give a non-negative weight to exactly {sorted(expected)}")
        return value

    @field_validator("membership_risk")
    @classmethod
    def _membership(cls, value: dict[str, float]) -> dict[str, float]:
        if set(value) != {"eu", "eea", "non-eu", "unknown"} or any(not 0 <= v <= 1 for v in value.values()):
            raise ValueError("geopolitical.membership_risk needs eu, eea, non-eu and unknown, each 0..1")
        return value


class MatrixConfig(_Strict):
    geo_weight: float = Unit
    likelihood_medium_from: float = Unit
    likelihood_high_from: float = Unit
    impact_medium_from: float = Unit
    impact_high_from: float = Unit
    combined_medium_from: float = Unit
    combined_high_from: float = Unit


class KraljicConfig(_Strict):
    profit_impact_high_from: float = Unit
    supply_risk_weights: dict[str, float]
    supply_risk_high_from: float = Unit

    @field_validator("supply_risk_weights")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        if set(value) != {"concentration", "scarcity", "geopolitical"} or any(w < 0 for w in value.values()):
            raise ValueError("kraljic.supply_risk_weights needs concentration, scarcity and geopolitical, >= 0")
        return value


class RiskConfig(_Strict):
    failure: FailureConfig
    dependency: DependencyConfig
    default_criticality: float = Unit
    categories: dict[str, CategoryConfig]
    geopolitical: GeopoliticalConfig
    matrix: MatrixConfig
    kraljic: KraljicConfig

    @field_validator("categories")
    @classmethod
    def _prefixes(cls, value: dict[str, CategoryConfig]) -> dict[str, CategoryConfig]:
        for prefix in value:
            if not (prefix.isdigit() and 1 <= len(prefix) <= 8):
                raise ValueError(f"category {prefix!r} is not a CPV prefix (1 to 8 digits; quote it in YAML)")
        return value

    def criticality(self, category: str) -> float:
        """The criticality of the configured category that best matches ``category``, else the default."""
        key = longest_match(self.categories, category)
        return self.categories[key].criticality if key else self.default_criticality

    def category_of(self, cpv: str | None) -> str | None:
        """The category key of a CPV code: the best-matching configured category, else its division (2 digits)."""
        if not cpv or not cpv.strip()[:2].isdigit():
            return None
        code = cpv.strip()[:8]
        return longest_match(self.categories, code) or code[:2]


class CategoryMaterials(_Strict):
    materials: list[str] = Field(default_factory=list)
    note: str = ""


class MaterialsConfig(_Strict):
    categories: dict[str, CategoryMaterials]

    def materials_of(self, category: str) -> list[str]:
        """Materials of the best-matching mapped category; [] when none is mapped."""
        key = longest_match(self.categories, category)
        return list(self.categories[key].materials) if key else []


class RiskSettings(BaseModel):
    """Where the risk YAML files and the trained models live."""

    #: Weights, thresholds, category criticality; default ``config/risk.yaml``.
    config_file: Path = RISK_FILE
    #: CPV prefix -> critical raw materials; default ``config/category_materials.yaml``.
    materials_file: Path = MATERIALS_FILE
    #: Trained models and model cards; default ``<data_dir>/models``.
    model_dir: Path | None = None
    #: Scoring runs older than this many days (before the newest run's day) are thinned to each
    #: month's last run (``store.risk_retention``).
    keep_daily_runs_days: int = Field(90, ge=7)


def _read_yaml(path: Path) -> dict:
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RiskConfigError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise RiskConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RiskConfigError(f"{path}: expected a mapping at the top level")
    return data


def _validation_message(path: Path, exc: ValidationError) -> str:
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors())
    return f"{path}: {problems}"


@lru_cache(maxsize=8)
def load_risk_config(path: Path = RISK_FILE) -> RiskConfig:
    """The validated risk configuration; raises :class:`RiskConfigError` naming the file and field."""
    try:
        return RiskConfig.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise RiskConfigError(_validation_message(path, exc)) from exc


@lru_cache(maxsize=8)
def load_category_materials(path: Path = MATERIALS_FILE) -> MaterialsConfig:
    """The category -> materials mapping, every material checked against the shipped CRM table."""
    from reference.materials import critical_materials

    try:
        config = MaterialsConfig.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise RiskConfigError(_validation_message(path, exc)) from exc
    known = critical_materials()
    for prefix, entry in config.categories.items():
        if not (prefix.isdigit() and 1 <= len(prefix) <= 8):
            raise RiskConfigError(f"{path}: categories.{prefix}: not a CPV prefix (1 to 8 digits; quote it)")
        for name in entry.materials:
            if name not in known:
                raise RiskConfigError(f"{path}: categories.{prefix}.materials: {name!r} is not an EU critical raw "
                                      f"material (known: {', '.join(sorted(known))})")
    return config
