"""Helpers for the few flow tests (the ``prefect_harness`` fixture itself is in conftest.py)."""

from __future__ import annotations

import httpx


def artifacts(*keys: str) -> dict:
    """Read artifacts over the REST API: prefect 3.8.8's client sends nulls this server version refuses."""
    from prefect.settings import PREFECT_API_URL

    body = {"artifacts": {"key": {"any_": list(keys)}}, "limit": 50, "offset": 0, "sort": "UPDATED_DESC"}
    response = httpx.post(f"{PREFECT_API_URL.value()}/artifacts/filter", json=body, timeout=30)
    response.raise_for_status()
    return {a["key"]: a for a in response.json()}
