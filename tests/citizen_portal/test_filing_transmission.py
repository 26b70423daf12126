"""Required documents at transmission (the engagement certificate only when the +50 % is
claimed), the beneficiary's details, the recap, and the answer to a complement request."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from instruction import actions
from instruction.actions import InvalidInput
from instruction.documents import spec_for
from instruction.models import DossierStatus, OutboxMessage
from tests.citizen_portal.test_journey_http import login
from tests.factories import FoyerMemberFactory, filed_dossier, pdf_upload, valid_form_data

S = DossierStatus
ALL_REQUIRED = {"document-avis_imposition", "document-rib", "document-bail", "document-piece_identite"}


def draft(cast, **overrides):
    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    beneficiary = cast.applicant.foyer.members.get()
    actions.save_draft(dossier, valid_form_data(beneficiary, **overrides), acting_user=cast.applicant)
    return dossier


@pytest.mark.parametrize(("engagement", "required"), [("aucun", False), ("jsp", True), ("militaire", True)])
def test_engagement_certificate_required_only_when_bonus_claimed(cast, engagement, required):
    """The engagement certificate is required exactly when an engagement other than « aucun » is chosen."""
    spec = spec_for(cast.teleservice, "attestation_engagement")
    assert spec is not None and spec.is_required({"engagement": engagement}) is required
    assert all(spec_for(cast.teleservice, code).is_required({"engagement": engagement}) for code in ("rib", "bail"))


def test_transmit_applicant_without_documents_refused(cast):
    """No file at all: the transmission is refused per document and the dossier stays a draft."""
    dossier = draft(cast)
    with pytest.raises(InvalidInput) as refused:
        actions.transmit(dossier, acting_user=cast.applicant)
    assert set(refused.value.errors) == ALL_REQUIRED
    dossier.refresh_from_db()
    assert (dossier.status, dossier.process_id) == (S.DRAFT, None)
    assert not OutboxMessage.objects.exists()


def test_transmit_applicant_engagement_without_certificate_refused(cast):
    """Claiming the +50 % without the certificate is refused; with it, the dossier goes."""
    dossier = draft(cast, engagement="jsp")
    required = {code: [pdf_upload(f"{code}.pdf")] for code in ("avis_imposition", "rib", "bail", "piece_identite")}
    actions.attach_files(dossier, required, acting_user=cast.applicant)
    with pytest.raises(InvalidInput) as refused:
        actions.transmit(dossier, acting_user=cast.applicant)
    assert set(refused.value.errors) == {"document-attestation_engagement"}
    assert "Attestation d'engagement" in refused.value.errors["document-attestation_engagement"][0]

    actions.attach_files(dossier, {"attestation_engagement": [pdf_upload()]}, acting_user=cast.applicant)
    actions.transmit(dossier, acting_user=cast.applicant)
    assert dossier.status == S.TRANSMITTED


def test_transmit_applicant_form_and_document_errors_together(cast):
    """A faulty field and a missing document are reported in one go."""
    dossier = draft(cast, housing_postal_code="700")
    with pytest.raises(InvalidInput) as refused:
        actions.transmit(dossier, acting_user=cast.applicant)
    assert {"housing_postal_code", *ALL_REQUIRED} == set(refused.value.errors)


def test_transmit_applicant_records_what_was_sent(cast):
    """The transmit event keeps the data and the file names, as sent."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    event = dossier.events.get(action="transmit")
    assert event.details["data"]["housing_commune"] == "Vesoul"
    assert sorted(f["name"] for f in event.details["files"]) == [
        "avis_imposition.pdf",
        "bail.pdf",
        "piece_identite.pdf",
        "rib.pdf",
    ]


def test_form_page_applicant_beneficiary_options_carry_details(client, cast):
    """Only eligible members are offered, each option carrying the details the page shows at once."""
    young = cast.applicant.foyer.members.get()
    FoyerMemberFactory(
        foyer=cast.applicant.foyer, first_name="Hugo", birth_date=timezone.localdate() - dt.timedelta(days=15 * 366)
    )
    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    login(client, cast.applicant)
    page = html.unescape(client.get(reverse("citizen:edit", args=[dossier.reference])).content.decode())
    assert f'value="{young.pk}" data-civility="Madame" data-last-name="{young.last_name}"' in page
    assert f'data-first-name="{young.first_name}"' in page and 'data-link="Enfant"' in page
    assert f'data-birth-date="{young.birth_date:%d/%m/%Y}"' in page
    assert "Hugo" not in page
    # Nothing chosen yet: the details block waits, hidden, for the script to fill it.
    assert 'id="beneficiary-details" data-beneficiary-for="id_beneficiary" aria-live="polite" hidden' in page


def test_form_and_recap_applicant_show_saved_beneficiary_details(client, cast):
    """Once saved (or without JavaScript), the chosen beneficiary's details show on the form and the recap."""
    dossier = draft(cast)
    beneficiary = cast.applicant.foyer.members.get()
    login(client, cast.applicant)
    for url in (
        reverse("citizen:edit", args=[dossier.reference]),
        reverse("citizen:dossier", args=[dossier.reference]),
    ):
        page = html.unescape(client.get(url).content.decode())
        assert "Lien avec le demandeur" in page and "Enfant" in page
        assert f"<dd>{beneficiary.last_name}</dd>" in page or f">{beneficiary.last_name}</dd>" in page
        assert beneficiary.birth_date.strftime("%d/%m/%Y") in page


def test_recap_applicant_lists_documents_with_their_files(client, cast):
    """The recap lists each document with its files, and « Modifier » goes back to the form."""
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    login(client, cast.applicant)
    page = html.unescape(client.get(reverse("citizen:dossier", args=[dossier.reference])).content.decode())
    rib = dossier.files.get(document="rib")
    assert "Relevé d'identité bancaire (RIB)" in page
    assert f'href="{reverse("citizen:file", args=[dossier.reference, rib.pk])}">rib.pdf' in page
    assert "Attestation d'engagement" not in page  # does not apply and has no file
    assert f'href="{reverse("citizen:edit", args=[dossier.reference])}">Modifier' in page
    assert "Votre demande est incomplète" not in page


def complement_requested(cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    actions.request_complement(dossier, acting_user=cast.agent, message="Joignez votre bail signé.")
    return dossier


def test_complement_applicant_replaces_document_and_transmits_again(client, cast, django_capture_on_commit_callbacks):
    """During a complement the applicant edits, removes and adds files, then « Transmettre » → « Oui »."""
    dossier = complement_requested(cast)
    old_lease = dossier.files.get(document="bail")
    login(client, cast.applicant)
    form_page = html.unescape(client.get(reverse("citizen:edit", args=[dossier.reference])).content.decode())
    assert "Apportez les modifications demandées" in form_page and "Supprimer" in form_page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("citizen:remove_file", args=[dossier.reference, old_lease.pk]))
    data = {**valid_form_data(cast.applicant.foyer.members.get()), "monthly_rent": "410"}
    response = client.post(
        reverse("citizen:edit", args=[dossier.reference]), {**data, "document-bail": pdf_upload("bail-signe.pdf")}
    )
    assert response.status_code == 302
    client.post(reverse("citizen:transmit", args=[dossier.reference]))
    dossier.refresh_from_db()
    assert dossier.status == S.TRANSMITTED and dossier.data["monthly_rent"] == "410"
    event = dossier.events.filter(action="answer_complement").get()
    assert "bail-signe.pdf" in [f["name"] for f in event.details["files"]]
    assert "bail.pdf" not in [f["name"] for f in event.details["files"]]


def test_complement_applicant_missing_document_refused(client, cast):
    """The same required-document check applies to the answer to a complement."""
    dossier = complement_requested(cast)
    login(client, cast.applicant)
    client.post(reverse("citizen:remove_file", args=[dossier.reference, dossier.files.get(document="rib").pk]))
    response = client.post(reverse("citizen:transmit", args=[dossier.reference]), follow=True)
    page = html.unescape(response.content.decode())
    assert "Joignez au moins un fichier pour la pièce « Relevé d'identité bancaire (RIB) »." in page
    dossier.refresh_from_db()
    assert dossier.status == S.COMPLEMENT_REQUESTED


def test_transmit_applicant_confirmation_announces_the_receipt(client, cast):
    """« Oui » shows the confirmation on screen and announces the receipt by e-mail (seed, Palmarès)."""
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    login(client, cast.applicant)
    confirm = html.unescape(client.get(reverse("citizen:transmit", args=[dossier.reference])).content.decode())
    assert "Oui" in confirm
    response = client.post(reverse("citizen:transmit", args=[dossier.reference]), follow=True)
    page = html.unescape(response.content.decode())
    assert "Votre demande a été transmise, elle n'est plus modifiable." in page
    assert "Un accusé de réception vous est envoyé par courrier électronique." in page
