"""The antivirus as people see it, in a real browser against a real clamd: the citizen uploads a
PDF carrying the EICAR test string and their recap says it was blocked; an agent's review page
shows a file still waiting for its scan, without a link, and the refused download explains why.
Every page passes axe-core."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from instruction import actions
from instruction.models import ScanStatus
from tests.clamd_server import EICAR
from tests.e2e.conftest import login
from tests.factories import filed_dossier, pdf_bytes, valid_form_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RIB = "Relevé d'identité bancaire (RIB)"


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def assert_accessible(page: Page) -> None:
    result = Axe().run(page)
    assert not result.violations_count, result.generate_report()


def test_citizen_infected_upload_shown_blocked(new_page: Callable[[], Page], cast: Any, clamd: Any, eager_tasks: None):
    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    actions.save_draft(dossier, valid_form_data(cast.applicant.foyer.members.get()), acting_user=cast.applicant)
    page = new_page()
    login(page, cast.applicant)
    page.goto(f"/demandes/{dossier.reference}/modifier/")
    page.get_by_label(f"Parcourir : {RIB}").first.set_input_files(
        {"name": "rib.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes() + b"\n%" + EICAR + b"\n"}
    )
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    rib = page.locator("#document-rib")
    expect(rib).to_contain_text("rib.pdf")
    expect(rib).to_contain_text("Bloqué : virus détecté")
    expect(rib).to_contain_text("L'antivirus a bloqué un fichier de cette pièce")
    expect(rib.get_by_role("link", name="rib.pdf")).to_have_count(0)
    assert dossier.files.get().scan_status == ScanStatus.INFECTED
    assert_accessible(page)


def test_agent_pending_file_shown_and_refused(
    new_page: Callable[[], Page], cast: Any, clamd: Any, settings: Any, tmp_path: Any, eager_tasks: None
):
    settings.CLAMD_SOCKET = str(tmp_path / "down.sock")  # clamd unreachable: the files stay pending
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    stored = dossier.files.first()
    assert stored.scan_status == ScanStatus.PENDING
    page = new_page()
    login(page, cast.agent)
    page.goto(f"/instruction/dossiers/{dossier.reference}/")
    documents = page.locator("section[aria-labelledby=documents-title]")
    expect(documents).to_contain_text("Analyse antivirus en cours")
    expect(documents.get_by_role("link", name=stored.original_name)).to_have_count(0)
    assert_accessible(page)
    page.goto(f"/instruction/dossiers/{dossier.reference}/pieces/{stored.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fichier non disponible")
    expect(page.locator("main")).to_contain_text("en cours d'analyse antivirus")
    assert_accessible(page)


def test_citizen_replaces_blocked_file_with_keyboard(
    new_page: Callable[[], Page], cast: Any, clamd: Any, settings: Any, tmp_path: Any, eager_tasks: None
):
    """After transmission: the blocked file, the form to send another (axe-core clean), used with
    the keyboard; the new file is scanned and listed."""
    import datetime as dt

    from django.utils import timezone

    from instruction import scanning
    from tests.factories import attach_required_documents

    settings.CLAMD_SOCKET = str(tmp_path / "down.sock")
    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    actions.save_draft(dossier, valid_form_data(cast.applicant.foyer.members.get()), acting_user=cast.applicant)
    attach_required_documents(dossier, cast.applicant)
    actions.transmit(dossier, acting_user=cast.applicant)
    settings.CLAMD_SOCKET = clamd.socket
    rib = dossier.files.get(document="rib")
    # The stored PDF, still pending, overwritten by one carrying EICAR: the retry finds it.
    Path(settings.MEDIA_ROOT, rib.file.name).write_bytes(pdf_bytes() + b"\n%" + EICAR + b"\n")
    scanning.sweep(now=timezone.now() + dt.timedelta(hours=1))
    rib.refresh_from_db()
    assert rib.scan_status == ScanStatus.INFECTED

    page = new_page()
    login(page, cast.applicant)
    page.goto(f"/demandes/{dossier.reference}/")
    section = page.locator("#document-rib")
    expect(section).to_contain_text("Bloqué : virus détecté")
    assert_accessible(page)
    field = page.get_by_label(f"Nouveau fichier pour « {RIB} »")
    field.set_input_files({"name": "rib-propre.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("RIB")})
    field.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Envoyer un autre fichier")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#document-rib")).to_contain_text("rib-propre.pdf")
    expect(page.locator("#document-rib")).not_to_contain_text("Bloqué")
    expect(page.get_by_role("link", name="rib-propre.pdf")).to_be_visible()
    assert_accessible(page)
