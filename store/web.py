"""People, sessions, sign-in attempts and the audit log of the web workspace (``store.schema.web``).

Plain functions over a session, like the rest of ``store``. Passwords arrive here already
hashed (``web.auth`` hashes them with argon2) and session tokens as their SHA-256: neither
secret is ever stored or logged in the clear. Changing a person's role, categories, password
or disabling them ends their sessions, so a change of rights takes effect at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from store.schema.web import LoginAttempt, WebAudit, WebSession, WebUser

ROLES = ("manager", "strategist", "admin")
#: A session's last activity is written at most this often (a page view need not be a write).
_TOUCH_EVERY = timedelta(seconds=60)


class UnknownUserError(LookupError):
    """A command or page named a person who has no account."""


class UserError(ValueError):
    """An account was asked for with an unusable role, name or category."""


@dataclass(frozen=True, slots=True)
class Account:
    """A person as the workspace sees them: never the password hash."""

    id: int
    username: str
    display_name: str
    role: str
    categories: tuple[str, ...]
    disabled: bool
    has_password: bool
    created_at: datetime
    updated_at: datetime
    language: str | None = None  # their own choice; None: the routing's, then the server's


def _account(row: WebUser) -> Account:
    return Account(
        id=row.id,
        username=row.username,
        display_name=row.display_name or row.username,
        role=row.role,
        categories=tuple(row.categories or ()),
        disabled=row.disabled,
        has_password=bool(row.password_hash),
        created_at=row.created_at,
        updated_at=row.updated_at,
        language=row.language,
    )


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def check_categories(categories: Sequence[str]) -> list[str]:
    """CPV prefixes: 1 to 8 digits each, duplicates dropped, order kept."""
    cleaned: list[str] = []
    for raw in categories:
        code = raw.strip().split("-", 1)[0]
        if not code.isdigit() or not 1 <= len(code) <= 8:
            raise UserError(f"a category is a CPV code or prefix of 1 to 8 digits, not {raw!r}")
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def check_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise UserError(f"a user name is 1 to 100 characters without spaces, not {username!r}")
    return name


# -- people ---------------------------------------------------------------------------------


def upsert_user(
    session: Session,
    username: str,
    *,
    role: str,
    password_hash: str | None,
    categories: Sequence[str] = (),
    display_name: str = "",
) -> tuple[Account, bool]:
    """Create a person, or reset an existing one's role, categories, password and enable them.

    Returns the account and whether it was new. Existing sessions end (their rights changed).
    """
    name = check_username(username)
    check_role(role)
    cats = check_categories(categories)
    if role == "manager" and not cats:
        raise UserError("a category manager needs at least one category (a CPV prefix)")
    now = datetime.now(UTC)
    row = session.scalar(select(WebUser).where(WebUser.username == name))
    created = row is None
    if row is None:
        row = WebUser(username=name, created_at=now)
        session.add(row)
    row.display_name = display_name or row.display_name or ""
    row.role = role
    row.categories = cats
    row.password_hash = password_hash
    row.disabled = False
    row.updated_at = now
    session.flush()
    if not created:
        end_sessions(session, row.id)
    return _account(row), created


#: The languages a person may choose (as the workspace and the alert messages speak them).
LANGUAGES = ("en", "nl")


def check_language(language: str | None) -> str | None:
    """"en", "nl", or None (empty: no choice of one's own, the routing's or the server's applies)."""
    if language is None or not language.strip():
        return None
    code = language.strip().lower()
    if code not in LANGUAGES:
        raise UserError(f"a language is one of {', '.join(LANGUAGES)}, not {language!r}")
    return code


def set_language(session: Session, username: str, language: str | None) -> Account:
    """A person's own language for pages and messages (None: back to the routing's or the server's)."""
    row = session.scalar(select(WebUser).where(WebUser.username == username))
    if row is None:
        raise UserError(f"no user {username!r}")
    row.language = check_language(language)
    row.updated_at = datetime.now(UTC)
    session.flush()
    return _account(row)


def languages_of(session: Session, usernames: Sequence[str]) -> dict[str, str]:
    """The languages people chose themselves, by user name (people without a choice are left out)."""
    if not usernames:
        return {}
    rows = session.execute(
        select(WebUser.username, WebUser.language).where(WebUser.username.in_(list(usernames)), WebUser.language.is_not(None))
    )
    return {name: language for name, language in rows}


def get_user(session: Session, username: str) -> Account | None:
    row = session.scalar(select(WebUser).where(WebUser.username == username))
    return _account(row) if row else None


def password_hash_of(session: Session, username: str) -> str | None:
    """The stored hash of an enabled person (None for unknown, disabled or proxy-only people)."""
    return session.scalar(
        select(WebUser.password_hash).where(WebUser.username == username, WebUser.disabled.is_(False))
    )


def set_password_hash(session: Session, username: str, password_hash: str) -> None:
    """Replace a hash (argon2 parameters changed): no session ends, nothing else changes."""
    session.execute(update(WebUser).where(WebUser.username == username).values(password_hash=password_hash))


def list_users(session: Session) -> list[Account]:
    return [_account(row) for row in session.scalars(select(WebUser).order_by(WebUser.username))]


def _require(session: Session, username: str) -> WebUser:
    row = session.scalar(select(WebUser).where(WebUser.username == username))
    if row is None:
        raise UnknownUserError(f"no user named {username!r}")
    return row


def set_disabled(session: Session, username: str, disabled: bool = True) -> Account:
    """Disable (and sign out) or re-enable a person."""
    row = _require(session, username)
    row.disabled = disabled
    row.updated_at = datetime.now(UTC)
    if disabled:
        end_sessions(session, row.id)
    return _account(row)


def set_role(session: Session, username: str, role: str, categories: Sequence[str] | None = None) -> Account:
    """Change a role (and, when given, the categories); the person's sessions end."""
    row = _require(session, username)
    check_role(role)
    cats = check_categories(categories) if categories is not None else list(row.categories or [])
    if role == "manager" and not cats:
        raise UserError("a category manager needs at least one category (a CPV prefix)")
    row.role = role
    row.categories = cats
    row.updated_at = datetime.now(UTC)
    end_sessions(session, row.id)
    return _account(row)


# -- sessions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: int
    user: Account
    csrf_token: str
    expires_at: datetime


def create_session(
    session: Session, user_id: int, *, token_hash: str, csrf_token: str, max_age: timedelta, address: str | None
) -> None:
    now = datetime.now(UTC)
    session.add(
        WebSession(
            token_hash=token_hash, user_id=user_id, csrf_token=csrf_token, created_at=now, last_seen=now,
            expires_at=now + max_age, address=(address or "")[:100] or None,
        )
    )


def load_session(session: Session, token_hash: str, *, idle: timedelta) -> SessionInfo | None:
    """The live session with this token hash, touched; None (and removed) when expired or disabled."""
    now = datetime.now(UTC)
    row = session.scalar(select(WebSession).where(WebSession.token_hash == token_hash))
    if row is None:
        return None
    user = session.get(WebUser, row.user_id)
    if user is None or user.disabled or _aware(row.expires_at) <= now or _aware(row.last_seen) + idle <= now:
        session.delete(row)
        return None
    if now - _aware(row.last_seen) > _TOUCH_EVERY:
        row.last_seen = now
    return SessionInfo(id=row.id, user=_account(user), csrf_token=row.csrf_token, expires_at=_aware(row.expires_at))


def end_session(session: Session, token_hash: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))


def end_sessions(session: Session, user_id: int) -> None:
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def purge_expired_sessions(session: Session, *, idle: timedelta) -> int:
    now = datetime.now(UTC)
    result = session.execute(  # counted from RETURNING: rowcount may be -1 (unknown) on psycopg
        delete(WebSession).where((WebSession.expires_at <= now) | (WebSession.last_seen <= now - idle))
        .returning(WebSession.id)
    )
    return len(result.all())


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes for values stored in UTC; PostgreSQL aware ones."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# -- sign-in attempts -----------------------------------------------------------------------


def record_attempt(session: Session, username: str, address: str, *, succeeded: bool) -> None:
    session.add(LoginAttempt(username=username[:100], address=address[:100], succeeded=succeeded, at=datetime.now(UTC)))


def claim_attempt(session: Session, username: str, address: str) -> int:
    """Record a sign-in attempt as failed *before* it is checked; its id, to settle or drop it after.

    Why first: a check and a record in two steps let 30 parallel guesses all pass a limit of 5.
    Committed before the count, every attempt is counted by every attempt that checks after it,
    so at most the limit pass in a window, on SQLite and PostgreSQL alike.
    """
    row = LoginAttempt(username=username[:100], address=address[:100], succeeded=False, at=datetime.now(UTC))
    session.add(row)
    session.flush()
    return row.id


def settle_attempt(session: Session, attempt_id: int, *, succeeded: bool) -> None:
    """The claimed attempt's outcome (a success clears the user name's failures, see ``recent_failures``)."""
    session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(succeeded=succeeded))


def drop_attempt(session: Session, attempt_id: int) -> None:
    """A claimed attempt refused by the limit is not a guess: it does not extend the lock-out."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))


def recent_failures(session: Session, *, username: str, address: str, window: timedelta) -> tuple[int, int]:
    """Failed attempts in the window: (for this user name, from this address).

    A success clears the user name's count (failures before it no longer count), not the address's.
    """
    since = datetime.now(UTC) - window
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True), LoginAttempt.at >= since
        )
    )
    user_since = max(since, _aware(last_ok)) if last_ok else since
    by_user = session.scalar(
        select(func.count()).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(False), LoginAttempt.at > user_since
        )
    )
    by_address = session.scalar(
        select(func.count()).where(LoginAttempt.address == address, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)
    )
    return int(by_user or 0), int(by_address or 0)


def purge_attempts(session: Session, *, older_than: timedelta) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < datetime.now(UTC) - older_than))


# -- audit ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str
    detail: str | None
    address: str | None


def audit(session: Session, actor: str, action: str, target: str, detail: str | None = None, address: str | None = None) -> None:
    session.add(
        WebAudit(at=datetime.now(UTC), actor=actor[:100], action=action[:40], target=target[:200], detail=detail,
                 address=(address or "")[:100] or None)
    )


def audit_account(session: Session, actor: str, action: str, username: str, account: Account,
                  address: str | None = None) -> None:
    """An account change in the audit log, with the role, categories and state the account has after it."""
    audit(session, actor, action, f"user:{username}",
          detail=f"role={account.role} categories={','.join(account.categories)} disabled={account.disabled}",
          address=address)


def audit_entries(session: Session, *, target: str | None = None, limit: int = 200) -> list[AuditEntry]:
    query = select(WebAudit).order_by(WebAudit.at.desc(), WebAudit.id.desc()).limit(limit)
    if target is not None:
        query = query.where(WebAudit.target == target)
    return [
        AuditEntry(at=_aware(r.at), actor=r.actor, action=r.action, target=r.target, detail=r.detail, address=r.address)
        for r in session.scalars(query)
    ]
