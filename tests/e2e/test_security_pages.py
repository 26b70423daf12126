"""Browser test of the refusal pages of bad input (tests/security): the CSRF refusal (403), a URL
with a NUL byte (400) and an oversized form (413) are French pages that pass axe-core and can be
left with the keyboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import login
from tests.factories import filed_dossier

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]


def _leave_with_keyboard(page: Page) -> None:
    """Tab reaches the skip link first, then « Retour à l'accueil » is a link Enter follows."""
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    back = page.get_by_role("link", name="Retour à l'accueil")
    back.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/")


def test_csrf_refusal_page_french_axe_keyboard(new_page: Callable[[], Page], cast: Any) -> None:
    """The login form sent after its CSRF cookie was lost: « Formulaire refusé », in French."""
    page = new_page()
    page.goto("/connexion/")
    page.context.clear_cookies(name="csrftoken")
    page.get_by_label("Adresse électronique").fill(cast.applicant.email)
    page.get_by_label("Mot de passe").fill("peu importe")
    response_status: list[int] = []
    page.on("response", lambda response: response_status.append(response.status))
    page.get_by_role("button", name="connecter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulaire refusé")
    assert 403 in response_status
    assert _violations(page) == []
    _leave_with_keyboard(page)


def test_null_byte_url_page_french_axe(new_page: Callable[[], Page], cast: Any) -> None:
    page = new_page()
    response = page.goto("/demandes/a%00b/")
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("Requête incorrecte")
    expect(page.get_by_text("L'adresse demandée contient un caractère interdit.")).to_be_visible()
    assert _violations(page) == []
    _leave_with_keyboard(page)


def test_oversized_form_page_french_axe(new_page: Callable[[], Page], cast: Any, settings: Any) -> None:
    """A form whose files exceed REQUEST_MAX_BODY_MB (1 here): « Envoi trop volumineux »."""
    settings.REQUEST_MAX_BODY_MB = 1
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    page = new_page()
    login(page, cast.applicant)
    page.goto(f"/demandes/{dossier.reference}/modifier/")
    page.locator('input[type="file"][name="document-rib"]').set_input_files(
        {"name": "gros.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)}
    )
    page.get_by_role("button", name="Enregistrer").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Envoi trop volumineux")
    assert _violations(page) == []
