"""Demo accounts: one person per role, with fresh random passwords each time the demo runs.

The demo prints the passwords once; re-running resets them (and ends the old sessions), so
nothing secret is ever committed or reused. The category manager manages the demo world's
electricity (09310000) and cleaning (90910000) categories, where the story's failures happen.
"""

from __future__ import annotations

import secrets

from config.settings import Settings
from store.db import Store
from store.web import upsert_user
from web.auth import hash_password

DEMO_MANAGER_CATEGORIES = ("09310000", "90910000")
DEMO_USERS = (
    ("demo-manager", "manager", "Demo category manager", DEMO_MANAGER_CATEGORIES),
    ("demo-strategist", "strategist", "Demo strategist", ()),
    ("demo-admin", "admin", "Demo admin", ()),
)


def create_demo_users(store: Store, settings: Settings) -> list[tuple[str, str, str]]:  # kept for the demo's call
    """Create or reset the demo accounts; returns (username, role, password) to print once."""
    created = []
    with store.sessions.begin() as session:
        for username, role, display_name, categories in DEMO_USERS:
            password = secrets.token_urlsafe(12)
            upsert_user(session, username, role=role, password_hash=hash_password(password), categories=categories,
                        display_name=display_name)
            created.append((username, role, password))
    return created
