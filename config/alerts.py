"""Settings of the alert rules and routing (one section of Settings; see config/settings.py for precedence)."""

from __future__ import annotations

from pydantic import BaseModel


class AlertSettings(BaseModel):
    """Where the alert rules and routing YAML live, language of messages, outbox folder."""
