"""Settings of the alert rules and routing (one section of Settings; see config/settings.py for precedence).

The rules and the routing themselves are editable YAML files (``config/alert_rules.yaml``,
``config/routing.yaml``), validated when loaded; these settings say where they are and how the
outbox behaves. The language of the messages is the global ``settings.language``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

_CONFIG_DIR = Path(__file__).resolve().parent


class AlternativesSettings(BaseModel):
    """How alternative suppliers are found in the award history (see models/alternatives.py)."""

    #: CPV digits that define "the same branch" (3 to 5 is usual: 725 = computer-related services).
    cpv_depth: int = Field(3, ge=2, le=8)
    #: Only awards from this many years before the reference day count.
    years: int = Field(5, ge=1)
    #: An award this many years old weighs half as much as one made today.
    half_life_years: float = Field(2.0, gt=0)
    #: Countries (ISO alpha-2) shown as preferred; a preference lifts a candidate a little and is
    #: always shown in its reason, never used as a filter. "EU" stands for the EU-27.
    prefer_countries: list[str] = Field(default_factory=list)
    #: Multiplier for a preferred candidate's score (1.0: shown, no effect on the order).
    preference_weight: float = Field(1.15, ge=1.0)
    #: How many alternatives an alert shows.
    top_n: int = Field(5, ge=1)
    #: org_key of our own organisation ("NL:id:<kvk>"): candidates that won from comparable buyers
    #: (same kind, same region) rank higher. Empty: no buyer comparison.
    buyer_org_key: str = ""
    #: An alert run ranks with the ranker learned after the latest scoring run (``supplyradar alerts
    #: learn-ranker``, the score-suppliers flow); one learned more than this many days before the alert
    #: run's day is not used: the run ranks by fixed weights and its suggestions say why.
    ranker_max_age_days: int = Field(31, ge=0)


class AlertSettings(BaseModel):
    """Where the alert rules and routing YAML live, outbox behaviour, the alternatives engine."""

    rules_file: Path = _CONFIG_DIR / "alert_rules.yaml"
    routing_file: Path = _CONFIG_DIR / "routing.yaml"
    #: Where the ``srfile://`` channel writes messages; default ``<data_dir>/outbox``.
    outbox_dir: Path | None = None
    #: A delivery is tried this many times (first try included) before it counts as failed.
    max_attempts: int = Field(5, ge=1)
    #: Seconds before the first retry; doubles with each attempt, up to ``retry_max_seconds``.
    retry_base_seconds: float = Field(300.0, ge=0)
    retry_max_seconds: float = Field(6 * 3600.0, ge=0)
    #: Pause between two messages to one channel (Apprise's own default is 5.5 s: 100 alerts took 9 minutes).
    channel_pause_seconds: float = Field(0.0, ge=0)
    #: A message marked "sending" whose run died is sent again (same Message-ID) after this many seconds.
    send_lease_seconds: float = Field(600.0, ge=0)
    alternatives: AlternativesSettings = Field(default_factory=AlternativesSettings)
