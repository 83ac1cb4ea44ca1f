"""Settings of the risk models (one section of Settings; see config/settings.py for precedence)."""

from __future__ import annotations

from pydantic import BaseModel


class RiskSettings(BaseModel):
    """Thresholds, category criticality and Kraljic boundaries."""
