"""End to end in a real browser: Debian's Chromium, driven by Playwright, against the workspace served by uvicorn.

The app runs in a thread on a free loopback port over a small synthetic store; the browser is
headless and every host but 127.0.0.1 resolves to nothing, so no request can leave the machine.
A category manager signs in, opens an alert from the inbox, dismisses it as not relevant, and
the test checks that it left the inbox and that the feedback is stored. Screenshots of the
inbox, an alert, a supplier and a category page go to ``test-output/screenshots/``.
Skipped, with the reason, where ``/usr/bin/chromium`` is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from argon2 import PasswordHasher
from sqlalchemy import select

from config.settings import Settings
from store.db import Store
from store.schema.alerts import AlertFeedback
from tests.fixtures.web.world import PASSWORD, POWER, World, build_world
from web import auth
from web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no browser: /usr/bin/chromium is missing (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Store, World]]:
    """The app on a free loopback port; ``indirect`` parameter: whether the world holds hostile texts."""
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    store = Store(f"sqlite:///{tmp_path / 'web.db'}")
    world = build_world(store, hostile=getattr(request, "param", True))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", store, world
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.dispose()


@pytest.fixture
def page(served):  # Playwright's Page
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[OFFLINE, "--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        tab = context.new_page()
        errors: list[str] = []
        tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        tab.console_errors = errors
        yield tab
        context.close()
        browser.close()


def sign_in(page, base: str, username: str = "mia") -> None:
    page.goto(f"{base}/alerts")
    assert "/signin" in page.url
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/alerts")


@pytest.mark.parametrize("served", [False], indirect=True, ids=["plain-world"])
def test_manager_dismisses_an_alert_as_not_relevant(served, page) -> None:
    base, store, world = served
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    alert_id = world.alerts["power"]

    sign_in(page, base)
    link = page.locator(f'a[href="/alerts/{alert_id}"]')
    assert link.count() == 1
    page.screenshot(path=str(SCREENSHOTS / "inbox.png"), full_page=True)

    link.click()
    page.wait_for_url(f"{base}/alerts/{alert_id}")
    assert page.locator("h1").inner_text().startswith("critical")
    assert page.locator("section.story a", has_text="Groene Energie N.V.").count() == 1  # the alternative
    page.screenshot(path=str(SCREENSHOTS / "alert.png"), full_page=True)

    page.check('input[name="reason"][value="not-relevant"]')
    page.fill('input[name="note"]', "Not our contract")
    page.click("form.dismiss button[type=submit]")
    page.wait_for_url(f"{base}/alerts?done=*")
    assert "dismissed" in page.locator("p.notice").inner_text()
    assert page.locator(f'a[href="/alerts/{alert_id}"]').count() == 0
    with store.session() as session:
        stored = session.scalars(select(AlertFeedback).where(AlertFeedback.alert_id == alert_id)).all()
    assert [(f.action, f.reason, f.note, f.decided_by) for f in stored] == [("dismiss", "not-relevant", "Not our contract", "mia")]

    page.goto(f"{base}/suppliers/{world.orgs[POWER.name]}")
    assert page.locator("h1").inner_text() == POWER.name
    page.screenshot(path=str(SCREENSHOTS / "supplier.png"), full_page=True)
    page.goto(f"{base}/categories/09310000")
    assert "Category 0931" in page.locator("h1").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "category.png"), full_page=True)
    assert page.console_errors == []  # no CSP violations, no failed asset


def test_hostile_text_stays_text_and_other_categories_stay_closed(served, page) -> None:
    base, _, world = served
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, base)
    page.goto(f"{base}/alerts/{world.alerts['power']}")
    assert '<script>alert("x")</script>' in page.locator("h1").inner_text()  # shown as text ...
    page.goto(f"{base}/suppliers")
    assert "Schoon <script>" in page.locator("table").inner_text()
    assert dialogs == []  # ... and never run
    response = page.goto(f"{base}/categories/72000000")
    assert response is not None and response.status == 403
    assert "not one of yours" in page.locator("p.message").inner_text()


@pytest.mark.parametrize("served", [False], indirect=True, ids=["plain-world"])
def test_a_snoozed_alert_comes_back_to_the_inbox(served, page) -> None:
    from datetime import UTC, datetime, timedelta

    from store.schema.alerts import AlertRow

    base, store, world = served
    alert_id = world.alerts["power"]
    sign_in(page, base)
    page.goto(f"{base}/alerts/{alert_id}")
    page.fill('input[name="days"]', "2")
    page.click(f'form[action="/alerts/{alert_id}/snooze"] button[type=submit]')
    page.wait_for_url(f"{base}/alerts?done=*")
    assert page.locator(f'a[href="/alerts/{alert_id}"]').count() == 0
    page.goto(f"{base}/alerts?state=snoozed")
    end = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%d")
    assert end in page.locator("table.inbox").inner_text()
    with store.session() as session, session.begin():
        session.get(AlertRow, alert_id).snoozed_until = datetime.now(UTC) - timedelta(seconds=1)
    page.goto(f"{base}/alerts")
    assert page.locator(f'a[href="/alerts/{alert_id}"]').count() == 1


@pytest.mark.parametrize("served", [False], indirect=True, ids=["plain-world"])
def test_a_dutch_manager_reads_an_alert_and_a_supplier_in_dutch(served, page) -> None:
    import re

    from store.web import set_language

    base, store, world = served
    with store.sessions.begin() as session:
        set_language(session, "mia", "nl")
    sign_in(page, base)
    english = re.compile(r"\b(highly concentrated|raises the log-odds|Sources|What you can do|Alerts|Suppliers|"
                         r"strategic|acknowledged|pending)\b")
    for path in (f"/alerts/{world.alerts['power']}", f"/suppliers/{world.orgs[POWER.name]}"):
        page.goto(f"{base}{path}")
        assert page.locator("html").get_attribute("lang") == "nl"
        text = page.locator("main").inner_text()
        assert not english.findall(text), (path, english.findall(text))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "supplier-nl.png"), full_page=True)
