"""The agents' side of the thread, on the review screen: reading, replying with « Envoyer »,
downloading attachments, and access by the cast."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruction import actions
from instruction.actions.messages import annotate_threads
from instruction.models import Dossier, Message, MessageAttachment, ThreadReadMark
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier, pdf_upload, png_upload


@pytest.fixture
def media(settings, tmp_path) -> Path:
    location = tmp_path / "follow-media"
    default = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**default, "OPTIONS": {**default["OPTIONS"], "location": str(location)}},
    }
    return location


def files_in(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file() and "messages" in p.parts]


@pytest.fixture
def dossier(cast):
    return filed_dossier(cast.teleservice, cast.applicant)


def review_url(dossier: Dossier) -> str:
    return reverse("backoffice:review", args=[dossier.reference])


def send_url(dossier: Dossier) -> str:
    return reverse("backoffice:send_message", args=[dossier.reference])


def test_review_agent_sees_thread_and_marks_it_read(client, cast, dossier):
    """The review screen shows the thread, flags what is new to this agent, then marks it read."""
    actions.send_message(dossier, acting_user=cast.applicant, body="Ma question sur le loyer", files=[])
    login(client, cast.agent)
    page = client.get(review_url(dossier)).content.decode()
    assert 'id="messages"' in page and "Ma question sur le loyer" in page
    assert "1 nouveau" in page and "Nouveau" in page
    assert "Message au demandeur" in page and ">Envoyer</button>" in page
    assert ThreadReadMark.objects.filter(dossier=dossier, user=cast.agent).exists()
    row = annotate_threads(Dossier.objects.filter(pk=dossier.pk), cast.agent, service_side=True).get()
    assert row.unread_count == 0
    # The supervisor's own mark is untouched: the message is still new to them.
    row = annotate_threads(Dossier.objects.filter(pk=dossier.pk), cast.supervisor, service_side=True).get()
    assert row.unread_count == 1


def test_send_agent_replies_and_applicant_is_told_without_content(client, cast, dossier, deliver_outbox, settings):
    """« Envoyer »: the message is the service's; the applicant gets an e-mail without its content."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deliver_outbox()
    mail.outbox.clear()
    login(client, cast.agent)
    response = client.post(send_url(dossier), {"body": "Merci d'envoyer votre bail signé."})
    message = Message.objects.get(dossier=dossier)
    assert response.status_code == 302 and response.url == review_url(dossier) + f"#message-{message.pk}"
    assert message.from_service is True and message.author == cast.agent
    page = client.get(review_url(dossier)).content.decode()
    assert "Votre message a été envoyé au demandeur." in page and "Merci d&#x27;envoyer votre bail signé." in page
    deliver_outbox()
    assert [m.to for m in mail.outbox] == [[cast.applicant.email]]
    assert "bail" not in mail.outbox[0].body and "Un nouveau message vous attend" in mail.outbox[0].body


def test_send_agent_with_attachments(client, cast, dossier, media):
    """Several files at once are stored with the message."""
    login(client, cast.agent)
    response = client.post(
        send_url(dossier), {"body": "Le formulaire à remplir", "attachments": [pdf_upload("cerfa.pdf"), png_upload()]}
    )
    assert response.status_code == 302
    assert MessageAttachment.objects.count() == 2 and len(files_in(media)) == 2


def test_send_agent_empty_message_shows_french_error_on_review(client, cast, dossier):
    """An empty message re-displays the review screen with the error next to the field."""
    login(client, cast.agent)
    response = client.post(send_url(dossier), {"body": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Saisissez votre message." in page and 'href="#id_body"' in page
    assert f"Dossier {dossier.reference}" in page
    assert not Message.objects.exists()


def test_send_agent_refused_attachment_keeps_text_and_stores_nothing(client, cast, dossier, media):
    """A text file renamed .pdf refuses the message; the typed text stays, no file is left."""
    login(client, cast.agent)
    response = client.post(
        send_url(dossier),
        {"body": "Texte de l'agent", "attachments": [pdf_upload(), SimpleUploadedFile("note.pdf", b"simple texte")]},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Le fichier « note.pdf » n&#x27;est pas accepté" in page and "Texte de l&#x27;agent" in page
    assert not Message.objects.exists() and files_in(media) == []


def test_send_agent_during_complement_is_allowed(client, cast, dossier):
    """While the dossier waits for a complement agents cannot act, but they can still write."""
    actions.take(dossier, acting_user=cast.agent)
    actions.request_complement(dossier, acting_user=cast.agent, message="Il manque le bail.")
    login(client, cast.agent)
    page = client.get(review_url(dossier)).content.decode()
    assert "Message au demandeur" in page
    assert client.post(send_url(dossier), {"body": "Un rappel"}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "complement_requested" and dossier.messages.count() == 1


def test_send_supervisor_writes_as_the_service(client, cast, dossier):
    """The supervisor of the service may write too."""
    login(client, cast.supervisor)
    assert client.post(send_url(dossier), {"body": "Le superviseur"}).status_code == 302
    assert Message.objects.get().from_service is True


@pytest.mark.parametrize(("who", "status"), [("applicant", 404), ("other_citizen", 404), ("other_agent", 404)])
def test_send_outsider_is_refused(client, cast, dossier, who, status):
    """Agents of another service and citizens get 404 on every back-office object URL."""
    login(client, getattr(cast, who))
    assert client.post(send_url(dossier), {"body": "Intrusion"}).status_code == status
    assert not Message.objects.exists()


def test_send_anonymous_redirected_to_login(client, cast, dossier):
    """No back office without logging in."""
    response = client.post(send_url(dossier), {"body": "Intrusion"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Message.objects.exists()


def test_send_agent_draft_is_not_found(client, cast):
    """Drafts never reach the back office, nor its thread."""
    draft = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    login(client, cast.agent)
    assert client.post(send_url(draft), {"body": "Bonjour"}).status_code == 404


def test_send_get_is_not_allowed(client, cast, dossier):
    """Sending is a POST only."""
    login(client, cast.agent)
    assert client.get(send_url(dossier)).status_code == 405


@pytest.fixture
def attachment(cast, dossier, media):
    message = actions.send_message(dossier, acting_user=cast.applicant, body="Mon bail", files=[pdf_upload("bail.pdf")])
    return message.attachments.get()


@pytest.mark.parametrize("who", ["agent", "supervisor"])
def test_attachment_agent_downloads(client, cast, attachment, who):
    """Agents of the service download through the access-checked route, as an attachment."""
    login(client, getattr(cast, who))
    url = reverse("backoffice:attachment", args=[attachment.message.dossier.reference, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and "bail.pdf" in response["Content-Disposition"]
    assert response.getvalue().startswith(b"%PDF")


@pytest.mark.parametrize(("who", "status"), [("applicant", 404), ("other_citizen", 404), ("other_agent", 404)])
def test_attachment_outsider_is_refused(client, cast, attachment, who, status):
    """Outsiders never get the file from the back-office route."""
    login(client, getattr(cast, who))
    url = reverse("backoffice:attachment", args=[attachment.message.dossier.reference, attachment.pk])
    assert client.get(url).status_code == status


def test_attachment_agent_wrong_dossier_is_not_found(client, cast, attachment):
    """An attachment id under another dossier's reference is not found."""
    other = filed_dossier(cast.teleservice, cast.other_citizen)
    login(client, cast.agent)
    assert client.get(reverse("backoffice:attachment", args=[other.reference, attachment.pk])).status_code == 404


def test_attachment_anonymous_redirected_to_login(client, cast, attachment):
    """No download without logging in."""
    url = reverse("backoffice:attachment", args=[attachment.message.dossier.reference, attachment.pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_review_agent_query_count_does_not_grow_with_messages(client, cast, dossier, media, django_assert_num_queries):
    """The thread costs the same number of queries for 1 message as for 10 with attachments."""
    actions.send_message(dossier, acting_user=cast.applicant, body="1", files=[pdf_upload()])
    login(client, cast.agent)
    client.get(review_url(dossier))  # the first visit creates the read mark; count the next ones
    with CaptureQueriesContext(connection) as few:
        assert client.get(review_url(dossier)).status_code == 200
    for n in range(9):
        actions.send_message(dossier, acting_user=cast.applicant, body=str(n), files=[pdf_upload(), png_upload()])
    with django_assert_num_queries(len(few)):
        assert client.get(review_url(dossier)).status_code == 200
