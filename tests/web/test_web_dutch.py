"""One language per person, and every word we write ourselves in it.

A category manager who chose Dutch reads every page in Dutch: the inbox, every alert, the supplier
list and page, the categories. The test fails on English words of ours (labels, reasons, bands,
quadrants, statuses, market words); words of a source (names, headlines) are not ours to translate.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from alerts.routing import language_for
from store.db import Store
from store.schema.alerts import AlertRow
from store.web import set_language
from tests.fixtures.web.world import World
from tests.web.test_web_routes import (  # noqa: F401 - fixtures
    cheap_hashes,
    client,
    signed_in,
    sqlite_template,
    store,
    world,
)

#: English words of ours that must not reach a Dutch reader.
ENGLISH = re.compile(
    r"\b(Alerts?|Suppliers?|Categories|Category|Sources|Signed in|Sign out|Language|spend|Spend|awards?|"
    r"highly|concentrated|unconcentrated|moderately|raises|lowers|failure|dependency|geopolitical|combined|"
    r"high|medium|low|unknown|strategic|leverage|bottleneck|non-critical|acknowledged|snoozed|dismissed|"
    r"expired|pending|sent|created|immediate|daily|weekly|Contract ends|criticality|our|bankruptcy|declared|"
    r"insolvency|credible|alternatives?|none|Score|score breakdown|History|Deliveries|Feedback|Why|"
    r"Possible|What you can do|Left out|Electricity|Cleaning|months?|since|from|until|with|of the|in the)\b"
)


#: A figure with a decimal point, which a Dutch reader misreads: "0.999", "5.9", "12.34" (a point before other than
#: three digits, or after a lone 0; "250.000" is Dutch for a quarter of a million).
ENGLISH_FIGURE = re.compile(r"(?<![\w.,/-])(?:0\.\d+|\d+\.(?:\d{1,2}|\d{4,}))(?![\w.,/-])")


def _visible_text(html: str) -> str:
    """What a reader sees: no tags, attributes, scripts or styles; entities left as they are."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<option\b[^>]*>English</option>", " ", html)  # the language picker names English in English
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\b[a-z]+-baseline-v\d+\b", " ", text)  # model versions are identifiers, not words


def _english_in(http: TestClient, path: str) -> list[str]:
    response = http.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return sorted(set(ENGLISH.findall(_visible_text(response.text))))


def test_a_dutch_reader_gets_every_page_in_dutch(client: TestClient, world: World, store: Store) -> None:
    with store.sessions.begin() as session:
        set_language(session, "mia", "nl")
    signed_in(client, "mia")
    with store.session() as session:
        alert_ids = list(session.scalars(select(AlertRow.id)))
    paths = ["/alerts", "/alerts?state=snoozed", "/suppliers", "/categories", "/categories/09310000", "/categories/90910000"]
    paths += [f"/suppliers/{org_id}" for org_id in world.orgs.values()]
    paths += [f"/alerts/{alert_id}" for alert_id in alert_ids]
    found, figures = {}, {}
    for path in paths:
        response = client.get(path)
        if response.status_code == 403:  # not one of mia's: nothing to read
            continue
        words = _english_in(client, path)
        if words:
            found[path] = words
        english_figures = ENGLISH_FIGURE.findall(_visible_text(response.text))
        if english_figures:
            figures[path] = english_figures
    assert found == {}, found
    assert figures == {}, f"figures written the English way on Dutch pages: {figures}"
    assert '<html lang="nl">' in client.get("/alerts").text


def test_the_language_is_the_persons_own_choice_then_the_routing_then_the_server(client: TestClient,
                                                                                    store: Store) -> None:
    assert language_for("mia", account=None, routing={"mia": "nl"}, default="en") == "nl"
    assert language_for("mia", account="en", routing={"mia": "nl"}, default="nl") == "en"
    assert language_for("mia", account=None, routing={}, default="nl") == "nl"
    token = signed_in(client, "mia")
    assert '<html lang="en">' in client.get("/alerts").text
    response = client.post("/account/language", data={"language": "nl", "next": "/suppliers", "csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/suppliers"
    assert "Leveranciers" in client.get("/suppliers").text
    assert client.post("/account/language", data={"language": "xx", "csrf_token": token}).status_code == 400
    client.post("/account/language", data={"language": "", "csrf_token": token})
    assert '<html lang="en">' in client.get("/alerts").text  # back to the server's



def test_users_language_command(store: Store, world: World, monkeypatch) -> None:
    from typer.testing import CliRunner

    from store.web import get_user
    from supplyradar.cli import app

    monkeypatch.setenv("SUPPLYRADAR_DATABASE_URL", store.url)
    runner = CliRunner()
    assert runner.invoke(app, ["users", "language", "ivo", "nl"]).exit_code == 0
    assert runner.invoke(app, ["users", "language", "ivo", "fr"]).exit_code == 2
    with store.session() as session:
        assert get_user(session, "ivo").language == "nl"
    assert runner.invoke(app, ["users", "language", "ivo", "default"]).exit_code == 0
    with store.session() as session:
        assert get_user(session, "ivo").language is None
