"""Settings of the news, GDELT and sanctions connectors (one section of Settings; see config/settings.py for precedence)."""

from __future__ import annotations

from pydantic import BaseModel


class NewsSettings(BaseModel):
    """RSS/Atom feeds, GDELT and the EU sanctions list."""
