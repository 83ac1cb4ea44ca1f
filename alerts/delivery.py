"""What makes alert delivery at-least-once but visibly once: stable Message-IDs and no per-message pause.

Why: a message is marked "sending" before it goes out and "sent" after the channel accepted it. A
crash between the channel's acceptance and our "sent" means the next run sends it again: that is
the at-least-once half. The visibly-once half is the ``Message-ID``: derived from the deliveries a
message carries, the same on every attempt, so a mail client folds the copy into the original.

Apprise's e-mail plugin makes its own Message-ID (``email.utils.make_msgid``) after any custom
header, so a custom header would give a message two. ``stable_message_id`` swaps the plugin's
``make_msgid`` for one that answers the id we set for the duration of one send (a module-level
value behind a lock: Apprise sends from a thread pool, which a ContextVar would not reach).

Apprise also waits ``request_rate_per_sec`` (5.5 s for most plugins) between two messages to one
channel: 100 alerts took 9 minutes. ``set_pause`` sets it per channel from our settings.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

#: The domain part of our Message-IDs: stable, so a copy sent from another host still folds.
MESSAGE_ID_DOMAIN = "alerts.supplyradar"

_lock = threading.Lock()
_current: str | None = None
_original: Callable[..., str] | None = None


def message_id(delivery_ids: Sequence[int]) -> str:
    """The Message-ID of the message carrying these deliveries: the same on every attempt."""
    key = ",".join(str(i) for i in sorted(delivery_ids))
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"<sr-{digest}@{MESSAGE_ID_DOMAIN}>"


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
