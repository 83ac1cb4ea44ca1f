"""Settings of the company-register and insolvency connectors (one section of Settings; see config/settings.py for precedence)."""

from __future__ import annotations

from pydantic import BaseModel


class KvkSettings(BaseModel):
    """KvK APIs (Zoeken v2, Basisprofiel v1, Vestigingsprofiel v1)."""


class InsolvencySettings(BaseModel):
    """Centraal Insolventieregister web service (SOAP 1.2)."""
