"""An instructing agent's day, in a real browser: « À traiter », the review screen with the inline
preview of a document, « Prendre en charge », « Corriger une donnée », « Demander un complément », the citizen's answer
through the portal, the dossier back in « À traiter », taken again, accepted with an amount, and
the decision letter downloaded from the review screen. Every back-office page is audited with
axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Page, expect

from tests.e2e.conftest import login
from tests.factories import filed_dossier

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_agent_day(new_page: Callable[[], Page], cast: Any, settings: Any, deliver_outbox: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    reference = dossier.reference
    axe = Axe()
    reports: dict[str, Any] = {}

    def audit(name: str, page: Page) -> None:
        reports[name] = axe.run(page)

    agent = new_page()
    login(agent, cast.agent)
    menu = agent.get_by_role("navigation", name="Menu principal")

    # « À traiter »: the dossier is there, found by its reference.
    menu.get_by_role("link", name="À traiter").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("À traiter")
    audit("queue", agent)
    agent.get_by_role("link", name=reference, exact=True).click()
    expect(agent.get_by_role("heading", level=1)).to_have_text(f"Dossier {reference}")
    expect(agent.get_by_role("region", name="Bénéficiaire")).to_contain_text(dossier.beneficiary.first_name)
    expect(agent.get_by_role("region", name="Pièces justificatives")).to_contain_text("rib.pdf")
    audit("review", agent)

    # The inline preview of a PDF: a titled frame that the browser's PDF viewer fills.
    agent.get_by_text("Aperçu de rib.pdf", exact=True).click()
    frame = agent.get_by_title("Aperçu de rib.pdf", exact=True)
    expect(frame).to_be_visible()
    expect(frame).to_have_attribute("src", re.compile(r"/pieces/\d+/apercu/$"))
    for _attempt in range(100):  # the viewer is a frame of Chromium's PDF extension inside ours
        if any(f.url.startswith("chrome-extension://") for f in agent.frames):
            break
        agent.wait_for_timeout(100)
    else:
        pytest.fail("the PDF viewer did not start in the preview frame: " + ", ".join(f.url for f in agent.frames))
    agent.get_by_text("Aperçu de rib.pdf", exact=True).click()  # closed again

    # « Prendre en charge », then « Demander un complément ».
    agent.get_by_role("button", name="Prendre en charge").click()
    expect(agent.get_by_role("heading", name="Décider")).to_be_visible()
    expect(agent.get_by_role("heading", name="Corriger une donnée")).to_be_visible()
    audit("review (taken)", agent)

    # « Corriger une donnée »: choose the field, then its new value and the reason.
    agent.get_by_label("Donnée à corriger").select_option(label="Loyer mensuel (€)")
    agent.get_by_role("button", name="Choisir", exact=True).click()
    agent.get_by_label("Nouvelle valeur : Loyer mensuel (€)").fill("395")
    agent.get_by_role("button", name="Corriger", exact=True).click()
    expect(agent.locator(".error-summary")).to_contain_text("Indiquez le motif de la correction.")
    expect(agent.get_by_label("Nouvelle valeur : Loyer mensuel (€)")).to_have_value("395")
    audit("review (correction refused)", agent)
    agent.get_by_label("Motif de la correction").fill("Quittance de loyer de septembre.")
    agent.get_by_role("button", name="Corriger", exact=True).click()
    expect(agent.locator(".messages")).to_contain_text("La donnée est corrigée et le demandeur en est informé.")
    expect(agent.get_by_role("region", name="Historique")).to_contain_text("« Loyer mensuel (€) » : 390 → 395")
    agent.get_by_label("Ce que le demandeur doit compléter").fill(
        "Merci de joindre le bail signé par les deux parties."
    )
    agent.get_by_role("button", name="Demander un complément").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("Mes tâches")
    expect(agent.locator(".messages")).to_contain_text("renvoyé au demandeur pour complément")
    audit("my tasks", agent)

    # The citizen reads the request and transmits the dossier again through the portal.
    citizen = new_page()
    login(citizen, cast.applicant)
    citizen.goto(f"/demandes/{reference}/")
    expect(citizen.locator("main")).to_contain_text("Merci de joindre le bail signé")
    expect(citizen.get_by_role("region", name="Historique de la demande")).to_contain_text(
        "Correction par le service instructeur : Loyer mensuel (€)"
    )
    citizen.get_by_role("link", name="Transmettre", exact=True).click()
    citizen.get_by_role("button", name="Oui", exact=True).click()
    expect(citizen.locator(".status").first).to_have_text("Transmis")

    # Back in « À traiter »: taken again, accepted with an amount.
    menu.get_by_role("link", name="À traiter").click()
    agent.get_by_role("link", name=reference, exact=True).click()
    expect(agent.get_by_role("heading", level=1)).to_have_text(f"Dossier {reference}")
    expect(agent.get_by_role("region", name="Historique")).to_contain_text("Nouvelle transmission après complément")
    agent.get_by_role("button", name="Prendre en charge").click()
    agent.get_by_label("Accepter", exact=True).check()
    agent.get_by_label("Montant accordé (€)").fill("250")
    agent.get_by_role("button", name="Enregistrer la décision").click()
    expect(agent.locator(".messages")).to_contain_text("La décision est enregistrée")
    # The worker's turn (with a broker, CI runs no worker in this process): the letter is rendered at delivery.
    deliver_outbox()

    # The review screen shows the decision and offers the letter the applicant received.
    agent.goto(f"/instruction/dossiers/{reference}/")
    decision = agent.get_by_role("region", name="Décision")
    expect(decision).to_contain_text("Accepté")
    expect(decision).to_contain_text("250,00 €")
    audit("review (decided)", agent)
    with agent.expect_download() as download_info:
        decision.get_by_role("link", name="Lettre de décision").click()
    download = download_info.value
    assert download.suggested_filename == f"lettre-de-decision-{reference}.pdf"
    letter = Path(download.path()).read_bytes()
    assert letter.startswith(b"%PDF-")
    sent = [m for m in mail.outbox if m.subject.startswith("Décision") and m.to == [cast.applicant.email]]
    assert len(sent) == 1 and sent[0].attachments[0][1] == letter

    assert len(reports) == 6
    failing = {name: result for name, result in reports.items() if result.violations_count}
    assert not failing, "axe-core violations:\n" + "\n".join(
        f"--- {name} ({reports[name].response['url']}) ---\n{result.generate_report()}"
        for name, result in failing.items()
    )
