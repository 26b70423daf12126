"""Browser tests of the form page's script (static/js/filing.js): the beneficiary's details shown
on choice, the engagement certificate shown only when the +50 % is claimed, the green « + »
adding a second « Parcourir », « Supprimer »; and the same page audited with axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from instruction import actions
from instruction.models import FoyerMember
from tests.e2e.conftest import login
from tests.factories import pdf_bytes, png_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RIB = "Relevé d'identité bancaire (RIB)"


def open_form(new_page: Callable[[], Page], cast: Any) -> tuple[Page, Any]:
    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    page = new_page()
    login(page, cast.applicant)
    page.goto(f"/demandes/{dossier.reference}/modifier/")
    expect(page.get_by_role("heading", level=1)).to_have_text(cast.teleservice.title)
    return page, dossier


def test_form_beneficiary_details_show_when_chosen(new_page: Callable[[], Page], cast: Any) -> None:
    page, _dossier = open_form(new_page, cast)
    member = cast.applicant.foyer.members.exclude(link=FoyerMember.Link.APPLICANT).get()
    details = page.locator("#beneficiary-details")
    expect(details).to_be_hidden()
    page.get_by_label("Bénéficiaire").select_option(str(member.pk))
    expect(details).to_be_visible()
    expect(details).to_contain_text(member.last_name)
    expect(details).to_contain_text(member.first_name)
    expect(details).to_contain_text(member.birth_date.strftime("%d/%m/%Y"))
    expect(details).to_contain_text("Madame")
    expect(details).to_contain_text("Enfant")
    page.get_by_label("Bénéficiaire").select_option("")
    expect(details).to_be_hidden()


def test_form_engagement_certificate_only_when_bonus_claimed(new_page: Callable[[], Page], cast: Any) -> None:
    page, _dossier = open_form(new_page, cast)
    certificate = page.get_by_role("group", name=re.compile("Attestation d'engagement"))
    expect(certificate).to_be_hidden()
    page.get_by_label("Engagement citoyen (majoration de 50 %)").select_option("jsp")
    expect(certificate).to_be_visible()
    page.get_by_label("Engagement citoyen (majoration de 50 %)").select_option("aucun")
    expect(certificate).to_be_hidden()


def test_form_green_plus_adds_a_second_browse_then_save_and_remove(new_page: Callable[[], Page], cast: Any) -> None:
    page, dossier = open_form(new_page, cast)
    rib = page.get_by_role("group", name=re.compile(re.escape(RIB)))
    expect(rib.get_by_text("Parcourir", exact=False)).to_have_count(1)
    rib.get_by_label(f"Parcourir : {RIB}").set_input_files(
        {"name": "rib-recto.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    expect(rib.locator(".file-chosen").first).to_have_text("rib-recto.pdf")
    plus = page.get_by_role("button", name=f"+ Ajouter un autre fichier pour {RIB}", exact=True)
    expect(plus).to_contain_text("+")
    plus.click()
    inputs = rib.get_by_label(f"Parcourir : {RIB}")
    expect(inputs).to_have_count(2)
    expect(inputs.nth(1)).to_be_focused()
    inputs.nth(1).set_input_files({"name": "rib-verso.png", "mimeType": "image/png", "buffer": png_bytes()})
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Récapitulatif de la demande")
    documents = page.get_by_role("region", name="Pièces justificatives")
    expect(documents).to_contain_text("rib-recto.pdf")
    expect(documents).to_contain_text("rib-verso.png")
    assert sorted(dossier.files.values_list("original_name", flat=True)) == ["rib-recto.pdf", "rib-verso.png"]

    page.get_by_role("link", name="Modifier", exact=True).click()
    page.get_by_role("button", name="Supprimer rib-verso.png").click()
    expect(page.locator(".messages")).to_contain_text("Le fichier « rib-verso.png » est supprimé.")
    assert list(dossier.files.values_list("original_name", flat=True)) == ["rib-recto.pdf"]


def test_form_page_with_documents_passes_axe(new_page: Callable[[], Page], cast: Any) -> None:
    page, _dossier = open_form(new_page, cast)
    page.get_by_role("button", name="Enregistrer", exact=True).click()  # an empty draft: recap with errors
    expect(page.get_by_role("heading", level=1)).to_have_text("Récapitulatif de la demande")
    axe = Axe()
    reports = {"recap": axe.run(page)}
    page.get_by_role("link", name="Modifier", exact=True).click()
    page.get_by_label("Engagement citoyen (majoration de 50 %)").select_option("jsp")
    page.get_by_role("button", name=f"+ Ajouter un autre fichier pour {RIB}", exact=True).click()
    reports["form"] = axe.run(page)
    page.get_by_label(f"Parcourir : {RIB}").first.set_input_files(
        {"name": "texte.pdf", "mimeType": "application/pdf", "buffer": b"pas un PDF"}
    )
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Pièces justificatives à corriger")).to_be_visible()
    reports["form (refused file)"] = axe.run(page)
    failing = {name: result for name, result in reports.items() if result.violations_count}
    assert not failing, "\n".join(f"--- {name} ---\n{result.generate_report()}" for name, result in failing.items())
