"""Imports a command needs only when it runs, so that ``supplyradar --help`` starts at once.

``Settings`` here is a stand-in for ``config.settings.Settings`` (pydantic-settings and the YAML
loaders take most of a second to import): calling it imports the real class and builds the
settings. Command modules import it instead of the real one; type hints stay strings.
"""

from __future__ import annotations

from typing import Any


class _LazySettings:
    """Call it like the settings class; the class is imported on the first call."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from config.settings import Settings as real

        return real(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        from config.settings import Settings as real

        return getattr(real, name)


Settings = _LazySettings()


def open_store(settings: Any = None) -> Any:  # store.db.Store
    """The store of ``settings`` (the configured settings when not given); ``store.db`` is imported only now."""
    from store.db import Store

    return Store((Settings() if settings is None else settings).resolved_database_url)
