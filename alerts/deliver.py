"""Delivery over Apprise: one rendered message to one tagged channel, with the channel's URL never logged.

``pipelines.send_alerts`` runs the send loop (due deliveries from the store, one message per alert
or one digest per channel, each marked sent in its own transaction); this module is the part that
talks to Apprise, so that every message leaves the same way.
"""

from __future__ import annotations

import logging
from typing import Any

from alerts.render import Message


def notify(apobj: Any, tag: str, message: Message) -> str | None:
    """Send one message to one tagged channel; the error text, or None when it went out."""
    import apprise

    body_format = {"markdown": apprise.NotifyFormat.MARKDOWN, "html": apprise.NotifyFormat.HTML,
                   "text": apprise.NotifyFormat.TEXT}[message.format]
    apprise_log = logging.getLogger("apprise")
    level = apprise_log.level
    # Apprise logs each request's full URL at DEBUG (webhook tokens included): never below INFO here.
    apprise_log.setLevel(max(apprise_log.getEffectiveLevel(), logging.INFO))
    try:
        ok = apobj.notify(body=message.body, title=message.title, body_format=body_format, tag=tag)
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__} while sending"
    finally:
        apprise_log.setLevel(level)
    return None if ok else "the channel did not accept the message"
