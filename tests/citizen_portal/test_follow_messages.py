"""« Message »: the list of threads, one dossier's thread, sending with attachments, unread
counts, the e-mail without the content, and access by the whole cast."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruction import actions
from instruction.models import Event, Message, MessageAttachment, OutboxMessage, ThreadReadMark
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier, pdf_bytes, pdf_upload, png_upload

CAST = ["applicant", "other_citizen", "agent", "other_agent", "supervisor"]


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """Stored files go to this test's own directory, so that what is left there can be counted."""
    location = tmp_path / "follow-media"
    default = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**default, "OPTIONS": {**default["OPTIONS"], "location": str(location)}},
    }
    return location


def stored_message_files(media: Path) -> list[Path]:
    return [p for p in (media / "messages").rglob("*") if p.is_file()] if (media / "messages").exists() else []


@pytest.fixture
def dossier(cast):
    return filed_dossier(cast.teleservice, cast.applicant)


def service_writes(dossier, agent, body="Merci de préciser votre date d'entrée.", files=()):
    return actions.send_message(dossier, acting_user=agent, body=body, files=list(files))


# --- The list of threads (« Message ») ------------------------------------------------


def test_thread_list_applicant_sees_threads_with_unread_counts(client, cast, dossier):
    """Each transmitted dossier is a thread; the service's unread messages are counted."""
    service_writes(dossier, cast.agent)
    service_writes(dossier, cast.agent, body="Et votre loyer ?")
    quiet = filed_dossier(cast.teleservice, cast.applicant)
    draft = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    login(client, cast.applicant)
    page = client.get(reverse("citizen:messages")).content.decode()
    assert dossier.reference in page and quiet.reference in page and draft.reference not in page
    assert "2 non lus" in page and "Aucun message" in page
    assert f"Afficher le message de la demande {dossier.reference}" in page
    assert 'aria-hidden="true"' in page and reverse("citizen:thread", args=[dossier.reference]) in page
    # The thread with news comes first.
    assert page.index(dossier.reference) < page.index(quiet.reference)


def test_thread_list_applicant_own_messages_are_not_unread(client, cast, dossier):
    """What the applicant wrote never counts as unread for them."""
    actions.send_message(dossier, acting_user=cast.applicant, body="Bonjour", files=[])
    login(client, cast.applicant)
    page = client.get(reverse("citizen:messages")).content.decode()
    assert "non lu" not in page and "1 message" in page


def test_thread_list_other_citizen_does_not_see_others_threads(client, cast, dossier):
    """Another citizen's list never shows the applicant's threads."""
    service_writes(dossier, cast.agent)
    login(client, cast.other_citizen)
    page = client.get(reverse("citizen:messages")).content.decode()
    assert dossier.reference not in page and "Vous n'avez aucun message" in page


def test_thread_list_agent_sees_only_their_own_dossiers(client, cast, dossier):
    """An agent's « Message » page is their own as a citizen, not the service's dossiers."""
    login(client, cast.agent)
    page = client.get(reverse("citizen:messages")).content.decode()
    assert dossier.reference not in page


def test_thread_list_anonymous_redirected_to_login(client, cast):
    """The list of messages needs an account."""
    response = client.get(reverse("citizen:messages"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_thread_list_applicant_query_count_does_not_grow(client, cast, django_assert_num_queries):
    """One query for all threads and their counts: the same number for 1 or 20 threads."""
    first = filed_dossier(cast.teleservice, cast.applicant)
    service_writes(first, cast.agent)
    login(client, cast.applicant)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("citizen:messages")).status_code == 200
    for _ in range(19):
        more = filed_dossier(cast.teleservice, cast.applicant)
        service_writes(more, cast.agent)
        actions.send_message(more, acting_user=cast.applicant, body="Réponse", files=[])
    with django_assert_num_queries(len(few)):
        page = client.get(reverse("citizen:messages")).content.decode()
    assert page.count("1 non lu") == 20
    assert len(few) <= 8


# --- One thread ----------------------------------------------------------------------


def test_thread_applicant_reads_messages_and_marks_them_read(client, cast, dossier):
    """The service shows as « Service instructeur », never by name; opening marks the thread read."""
    service_writes(dossier, cast.agent, body="Pouvez-vous préciser votre date d'entrée ?")
    login(client, cast.applicant)
    page = client.get(reverse("citizen:thread", args=[dossier.reference])).content.decode()
    assert "Pouvez-vous préciser votre date d&#x27;entrée ?" in page
    assert "Service instructeur" in page and cast.agent.last_name not in page and cast.agent.email not in page
    assert "Nouveau" in page and "Vous pouvez répondre et joindre un fichier" in page and "Envoyer" in page
    assert ThreadReadMark.objects.filter(dossier=dossier, user=cast.applicant).exists()
    listing = client.get(reverse("citizen:messages")).content.decode()
    assert "non lu" not in listing
    again = client.get(reverse("citizen:thread", args=[dossier.reference])).content.decode()
    assert "Nouveau" not in again


def test_thread_applicant_sends_message_with_attachments(client, cast, dossier, media):
    """« Envoyer » stores the message and its files, writes an audit event, keeps the status."""
    login(client, cast.applicant)
    response = client.post(
        reverse("citizen:thread", args=[dossier.reference]),
        {"body": "Voici mon bail, recto et verso.", "attachments": [pdf_upload("bail.pdf"), png_upload("verso.png")]},
    )
    message = Message.objects.get(dossier=dossier)
    assert response.status_code == 302
    assert response.url == reverse("citizen:thread", args=[dossier.reference]) + f"#message-{message.pk}"
    assert message.body == "Voici mon bail, recto et verso." and message.from_service is False
    assert sorted(a.original_name for a in message.attachments.all()) == ["bail.pdf", "verso.png"]
    assert sorted(a.content_type for a in message.attachments.all()) == ["application/pdf", "image/png"]
    assert len(stored_message_files(media)) == 2
    event = Event.objects.filter(dossier=dossier).last()
    assert event.action == "message" and event.from_status == event.to_status == "transmitted"
    assert event.details == {"message_id": message.pk, "from_service": False, "attachments": 2}
    dossier.refresh_from_db()
    assert dossier.status == "transmitted"
    page = client.get(response.url).content.decode()
    assert "Votre message a été envoyé au service instructeur." in page
    assert "bail.pdf" in page and "Vous" in page


def test_thread_applicant_empty_message_is_refused_and_text_kept(client, cast, dossier):
    """An empty message gets a French error next to the field; nothing is saved."""
    login(client, cast.applicant)
    response = client.post(reverse("citizen:thread", args=[dossier.reference]), {"body": "   "})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Saisissez votre message." in page and "Le formulaire contient des erreurs" in page
    assert 'href="#id_body"' in page
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64),
        ("faux.pdf", b"Ceci est un simple texte, pas un PDF.\n"),
    ],
)
def test_thread_applicant_refused_attachment_saves_nothing(client, cast, dossier, media, name, content):
    """A file whose content is not an accepted type refuses the whole message: no row, no file."""
    login(client, cast.applicant)
    response = client.post(
        reverse("citizen:thread", args=[dossier.reference]),
        {
            "body": "Mon message tapé avec soin",
            "attachments": [pdf_upload("bon.pdf"), SimpleUploadedFile(name, content)],
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert f"Le fichier « {name} » n&#x27;est pas accepté" in page
    assert "Mon message tapé avec soin" in page  # what was typed stays
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    assert stored_message_files(media) == []
    assert not Event.objects.filter(action="message").exists()


def test_thread_applicant_too_big_attachment_is_refused(client, cast, dossier, media, settings):
    """A file over the size limit is refused with the limit in French; nothing is stored."""
    settings.UPLOAD_MAX_FILE_MB = 1
    big = pdf_bytes() + b"%" * (1024 * 1024)
    login(client, cast.applicant)
    response = client.post(
        reverse("citizen:thread", args=[dossier.reference]),
        {"body": "Un gros fichier", "attachments": [SimpleUploadedFile("gros.pdf", big)]},
    )
    assert response.status_code == 400
    assert "Le fichier « gros.pdf » dépasse la taille maximale de 1 Mo." in response.content.decode()
    assert not Message.objects.exists() and stored_message_files(media) == []


def test_thread_applicant_too_many_attachments_are_refused(client, cast, dossier, media):
    """More files than allowed in one message: refused, nothing stored."""
    login(client, cast.applicant)
    files = [pdf_upload(f"piece{i}.pdf") for i in range(6)]
    response = client.post(reverse("citizen:thread", args=[dossier.reference]), {"body": "Six", "attachments": files})
    assert response.status_code == 400
    assert "Vous pouvez joindre au plus 5 fichiers à un message." in response.content.decode()
    assert not Message.objects.exists() and stored_message_files(media) == []


def test_thread_applicant_can_write_during_complement(client, cast, dossier):
    """During « Complément d'information » the applicant may still write: it is not acting."""
    actions.take(dossier, acting_user=cast.agent)
    actions.request_complement(dossier, acting_user=cast.agent, message="Il manque le bail.")
    login(client, cast.applicant)
    response = client.post(reverse("citizen:thread", args=[dossier.reference]), {"body": "Je l'envoie demain."})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "complement_requested" and Message.objects.filter(dossier=dossier).count() == 1


def test_thread_applicant_cannot_write_on_a_draft(client, cast):
    """A draft has no thread yet: no form, and a forced POST stores nothing."""
    draft = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    login(client, cast.applicant)
    page = client.get(reverse("citizen:thread", args=[draft.reference])).content.decode()
    assert "une fois votre demande transmise" in page and 'name="body"' not in page
    response = client.post(reverse("citizen:thread", args=[draft.reference]), {"body": "Bonjour"})
    assert response.status_code == 302 and not Message.objects.exists()


@pytest.mark.parametrize("who", ["other_citizen", "agent", "other_agent", "supervisor"])
def test_thread_outsider_gets_404(client, cast, dossier, who):
    """Only the applicant's side reaches the citizen thread; agents use the review screen."""
    login(client, getattr(cast, who))
    assert client.get(reverse("citizen:thread", args=[dossier.reference])).status_code == 404
    response = client.post(reverse("citizen:thread", args=[dossier.reference]), {"body": "Intrusion"})
    assert response.status_code == 404
    assert not Message.objects.exists() and not ThreadReadMark.objects.exists()


def test_thread_anonymous_redirected_to_login(client, cast, dossier):
    """No thread without logging in."""
    response = client.get(reverse("citizen:thread", args=[dossier.reference]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- Attachments ---------------------------------------------------------------------


@pytest.fixture
def attachment(cast, dossier, media):
    message = service_writes(dossier, cast.agent, files=[pdf_upload("courrier.pdf")])
    return message.attachments.get()


def test_attachment_applicant_downloads_with_stored_type(client, cast, attachment):
    """The download is an attachment with the type checked at upload, never shown inline."""
    login(client, cast.applicant)
    url = reverse("citizen:attachment", args=[attachment.message.dossier.reference, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("attachment;") and "courrier.pdf" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert response.getvalue().startswith(b"%PDF")


@pytest.mark.parametrize("who", ["other_citizen", "agent", "other_agent", "supervisor"])
def test_attachment_outsider_gets_404(client, cast, attachment, who):
    """The citizen download route answers 404 to everyone but the applicant's side."""
    login(client, getattr(cast, who))
    url = reverse("citizen:attachment", args=[attachment.message.dossier.reference, attachment.pk])
    assert client.get(url).status_code == 404


def test_attachment_applicant_of_another_dossier_gets_404(client, cast, attachment):
    """An attachment id under another dossier's reference (even one's own) is not found."""
    mine = filed_dossier(cast.teleservice, cast.other_citizen)
    login(client, cast.other_citizen)
    assert client.get(reverse("citizen:attachment", args=[mine.reference, attachment.pk])).status_code == 404


def test_attachment_anonymous_redirected_to_login(client, cast, attachment):
    """No download without logging in."""
    url = reverse("citizen:attachment", args=[attachment.message.dossier.reference, attachment.pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_attachment_setting_no_public_media_url(settings):
    """Uploaded files have no public address: only the access-checked views serve them."""
    assert settings.STORAGES["default"]["OPTIONS"].get("base_url") is None
    assert not getattr(settings, "MEDIA_URL", "").strip("/")


# --- E-mails -------------------------------------------------------------------------


def test_email_service_message_notifies_applicant_without_content(cast, dossier, deliver_outbox, settings):
    """When the service writes, the applicant gets « Un nouveau message vous attend » and a link,
    never the message itself."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deliver_outbox()
    mail.outbox.clear()
    service_writes(dossier, cast.agent, body="Votre quotient familial semble erroné : 1234 €.")
    deliver_outbox()
    assert [m.to for m in mail.outbox] == [[cast.applicant.email]]
    email = mail.outbox[0]
    assert dossier.reference in email.subject
    assert "Un nouveau message vous attend" in email.body
    assert settings.SITE_URL + reverse("citizen:thread", args=[dossier.reference]) in email.body
    assert "quotient" not in email.body and "1234" not in email.body and "1234" not in email.subject
    assert cast.agent.last_name not in email.body


def test_email_applicant_message_notifies_assigned_agent_only(cast, dossier, deliver_outbox, settings):
    """When the applicant writes, the agent in charge is told (with a link to the review screen)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    actions.take(dossier, acting_user=cast.agent)
    deliver_outbox()
    mail.outbox.clear()
    actions.send_message(dossier, acting_user=cast.applicant, body="Mon IBAN est FR76 0000", files=[])
    deliver_outbox()
    assert [m.to for m in mail.outbox] == [[cast.agent.email]]
    assert "FR76" not in mail.outbox[0].body and "Un nouveau message vous attend" in mail.outbox[0].body
    assert reverse("backoffice:review", args=[dossier.reference]) in mail.outbox[0].body


def test_email_applicant_message_unassigned_dossier_notifies_nobody(cast, dossier):
    """Nobody in charge: no e-mail; the back office's unread count shows the message."""
    before = OutboxMessage.objects.count()
    actions.send_message(dossier, acting_user=cast.applicant, body="Bonjour", files=[])
    assert OutboxMessage.objects.count() == before
