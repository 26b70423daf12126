"""Browser test of the API's public pages: the error types page and the documentation page (drawn
on the server from the OpenAPI schema) load in Chromium and pass axe-core."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]


def test_problem_types_page_passes_axe(new_page: Callable[[], Page]) -> None:
    page = new_page()
    page.goto("/api/problemes/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert _violations(page) == []


def test_api_docs_page_lists_the_operations_and_passes_axe(new_page: Callable[[], Page]) -> None:
    page = new_page()
    page.goto("/api/docs/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Documentation de l'API")
    assert page.get_by_role("navigation", name="Opérations").get_by_role("link").count() >= 14
    page.get_by_role("link", name="POST /api/v1/dossiers/{reference}/decide/").click()
    expect(page.get_by_role("table", name="Corps de la requête (JSON)").last).to_be_visible()
    assert _violations(page) == []
