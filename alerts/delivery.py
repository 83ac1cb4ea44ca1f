"""What makes alert delivery at-least-once but visibly once: stable Message-IDs and no per-message pause.

Why: a message is marked "sending" before it goes out and "sent" after the channel accepted it. A
crash between the channel's acceptance and our "sent" means the next run sends it again: that is
the at-least-once half. The visibly-once half is the ``Message-ID``: derived from the deliveries a
message carries, the same on every attempt, so a mail client folds the copy into the original.

Apprise's e-mail plugin makes its own Message-ID (``email.utils.make_msgid``) after any custom
header, so a custom header would give a message two. ``stable_message_id`` swaps the plugin's
``make_msgid`` for one that answers the id we set for the duration of one send (a module-level
value behind a lock: Apprise sends from a thread pool, which a ContextVar would not reach).

Channels other than e-mail: where the service honours an idempotency key, the same stable key
(``delivery_key``) goes with every attempt, so the service itself drops the copy:

- ``json://``, ``xml://``, ``form://`` (webhooks, our own receivers, Power Automate and the like):
  an ``Idempotency-Key`` header (IETF draft-ietf-httpapi-idempotency-key-header), set only when the
  channel's URL does not already carry one (``+Idempotency-Key=...``);
- ``opsgenie://``: the alert ``alias``, Opsgenie's de-duplication key (an open alert with the same
  alias is counted, not raised again), set only when the URL names no alias of its own. (Give the
  URL ``?action=new``: alerts go out as Apprise's "info", which Opsgenie's default mapping turns
  into a note on an existing alert rather than an alert.)

Every other channel (Slack, Microsoft Teams, Discord, Telegram, ntfy, PagerDuty through Apprise,
which sends no ``dedup_key``, the ``srfile://`` outbox) has no key Apprise can send: there delivery
is at least once, and after a crash between the channel's acceptance and our "sent" the copy may
arrive twice. ``idempotency_support`` says which is which.

Apprise also waits ``request_rate_per_sec`` (5.5 s for most plugins) between two messages to one
channel: 100 alerts took 9 minutes. ``set_pause`` sets it per channel from our settings.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

#: The domain part of our Message-IDs: stable, so a copy sent from another host still folds.
MESSAGE_ID_DOMAIN = "alerts.supplyradar"

_lock = threading.Lock()
_current: str | None = None
_original: Callable[..., str] | None = None


#: The header webhook-style channels carry the key in.
IDEMPOTENCY_HEADER = "Idempotency-Key"


def delivery_key(delivery_ids: Sequence[int]) -> str:
    """The idempotency key of the message carrying these deliveries: the same on every attempt."""
    key = ",".join(str(i) for i in sorted(delivery_ids))
    return "sr-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def message_id(delivery_ids: Sequence[int]) -> str:
    """The Message-ID of the message carrying these deliveries: the same on every attempt."""
    return f"<{delivery_key(delivery_ids)}@{MESSAGE_ID_DOMAIN}>"


def idempotency_support(server: Any) -> str | None:
    """How an Apprise channel carries our key: "header", "alias", or None (at least once, no key)."""
    from apprise.plugins.custom_form import NotifyForm
    from apprise.plugins.custom_json import NotifyJSON
    from apprise.plugins.custom_xml import NotifyXML
    from apprise.plugins.opsgenie import NotifyOpsgenie

    if isinstance(server, (NotifyJSON, NotifyXML, NotifyForm)):
        return "header"
    if isinstance(server, NotifyOpsgenie):
        return "alias"
    return None


@contextmanager
def idempotency_key(servers: Iterable[Any], key: str) -> Iterator[None]:
    """Channels in ``servers`` that honour a key carry ``key`` for the duration of one send.

    Set on the plugin objects and taken off afterwards, so a key never leaks into the next message.
    A key the channel's own URL sets is left alone.
    """
    undo: list[Callable[[], None]] = []
    for server in servers:
        kind = idempotency_support(server)
        if kind == "header" and not any(h.lower() == IDEMPOTENCY_HEADER.lower() for h in server.headers):
            server.headers[IDEMPOTENCY_HEADER] = key
            undo.append(lambda s=server: s.headers.pop(IDEMPOTENCY_HEADER, None))
        elif kind == "alias" and not server.alias:
            server.alias = key
            undo.append(lambda s=server: setattr(s, "alias", None))
    try:
        yield
    finally:
        for step in undo:
            step()


@contextmanager
def stable_identity(apobj: Any, tag: str, delivery_ids: Sequence[int]) -> Iterator[None]:
    """One send of these deliveries to ``tag``: the stable Message-ID and, where honoured, idempotency key."""
    with stable_message_id(message_id(delivery_ids)), idempotency_key(apobj.find(tag), delivery_key(delivery_ids)):
        yield


def _install() -> None:
    global _original
    if _original is not None:
        return
    try:
        from apprise.plugins.email import base as email_base
    except ImportError:  # an Apprise without the e-mail plugin: other channels have no Message-ID
        return
    _original = email_base.make_msgid

    def make_msgid(idstring: str | None = None, domain: str | None = None) -> str:
        return _current or _original(idstring=idstring, domain=domain)  # type: ignore[misc]

    email_base.make_msgid = make_msgid


@contextmanager
def stable_message_id(value: str) -> Iterator[None]:
    """E-mails sent inside this block carry ``value`` as their one Message-ID."""
    global _current
    _install()
    with _lock:
        _current = value
        try:
            yield
        finally:
            _current = None


def set_pause(apobj: Any, seconds: float) -> None:
    """Every channel of ``apobj`` waits ``seconds`` (not Apprise's 5.5 s) between two messages."""
    for server in apobj:
        server.request_rate_per_sec = seconds
