"""Settings of the organisation's own spend and contract files (one section of Settings; see config/settings.py for precedence)."""

from __future__ import annotations

from pydantic import BaseModel


class OwnDataSettings(BaseModel):
    """Column mappings of the spend and contract files and the matching thresholds."""
