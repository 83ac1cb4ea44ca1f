"""Tables of the web workspace: people, their sessions, sign-in attempts and the audit log.

Sessions are kept here rather than in a signed cookie so that signing out, disabling a person
or changing their role ends their sessions at once; the cookie holds a random token whose
SHA-256 is stored, never the token itself. Sign-in attempts are stored so the rate limit holds
across restarts and several workers. The audit log says who did what to which alert or account.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.schema.base import Base


class WebUser(Base):
    """A person who may sign in: a role and, for category managers, the CPV prefixes they manage."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    #: "manager" (category manager), "strategist" (all categories, read-only), "admin" (ops)
    role: Mapped[str] = mapped_column(String(20))
    #: CPV prefixes a category manager sees ("09310000", "909"); ignored for the other roles.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: argon2id hash; empty for people who only come in through the trusted proxy.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(default=False)
    #: "en" or "nl": the person's own language for pages and messages; None: the routing's, then the server's.
    language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WebSession(Base):
    """A signed-in browser: the hash of its cookie token, its anti-forgery token and its expiry."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen: Mapped[datetime]
    #: The hard end, whatever the activity (``session_max_hours``).
    expires_at: Mapped[datetime]
    address: Mapped[str | None] = mapped_column(String(100))


class LoginAttempt(Base):
    """One sign-in attempt, kept for the per-user and per-address rate limits."""

    __tablename__ = "web_login_attempts"
    __table_args__ = (
        Index("ix_web_login_attempts_user", "username", "at"),
        Index("ix_web_login_attempts_address", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(100))
    succeeded: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime]


class WebAudit(Base):
    """Who did what to which alert or account, from where, and when."""

    __tablename__ = "web_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    #: "alert.acknowledge", "alert.snooze", "alert.dismiss", "user.add", "user.disable", "signin", ...
    action: Mapped[str] = mapped_column(String(40))
    #: "alert:<id>", "user:<name>"
    target: Mapped[str] = mapped_column(String(200), index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(100))
