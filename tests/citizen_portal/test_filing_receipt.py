"""The PDF receipt attached to the acknowledgement e-mail, rendered by the worker at delivery."""

from __future__ import annotations

import html

from django.core import mail
from django.utils import timezone

from instruction import actions
from instruction.models import OutboxMessage
from instruction.receipt import receipt_html, receipt_pdf
from tests.factories import filed_dossier, pdf_upload, valid_form_data


def test_receipt_applicant_acknowledgement_carries_the_pdf(cast, deliver_outbox, settings):
    """On transmission, the acknowledgement e-mail carries the receipt as a PDF."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    outbox = OutboxMessage.objects.get(dossier=dossier)
    assert outbox.payload["attachments"] == [{"kind": "receipt"}]  # rendered later, by the worker

    assert deliver_outbox() == ["sent"]
    (email,) = mail.outbox
    (attachment,) = email.attachments
    name, content, mimetype = attachment
    assert (name, mimetype) == (f"accuse-de-reception-{dossier.reference}.pdf", "application/pdf")
    assert content.startswith(b"%PDF-") and len(content) > 1000
    # Rendered from what was recorded, so the same bytes whenever it is rendered again.
    assert content == receipt_pdf(dossier)


def test_receipt_html_lists_what_was_transmitted(cast):
    """Reference, date and time, téléservice, applicant, beneficiary, data summary and file names."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    event = dossier.events.get(action="transmit")
    beneficiary = dossier.beneficiary
    page = html.unescape(receipt_html(dossier))
    when = timezone.localtime(event.created)
    assert f"Demande {dossier.reference}" in page
    assert f"à {when:%H:%M}" in page and str(when.year) in page
    assert cast.teleservice.title in page and "Service Jeunesse" in page
    assert cast.applicant.email in page and cast.applicant.get_full_name() in page
    assert beneficiary.first_name in page and beneficiary.birth_date.strftime("%d/%m/%Y") in page
    assert "8 rue Paul Morel" in page and "Quotient familial (€)" in page
    for name in ("avis_imposition.pdf", "rib.pdf", "bail.pdf", "piece_identite.pdf"):
        assert f"<li>{name}</li>" in page
    assert "Attestation d'engagement" not in page


def test_receipt_later_changes_do_not_alter_it(cast, django_capture_on_commit_callbacks):
    """A complement answered later (new data, files replaced, foyer edited) leaves the receipt as transmitted."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    before = receipt_html(dossier)
    actions.take(dossier, acting_user=cast.agent)
    actions.request_complement(dossier, acting_user=cast.agent, message="Joignez le bail signé.")
    with django_capture_on_commit_callbacks(execute=True):
        actions.remove_file(dossier, dossier.files.get(document="bail").pk, acting_user=cast.applicant)
    actions.attach_files(dossier, {"bail": [pdf_upload("bail-signe.pdf")]}, acting_user=cast.applicant)
    beneficiary = cast.applicant.foyer.members.get()
    actions.save_draft(dossier, valid_form_data(beneficiary, monthly_rent="999"), acting_user=cast.applicant)
    actions.answer_complement(dossier, acting_user=cast.applicant)
    beneficiary.first_name = "Prénom-Modifié"
    beneficiary.save()

    after = receipt_html(dossier)
    assert after == before
    assert "bail-signe.pdf" not in after and "999" not in after and "Prénom-Modifié" not in after
