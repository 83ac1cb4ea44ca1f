"""``srfile://``: an Apprise channel that writes each message as a file.

(Apprise schemes are letters and digits only, hence not "supplyradar-file".)

For the demo (every category manager's messages land in ``<data_dir>/outbox/``) and for ops who
want an audit copy of what went out. A legitimate Apprise plugin, registered through Apprise's
``@notify(on=...)`` decorator, so it is routed, tagged and retried like any other channel.

``srfile://`` writes into the default folder (``set_outbox_dir``, the alerts settings'
``outbox_dir`` or ``<data_dir>/outbox``); ``srfile:///srv/alerts/copy`` into that folder.
Markdown bodies get ``.md``, HTML ``.html``, anything else ``.txt``.
"""

from __future__ import annotations

import itertools
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEME = "srfile"

_lock = threading.Lock()
_counter = itertools.count(1)
_state: dict[str, Any] = {"dir": Path("data/outbox"), "registered": False}


def set_outbox_dir(path: Path) -> None:
    """Where ``srfile://`` (without a path) writes."""
    _state["dir"] = Path(path)


def outbox_dir() -> Path:
    return _state["dir"]


def _target_dir(url: str) -> Path:
    rest = url.split("://", 1)[1] if "://" in url else ""
    rest = rest.split("?", 1)[0].strip("/")
    return Path("/" + rest) if rest else outbox_dir()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "message"


def _write(body: str, title: str, notify_type: Any, meta: dict[str, Any], body_format: Any = None, **_: Any) -> bool:
    from alerts.render import md_escape

    folder = _target_dir(str(meta.get("url", "")))
    fmt = str(getattr(body_format, "value", body_format) or "text")
    ext = {"markdown": "md", "html": "html"}.get(fmt, "txt")
    folder.mkdir(parents=True, exist_ok=True)
    with _lock:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = folder / f"{stamp}-{next(_counter):04d}-{_slug(title)}.{ext}"
        while path.exists():
            path = folder / f"{stamp}-{next(_counter):04d}-{_slug(title)}.{ext}"
        if fmt == "markdown":
            content = f"# {md_escape(title)}\n\n{body}\n" if title else f"{body}\n"
        else:
            content = body if fmt == "html" else (f"{title}\n\n{body}\n" if title else f"{body}\n")
        path.write_text(content, encoding="utf-8")
    return True


def register_file_scheme() -> None:
    """Register the scheme with Apprise once per process (a no-op afterwards)."""
    if _state["registered"]:
        return
    from apprise.decorators import notify
    from apprise.manager_plugins import NotificationManager

    if SCHEME not in NotificationManager().schemas():
        notify(on=SCHEME, name="supplyradar file outbox")(_write)
    _state["registered"] = True
