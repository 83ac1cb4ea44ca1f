"""Who is asking, and what may they see and do: passwords, the signed-in principal and roles.

Three roles. A category manager sees and acts on the alerts, suppliers and categories under the
CPV prefixes assigned to them, nothing else. A strategist sees every category, read-only. An
admin (ops) sees everything, manages people and watches the sources. Passwords are hashed with
argon2id (argon2-cffi's defaults); an unknown user name costs the same time as a wrong password,
so sign-in does not reveal which names exist.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from reference.cpv import cpv_prefix
from store.web import Account

#: Replaced by tests with cheaper parameters; production keeps argon2-cffi's recommended ones.
HASHER = PasswordHasher()
_DUMMY_HASH: str | None = None

MANAGER, STRATEGIST, ADMIN = "manager", "strategist", "admin"


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("a password cannot be empty")
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; always spends one argon2 verification, even without a hash."""
    global _DUMMY_HASH
    if stored_hash is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
        stored_hash = _DUMMY_HASH
        password = password + "\x00never"
    try:
        return HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the store keeps of a session token: its SHA-256, so a leaked table opens no session."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in person of one request, with their session's anti-forgery token."""

    account: Account
    csrf_token: str
    session_hash: str
    via_proxy: bool = False

    @property
    def username(self) -> str:
        return self.account.username

    @property
    def role(self) -> str:
        return self.account.role

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def prefixes(self) -> tuple[str, ...] | None:
        """CPV prefixes this person may see; None: every category."""
        return tuple(cpv_prefix(c) for c in self.account.categories) if self.role == MANAGER else None

    def covers(self, cpv: str | None) -> bool:
        prefixes = self.prefixes
        return prefixes is None or (bool(cpv) and any(cpv.startswith(p) for p in prefixes))

    def covers_any(self, cpvs: list[str] | tuple[str, ...]) -> bool:
        """For an alert routed to several categories: one of them is enough (given as codes or prefixes)."""
        return self.prefixes is None or any(self.covers(cpv_prefix(c)) for c in cpvs)

    @property
    def can_act(self) -> bool:
        """Strategists only read; managers act on their alerts, admins on every alert."""
        return self.role in (MANAGER, ADMIN)
