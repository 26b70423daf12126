"""The actions behind the thread: send_message (who may write, when, files all or nothing) and
mark_thread_read, and the unread counts read from the marks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from instruction import actions
from instruction.actions.messages import annotate_threads
from instruction.models import Dossier, Event, Message, MessageAttachment, ThreadReadMark
from permissions import access
from tests.citizen_portal.test_follow_dossier_list import make_organisme, organisme_dossier
from tests.factories import UserFactory, filed_dossier, pdf_bytes, pdf_upload


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


@pytest.mark.parametrize(("who", "from_service"), [("applicant", False), ("agent", True), ("supervisor", True)])
def test_send_message_cast_member_writes_on_their_side(cast, dossier, who, from_service):
    """The applicant writes as the applicant; agents of the service and the supervisor as the service."""
    message = actions.send_message(dossier, acting_user=getattr(cast, who), body="Bonjour", files=[])
    assert message.from_service is from_service and message.author == getattr(cast, who)
    event = Event.objects.filter(dossier=dossier, action="message").get()
    assert event.actor == getattr(cast, who) and event.from_status == event.to_status == "transmitted"


@pytest.mark.parametrize("who", ["other_citizen", "other_agent"])
def test_send_message_outsider_is_not_found(cast, dossier, who):
    """Outsiders get the 404 of the access layer, and nothing is written."""
    with pytest.raises(access.NotVisible):
        actions.send_message(dossier, acting_user=getattr(cast, who), body="Bonjour", files=[])
    assert not Message.objects.exists() and not Event.objects.filter(action="message").exists()


def test_send_message_anonymous_is_not_found(cast, dossier):
    """No one writes without an account."""
    with pytest.raises(access.NotVisible):
        actions.send_message(dossier, acting_user=AnonymousUser(), body="Bonjour", files=[])


def test_send_message_applicant_draft_is_refused_in_french(cast):
    """A draft has no service to write to yet."""
    draft = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    with pytest.raises(actions.TransitionRefused, match="une fois votre demande transmise"):
        actions.send_message(draft, acting_user=cast.applicant, body="Bonjour", files=[])
    with pytest.raises(access.NotVisible):
        actions.send_message(draft, acting_user=cast.agent, body="Bonjour", files=[])


def test_send_message_agent_writes_during_complement_and_after_decision(cast, dossier):
    """Writing is not acting: agents may write while the dossier waits for a complement, or is decided."""
    actions.take(dossier, acting_user=cast.agent)
    actions.request_complement(dossier, acting_user=cast.agent, message="Il manque le bail.")
    actions.send_message(dossier, acting_user=cast.agent, body="Le bail signé, s'il vous plaît.", files=[])
    actions.answer_complement(dossier, acting_user=cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    actions.decide(dossier, acting_user=cast.agent, outcome="accepted", amount="250")
    actions.send_message(dossier, acting_user=cast.supervisor, body="Le versement part demain.", files=[])
    actions.send_message(dossier, acting_user=cast.applicant, body="Merci !", files=[])
    dossier.refresh_from_db()
    assert dossier.status == "accepted" and dossier.messages.count() == 3


def test_send_message_stale_status_is_no_conflict(cast, dossier):
    """A message does not depend on the status the writer saw: no « modifié entre-temps »."""
    stale = Dossier.objects.get(pk=dossier.pk)
    actions.take(dossier, acting_user=cast.agent)
    actions.send_message(stale, acting_user=cast.applicant, body="Bonjour", files=[])
    assert Message.objects.count() == 1


def test_send_message_organisme_co_member_writes_as_applicant(cast):
    """Every member of the organisme is on the applicant's side of its dossiers' threads."""
    colleague = UserFactory()
    organisme = make_organisme(cast.applicant, colleague)
    dossier = organisme_dossier(cast, organisme, cast.applicant, transmitted=True)
    message = actions.send_message(dossier, acting_user=colleague, body="Je prends le relais.", files=[])
    assert message.from_service is False
    with pytest.raises(access.NotVisible):
        actions.send_message(dossier, acting_user=cast.other_citizen, body="Intrus", files=[])


def test_send_message_applicant_empty_or_too_long_body_is_refused(cast, dossier):
    """The text is required, and bounded; the errors are French and name the field."""
    with pytest.raises(actions.InvalidInput) as empty:
        actions.send_message(dossier, acting_user=cast.applicant, body="  \n ", files=[])
    assert empty.value.errors == {"body": ["Saisissez votre message."]}
    with pytest.raises(actions.InvalidInput) as long:
        actions.send_message(dossier, acting_user=cast.applicant, body="a" * 5001, files=[])
    assert "5000 caractères" in long.value.errors["body"][0]
    assert not Message.objects.exists()


def test_send_message_applicant_one_bad_file_refuses_all(cast, dossier, media):
    """Every file is checked before any is stored: one bad file, no message and no file."""
    good = pdf_upload("bon.pdf")
    bad = SimpleUploadedFile("script.pdf", b"#!/bin/sh\necho pas un pdf\n")
    with pytest.raises(actions.InvalidInput) as refused:
        actions.send_message(dossier, acting_user=cast.applicant, body="Deux fichiers", files=[good, bad])
    assert refused.value.errors["files"] == [
        "Le fichier « script.pdf » n'est pas accepté : formats acceptés PDF, JPEG, PNG."
    ]
    assert not Message.objects.exists() and not MessageAttachment.objects.exists() and files_in(media) == []


class FailingUpload(SimpleUploadedFile):
    """A real PDF whose storage fails half-way (a full disk, a lost connection to S3)."""

    def chunks(self, chunk_size=None):
        raise OSError("Plus de place sur le disque")


def test_send_message_storage_failure_rolls_back_and_removes_stored_files(cast, dossier, media):
    """If anything fails after a file was stored, the rollback removes the rows AND the files."""
    first = pdf_upload("premier.pdf")
    second = FailingUpload("second.pdf", pdf_bytes())
    with pytest.raises(OSError, match="Plus de place"):
        actions.send_message(dossier, acting_user=cast.applicant, body="Deux fichiers", files=[first, second])
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    assert not Event.objects.filter(action="message").exists()
    assert files_in(media) == []


def test_send_message_applicant_files_are_stored_under_generated_names(cast, dossier, media):
    """The stored name never comes from the person: no path tricks, the display name is kept apart."""
    upload = pdf_upload("../../etc/passwd.pdf")
    message = actions.send_message(dossier, acting_user=cast.applicant, body="Ci-joint", files=[upload])
    attachment = message.attachments.get()
    assert attachment.original_name == "passwd.pdf"
    assert attachment.file.name.startswith(f"messages/{dossier.pk}/") and "passwd" not in attachment.file.name
    assert len(files_in(media)) == 1


def test_mark_thread_read_never_moves_back(cast, dossier):
    """Two tabs opened in any order keep the later read mark."""
    later = timezone.now()
    actions.mark_thread_read(dossier, acting_user=cast.applicant, up_to=later)
    actions.mark_thread_read(dossier, acting_user=cast.applicant, up_to=later - dt.timedelta(hours=1))
    assert ThreadReadMark.objects.get(dossier=dossier, user=cast.applicant).last_read_at == later


def test_mark_thread_read_outsider_is_not_found(cast, dossier):
    """Nobody marks a thread they cannot see."""
    with pytest.raises(access.NotVisible):
        actions.mark_thread_read(dossier, acting_user=cast.other_agent)
    assert not ThreadReadMark.objects.exists()


def test_annotate_threads_counts_the_other_side_after_the_mark(cast, dossier):
    """Unread: the other side's messages newer than my mark; mine never count."""
    actions.send_message(dossier, acting_user=cast.agent, body="1", files=[])
    actions.send_message(dossier, acting_user=cast.applicant, body="2", files=[])

    def counts(user, service_side):
        row = annotate_threads(Dossier.objects.filter(pk=dossier.pk), user, service_side=service_side).get()
        return row.message_count, row.unread_count

    assert counts(cast.applicant, False) == (2, 1)
    assert counts(cast.agent, True) == (2, 1)
    actions.mark_thread_read(dossier, acting_user=cast.applicant)
    assert counts(cast.applicant, False) == (2, 0)
    actions.send_message(dossier, acting_user=cast.supervisor, body="3", files=[])
    assert counts(cast.applicant, False) == (3, 1)
    assert counts(cast.agent, True) == (3, 1)  # the supervisor's message is the service's own
