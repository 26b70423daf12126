"""Browser test of « Fiche du téléservice »: an agent reaches it with the keyboard from the review
screen's header, the chart is an image named in French followed by its list of steps, and the
page passes axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import login
from tests.factories import filed_dossier

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def tab_to(page: Page, name: str, limit: int = 60) -> None:
    """Press Tab until the focused element is the link named ``name``, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName === 'A' && document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"no link « {name} » reached with Tab")


def test_teleservice_page_agent_reaches_it_by_keyboard_and_it_passes_axe(
    new_page: Callable[[], Page], cast: Any
) -> None:
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    page = new_page()
    login(page, cast.agent)
    page.goto(f"/instruction/dossiers/{dossier.reference}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {dossier.reference}")

    tab_to(page, cast.teleservice.title)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/instruction/teleservices/{cast.teleservice.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(cast.teleservice.title)

    chart = page.get_by_role("img", name=re.compile(r"^Circuit d'instruction : Pack Jeunes"))
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 300  # drawn, not collapsed
    steps = page.get_by_role("list", name="Étapes du circuit").get_by_role("listitem")
    expect(steps.first).to_contain_text("Transmission du dossier")
    expect(steps.nth(1)).to_contain_text("Examen du dossier")
    assert steps.count() == len(list(cast.teleservice.flow_class.instance.nodes()))

    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()

    # Back to the list of téléservices with the keyboard, and from it to the page again.
    tab_to(page, "Téléservices")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Téléservices")
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
    tab_to(page, cast.teleservice.title)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(cast.teleservice.title)


def test_dossier_chart_agent_opens_it_from_review_screen_and_it_passes_axe(
    new_page: Callable[[], Page], cast: Any
) -> None:
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    page = new_page()
    login(page, cast.agent)
    page.goto(f"/instruction/dossiers/{dossier.reference}/")
    tab_to(page, "circuit du dossier")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Circuit du dossier {dossier.reference}")
    expect(page.get_by_role("img", name=re.compile(r"^Circuit d'instruction : "))).to_be_visible()
    current = page.locator('[aria-current="step"]')
    expect(current).to_contain_text("Examen du dossier")
    expect(current).to_contain_text("étape en cours")
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
