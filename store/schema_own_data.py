"""Tables of the own data area (see the module's revision in store/migrations/versions)."""

from __future__ import annotations

from store.schema import Base  # noqa: F401 - area tables subclass it
