"""Files in S3 (moto's server on loopback, a real HTTP endpoint): upload through the form page,
access-checked download streamed or redirected to a presigned URL, the link's expiry, deletion
when a dossier's files are purged, and no object left by a failed upload or a rolled-back
transaction (those last checks run on the local storage too)."""

from __future__ import annotations

import datetime as dt
import socket
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from config.storage import S3_BACKEND, download_mode_from_env, s3_options, storages_from_env
from instruction import actions
from instruction.actions import InvalidInput, TransitionRefused
from instruction.models import DecisionLetter, Dossier, DossierFile, DossierStatus, MessageAttachment
from permissions.access import SYSTEM, NotVisible
from tests.citizen_portal.test_filing_documents import draft
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier, pdf_bytes, pdf_upload, png_upload, valid_form_data

# --- moto's S3 server on loopback: a real HTTP endpoint, nothing patched --------------------------

REGION = "eu-west-3"
ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"  # noqa: S105 - moto accepts any credentials


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_client(s3_endpoint: str) -> Any:
    """A plain boto3 client on the same endpoint: what the tests use to look into the bucket."""
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


@pytest.fixture
def s3_bucket(s3_endpoint: str, s3_client: Any, settings: Any) -> Iterator[str]:
    """An empty bucket of this test's own, as the default storage (streamed downloads)."""
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": S3_BACKEND,
            "OPTIONS": s3_options(
                bucket=bucket,
                endpoint_url=s3_endpoint,
                region=REGION,
                access_key=ACCESS_KEY,
                secret_key=SECRET_KEY,
                presigned_seconds=120,
            ),
        },
    }
    settings.S3_DOWNLOAD = "stream"
    assert type(default_storage._wrapped).__name__ != "FileSystemStorage"  # type: ignore[attr-defined]
    yield bucket


@pytest.fixture
def bucket_keys(s3_client: Any, s3_bucket: str) -> Any:
    """The keys in the test's bucket, now (sorted)."""

    def keys() -> list[str]:
        listed = s3_client.list_objects_v2(Bucket=s3_bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    return keys


@pytest.fixture(params=["local", "s3"])
def stored_keys(request: Any, settings: Any) -> Any:
    """The same checks on both storages: the names stored now, in the bucket or under MEDIA_ROOT."""
    if request.param == "s3":
        return request.getfixturevalue("bucket_keys")
    root = Path(settings.MEDIA_ROOT)

    def keys() -> list[str]:
        return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())

    return keys


class Boom(Exception):
    pass


class BrokenUpload(SimpleUploadedFile):
    """A file that passes the content check, then breaks while being sent to storage (the
    client went away in the middle of the request body)."""

    def __init__(self, name: str) -> None:
        super().__init__(name, pdf_bytes(), content_type="application/pdf")
        self.reads = 0

    def read(self, *args: Any) -> bytes:
        self.reads += 1
        if self.reads > 1:  # the first read is the content check's
            raise OSError("connection reset while reading the upload")
        return super().read(*args)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """A plain HTTP GET, as the browser following the redirect would do it."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback test endpoint
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


# --- Settings ------------------------------------------------------------------------------


S3_VARIABLES = (
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_PRESIGNED_SECONDS",
    "S3_DOWNLOAD",
)


def test_storages_from_env_bucket_set_private_s3_with_presigned_urls(monkeypatch, tmp_path):
    """S3_BUCKET makes the default storage a private bucket: private ACL, v4 signatures, path
    addressing on a custom endpoint, presigned URLs only, valid S3_PRESIGNED_SECONDS."""
    for name, value in {
        "S3_BUCKET": "teleservices",
        "S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud",
        "S3_REGION": "fr-par",
        "S3_ACCESS_KEY_ID": "key",
        "S3_SECRET_ACCESS_KEY": "secret",
        "S3_PRESIGNED_SECONDS": "60",
    }.items():
        monkeypatch.setenv(name, value)
    default = storages_from_env(tmp_path)["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "teleservices" and options["region_name"] == "fr-par"
    assert options["endpoint_url"] == "https://s3.fr-par.scw.cloud"
    assert options["default_acl"] == "private" and options["querystring_auth"] is True
    assert options["custom_domain"] is None
    assert options["signature_version"] == "s3v4" and options["addressing_style"] == "path"
    assert options["querystring_expire"] == 60


def test_storages_from_env_no_bucket_local_files_without_url(monkeypatch, tmp_path):
    """Without S3_BUCKET the files stay local, with no base URL, as before."""
    monkeypatch.delenv("S3_BUCKET", raising=False)
    default = storages_from_env(tmp_path)["default"]
    assert default == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path), "base_url": None},
    }


@pytest.mark.parametrize(
    "env",
    [
        {"S3_BUCKET": "b", "S3_PRESIGNED_SECONDS": "0"},
        {"S3_BUCKET": "b", "S3_PRESIGNED_SECONDS": "86400"},
        {"S3_BUCKET": "b", "S3_ACCESS_KEY_ID": "key"},
        {"S3_DOWNLOAD": "public"},
    ],
)
def test_storage_settings_bad_values_fail_loudly(monkeypatch, tmp_path, env):
    """A presigned link longer than an hour, half a key pair or an unknown mode is refused."""
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured):
        storages_from_env(tmp_path)
        download_mode_from_env()


# --- Upload and download ---------------------------------------------------------------------


def test_upload_applicant_form_page_stores_objects_in_bucket(client, cast, s3_client, s3_bucket, bucket_keys):
    """« Enregistrer » on the form page writes each file to the bucket under a generated key, private."""
    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    login(client, cast.applicant)
    data = valid_form_data(cast.applicant.foyer.members.get())
    response = client.post(
        reverse("citizen:edit", args=[dossier.reference]),
        {**data, "document-rib": [pdf_upload("rib.pdf", text="RIB"), png_upload("verso.png")]},
    )
    assert response.status_code == 302
    stored = list(dossier.files.order_by("pk"))
    assert [f.original_name for f in stored] == ["rib.pdf", "verso.png"]
    assert bucket_keys() == sorted(f.file.name for f in stored)
    assert all(f.file.name.startswith(f"dossiers/{dossier.pk}/") for f in stored)
    body = s3_client.get_object(Bucket=s3_bucket, Key=stored[0].file.name)["Body"].read()
    assert body == pdf_bytes("RIB")
    grants = s3_client.get_object_acl(Bucket=s3_bucket, Key=stored[0].file.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only: private


@pytest.mark.parametrize(
    ("who", "url_name", "status"),
    [
        ("applicant", "citizen:file", 200),
        ("other_citizen", "citizen:file", 404),
        ("agent", "backoffice:file", 200),
        ("other_agent", "backoffice:file", 404),
        ("other_agent", "citizen:file", 404),
    ],
)
def test_download_stream_checks_access_then_streams_from_bucket(client, cast, s3_bucket, who, url_name, status):
    """Streamed downloads: the applicant and the service's agent get the bytes, as an attachment;
    another citizen and an agent of another service get 404."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    stored = dossier.files.order_by("pk").first()
    login(client, getattr(cast, who))
    response = client.get(reverse(url_name, args=[dossier.reference, stored.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == pdf_bytes()
        assert response["Content-Length"] == str(len(pdf_bytes()))
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("who", "url_name", "status"),
    [
        ("applicant", "citizen:file", 302),
        ("other_citizen", "citizen:file", 404),
        ("agent", "backoffice:file", 302),
        ("other_agent", "backoffice:file", 404),
    ],
)
def test_download_redirect_checks_access_before_signing(client, cast, s3_bucket, settings, who, url_name, status):
    """S3_DOWNLOAD=redirect: the access check comes first; outsiders get 404, never a link."""
    settings.S3_DOWNLOAD = "redirect"
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    stored = dossier.files.order_by("pk").first()
    login(client, getattr(cast, who))
    response = client.get(reverse(url_name, args=[dossier.reference, stored.pk]))
    assert response.status_code == status
    if status == 302:
        assert "X-Amz-Signature=" in response["Location"]


def test_download_redirect_presigned_url_serves_file_as_attachment(client, cast, s3_endpoint, s3_bucket, settings):
    """The presigned URL the applicant is sent to answers with the file, its type, a download
    disposition with its name, and no caching."""
    settings.S3_DOWNLOAD = "redirect"
    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    (stored,) = actions.attach_files(
        dossier, {"rib": [pdf_upload("relevé bancaire.pdf", text="RIB")]}, acting_user=cast.applicant
    )
    login(client, cast.applicant)
    response = client.get(reverse("citizen:file", args=[dossier.reference, stored.pk]))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{s3_endpoint}/{s3_bucket}/dossiers/{dossier.pk}/")
    status, headers, body = fetch(location)
    assert status == 200 and body == pdf_bytes("RIB")
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("attachment;")
    assert "filename*=utf-8''relev%C3%A9%20bancaire.pdf" in headers["content-disposition"]
    assert headers["cache-control"] == "private, no-store"
    assert "X-Amz-Credential=" in location and "X-Amz-Algorithm=AWS4-HMAC-SHA256" in location
    # The object is private: the same address without the signed parameters is refused.
    assert fetch(location.split("?", 1)[0])[0] == 403


def test_download_redirect_presigned_url_expires_after_configured_seconds(
    client, cast, s3_bucket, settings, time_machine
):
    """The link is signed for S3_PRESIGNED_SECONDS (120 by default) from the moment of the
    request: signed two minutes and one second ago, it is past its expiry.

    moto 5.2.5's server does not verify presigned query-string signatures or their expiry (it
    answers 200 to an expired or tampered link; it does refuse an unsigned one, tested above), so
    the expiry is checked on the signed parameters that S3 verifies: X-Amz-Date + X-Amz-Expires."""
    settings.S3_DOWNLOAD = "redirect"
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    stored = dossier.files.order_by("pk").first()
    login(client, cast.applicant)
    signed_at = timezone.now() - dt.timedelta(seconds=121)
    time_machine.move_to(signed_at, tick=False)
    location = client.get(reverse("citizen:file", args=[dossier.reference, stored.pk]))["Location"]
    time_machine.move_to(signed_at + dt.timedelta(seconds=121), tick=False)
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["120"]
    date = dt.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert date == signed_at.replace(microsecond=0)
    expires = date + dt.timedelta(seconds=int(query["X-Amz-Expires"][0]))
    assert expires < timezone.now() <= expires + dt.timedelta(seconds=2)


def test_preview_agent_streamed_from_site_even_in_redirect_mode(client, cast, s3_bucket, settings):
    """« Aperçu » stays a same-origin, sandboxed response: never a redirect to the bucket."""
    settings.S3_DOWNLOAD = "redirect"
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    stored = dossier.files.order_by("pk").first()
    login(client, cast.agent)
    response = client.get(reverse("backoffice:preview", args=[dossier.reference, stored.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Security-Policy"].startswith("sandbox;")


def test_message_attachment_other_agent_404_service_agent_redirected(client, cast, s3_bucket, settings):
    """A message attachment in the bucket: the service's agent gets a link, another service 404."""
    settings.S3_DOWNLOAD = "redirect"
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    message = actions.send_message(dossier, acting_user=cast.applicant, body="Voici", files=[pdf_upload()])
    attachment = message.attachments.get()
    url = reverse("backoffice:attachment", args=[dossier.reference, attachment.pk])
    login(client, cast.other_agent)
    assert client.get(url).status_code == 404
    login(client, cast.agent)
    assert client.get(url).status_code == 302


def test_download_object_missing_from_bucket_404(client, cast, s3_client, s3_bucket):
    """A row whose object is gone answers 404, not a server error."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    stored = dossier.files.order_by("pk").first()
    s3_client.delete_object(Bucket=s3_bucket, Key=stored.file.name)
    login(client, cast.applicant)
    assert client.get(reverse("citizen:file", args=[dossier.reference, stored.pk])).status_code == 404


# --- Deletion ----------------------------------------------------------------------------------


def decided_with_files(cast, deliver_outbox, settings) -> Dossier:
    """An accepted dossier with its documents, a message attachment and its rendered letter."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.send_message(dossier, acting_user=cast.applicant, body="Voici le bail", files=[pdf_upload()])
    actions.take(dossier, acting_user=cast.agent)
    actions.decide(dossier, acting_user=cast.agent, outcome=DossierStatus.ACCEPTED, amount="250", motivation="")
    deliver_outbox()  # the worker renders and stores the decision letter
    return dossier


def test_letter_download_redirect_applicant_other_citizen_404(client, cast, s3_bucket, deliver_outbox, settings):
    """The decision letter rendered by the worker lands in the bucket; its download checks access
    first, then redirects the applicant to a signed link named after the dossier."""
    dossier = decided_with_files(cast, deliver_outbox, settings)
    letter = DecisionLetter.objects.get(dossier=dossier)
    settings.S3_DOWNLOAD = "redirect"
    url = reverse("citizen:letter", args=[dossier.reference, letter.pk])
    login(client, cast.other_citizen)
    assert client.get(url).status_code == 404
    login(client, cast.applicant)
    location = client.get(url)["Location"]
    status, headers, body = fetch(location)
    assert status == 200 and body.startswith(b"%PDF")
    assert f"lettre-de-decision-{dossier.reference}.pdf" in headers["content-disposition"]


def test_purge_files_system_deletes_every_object_once_committed(
    client, cast, stored_keys, deliver_outbox, settings, django_capture_on_commit_callbacks
):
    """The purge of a decided dossier deletes its documents, attachments and letter from the
    bucket when it commits; the dossier and its audit trail stay, and the downloads answer 404."""
    dossier = decided_with_files(cast, deliver_outbox, settings)
    files = dossier.files.count()
    letter = DecisionLetter.objects.get(dossier=dossier)
    assert len(stored_keys()) == files + 2 and letter.file.name in stored_keys()
    with django_capture_on_commit_callbacks(execute=True):
        purged = actions.purge_files(dossier, acting_user=SYSTEM)
    assert purged == files + 2
    assert stored_keys() == []
    assert not DossierFile.objects.exists() and not MessageAttachment.objects.exists()
    letter.refresh_from_db()
    assert not letter.file
    event = dossier.events.get(action="purge_files")
    assert event.details == {"documents": files, "attachments": 1, "letters": 1}
    assert event.actor is None
    login(client, cast.applicant)
    assert client.get(reverse("citizen:letter", args=[dossier.reference, letter.pk])).status_code == 404


def test_purge_files_rolled_back_keeps_objects(cast, stored_keys):
    """A purge rolled back (here by an enclosing transaction) keeps the files and their rows."""
    dossier = draft(cast)
    actions.attach_files(dossier, {"rib": [pdf_upload()]}, acting_user=cast.applicant)
    with pytest.raises(Boom), transaction.atomic():
        actions.purge_files(dossier, acting_user=SYSTEM)
        raise Boom
    assert len(stored_keys()) == 1 and DossierFile.objects.count() == 1


@pytest.mark.parametrize(("who", "refusal"), [("applicant", PermissionDenied), ("other_citizen", NotVisible)])
def test_purge_files_person_refused_objects_kept(cast, s3_bucket, bucket_keys, who, refusal):
    """Only the scheduled jobs purge: a person is refused (404 for an outsider), nothing deleted."""
    dossier = draft(cast)
    actions.attach_files(dossier, {"rib": [pdf_upload()]}, acting_user=cast.applicant)
    with pytest.raises(refusal):
        actions.purge_files(dossier, acting_user=getattr(cast, who))
    assert len(bucket_keys()) == 1


def test_purge_files_dossier_in_instruction_refused(cast, s3_bucket, bucket_keys):
    """A dossier still being instructed keeps its files."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    keys = bucket_keys()
    with pytest.raises(TransitionRefused):
        actions.purge_files(dossier, acting_user=SYSTEM)
    assert bucket_keys() == keys and keys


# --- No orphans ----------------------------------------------------------------------------------


def test_upload_refused_file_leaves_no_object(cast, s3_bucket, bucket_keys):
    """One file refused on its content refuses the request before anything is written."""
    dossier = draft(cast)
    bad = SimpleUploadedFile("faux.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(InvalidInput):
        actions.attach_files(dossier, {"rib": [pdf_upload(), bad]}, acting_user=cast.applicant)
    assert bucket_keys() == []


def test_upload_failing_midway_leaves_no_object(cast, stored_keys):
    """The second file breaks while being sent, after the first one was written: the action's
    transaction rolls back and the first object is deleted with it."""
    dossier = draft(cast)
    with pytest.raises(OSError, match="connection reset"):
        actions.attach_files(dossier, {"rib": [pdf_upload(), BrokenUpload("verso.pdf")]}, acting_user=cast.applicant)
    assert stored_keys() == []
    assert not DossierFile.objects.exists()


def test_upload_savepoint_rolled_back_after_action_returned_leaves_no_object(cast, stored_keys):
    """attach_files returned, its objects are in the bucket; the enclosing block is then rolled
    back (a savepoint here): the objects go with the rows."""
    dossier = draft(cast)
    with pytest.raises(Boom), transaction.atomic():
        actions.attach_files(dossier, {"rib": [pdf_upload(), png_upload()]}, acting_user=cast.applicant)
        assert len(stored_keys()) == 2
        raise Boom
    assert stored_keys() == []


def test_message_rolled_back_after_action_returned_leaves_no_object(cast, stored_keys):
    """The same for a message attachment."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    before = stored_keys()
    with pytest.raises(Boom), transaction.atomic():
        actions.send_message(dossier, acting_user=cast.applicant, body="Voici", files=[pdf_upload()])
        assert len(stored_keys()) == len(before) + 1
        raise Boom
    assert stored_keys() == before


@pytest.mark.django_db(transaction=True)
def test_upload_outer_transaction_rolled_back_leaves_no_object_committed_one_kept(cast, stored_keys):
    """Without the test's own transaction: an outermost transaction rolled back after the action
    returned leaves no object; the same action committed keeps its objects."""
    dossier = draft(cast)
    with pytest.raises(Boom), transaction.atomic():
        actions.attach_files(dossier, {"rib": [pdf_upload()]}, acting_user=cast.applicant)
        assert len(stored_keys()) == 1
        raise Boom
    assert stored_keys() == []
    (kept,) = actions.attach_files(dossier, {"bail": [pdf_upload()]}, acting_user=cast.applicant)
    assert stored_keys() == [kept.file.name]


def test_infected_upload_quarantined_in_bucket_never_signed(
    client, cast, s3_client, s3_bucket, bucket_keys, settings, clamd, django_capture_on_commit_callbacks
):
    """With S3 the quarantine is another prefix of the same bucket: the object is copied under
    quarantine/, the original deleted, and even in redirect mode no presigned URL is made for it."""
    from config.celery import app
    from tests.clamd_server import EICAR

    settings.S3_DOWNLOAD = "redirect"
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    clean_keys = bucket_keys()
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.send_message(
                dossier,
                acting_user=cast.applicant,
                body="Le relevé",
                files=[SimpleUploadedFile("releve.pdf", pdf_bytes() + b"\n%" + EICAR, content_type="application/pdf")],
            )
    finally:
        app.conf.task_always_eager = eager
    bad = MessageAttachment.objects.get()
    assert bad.scan_status == "infected"
    assert bucket_keys() == sorted([*clean_keys, bad.file.name])
    assert bad.file.name == f"quarantine/messages/{dossier.pk}/" + bad.file.name.rsplit("/", 1)[1]
    login(client, cast.agent)
    response = client.get(reverse("backoffice:attachment", args=[dossier.reference, bad.pk]))
    assert response.status_code == 409 and "Location" not in response
