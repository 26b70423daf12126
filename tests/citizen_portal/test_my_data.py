"""« Mes données »: the download holds the person's data and files and nobody else's; « Supprimer
mon compte » asks the password (or, FranceConnect only, a confirmation), refuses agents and the
only administrator of an active organisme, then deletes drafts, erases the account and logs out."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from instruction import actions
from instruction.models import Dossier, OutboxMessage
from permissions import organismes
from permissions.models import FranceConnectIdentity, User
from tests.citizen_portal.test_journey_http import login
from tests.citizen_portal.test_spaces_organisme import add_member, make_organisme
from tests.factories import PASSWORD, UserFactory
from tests.instruction.retention_helpers import decided_dossier, idle_draft, stored_files

MY_DATA = reverse("my_data")
DOWNLOAD = reverse("my_data_download")
DELETE = reverse("account_delete")


def archive(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip" and response.streaming
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.parametrize("url", [MY_DATA, DOWNLOAD, DELETE])
def test_my_data_pages_anonymous_redirected_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_my_data_page_citizen_offers_download_and_deletion(client, cast):
    login(client, cast.applicant)
    page = client.get(MY_DATA).content.decode()
    assert "Télécharger mes données" in page and "Supprimer mon compte" in page
    assert "pendant 90 jours" in page and "15 jours avant" in page
    assert 'href="/compte/mes-donnees/"' in client.get(reverse("citizen:home")).content.decode()


def test_my_data_download_citizen_gets_own_data_and_files_only(client, cast, settings, django_assert_max_num_queries):
    """The ZIP has the account, the foyer, each own dossier with its data, messages and files
    (same bytes as stored), and nothing of another citizen's dossier."""
    mine = decided_dossier(cast, years_ago=1)
    draft = idle_draft(cast, 3)
    theirs = decided_dossier(cast, years_ago=1, applicant=cast.other_citizen)
    login(client, cast.applicant)

    with django_assert_max_num_queries(25):
        zipped = archive(client.get(DOWNLOAD))

    data = json.loads(zipped.read("mes-donnees.json"))
    assert data["compte"]["adresse_electronique"] == cast.applicant.email
    assert data["foyer"]["commune"] == "Vesoul" and data["foyer"]["membres"]
    refs = [d["reference"] for d in data["demandes"]]
    assert refs == [mine.reference, draft.reference]
    decided = data["demandes"][0]
    assert decided["statut"] == "Accepté" and decided["montant_accorde"] == "250.00"
    assert decided["donnees_du_formulaire"] == mine.data
    assert [m["texte"] for m in decided["messages"]] == ["Merci d'envoyer le bail.", "Voici le bail de Mme Martin."]
    assert [m["de"] for m in decided["messages"]] == ["Service instructeur", "Vous"]
    assert decided["lettres_de_decision"] and decided["pieces_justificatives"]
    assert "Décision" in [step["etape"] for step in decided["historique"]]
    names = set(zipped.namelist())
    listed = {f["fichier"] for d in data["demandes"] for f in d["pieces_justificatives"]}
    listed |= {a["fichier"] for d in data["demandes"] for m in d["messages"] for a in m["pieces_jointes"]}
    listed |= {f["fichier"] for d in data["demandes"] for f in d["lettres_de_decision"]}
    assert names == listed | {"mes-donnees.json"}
    stored = mine.files.first()
    path = next(n for n in names if n.startswith(f"demandes/{mine.reference}/pieces/{stored.pk}-"))
    assert zipped.read(path) == (Path(settings.MEDIA_ROOT) / stored.file.name).read_bytes()
    everything = b"".join(zipped.read(n) for n in names)
    assert theirs.reference.encode() not in everything
    assert cast.other_citizen.email.encode() not in everything


def test_delete_account_wrong_password_refused_in_french_nothing_changes(client, cast):
    draft = idle_draft(cast, 3)
    login(client, cast.applicant)
    page = client.get(DELETE).content.decode()
    assert "Ce qui sera supprimé" in page and "Ce qui sera conservé" in page

    response = client.post(DELETE, {"password": "pas-le-bon"})

    assert response.status_code == 400
    assert "Mot de passe incorrect : votre compte n&#x27;a pas été supprimé." in response.content.decode()
    user = User.objects.get(pk=cast.applicant.pk)
    assert user.is_active and user.email == cast.applicant.email
    assert Dossier.objects.filter(pk=draft.pk).exists()
    assert client.get(MY_DATA).status_code == 200  # still logged in


def test_delete_account_right_password_deletes_drafts_erases_account_logs_out(
    client, cast, settings, django_capture_on_commit_callbacks
):
    """Drafts and their files go; the transmitted dossier stays for the service, linked to an
    account that no longer identifies anyone; the person is logged out and cannot log in again;
    no e-mail is sent to them any more."""
    draft = idle_draft(cast, 3)
    transmitted = decided_dossier(cast, years_ago=0)
    draft_files = [f for f in stored_files(settings) if f.startswith(f"dossiers/{draft.pk}/")]
    assert draft_files
    email = cast.applicant.email
    login(client, cast.applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == reverse("citizen:home")
    assert "Votre compte a été supprimé" in client.get(reverse("citizen:home")).content.decode()
    assert client.get(MY_DATA).status_code == 302  # logged out
    user = User.objects.get(pk=cast.applicant.pk)
    assert not user.is_active and not user.has_usable_password()
    assert (user.email, user.first_name, user.last_name) == (f"compte-supprime-{user.pk}@supprime.invalid", "", "")
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert not [f for f in stored_files(settings) if f.startswith(f"dossiers/{draft.pk}/")]
    kept = Dossier.objects.get(pk=transmitted.pk)
    assert kept.applicant_id == user.pk and kept.data == transmitted.data
    assert client.post(reverse("login"), {"username": email, "password": PASSWORD}).status_code == 200
    before = OutboxMessage.objects.count()
    actions.send_message(kept, acting_user=cast.agent, body="Une question.", files=[])
    assert OutboxMessage.objects.count() == before
    client.force_login(cast.agent)
    review = client.get(reverse("backoffice:review", args=[kept.reference])).content.decode()
    assert "Compte supprimé par le demandeur" in review and email not in review


def test_delete_account_franceconnect_only_asks_a_confirmation(client, cast):
    user = UserFactory(password=None)
    user.set_unusable_password()
    user.save()
    FranceConnectIdentity.objects.create(user=user, sub="abc123", given_name="Camille", family_name="Martin")
    client.force_login(user)
    page = client.get(DELETE).content.decode()
    assert "mot de passe" not in page.lower().split("ce qui sera supprimé")[1].split("<form")[1]

    refused = client.post(DELETE, {})
    assert refused.status_code == 400
    assert "Cochez la case pour confirmer la suppression de votre compte." in refused.content.decode()
    assert User.objects.get(pk=user.pk).is_active

    assert client.post(DELETE, {"confirm": "on"}).status_code == 302
    assert not User.objects.get(pk=user.pk).is_active
    assert not FranceConnectIdentity.objects.filter(sub="abc123").exists()


@pytest.mark.parametrize("who", ["agent", "supervisor"])
def test_delete_account_agent_refused_with_message(client, cast, who):
    user = getattr(cast, who)
    login(client, user)
    page = client.get(DELETE).content.decode()
    assert "Les comptes des agents, des superviseurs et des administrateurs ne peuvent pas être supprimés" in page
    client.post(DELETE, {"password": PASSWORD})
    assert User.objects.get(pk=user.pk).is_active


def test_delete_account_only_administrator_of_organisme_with_members_refused(client, cast):
    """Someone must remain to follow the organisme: name another administrator first."""
    organisme = make_organisme(cast.applicant, name="Mairie de Gray")
    add_member(organisme, cast.other_citizen)
    login(client, cast.applicant)
    page = client.get(DELETE).content.decode()
    assert "Vous êtes le seul administrateur de l&#x27;organisme « Mairie de Gray »" in page
    client.post(DELETE, {"password": PASSWORD})
    assert User.objects.get(pk=cast.applicant.pk).is_active

    add_member(organisme, cast.other_citizen, organismes.ADMINISTRATOR)
    assert client.post(DELETE, {"password": PASSWORD}).status_code == 302
    assert not organismes.organismes_of(User.objects.get(pk=cast.applicant.pk)).exists()
    assert organismes.administrator_ids(organisme) == {cast.other_citizen.pk}
