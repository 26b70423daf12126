"""Browser walk of the seed's « Comment créer son foyer », « Saisir les informations concernant
les bénéficiaires » and « Comment créer son organisme », with its words on the buttons; every
page (and a page with errors) is audited with axe-core, and removal uses the JavaScript confirm."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from instruction.actions import spaces as space_actions
from instruction.models import Audience, Organisme, OrganismeInvitation
from tests.e2e.conftest import browser, login, new_page  # noqa: F401 - the browser fixtures
from tests.factories import TeleserviceFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def walk_spaces(page: Page, audit: Callable[[str, Page], None]) -> None:
    page.goto("/")
    audit("home without space", page)

    # « Comment créer son foyer »
    page.get_by_role("link", name="Créer mon foyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer mon foyer")
    page.get_by_label("Code postal").fill("700")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator(".error-summary")).to_contain_text("Le code postal comporte 5 chiffres.")
    audit("foyer form with errors", page)
    page.get_by_label("Civilité").select_option("mme")
    page.get_by_label("Date de naissance").fill("1984-03-02")
    page.get_by_label("Adresse").fill("3 place du Marché")
    page.get_by_label("Code postal").fill("70000")
    page.get_by_label("Commune").fill("Vesoul")
    page.get_by_label("Quotient familial déclaré (€)").fill("450")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon foyer")
    audit("foyer home", page)

    # « Saisir les informations concernant les bénéficiaires »
    page.get_by_role("link", name="Gérer les membres du foyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Membres du foyer")
    audit("foyer members", page)
    page.get_by_role("link", name="Ajouter un individu").click()
    audit("add member", page)
    page.get_by_label("Civilité").select_option("m")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Martin")
    page.get_by_label("Prénom").fill("Hugo")
    page.get_by_label("Date de naissance").fill("2005-06-01")
    page.get_by_label("Lien avec le demandeur").select_option("enfant")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("main")).to_contain_text("La liste des membres de votre foyer est mise à jour.")
    expect(page.locator("main table")).to_contain_text("Hugo Martin")

    page.get_by_role("link", name="Modifier Hugo Martin").click()
    audit("edit member", page)
    page.goto(page.url.replace("/modifier/", "/retirer/"))  # the confirmation page, as without JavaScript
    expect(page.get_by_role("heading", level=1)).to_have_text("Retirer un membre du foyer")
    audit("confirm removal", page)
    page.get_by_role("link", name="Annuler").click()

    # « Retirer », confirmed by the browser's dialog (static/js/spaces.js).
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Retirer Hugo Martin").click()
    expect(page.locator("main")).to_contain_text("Hugo Martin ne fait plus partie de votre foyer.")

    # « Comment créer son organisme »
    page.goto("/")
    audit("home with foyer", page)
    page.get_by_role("link", name="Créer un Organisme Public ou Privé").click()
    audit("organisme form", page)
    page.get_by_label("Type d'organisme").select_option("commune")
    page.get_by_label("Nom de l'organisme").fill("Mairie de Vesoul")
    page.get_by_label("SIRET").fill("732 829 320 00074")
    page.get_by_label("Adresse").fill("58 rue du Commandant Girardot")
    page.get_by_label("Code postal").fill("70000")
    page.get_by_label("Commune").fill("Vesoul")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("main")).to_contain_text(
        "Votre organisme est maintenant créé, vous pouvez déposer votre dossier."
    )
    audit("organisme home", page)

    page.get_by_role("link", name="Membres").click()
    page.get_by_label("Adresse électronique de la personne à inviter").fill("collegue@exemple.test")
    page.get_by_role("button", name="Inviter").click()
    expect(page.locator("main")).to_contain_text("Une invitation a été envoyée à collegue@exemple.test")
    audit("organisme members", page)

    # Palmarès, « Etape 3 »: from the organisme space, « Déposer un dossier ».
    page.get_by_role("link", name=re.compile("Retour à l'espace")).click()
    page.get_by_role("link", name="Déposer un dossier").click()
    expect(page.get_by_role("heading", level=3)).to_have_text("Palmarès")
    audit("catalogue of the organisme space", page)
    page.get_by_role("link", name="Palmarès des Villes et Villages fleuris").click()
    expect(page.locator("main")).to_contain_text("Le dossier sera déposé pour l'organisme « Mairie de Vesoul »")
    audit("fiche", page)

    # The header's switcher.
    page.get_by_label("Espace").select_option("foyer")
    page.get_by_role("button", name="Changer d'espace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon foyer")


def test_spaces_walk_citizen_passes_axe(new_page: Callable[[], Page], cast: Any) -> None:  # noqa: F811
    """The foyer and organisme pages work with the seed's words and pass axe-core."""
    TeleserviceFactory(
        instructing_service=cast.service,
        audience=Audience.ORGANISME,
        title="Palmarès des Villes et Villages fleuris",
        category="Palmarès",
    )
    person = UserFactory(first_name="Claire", last_name="Martin")
    page = new_page()
    login(page, person)
    axe = Axe()
    reports: dict[str, Any] = {}

    def audit(name: str, current: Page) -> None:
        reports[name] = axe.run(current)

    walk_spaces(page, audit)
    assert Organisme.objects.get().siret == "73282932000074"

    # The invitation link, opened by someone without an account yet.
    token = space_actions.invitation_token(OrganismeInvitation.objects.get())
    stranger = new_page()
    stranger.goto(f"/invitation/{token}/")
    expect(stranger.locator("main")).to_contain_text("Mairie de Vesoul")
    audit("invitation (anonymous)", stranger)
    failing = {name: report.violations_count for name, report in reports.items() if report.violations_count}
    assert not failing, "axe-core violations:\n" + "\n".join(
        f"{name}: {reports[name].generate_report()}" for name in failing
    )
