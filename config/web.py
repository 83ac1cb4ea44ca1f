"""Settings of the web workspace (``supplyradar web``): one section of Settings, ``settings.web``.

Secure by default: sessions live in the store and expire when idle, cookies are HttpOnly and
SameSite=Lax (and Secure whenever the page is served over https), sign-in is rate limited, and
the trusted-proxy header is off until both a header name and the proxies' addresses are set.
The language of the pages is the global ``settings.language``, as for the alerts.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class WebSettings(BaseModel):
    """Where the workspace listens, how it signs people in and how long they stay signed in."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    #: The address people reach the workspace at (``SUPPLYRADAR_WEB__BASE_URL``, or the shorter
    #: ``SUPPLYRADAR_BASE_URL``); alert messages link to ``<base_url>/alerts/<id>``. Empty: ``http://<host>:<port>``.
    base_url: str = Field(default_factory=lambda: os.environ.get("SUPPLYRADAR_BASE_URL", ""))
    #: Key that signs the sign-in form's anti-forgery cookie. Empty: a random key is kept in
    #: ``<data_dir>/web-secret.key`` (created on first start, readable by its owner only).
    secret_key: SecretStr | None = None
    #: A session ends after this many minutes without a request ...
    session_idle_minutes: int = Field(60, ge=1)
    #: ... and after this many hours whatever happens.
    session_max_hours: int = Field(12, ge=1)
    #: "auto": Secure cookies when the request came over https (directly or from a trusted proxy).
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    #: Failed sign-ins allowed per user name, and per client address, within ``login_window_minutes``.
    login_max_failures_per_user: int = Field(5, ge=1)
    login_max_failures_per_address: int = Field(20, ge=1)
    login_window_minutes: int = Field(15, ge=1)
    #: Header a reverse proxy sets to the signed-in user's name (e.g. "X-Remote-User"). Empty: off.
    proxy_user_header: str = ""
    #: Addresses or networks (CIDR) of the reverse proxies whose headers are believed: the user
    #: header, X-Forwarded-For and X-Forwarded-Proto. Requests from anywhere else never are.
    trusted_proxies: list[str] = Field(default_factory=list)
    #: Where market scan reports are looked for; empty: the settings' output folder.
    reports_dir: str = ""
    #: Alerts per inbox page.
    page_size: int = Field(50, ge=1, le=500)

    def link_base(self) -> str:
        """The base of links in messages, without a trailing slash."""
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    def alert_url(self, alert_id: int) -> str:
        """Where an alert message links to: the alert's page in the workspace."""
        return f"{self.link_base()}/alerts/{int(alert_id)}"

    def supplier_url(self, organisation_id: int) -> str:
        return f"{self.link_base()}/suppliers/{int(organisation_id)}"

    def category_url(self, cpv: str) -> str:
        return f"{self.link_base()}/categories/{cpv}"
