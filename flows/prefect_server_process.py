"""The temporary Prefect server's process: ``prefect server start``, then an exit without interpreter teardown.

Run by path (``python flows/prefect_server_process.py server start ...``) by ``flows.prefect_server``. Once
uvicorn has shut the server down (services stopped, database engines disposed, everything committed), the
interpreter's own teardown of Prefect's server modules still took about 1.1 CPU-s and 3.5 s of wall time
(measured, prefect 3.8.8); nothing in it writes data, so the process ends right after the other exit handlers.
"""

from __future__ import annotations

import atexit
import os
import sys

_exit_code: list[int] = [1]  # a crash (any exception but SystemExit) ends the process with 1; set on a clean stop


def _exit_now() -> None:
    """Registered first, so it runs after every other exit handler (they run last-in, first-out)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_code[0])


def _code(status: object) -> int:
    return status if isinstance(status, int) else (0 if status is None else 1)


def main() -> None:
    atexit.register(_exit_now)
    from prefect.cli import app

    sys.argv[0] = "prefect"
    try:
        status = app()
    except SystemExit as stop:
        status = stop.code
    _exit_code[0] = _code(status)
    sys.exit(_exit_code[0])


if __name__ == "__main__":
    main()
