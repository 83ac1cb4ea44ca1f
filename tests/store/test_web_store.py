"""Round trip: people, sessions, sign-in attempts and the audit log -> ``store.web`` -> back, on SQLite and PostgreSQL.

Also the small pure pieces the pages rest on: CPV prefixes and role coverage, the catalogues of
both languages, the trusted-proxy rules and the link filter for outside URLs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from starlette.requests import Request

from config.web import WebSettings
from store.db import Store
from store.schema.web import LoginAttempt, WebSession
from store.web import (
    UserError,
    audit,
    audit_entries,
    create_session,
    end_sessions,
    load_session,
    purge_expired_sessions,
    recent_failures,
    record_attempt,
    set_role,
    upsert_user,
)
from web.auth import Principal, cpv_prefix, token_hash
from web.i18n import EN, NL, Translator
from web.security import ProxyConfigError, client_of, proxy_networks, safe_url

IDLE = timedelta(minutes=60)


def _user(store: Store, name: str = "mia", role: str = "manager", categories=("09310000",)) -> int:
    with store.sessions.begin() as session:
        account, created = upsert_user(session, name, role=role, password_hash="$argon2id$x", categories=categories)
    assert created
    return account.id


def test_sessions_live_until_idle_or_max_age_and_end_when_rights_change(store: Store) -> None:
    user_id = _user(store)
    with store.sessions.begin() as session:
        create_session(session, user_id, token_hash=token_hash("t1"), csrf_token="c1", max_age=timedelta(hours=1), address="1.2.3.4")
    with store.sessions.begin() as session:
        info = load_session(session, token_hash("t1"), idle=IDLE)
        assert info is not None and info.user.username == "mia" and info.csrf_token == "c1"
        assert load_session(session, token_hash("other"), idle=IDLE) is None
    with store.sessions.begin() as session:
        set_role(session, "mia", "strategist")
    with store.sessions.begin() as session:
        assert load_session(session, token_hash("t1"), idle=IDLE) is None
        create_session(session, user_id, token_hash=token_hash("t2"), csrf_token="c2", max_age=timedelta(hours=1), address=None)
        session.flush()
        session.execute(update(WebSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    with store.sessions.begin() as session:
        assert load_session(session, token_hash("t2"), idle=IDLE) is None
        create_session(session, user_id, token_hash=token_hash("t3"), csrf_token="c3", max_age=timedelta(hours=1), address=None)
        session.flush()
        session.execute(update(WebSession).values(last_seen=datetime.now(UTC) - timedelta(hours=2)))
        assert purge_expired_sessions(session, idle=IDLE) == 1
        end_sessions(session, user_id)


def test_upsert_resets_and_validates(store: Store) -> None:
    _user(store)
    with store.sessions.begin() as session:
        account, created = upsert_user(session, "mia", role="manager", password_hash="$new", categories=["0931", "0931", "72000000-5"])
    assert not created and account.categories == ("0931", "72000000")
    with store.sessions.begin() as session, pytest.raises(UserError, match="without spaces"):
        upsert_user(session, "two words", role="admin", password_hash=None)


def test_failures_count_per_user_and_address_and_a_success_clears_the_users(store: Store) -> None:
    window = timedelta(minutes=15)
    with store.sessions.begin() as session:
        for _ in range(3):
            record_attempt(session, "mia", "1.1.1.1", succeeded=False)
        record_attempt(session, "sam", "1.1.1.1", succeeded=False)
        old = LoginAttempt(username="mia", address="2.2.2.2", succeeded=False, at=datetime.now(UTC) - timedelta(hours=1))
        session.add(old)
    with store.sessions.begin() as session:
        assert recent_failures(session, username="mia", address="1.1.1.1", window=window) == (3, 4)
        assert recent_failures(session, username="mia", address="2.2.2.2", window=window) == (3, 0)
        record_attempt(session, "mia", "1.1.1.1", succeeded=True)
    with store.sessions.begin() as session:
        assert recent_failures(session, username="mia", address="1.1.1.1", window=window) == (0, 4)


def test_audit_entries_newest_first(store: Store) -> None:
    with store.sessions.begin() as session:
        audit(session, "mia", "alert.acknowledge", "alert:1", address="1.2.3.4")
        audit(session, "mia", "alert.dismiss", "alert:1", detail="reason=known")
        audit(session, "ada", "user.disable", "user:ivo")
    with store.session() as session:
        entries = audit_entries(session, target="alert:1")
    assert [e.action for e in entries] == ["alert.dismiss", "alert.acknowledge"]
    assert entries[1].address == "1.2.3.4"


def test_cpv_prefixes_and_role_coverage() -> None:
    assert [cpv_prefix(c) for c in ("09310000", "72000000-5", "909", "90910000", "03000000")] == ["0931", "72", "909", "9091", "03"]
    from store.web import Account

    def who(role: str, cats=()) -> Principal:
        now = datetime.now(UTC)
        return Principal(Account(1, "x", "x", role, tuple(cats), False, True, now, now), "c", "h")

    manager = who("manager", ["09310000", "90910000"])
    assert manager.prefixes == ("0931", "9091")
    assert manager.covers("09310000") and manager.covers("09311000") and not manager.covers("09000000")
    assert manager.covers_any(["72000000", "90910000"]) and not manager.covers_any(["72000000"]) and not manager.covers_any([])
    assert who("strategist").covers("72") and not who("strategist").can_act and who("admin").can_act


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    import string

    assert set(EN) == set(NL)
    for key in EN:
        fields = {f for _, f, _, _ in string.Formatter().parse(EN[key]) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(NL[key]) if f}, key
    nl = Translator("nl")
    assert nl("alert.title", id=3) == "Signaal 3" and nl.money(1234567) == "€ 1.234.567" and nl.number(0.5, 2) == "0,50"
    assert Translator("fr")("nav.inbox") == "Alerts"


def _request(peer: str, headers: dict[str, str], scheme: str = "http") -> Request:
    return Request({
        "type": "http", "method": "GET", "path": "/", "query_string": b"", "scheme": scheme, "server": ("testserver", 80),
        "client": (peer, 1234), "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    })


def test_forwarded_headers_only_from_trusted_proxies() -> None:
    networks = proxy_networks(WebSettings(trusted_proxies=["10.0.0.1", "192.168.0.0/16"]))
    forwarded = {"X-Forwarded-For": "203.0.113.9, 10.9.9.9", "X-Forwarded-Proto": "https"}
    trusted = client_of(_request("192.168.1.5", forwarded), networks)
    assert (trusted.address, trusted.https, trusted.via_trusted_proxy) == ("10.9.9.9", True, True)
    stranger = client_of(_request("203.0.113.50", forwarded), networks)
    assert (stranger.address, stranger.https, stranger.via_trusted_proxy) == ("203.0.113.50", False, False)
    with pytest.raises(ProxyConfigError, match="not-an-ip"):
        proxy_networks(WebSettings(trusted_proxies=["not-an-ip"]))


def test_only_http_links_from_outside_data() -> None:
    assert safe_url("https://news.example/a?x=1&y=2") == "https://news.example/a?x=1&y=2"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "/relative", "", None, 42, "http://"):
        assert safe_url(bad) is None
    assert '"' not in safe_url('https://x.example/"onmouseover="a')
    assert safe_url("http://[broken/x") is None  # unparseable: no link, and no crash


def test_market_statistics_are_cached_per_category_and_day(monkeypatch: pytest.MonkeyPatch) -> None:
    import web.market as market

    calls = []
    monkeypatch.setattr(market, "market_summary", lambda store, prefix, *, language, today: calls.append(prefix) or prefix)
    cache = market.MarketCache(seconds=60)
    assert [cache.get(None, "0931", language="en") for _ in range(3)] == ["0931"] * 3
    cache.get(None, "72", language="en")
    assert calls == ["0931", "72"]
    assert market.MarketCache(seconds=0).get(None, "45", language="nl") == "45" and calls[-1] == "45"
