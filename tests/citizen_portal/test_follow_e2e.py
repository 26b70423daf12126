"""Browser walk of the follow-up pages, with the seed's words (« Message », the magnifier,
« Envoyer », « Demandes », the « modifier » icon), each page audited with axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from instruction import actions
from instruction.models import Message
from tests.e2e.conftest import browser, login, new_page  # noqa: F401 - the browser fixtures
from tests.factories import filed_dossier, pdf_bytes, pdf_upload

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_follow_pages_citizen_and_agent_pass_axe(new_page: Callable[[], Page], cast: Any) -> None:  # noqa: F811
    axe = Axe()
    reports: dict[str, Any] = {}

    def audit(name: str, page: Page) -> None:
        reports[name] = axe.run(page)

    dossier = filed_dossier(cast.teleservice, cast.applicant)
    draft = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    actions.send_message(
        dossier, acting_user=cast.agent, body="Pouvez-vous joindre votre bail ?", files=[pdf_upload("modele.pdf")]
    )

    citizen = new_page()
    login(citizen, cast.applicant)
    citizen.goto("/")
    citizen.get_by_role("link", name="Message", exact=True).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Messages")
    expect(citizen.get_by_role("table")).to_contain_text("1 non lu")
    audit("messages", citizen)

    citizen.get_by_role("link", name=re.compile("^Afficher le message")).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text(f"Messages de la demande {dossier.reference}")
    expect(citizen.locator(".thread")).to_contain_text("Service instructeur")
    expect(citizen.locator(".thread")).to_contain_text("Pouvez-vous joindre votre bail ?")
    audit("thread", citizen)

    # An empty message: the error summary links to the field.
    citizen.get_by_role("button", name="Envoyer", exact=True).click()
    expect(citizen.get_by_role("alert")).to_contain_text("Saisissez votre message.")
    audit("thread (error)", citizen)

    citizen.get_by_label("Votre message").fill("Voici mon bail.")
    citizen.get_by_label("Fichiers joints").set_input_files(
        [{"name": "bail.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Bail")}]
    )
    expect(citizen.locator(".file-list")).to_contain_text("bail.pdf")  # follow.js lists the choice
    citizen.get_by_role("button", name="Envoyer", exact=True).click()
    expect(citizen.locator(".messages")).to_contain_text("Votre message a été envoyé au service instructeur.")
    expect(citizen.locator(".thread")).to_contain_text("Voici mon bail.")
    audit("thread (sent)", citizen)
    assert Message.objects.filter(dossier=dossier, from_service=False).get().attachments.count() == 1

    citizen.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Demandes").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Demandes")
    expect(citizen.get_by_role("link", name=f"Modifier la demande {draft.reference}")).to_be_visible()
    expect(citizen.get_by_role("link", name=f"Modifier la demande {dossier.reference}")).to_have_count(0)
    audit("dossiers", citizen)
    citizen.get_by_label("Statut").select_option("draft")
    citizen.get_by_role("button", name="Filtrer").click()
    expect(citizen.get_by_role("table")).not_to_contain_text(dossier.reference)
    audit("dossiers (filtered)", citizen)

    actions.take(dossier, acting_user=cast.agent)
    actions.request_complement(dossier, acting_user=cast.agent, message="Le bail doit être signé.")
    citizen.goto(f"/demandes/{dossier.reference}/")
    expect(citizen.get_by_role("region", name="Complément d'information demandé")).to_contain_text(
        "Le bail doit être signé."
    )
    audit("dossier (complement)", citizen)

    agent = new_page()
    login(agent, cast.agent)
    agent.goto(f"/instruction/dossiers/{dossier.reference}/")
    thread = agent.get_by_role("region", name=re.compile("^Messages"))
    expect(thread).to_contain_text("Voici mon bail.")
    agent.get_by_label("Message au demandeur").fill("Bien reçu, merci.")
    agent.get_by_role("button", name="Envoyer", exact=True).click()
    expect(agent.locator(".messages")).to_contain_text("Votre message a été envoyé au demandeur.")
    audit("review (thread)", agent)

    failing = {name: result for name, result in reports.items() if result.violations_count}
    assert not failing, "axe-core violations:\n" + "\n".join(
        f"--- {name} ({reports[name].response['url']}) ---\n{result.generate_report()}"
        for name, result in failing.items()
    )
