"""A local HTTP server on 127.0.0.1 that serves recorded answers with faults, for the fault-injection tests.

Why not respx: respx replaces the transport, so it cannot show what a real socket does when a body
is cut, trickled, stalled or reset. This server speaks HTTP/1.1 on a real port; each path has a
script of answers used one per request (the last one repeats), and every request is logged so a
test can count what the connector asked.

An answer is a ``Reply``: status, headers, body, and a fault:
``"reset"`` closes the socket without answering, ``"stall"`` waits ``delay`` seconds before answering,
``"trickle"`` sends the body one chunk per ``delay`` seconds, ``"truncate"`` announces the whole
length but sends only the first half of the body.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None  # None, "reset", "stall", "trickle", "truncate"
    delay: float = 0.0


#: A script entry may also be a function of the request, for POST APIs whose answer depends on it.
Script = Sequence["Reply | Callable[[Logged], Reply]"]


@dataclass
class Logged:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class FaultServer:
    """The running server: ``url(path)``, ``script(path, replies)``, ``requests`` and ``count(path)``."""

    def __init__(self) -> None:
        self.scripts: dict[str, list[Reply | Callable[[Logged], Reply]]] = {}
        self.served: dict[str, int] = defaultdict(int)
        self.requests: list[Logged] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def script(self, path: str, replies: Script) -> None:
        with self._lock:
            self.scripts[path] = list(replies)
            self.served[path] = 0

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path.split("?")[0] == path)

    def _next(self, path: str, request: Logged) -> Reply:
        with self._lock:
            script = self.scripts.get(path)
            if not script:
                return Reply(404, b"not found")
            position = min(self.served[path], len(script) - 1)
            self.served[path] += 1
        entry = script[position]
        return entry(request) if callable(entry) else entry

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                logged = Logged(self.command, self.path, dict(self.headers), body)
                with server._lock:
                    server.requests.append(logged)
                reply = server._next(path, logged)
                if reply.fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.close_connection = True
                    self.connection.close()
                    return
                if reply.fault == "stall":
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                if reply.fault in ("truncate", "trickle"):
                    self.send_header("Connection", "close")
                self.end_headers()
                if reply.fault == "truncate":
                    self.wfile.write(reply.body[: len(reply.body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if reply.fault == "trickle":
                    for start in range(0, len(reply.body), 16):
                        try:
                            self.wfile.write(reply.body[start : start + 16])
                            self.wfile.flush()
                        except OSError:
                            return
                        time.sleep(reply.delay)
                    self.close_connection = True
                    return
                self.wfile.write(reply.body)

            do_GET = do_POST = _serve

        return Handler

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@contextmanager
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer().start()
    try:
        yield server
    finally:
        server.stop()


_TEMPLATE: dict[str, Path] = {}


def fresh_store(folder: Path):
    """A migrated SQLite store in ``folder``: a copy of one migrated once per session (migrations take seconds)."""
    from store.db import Store

    if "db" not in _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="supplyradar-faults-")) / "template.db"
        Store(f"sqlite:///{template}").dispose()
        _TEMPLATE["db"] = template
    target = folder / "store.db"
    shutil.copyfile(_TEMPLATE["db"], target)
    return Store(f"sqlite:///{target}")
