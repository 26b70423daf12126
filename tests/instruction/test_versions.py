"""Each dossier keeps the version of its téléservice it was filed with: a change of the documents
list in the administration, or a new version of the form class in code, applies to drafts and
new dossiers, never to dossiers already transmitted."""

from __future__ import annotations

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from instruction import actions
from instruction.actions.transmit import validate_for_transmission
from instruction.documents import DocumentSpec, missing_documents, specs_for
from instruction.forms import form_for
from instruction.models import Dossier, DossierStatus, FiledVersion, Teleservice
from instruction.versions import current_version, version_for
from tests.factories import UserFactory, filed_dossier, pdf_upload, valid_form_data
from tests.instruction.admin_forms import post_change
from workflows.pack_jeunes.flow import PackJeunesFlow
from workflows.pack_jeunes.form import PackJeunesForm

NEW_DOCUMENT = "Justificatif de domicile"


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def change_documents(teleservice: Teleservice) -> None:
    """An administrator relabels the RIB and adds a required document, through the admin pages."""
    admin = Client()
    admin.force_login(UserFactory(email="admin@exemple.test", is_staff=True, is_superuser=True))
    codes = list(teleservice.document_rows.values_list("code", flat=True))
    new = len(codes)
    response = post_change(
        admin,
        teleservice,
        **{
            f"document_rows-{codes.index('rib')}-label": "RIB au nom du jeune",
            f"document_rows-{new}-label": NEW_DOCUMENT,
            f"document_rows-{new}-required": "on",
            f"document_rows-{new}-active": "on",
            f"document_rows-{new}-order": "0",
        },
    )
    assert response.status_code == 302


def test_versions_documents_changed_open_dossier_keeps_its_list(client, cast):
    """The transmitted dossier still validates, shows and is decided with its original list; a
    draft started before the change and a new draft get the new one."""
    original = [spec.code for spec in specs_for(cast.teleservice)]
    assert "rib" in original
    open_dossier = filed_dossier(cast.teleservice, cast.applicant)
    early_draft = filed_dossier(cast.teleservice, cast.other_citizen, transmit=False)

    change_documents(cast.teleservice)

    kept = fresh(open_dossier)
    assert [spec.code for spec in specs_for(kept)] == original
    assert str(specs_for(kept)[original.index("rib")].label) == "Relevé d'identité bancaire (RIB)"
    assert missing_documents(kept) == {}
    validate_for_transmission(kept)  # the form and the documents it was filed with still validate
    client.force_login(cast.agent)
    review = client.get(reverse("backoffice:review", args=[kept.reference])).content.decode()
    assert "Relevé d&#x27;identité bancaire (RIB)" in review
    assert NEW_DOCUMENT not in review and "RIB au nom du jeune" not in review
    client.post(reverse("backoffice:act", args=[kept.reference, "prendre"]))
    response = client.post(
        reverse("backoffice:act", args=[kept.reference, "decider"]), {"outcome": "accepted", "amount": "250"}
    )
    assert response.status_code == 302
    assert fresh(open_dossier).status == DossierStatus.ACCEPTED

    # The draft started before the change follows the new list until it is transmitted.
    draft = fresh(early_draft)
    new_code = specs_for(draft)[-1].code
    assert (str(specs_for(draft)[-1].label), new_code) == (NEW_DOCUMENT, "justificatif_de_domicile")
    with pytest.raises(actions.InvalidInput) as refused:
        actions.transmit(draft, acting_user=cast.other_citizen)
    assert list(refused.value.errors) == [f"document-{new_code}"]
    actions.attach_files(draft, {new_code: [pdf_upload()]}, acting_user=cast.other_citizen)
    actions.transmit(fresh(draft), acting_user=cast.other_citizen)
    assert FiledVersion.objects.get(dossier=draft).version.number == 2

    # A new draft's form page asks for the new list.
    client.force_login(cast.applicant)
    client.post(reverse("citizen:start", args=[cast.teleservice.slug]))
    new_draft = Dossier.objects.get(applicant=cast.applicant, status=DossierStatus.DRAFT)
    page = client.get(reverse("citizen:edit", args=[new_draft.reference])).content.decode()
    assert NEW_DOCUMENT in page and "RIB au nom du jeune" in page
    # and the applicant's own decided dossier still shows the list it was filed with.
    recap = client.get(reverse("citizen:dossier", args=[open_dossier.reference])).content.decode()
    assert "Relevé d&#x27;identité bancaire (RIB)" in recap and NEW_DOCUMENT not in recap


class PackJeunesFormV2(PackJeunesForm):
    """A new version of the form in code: a new required field and a new declared document."""

    version = 2
    previous_versions = {1: PackJeunesForm}
    documents = (*PackJeunesForm.documents, DocumentSpec("attestation_caf", "Attestation de la CAF"))

    caf_number = forms.CharField(label="Numéro d'allocataire CAF")


def test_versions_form_class_new_version_open_dossier_uses_older_class(client, cast, monkeypatch):
    """When the form class declares a new version, the transmitted dossier keeps its older class
    and documents; a new draft gets the new field and document."""
    open_dossier = filed_dossier(cast.teleservice, cast.applicant)
    monkeypatch.setattr(PackJeunesFlow, "form_class", PackJeunesFormV2)

    version = current_version(cast.teleservice)
    assert (version.number, version.form_version) == (2, 2)
    kept = fresh(open_dossier)
    assert form_for(kept) is PackJeunesForm
    assert "attestation_caf" not in [spec.code for spec in specs_for(kept)]
    validate_for_transmission(kept)
    client.force_login(cast.agent)
    assert client.get(reverse("backoffice:review", args=[kept.reference])).status_code == 200
    client.post(reverse("backoffice:act", args=[kept.reference, "prendre"]))
    client.post(reverse("backoffice:act", args=[kept.reference, "decider"]), {"outcome": "accepted", "amount": "250"})
    assert fresh(open_dossier).status == DossierStatus.ACCEPTED

    draft = actions.create_draft(cast.teleservice, acting_user=cast.other_citizen)
    assert form_for(draft) is PackJeunesFormV2
    assert specs_for(draft)[-1].code == "attestation_caf"
    member = cast.other_citizen.foyer.members.get()
    bound = form_for(draft)(data=valid_form_data(member), dossier=draft)
    assert not bound.is_valid() and list(bound.errors) == ["caf_number"]


def test_versions_transmitted_before_versions_existed_uses_version_then_in_force(cast):
    """A dossier transmitted without a recorded version uses the one in force when transmitted."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    FiledVersion.objects.filter(dossier=dossier).delete()
    change_documents(cast.teleservice)

    assert version_for(fresh(dossier)).number == 1
    assert NEW_DOCUMENT not in [str(spec.label) for spec in specs_for(fresh(dossier))]
    assert NEW_DOCUMENT in [str(spec.label) for spec in specs_for(cast.teleservice)]


def test_versions_admin_change_without_documents_change_keeps_version(cast):
    """Saving a téléservice in code without touching its documents or form writes no version."""
    cast.teleservice.title = "Pack Jeunes 2026"
    cast.teleservice.save()
    assert [v.number for v in cast.teleservice.versions.all()] == [1]
