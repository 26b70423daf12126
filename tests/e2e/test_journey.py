"""Browser smoke test of the whole journey, with the words of the French UI: a citizen files a
Pack Jeunes dossier and transmits it, an agent takes it and accepts it, the citizen sees the
decision. The same walk is audited with axe-core, and the login form is used with the keyboard."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from instruction.models import FoyerMember
from tests.e2e.conftest import login
from tests.factories import PASSWORD, pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

Visit = Callable[[str, Page], None]


def _ignore(name: str, page: Page) -> None:
    pass


def walk_journey(new_page: Callable[[], Page], cast: Any, visit: Visit = _ignore) -> None:
    """The journey; ``visit(name, page)`` is called once on each distinct page."""
    beneficiary = cast.applicant.foyer.members.exclude(link=FoyerMember.Link.APPLICANT).get()

    # 1. The citizen files and transmits a dossier.
    citizen = new_page()
    citizen.goto("/connexion/")
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Connexion")
    visit("login", citizen)
    login(citizen, cast.applicant)
    visit("home", citizen)

    citizen.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Catalogue").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Catalogue des téléservices")
    visit("catalogue", citizen)

    citizen.get_by_role("link", name=cast.teleservice.title).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text(cast.teleservice.title)
    visit("fiche", citizen)

    citizen.get_by_role("button", name="Déposer un dossier").click()
    expect(citizen).to_have_url(re.compile(r"/demandes/[^/]+/modifier/$"))
    reference = citizen.url.rstrip("/").split("/")[-2]
    visit("form", citizen)

    citizen.get_by_label("Bénéficiaire").select_option(str(beneficiary.pk))
    citizen.get_by_label("Quotient familial (€)").fill("450")
    citizen.get_by_label("Engagement citoyen (majoration de 50 %)").select_option("aucun")
    citizen.get_by_label("Adresse du logement").fill("8 rue Paul Morel")
    citizen.get_by_label("Code postal du logement").fill("70000")
    citizen.get_by_label("Commune du logement").fill("Vesoul")
    move_in = citizen.get_by_label("Date d'entrée dans le logement")
    expect(move_in).to_have_attribute("type", "date")
    move_in.fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    citizen.get_by_label("Loyer mensuel (€)").fill("390")
    citizen.get_by_label("Je certifie sur l'honneur l'exactitude des informations fournies").check()
    for document in [
        "Dernier avis d'imposition ou de non-imposition",
        "Relevé d'identité bancaire (RIB)",
        "Bail au nom du demandeur",
        "Pièce d'identité en cours de validité",
    ]:
        citizen.get_by_label(f"Parcourir : {document}").set_input_files(
            {"name": "justificatif.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
        )
    citizen.get_by_role("button", name="Enregistrer", exact=True).click()

    expect(citizen.get_by_role("heading", level=1)).to_have_text("Récapitulatif de la demande")
    expect(citizen).to_have_url(re.compile(rf"/demandes/{re.escape(reference)}/$"))
    expect(citizen.get_by_role("region", name="Bénéficiaire")).to_contain_text(beneficiary.first_name)
    expect(citizen.get_by_role("region", name="Informations de la demande")).to_contain_text("8 rue Paul Morel")
    expect(citizen.get_by_role("region", name="Pièces justificatives")).to_contain_text("justificatif.pdf")
    visit("recap", citizen)

    citizen.get_by_role("link", name="Transmettre", exact=True).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Transmettre la demande")
    visit("confirmation", citizen)

    citizen.get_by_role("button", name="Oui", exact=True).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Récapitulatif de la demande")
    expect(citizen.locator(".status").first).to_have_text("Transmis")
    expect(citizen.locator("main")).to_contain_text("elle n'est plus modifiable")
    expect(citizen.get_by_role("link", name="Transmettre", exact=True)).to_have_count(0)
    expect(citizen.get_by_role("link", name="Modifier", exact=True)).to_have_count(0)
    visit("recap (transmitted)", citizen)

    # 2. The agent finds it in « À traiter », takes it and accepts it.
    agent = new_page()
    login(agent, cast.agent)
    expect(agent.get_by_role("heading", level=1)).to_have_text("À traiter")
    visit("queue", agent)

    agent.get_by_role("table").get_by_role("link", name=reference, exact=True).click()
    expect(agent.get_by_role("heading", level=1)).to_have_text(f"Dossier {reference}")
    visit("review", agent)

    agent.get_by_role("button", name="Prendre en charge").click()
    expect(agent.get_by_role("heading", name="Décider")).to_be_visible()
    visit("review (taken)", agent)

    agent.get_by_label("Accepter", exact=True).check()
    agent.get_by_label("Montant accordé (€)").fill("250")
    agent.get_by_role("button", name="Enregistrer la décision").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("Mes tâches")
    expect(agent.locator(".messages")).to_contain_text("La décision est enregistrée")
    visit("my tasks", agent)

    # 3. The citizen's recap shows the decision.
    citizen.reload()
    expect(citizen.locator(".status").first).to_have_text("Accepté")
    expect(citizen.get_by_role("region", name="Décision")).to_contain_text("250")
    visit("recap (decided)", citizen)


def test_citizen_files_and_agent_accepts(new_page: Callable[[], Page], cast: Any) -> None:
    walk_journey(new_page, cast)


def test_every_page_of_the_journey_passes_axe(new_page: Callable[[], Page], cast: Any) -> None:
    axe = Axe()
    reports: dict[str, Any] = {}

    def audit(name: str, page: Page) -> None:
        reports[name] = axe.run(page)

    walk_journey(new_page, cast, visit=audit)

    expected = {"login", "catalogue", "fiche", "form", "recap", "confirmation", "queue", "review"}
    assert expected <= reports.keys()
    failing = {name: result for name, result in reports.items() if result.violations_count}
    assert not failing, "axe-core violations:\n" + "\n".join(
        f"--- {name} ({reports[name].response['url']}) ---\n{result.generate_report()}"
        for name, result in failing.items()
    )


def _focused(page: Page) -> str:
    """A short description of the focused element: tag, id or name, and text."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return "body";
            const key = el.id ? "#" + el.id : (el.name ? "[name=" + el.name + "]" : "");
            return el.tagName.toLowerCase() + key + " " + (el.innerText || el.value || "").trim();
        }"""
    )


def test_login_with_the_keyboard_only(page: Page, cast: Any) -> None:
    page.goto("/connexion/")
    email = page.get_by_label("Adresse électronique")
    password = page.get_by_label("Mot de passe")
    button = page.get_by_role("button", name="connecter", exact=True)

    # From wherever the page puts the focus, Tab alone must go round the page to the e-mail field.
    seen = []
    for _ in range(3):  # leave the autofocused field first, so that it is reached by Tab
        page.keyboard.press("Tab")
        seen.append(_focused(page))
    for _ in range(20):
        page.keyboard.press("Tab")
        seen.append(_focused(page))
        if email.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the e-mail field; focus went through: " + " → ".join(seen))
    assert any(stop.startswith("a Aller au contenu") for stop in seen), seen

    page.keyboard.type(cast.applicant.email)
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).not_to_have_url(re.compile(r"/connexion/"))
    expect(page.locator(".account")).to_contain_text(cast.applicant.email)
