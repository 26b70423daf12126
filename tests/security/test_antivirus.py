"""Every uploaded file is scanned by a real clamd (tests/clamd_server.py, EICAR signatures the
tests write) before anyone can open it: pending shown and refused, infected quarantined and the
applicant told, clamd down then back: retried, clean; portal, back office and API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from instruction import actions, scanning
from instruction.models import DossierFile, Event, MessageAttachment, OutboxMessage, ScanStatus
from tests.api.helpers import assert_problem
from tests.citizen_portal.test_journey_http import login
from tests.clamd_server import EICAR
from tests.factories import attach_required_documents, filed_dossier, pdf_bytes, valid_form_data
from tests.security.uploads_helpers import upload

pytestmark = pytest.mark.usefixtures("eager_tasks")


@pytest.fixture
def eager_tasks():
    """Tasks run in the test's process, as on the embedded default (even with a broker set)."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def infected_pdf() -> bytes:
    """A valid PDF that carries the EICAR test string (after its end: viewers ignore it)."""
    return pdf_bytes("Releve") + b"\n%" + EICAR + b"\n"


def clamd_down(settings, tmp_path) -> None:
    settings.CLAMD_SOCKET = str(tmp_path / "nobody-listens.sock")
    settings.CLAMD_URL = ""


def draft(cast):
    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    actions.save_draft(dossier, valid_form_data(cast.applicant.foyer.members.get()), acting_user=cast.applicant)
    return dossier


def opened(client, url) -> bytes:
    """Download and close (an unread streamed file stays open)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content)
    response.close()
    return content


def file_url(dossier, stored) -> str:
    return reverse("backoffice:file", args=[dossier.reference, stored.pk])


def test_clean_files_scanned_then_agent_opens_them(client, cast, clamd, django_capture_on_commit_callbacks):
    """Each file is scanned once its upload commits; clean, the agent downloads it."""
    with django_capture_on_commit_callbacks(execute=True):
        dossier = filed_dossier(cast.teleservice, cast.applicant)
    files = list(dossier.files.all())
    assert files and {f.scan_status for f in files} == {ScanStatus.CLEAN}
    assert all(f.scan_attempts == 1 and f.scanned_at for f in files)
    login(client, cast.agent)
    assert opened(client, file_url(dossier, files[0])).startswith(b"%PDF")


def test_eicar_in_draft_quarantined_applicant_told_document_missing(
    client, cast, clamd, settings, django_capture_on_commit_callbacks
):
    """EICAR in a PDF: moved under quarantine/ (the original object is gone), an audit event,
    an e-mail to the applicant; the document counts as not provided and they can send another."""
    dossier = draft(cast)
    with django_capture_on_commit_callbacks(execute=True):
        attach_required_documents(dossier, cast.applicant)
        actions.attach_files(dossier, {"rib": [upload("rib.pdf", infected_pdf())]}, acting_user=cast.applicant)
    dossier.files.filter(document="rib", original_name="rib.pdf").exclude(scan_status=ScanStatus.INFECTED).delete()
    bad = dossier.files.get(scan_status=ScanStatus.INFECTED)
    assert bad.scan_result == "Eicar-Test-Signature-Body.UNOFFICIAL"
    assert bad.file.name.startswith("quarantine/dossiers/")
    media = Path(settings.MEDIA_ROOT)
    assert (media / bad.file.name).read_bytes() == infected_pdf()
    assert not (media / bad.file.name.removeprefix("quarantine/")).exists()
    event = Event.objects.get(dossier=dossier, action="quarantine_file")
    assert event.actor is None and event.details["signature"] == bad.scan_result and event.details["document"] == "rib"
    mail = OutboxMessage.objects.get(key=f"file-quarantined:document:{bad.pk}")
    assert mail.payload["to"] == [cast.applicant.email]
    assert "a été bloqué par l'antivirus" in mail.payload["subject"]
    assert "« rib.pdf »" in mail.payload["body"] and "joignez un autre fichier" in mail.payload["body"]

    login(client, cast.applicant)
    page = client.get(reverse("citizen:dossier", args=[dossier.reference])).content.decode()
    assert "Bloqué : virus détecté" in page and "L'antivirus a bloqué un fichier de cette pièce" in page
    assert reverse("citizen:file", args=[dossier.reference, bad.pk]) not in page  # no link to it
    assert client.get(reverse("citizen:file", args=[dossier.reference, bad.pk])).status_code == 409
    with pytest.raises(actions.InvalidInput) as refused:
        actions.transmit(dossier, acting_user=cast.applicant)
    assert "document-rib" in refused.value.errors
    # Another file in its place, and the dossier goes.
    with django_capture_on_commit_callbacks(execute=True):
        actions.attach_files(dossier, {"rib": [upload("rib2.pdf", pdf_bytes())]}, acting_user=cast.applicant)
    actions.transmit(dossier, acting_user=cast.applicant)


def test_clamd_down_pending_shown_and_refused_then_retried_clean(
    client, cast, clamd, settings, tmp_path, api, django_capture_on_commit_callbacks
):
    """clamd unreachable: files stay pending (« Analyse antivirus en cours »), every way of
    opening them refuses with a French reason; the sweep scans them once clamd is back."""
    clamd_down(settings, tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = filed_dossier(cast.teleservice, cast.applicant)
    stored = dossier.files.first()
    assert stored.scan_status == ScanStatus.PENDING and stored.scan_attempts == 1

    login(client, cast.agent)
    review = client.get(reverse("backoffice:review", args=[dossier.reference])).content.decode()
    assert "Analyse antivirus en cours" in review and file_url(dossier, stored) not in review
    refused = client.get(file_url(dossier, stored))
    assert refused.status_code == 409 and "en cours d&#x27;analyse antivirus" in refused.content.decode()
    assert client.get(reverse("backoffice:preview", args=[dossier.reference, stored.pk])).status_code == 409
    problem = assert_problem(api("agent").get(f"/api/v1/dossiers/{dossier.reference}/files/{stored.pk}/"), 409)
    assert "en cours d'analyse antivirus" in problem["detail"]
    listed = api("agent").get(f"/api/v1/dossiers/{dossier.reference}/").json()["documents"][0]["files"][0]
    assert listed["scan_status"] == "pending" and listed["available"] is False

    # Not due yet: nothing queued; clamd back and the retry delay over: scanned, clean, opens.
    assert scanning.sweep() == 0
    settings.CLAMD_SOCKET = clamd.socket
    with django_capture_on_commit_callbacks(execute=True):
        queued = scanning.sweep(now=timezone.now() + dt.timedelta(seconds=settings.CLAMD_RETRY_SECONDS + 1))
    assert queued == dossier.files.count()
    stored.refresh_from_db()
    assert stored.scan_status == ScanStatus.CLEAN and stored.scan_attempts == 2
    assert opened(client, file_url(dossier, stored)).startswith(b"%PDF")


def test_infected_after_transmission_agent_never_opens_it(
    client, cast, clamd, settings, tmp_path, api, django_capture_on_commit_callbacks
):
    """Transmitted while clamd was down, found infected at the retry: quarantined, the review page
    says so without a link, downloads refused (page and API), the applicant told."""
    clamd_down(settings, tmp_path)
    dossier = draft(cast)
    with django_capture_on_commit_callbacks(execute=True):
        attach_required_documents(dossier, cast.applicant)
        actions.attach_files(dossier, {"bail": [upload("bail-scan.pdf", infected_pdf())]}, acting_user=cast.applicant)
    actions.transmit(dossier, acting_user=cast.applicant)
    settings.CLAMD_SOCKET = clamd.socket
    with django_capture_on_commit_callbacks(execute=True):
        scanning.sweep(now=timezone.now() + dt.timedelta(hours=1))
    bad = dossier.files.get(original_name="bail-scan.pdf")
    assert bad.scan_status == ScanStatus.INFECTED and bad.file.name.startswith("quarantine/")

    login(client, cast.agent)
    review = client.get(reverse("backoffice:review", args=[dossier.reference])).content.decode()
    assert "Bloqué : virus détecté" in review and file_url(dossier, bad) not in review
    response = client.get(file_url(dossier, bad))
    assert response.status_code == 409 and "un virus" in response.content.decode()
    problem = assert_problem(api("agent").get(f"/api/v1/dossiers/{dossier.reference}/files/{bad.pk}/"), 409)
    assert "l'antivirus y a détecté un virus" in problem["detail"]
    mail = OutboxMessage.objects.get(key=f"file-quarantined:document:{bad.pk}")
    assert "envoyez un autre fichier depuis la page de votre demande" in mail.payload["body"]
    login(client, cast.applicant)
    history = client.get(reverse("citizen:dossier", args=[dossier.reference])).content.decode()
    assert "Fichier bloqué par l&#x27;antivirus (virus détecté)" in history


def test_message_attachment_from_portal_infected_agent_refused(
    client, cast, clamd, api, django_capture_on_commit_callbacks
):
    """A message attachment sent from the citizen portal is scanned the same way: an infected one
    is quarantined and refused to the agent (page and API)."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("citizen:thread", args=[dossier.reference]),
            {"body": "Voici le relevé", "attachments": [upload("releve.pdf", infected_pdf())]},
        )
    assert response.status_code == 302
    bad = MessageAttachment.objects.get()
    assert bad.scan_status == ScanStatus.INFECTED and bad.file.name.startswith("quarantine/messages/")
    assert OutboxMessage.objects.filter(key=f"file-quarantined:attachment:{bad.pk}").exists()
    login(client, cast.agent)
    url = reverse("backoffice:attachment", args=[dossier.reference, bad.pk])
    assert client.get(url).status_code == 409
    assert_problem(api("agent").get(f"/api/v1/dossiers/{dossier.reference}/messages/attachments/{bad.pk}/"), 409)


def test_message_attachment_from_back_office_scanned_clean(cast, clamd, django_capture_on_commit_callbacks):
    """An agent's attachment is scanned too before the applicant can open it."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_message(
            dossier, acting_user=cast.agent, body="Le courrier", files=[upload("courrier.pdf", pdf_bytes())]
        )
    assert MessageAttachment.objects.get().scan_status == ScanStatus.CLEAN


def test_without_antivirus_files_unscanned_and_open(client, cast, settings):
    """No CLAMD_SOCKET nor CLAMD_URL (a developer's machine, the demo): « non analysé », openable."""
    assert not settings.CLAMD_SOCKET and not settings.CLAMD_URL
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    stored = dossier.files.first()
    assert stored.scan_status == ScanStatus.UNSCANNED and scanning.sweep() == 0
    login(client, cast.agent)
    assert (
        "Non analysé (antivirus non configuré)"
        in client.get(reverse("backoffice:review", args=[dossier.reference])).content.decode()
    )
    assert opened(client, file_url(dossier, stored)).startswith(b"%PDF")


def test_rolled_back_upload_queues_no_scan(cast, clamd, settings, django_capture_on_commit_callbacks):
    """A refused request stores nothing and scans nothing."""
    dossier = draft(cast)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(actions.InvalidInput):
        actions.attach_files(
            dossier,
            {"rib": [upload("ok.pdf", pdf_bytes())], "bail": [upload("vide.pdf", b"")]},
            acting_user=cast.applicant,
        )
    assert callbacks == [] and not DossierFile.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_scan_and_sweep_query_budget(cast, clamd, settings, django_assert_num_queries):
    """A clean verdict costs a fixed handful of queries; the sweep reads the two tables once each
    (through their partial « pending » indexes) whatever the number of files."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)  # pending: no commit ran the task
    stored = dossier.files.first()
    assert stored.scan_status == ScanStatus.PENDING
    # Read the row, then lock it and write the verdict (inside a savepoint here).
    with django_assert_num_queries(5):
        assert scanning.scan("document", stored.pk) == ScanStatus.CLEAN
    settings.CLAMD_RETRY_SECONDS = 10**6
    with django_assert_num_queries(2):
        assert scanning.sweep() == 0


def test_applicant_replaces_blocked_file_after_transmission(
    client, cast, clamd, settings, tmp_path, django_capture_on_commit_callbacks
):
    """« Envoyer un autre fichier » on the dossier's page: the new file is scanned, the blocked one
    and its quarantined object go, an event is written; someone else gets a 404."""
    clamd_down(settings, tmp_path)
    dossier = draft(cast)
    with django_capture_on_commit_callbacks(execute=True):
        attach_required_documents(dossier, cast.applicant)
        actions.attach_files(dossier, {"bail": [upload("bail-scan.pdf", infected_pdf())]}, acting_user=cast.applicant)
    actions.transmit(dossier, acting_user=cast.applicant)
    settings.CLAMD_SOCKET = clamd.socket
    with django_capture_on_commit_callbacks(execute=True):
        scanning.sweep(now=timezone.now() + dt.timedelta(hours=1))
    bad = dossier.files.get(original_name="bail-scan.pdf")
    quarantined = Path(settings.MEDIA_ROOT) / bad.file.name
    assert bad.scan_status == ScanStatus.INFECTED and quarantined.exists()
    url = reverse("citizen:replace_file", args=[dossier.reference, "bail"])

    login(client, cast.other_citizen)
    assert client.post(url, {"fichier": upload("x.pdf", pdf_bytes())}).status_code == 404
    login(client, cast.applicant)
    page = client.get(reverse("citizen:dossier", args=[dossier.reference])).content.decode()
    assert f'action="{url}"' in page and "Envoyer un autre fichier" in page
    # Refused content: nothing changes, the reason is said.
    response = client.post(url, {"fichier": upload("bail.pdf", infected_pdf()[:40])}, follow=True)
    assert "n&#x27;est pas un PDF valide" in response.content.decode()
    assert dossier.files.filter(pk=bad.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"fichier": upload("bail-propre.pdf", pdf_bytes("Bail"))})
    assert response.status_code == 302
    new = dossier.files.get(original_name="bail-propre.pdf")
    assert new.scan_status == ScanStatus.CLEAN and not dossier.files.filter(pk=bad.pk).exists()
    assert not quarantined.exists()
    event = Event.objects.get(dossier=dossier, action="replace_blocked_file")
    assert event.details == {"document": "bail", "replaced": ["bail-scan.pdf"], "files": [new.pk]}
    # Nothing left to replace.
    response = client.post(url, {"fichier": upload("encore.pdf", pdf_bytes())}, follow=True)
    assert "Aucun fichier bloqué par l&#x27;antivirus n&#x27;est à remplacer" in response.content.decode()
    login(client, cast.agent)
    assert opened(client, file_url(dossier, new)) == pdf_bytes("Bail")
