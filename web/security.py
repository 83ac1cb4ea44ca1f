"""Headers every response carries, the trusted-proxy rules and the keys behind the cookies.

A reverse proxy's headers (the user header, X-Forwarded-For, X-Forwarded-Proto) are believed
only when the connection itself comes from an address in ``web.trusted_proxies``; from anywhere
else they are ignored, so nobody can sign in as someone by sending a header.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.requests import Request

from config.web import WebSettings

log = logging.getLogger(__name__)

#: No inline script or style anywhere; the market scan reports get their own, stricter policy.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: A stored market scan is self-contained HTML with its own <style> and inline SVG, and no script.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

SESSION_COOKIE = "sr_session"
PRESESSION_COOKIE = "sr_pre"


class ProxyConfigError(ValueError):
    """``web.trusted_proxies`` holds something that is not an address or network."""


@dataclass(frozen=True, slots=True)
class Client:
    """Where a request came from, after the trusted-proxy rules."""

    address: str
    https: bool
    via_trusted_proxy: bool


def proxy_networks(settings: WebSettings) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for raw in settings.trusted_proxies:
        try:
            networks.append(ipaddress.ip_network(raw.strip(), strict=False))
        except ValueError as exc:
            raise ProxyConfigError(f"web.trusted_proxies: {raw!r} is not an IP address or network") from exc
    return networks


def client_of(request: Request, networks: list) -> Client:  # ip networks
    peer = request.client.host if request.client else ""
    trusted = _in_networks(peer, networks)
    https = request.url.scheme == "https"
    address = peer or "unknown"
    if trusted:
        forwarded_for = request.headers.get("x-forwarded-for", "")
        if forwarded_for:
            address = forwarded_for.split(",")[-1].strip() or address
        proto = request.headers.get("x-forwarded-proto", "")
        if proto:
            https = proto.split(",")[0].strip().lower() == "https"
    return Client(address=address[:100], https=https, via_trusted_proxy=trusted)


def _in_networks(host: str, networks: list) -> bool:
    if not host or not networks:
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def cookie_secure(settings: WebSettings, client: Client) -> bool:
    if settings.cookie_secure == "always":
        return True
    if settings.cookie_secure == "never":
        return False
    return client.https


def secret_key(settings: WebSettings, data_dir: Path) -> str:
    """The configured key, or one kept in ``<data_dir>/web-secret.key`` (made on first use, mode 600)."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value()
    path = data_dir / "web-secret.key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    log.info("web: made a new secret key in %s", path)
    return key


class PresessionTokens:
    """Anti-forgery for the sign-in form, before any session exists (a signed double-submit cookie)."""

    def __init__(self, key: str, max_age_seconds: int = 3600) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="supplyradar-signin")
        self._max_age = max_age_seconds

    def issue(self, nonce: str | None = None) -> tuple[str, str]:
        """(cookie value, form value): the form carries the nonce signed."""
        nonce = nonce or secrets.token_urlsafe(24)
        return nonce, self._serializer.dumps(nonce)

    def check(self, cookie: str | None, form_value: str | None) -> bool:
        if not cookie or not form_value:
            return False
        try:
            nonce = self._serializer.loads(form_value, max_age=self._max_age)
        except (BadSignature, SignatureExpired):
            return False
        return secrets.compare_digest(str(nonce), cookie)


def safe_url(url: object) -> str | None:
    """An http(s) link from outside data, or None: never ``javascript:``, ``data:`` or a relative path."""
    if not isinstance(url, str) or not url.strip():
        return None
    candidate = url.strip()
    try:
        parts = urlsplit(candidate)
    except ValueError:  # "http://[x": outside text that is no URL at all
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(candidate, safe=":/?#[]@!$&'()*+,;=%-._~")
