"""Supporting documents on the form page: « Parcourir », the green « + », « Enregistrer » saving
the data and the files in one go, « Supprimer », limits, and nothing half-stored on error."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from instruction import actions
from instruction.actions import InvalidInput, TransitionRefused
from instruction.models import Dossier, DossierFile
from permissions.access import NotVisible
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier, pdf_bytes, pdf_upload, png_upload, valid_form_data

OUTSIDERS = ["other_citizen", "agent", "other_agent", "supervisor"]


def stored_files(settings) -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def draft(cast) -> Dossier:
    """A saved, valid draft without any document."""
    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    actions.save_draft(dossier, valid_form_data(cast.applicant.foyer.members.get()), acting_user=cast.applicant)
    return dossier


def edit_url(dossier: Dossier) -> str:
    return reverse("citizen:edit", args=[dossier.reference])


def test_form_page_applicant_offers_browse_and_add_for_each_document(client, cast):
    """Each document has a « Parcourir » accepting several files and a hidden-until-JS green « + »."""
    dossier = draft(cast)
    login(client, cast.applicant)
    page = html.unescape(client.get(edit_url(dossier)).content.decode())
    assert 'enctype="multipart/form-data"' in page
    for label in [
        "Dernier avis d'imposition ou de non-imposition",
        "Relevé d'identité bancaire (RIB)",
        "Bail au nom du demandeur",
        "Pièce d'identité en cours de validité",
        "Attestation d'engagement",
        "Attestation d'inscription à l'auto-école",
    ]:
        assert f'+<span class="visually-hidden"> Ajouter un autre fichier pour {label}</span>' in page
        assert f'Parcourir<span class="visually-hidden"> : {label}</span>' in page
    assert page.count('type="file"') == 6 and page.count(" multiple ") == 6
    # Without JavaScript the conditional document shows, with its condition.
    assert "obligatoire si vous demandez la majoration" in page
    assert 'data-when-field="engagement" data-when-values="aucun" data-when-negate="1"' in page
    assert 'src="/static/js/filing.js" defer' in page


def test_save_applicant_data_and_files_in_one_go(client, cast, settings):
    """« Enregistrer » keeps the typed data and every new file (several for one document)."""
    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    login(client, cast.applicant)
    data = valid_form_data(cast.applicant.foyer.members.get(), housing_commune="Gray")
    response = client.post(
        edit_url(dossier),
        {
            **data,
            "document-rib": [pdf_upload("rib-recto.pdf"), png_upload("rib-verso.png")],
            "document-bail": pdf_upload(),
        },
    )
    assert response.status_code == 302 and response.url == reverse("citizen:dossier", args=[dossier.reference])
    dossier.refresh_from_db()
    assert dossier.data["housing_commune"] == "Gray"
    files = list(dossier.files.order_by("pk").values_list("document", "original_name", "content_type"))
    assert files == [
        ("rib", "rib-recto.pdf", "application/pdf"),
        ("rib", "rib-verso.png", "image/png"),
        ("bail", "piece.pdf", "application/pdf"),
    ]
    assert len(stored_files(settings)) == 3
    recap = html.unescape(client.get(response.url).content.decode())
    assert "rib-recto.pdf" in recap and "rib-verso.png" in recap
    # Two documents still have no file: the recap says the request is incomplete.
    assert "Votre demande est incomplète" in recap


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("bail.pdf", b"ceci n'est pas un PDF", "application/pdf"), "n'est pas accepté"),
        (SimpleUploadedFile("vide.pdf", b"", "application/pdf"), "est vide"),
    ],
)
def test_save_applicant_refused_file_stores_nothing_and_keeps_data(client, cast, settings, upload, message):
    """One refused file: no file of the request is stored, the typed data is saved, the error is next to it."""
    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    login(client, cast.applicant)
    data = valid_form_data(cast.applicant.foyer.members.get(), housing_commune="Gray")
    response = client.post(edit_url(dossier), {**data, "document-rib": pdf_upload(), "document-bail": upload})
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert message in page and "aucun des fichiers envoyés n'a été joint" in page
    assert 'href="#document-bail"' in page and 'id="document-bail-errors"' in page
    assert 'value="Gray"' in page
    dossier.refresh_from_db()
    assert dossier.data["housing_commune"] == "Gray"
    assert not DossierFile.objects.exists() and stored_files(settings) == []


def test_save_applicant_too_big_file_stores_nothing(client, cast, settings):
    """A file over UPLOAD_MAX_FILE_MB is refused with the limit in the message."""
    settings.UPLOAD_MAX_FILE_MB = 1
    dossier = draft(cast)
    login(client, cast.applicant)
    big = SimpleUploadedFile("gros.pdf", pdf_bytes() + b"%" * (1024 * 1024), "application/pdf")
    response = client.post(edit_url(dossier), {**dossier.data, "document-rib": [pdf_upload(), big]})
    assert response.status_code == 400
    assert "dépasse la taille maximale de 1 Mo" in html.unescape(response.content.decode())
    assert not DossierFile.objects.exists() and stored_files(settings) == []


def test_save_applicant_too_many_files_for_one_document_refused(client, cast, settings):
    """No more than UPLOAD_MAX_FILES_PER_DOCUMENT files per document, counting those already attached."""
    settings.UPLOAD_MAX_FILES_PER_DOCUMENT = 2
    dossier = draft(cast)
    actions.attach_files(dossier, {"rib": [pdf_upload("premier.pdf")]}, acting_user=cast.applicant)
    login(client, cast.applicant)
    response = client.post(edit_url(dossier), {**dossier.data, "document-rib": [pdf_upload(), png_upload()]})
    assert response.status_code == 400
    assert "au plus 2 fichiers pour la pièce « Relevé d'identité bancaire (RIB) »" in html.unescape(
        response.content.decode()
    )
    assert list(dossier.files.values_list("original_name", flat=True)) == ["premier.pdf"]
    assert len(stored_files(settings)) == 1


def test_form_page_applicant_full_document_offers_no_more_browse(client, cast, settings):
    """A document with as many files as allowed shows no « Parcourir » but says why."""
    settings.UPLOAD_MAX_FILES_PER_DOCUMENT = 1
    dossier = draft(cast)
    actions.attach_files(dossier, {"rib": [pdf_upload("rib.pdf")]}, acting_user=cast.applicant)
    login(client, cast.applicant)
    page = html.unescape(client.get(edit_url(dossier)).content.decode())
    assert 'name="document-rib"' not in page and 'name="document-bail"' in page
    assert "Nombre maximal de fichiers atteint (1)" in page


def test_remove_file_applicant_deletes_row_and_stored_file(client, cast, settings, django_capture_on_commit_callbacks):
    """« Supprimer » removes the file from the dossier and from storage, then shows the form again."""
    dossier = draft(cast)
    (attached,) = actions.attach_files(dossier, {"rib": [pdf_upload("rib.pdf")]}, acting_user=cast.applicant)
    login(client, cast.applicant)
    page = client.get(edit_url(dossier)).content.decode()
    assert f'form="remove-file-{attached.pk}"' in page and f'id="remove-file-{attached.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("citizen:remove_file", args=[dossier.reference, attached.pk]), follow=True)
    assert response.redirect_chain[-1][0] == edit_url(dossier)
    assert "Le fichier « rib.pdf » est supprimé." in html.unescape(response.content.decode())
    assert not dossier.files.exists() and stored_files(settings) == []


def test_remove_file_applicant_twice_says_already_removed(client, cast):
    """A second click on « Supprimer » for the same file says so instead of failing."""
    dossier = draft(cast)
    (attached,) = actions.attach_files(dossier, {"rib": [pdf_upload()]}, acting_user=cast.applicant)
    login(client, cast.applicant)
    url = reverse("citizen:remove_file", args=[dossier.reference, attached.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "Ce fichier a déjà été supprimé." in html.unescape(response.content.decode())


@pytest.mark.parametrize("who", OUTSIDERS)
def test_remove_file_outsider_gets_404(client, cast, settings, who):
    """Nobody but the applicant may remove a file, and an outsider does not learn it exists."""
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    attached = dossier.files.first()
    login(client, getattr(cast, who))
    assert client.post(reverse("citizen:remove_file", args=[dossier.reference, attached.pk])).status_code == 404
    assert dossier.files.count() == 4 and len(stored_files(settings)) == 4


def test_remove_file_anonymous_redirected_to_login(client, cast):
    """The removal URL is behind the login."""
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    response = client.post(reverse("citizen:remove_file", args=[dossier.reference, dossier.files.first().pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert dossier.files.count() == 4


def test_remove_file_applicant_after_transmission_refused(client, cast, settings):
    """A transmitted dossier's files stay: the applicant is told it is no longer editable."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.applicant)
    url = reverse("citizen:remove_file", args=[dossier.reference, dossier.files.first().pk])
    response = client.post(url, follow=True)
    assert "n'est plus modifiable" in html.unescape(response.content.decode())
    assert dossier.files.count() == 4 and len(stored_files(settings)) == 4


def test_attach_files_applicant_after_transmission_refused(cast, settings):
    """No file can be added to a transmitted dossier, and nothing is stored."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    with pytest.raises(TransitionRefused):
        actions.attach_files(dossier, {"rib": [pdf_upload()]}, acting_user=cast.applicant)
    assert dossier.files.count() == 4 and len(stored_files(settings)) == 4


@pytest.mark.parametrize("who", OUTSIDERS)
def test_attach_files_outsider_not_visible(cast, settings, who):
    """Outsiders cannot attach files to someone else's draft (404), nothing is stored."""
    dossier = draft(cast)
    with pytest.raises(NotVisible):
        actions.attach_files(dossier, {"rib": [pdf_upload()]}, acting_user=getattr(cast, who))
    assert stored_files(settings) == []


def test_attach_files_applicant_unknown_document_refused(cast, settings):
    """Only the documents the téléservice declares can be attached."""
    dossier = draft(cast)
    with pytest.raises(InvalidInput) as refused:
        actions.attach_files(dossier, {"rib": [pdf_upload()], "photo": [png_upload()]}, acting_user=cast.applicant)
    assert "__all__" in refused.value.errors
    assert stored_files(settings) == []


def test_edit_page_applicant_after_refused_transmission_shows_missing_documents(client, cast):
    """A transmission without documents goes back to the form, with each missing document named."""
    dossier = draft(cast)
    login(client, cast.applicant)
    response = client.post(reverse("citizen:transmit", args=[dossier.reference]), follow=True)
    page = html.unescape(response.content.decode())
    assert response.redirect_chain[-1][0] == edit_url(dossier) + "?erreurs=1"
    assert "Joignez au moins un fichier pour la pièce « Relevé d'identité bancaire (RIB) »." in page
    assert "Joignez au moins un fichier pour la pièce « Attestation d'engagement »." not in page
    dossier.refresh_from_db()
    assert dossier.status == "draft"
