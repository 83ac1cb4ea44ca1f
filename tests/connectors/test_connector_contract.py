"""Every registered connector module, offline: documented, complete, and able to collect a page.

A new source is tested the moment it joins ``CONNECTORS``: give it its settings, the name of its
paging function and the respx routes of one page (fixtures in the real response shape).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import respx
from pydantic import BaseModel

from config.settings import HttpSettings, TedSettings, TenderNedSettings
from connectors import ted, tenderned
from connectors.errors import RecordError, RecordWarning
from connectors.records import Notice

FIXTURES = Path(__file__).parents[1] / "fixtures"
DOCSTRING_SECTIONS = ("Domain", "API documentation", "Caveats", "Arguments")
COMMON_FUNCTIONS = ("make_client", "collect_page")


@dataclass(frozen=True)
class Connector:
    module: ModuleType
    settings: BaseModel
    pages: str  # name of the function that yields pages: (client, settings, *, since, until=None)
    functions: tuple[str, ...]  # the rest of its public surface
    one_page: Callable[[respx.MockRouter, Any], None]  # routes serving one page and its records


def _ted_page(router: respx.MockRouter, settings: TedSettings) -> None:
    router.post(settings.search_url).respond(200, content=(FIXTURES / "ted_api" / "search_one_page.json").read_bytes())
    router.get("https://ted.europa.eu/en/notice/565058-2023/xml").respond(
        200, content=(FIXTURES / "ted_api" / "565058-2023.xml").read_bytes()
    )


def _tenderned_page(router: respx.MockRouter, settings: TenderNedSettings) -> None:
    folder = FIXTURES / "tenderned_api"
    router.get(f"{settings.base_url}/publicaties").respond(
        200, content=(folder / "publicaties_page_1.json").read_bytes()
    )
    # (no detail: the public XML and the list row say all of it, so ``collect_page`` does not ask for it)
    router.get(f"{settings.base_url}/publicaties/441200/public-xml").respond(
        200, content=(folder / "public-xml_can_24_minimal.xml").read_bytes()
    )


CONNECTORS = [
    Connector(
        ted,
        TedSettings(min_interval_seconds=0),
        "search_pages",
        ("build_query", "fetch_notice_xml"),
        _ted_page,
    ),
    Connector(
        tenderned,
        TenderNedSettings(min_interval_seconds=0),
        "list_pages",
        ("fetch_detail", "fetch_public_xml", "to_notice"),
        _tenderned_page,
    ),
]


@pytest.fixture(params=CONNECTORS, ids=lambda connector: connector.module.__name__.rsplit(".", 1)[-1])
def connector(request) -> Connector:
    return request.param


def test_module_docstring_has_the_fixed_sections(connector):
    doc = inspect.getdoc(connector.module) or ""
    missing = [section for section in DOCSTRING_SECTIONS if not re.search(rf"^{section}$", doc, re.MULTILINE)]
    assert not missing, f"{connector.module.__name__} docstring lacks sections {missing}"
    assert re.search(r"https://\S+", doc.split("API documentation", 1)[1]), "API documentation needs a link"


def test_module_has_the_public_functions(connector):
    assert isinstance(getattr(connector.module, "SOURCE", None), str)
    for name in (*COMMON_FUNCTIONS, connector.pages, *connector.functions):
        function = getattr(connector.module, name, None)
        assert callable(function), f"{connector.module.__name__}.{name} is missing"
        assert inspect.getdoc(function), f"{connector.module.__name__}.{name} has no docstring"
    pages = inspect.signature(getattr(connector.module, connector.pages)).parameters
    assert list(pages)[:2] == ["client", "settings"] and {"since", "until"} <= set(pages)


def test_collects_one_page_offline(connector):
    waits: list[float] = []
    with respx.mock(assert_all_called=True, assert_all_mocked=True) as router:
        connector.one_page(router, connector.settings)
        with connector.module.make_client(connector.settings, HttpSettings(), sleep=waits.append) as client:
            pages = list(getattr(connector.module, connector.pages)(client, connector.settings, since=date(2023, 1, 1)))
            assert len(pages) == 1
            notices, errors = connector.module.collect_page(client, connector.settings, pages[0])
    assert waits == []
    assert all(isinstance(notice, Notice) for notice in notices)
    assert all(isinstance(error, RecordError) for error in errors)
    lost = [error for error in errors if not isinstance(error, RecordWarning)]
    assert len(notices) + len(lost) == len(pages[0]) == 1, "every record ends as a notice or an error"
    assert all(notice.source == connector.module.SOURCE for notice in notices)


#: Every module in connectors/ that talks to an outside service over HTTP (file readers and helpers aside).
HTTP_SOURCES = ("ted", "tenderned", "kvk", "insolvency", "feeds", "gdelt", "sanctions_eu")
#: File sources: read local files, so no API documentation section and no client.
FILE_SOURCES = ("tenderned_dataset", "tenderned_dataset_columns", "tenderned_dataset_read", "spend_file",
                "contract_register", "ocds", "ocds_read")


@pytest.mark.parametrize("name", HTTP_SOURCES)
def test_every_http_connector_is_documented_and_builds_its_client_from_settings(name: str) -> None:
    """The same fixed docstring sections, a ``SOURCE`` name and one ``make_client(..., http, *, transport)``."""
    import importlib

    module = importlib.import_module(f"connectors.{name}")
    doc = module.__doc__ or ""
    missing = [s for s in DOCSTRING_SECTIONS if not re.search(rf"^{re.escape(s)}\b", doc, re.MULTILINE)]
    assert not missing, f"connectors/{name}.py docstring lacks {missing}"
    assert isinstance(module.SOURCE, str) and module.SOURCE
    parameters = inspect.signature(module.make_client).parameters
    # the shared HTTP settings, and a transport that tests (respx) and the demo (replay) inject
    assert "http" in parameters and parameters["transport"].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize("name", FILE_SOURCES)
def test_every_file_connector_says_its_domain_caveats_and_arguments(name: str) -> None:
    import importlib

    doc = importlib.import_module(f"connectors.{name}").__doc__ or ""
    for section in ("Domain", "Caveats", "Arguments"):
        assert re.search(rf"^{section}\b", doc, re.MULTILINE), f"connectors/{name}.py docstring lacks {section}"


def test_every_connector_module_is_in_the_contract() -> None:
    helpers = {"__init__", "cells", "errors", "http", "record_faults", "records", "tabular", "currencies", "ocds_fields",
               "feed_tree", "feed_soup", "insolvency_envelope", "tenderned_xml_access"}
    modules = {p.stem for p in (Path(__file__).parents[2] / "connectors").glob("*.py")} - helpers
    assert modules == set(HTTP_SOURCES) | set(FILE_SOURCES)
