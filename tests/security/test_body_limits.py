"""Oversized bodies: refused from their announced length before they are read (413, a French page,
or a problem+json for the API), and forms with too many fields or files refused with a French page
(400), never a 500; in every case nothing is written."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from instruction.models import DossierFile
from permissions.models import User
from tests.api.helpers import token_for
from tests.factories import filed_dossier, pdf_bytes
from tests.pages import text_of
from tests.security.snapshot import assert_unchanged

MB = 1024 * 1024


class CountingStream(io.RawIOBase):
    """A request body that records how much of it was read (it would be gigabytes long)."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = b"x" * (64 * 1024 if size is None or size < 0 else min(size, 64 * 1024))
        self.read_bytes += len(chunk)
        return chunk

    def readable(self) -> bool:
        return True


@pytest.fixture
def draft(cast, client):
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    client.force_login(cast.applicant)
    return dossier


def test_body_limit_multipart_over_limit_refused_before_reading(client, draft, snapshot):
    """A form announcing 5 GB: 413 with the French page, and not one byte of the body read."""
    stream = CountingStream()
    before = snapshot()
    response = client.generic(
        "POST",
        reverse("citizen:edit", args=[draft.reference]),
        CONTENT_TYPE="multipart/form-data; boundary=frontiere",
        CONTENT_LENGTH=str(5 * 1024 * MB),
        **{"wsgi.input": stream},
    )
    assert response.status_code == 413
    page = text_of(response)
    assert "Envoi trop volumineux" in page and f"{settings.REQUEST_MAX_BODY_MB} Mo en tout" in page
    assert stream.read_bytes == 0
    assert_unchanged(before)


def test_body_limit_real_upload_over_limit_refused_and_under_limit_kept(client, draft, settings, snapshot):
    """With a 2 MB limit, a real 3 MB form is refused and nothing is stored; the same form with a
    small file goes through (the limit is the one refusing)."""
    settings.REQUEST_MAX_BODY_MB = 2
    url = reverse("citizen:edit", args=[draft.reference])
    data = {**draft.data, "housing_commune": "Gray"}
    big = pdf_bytes() + b"%" + b"0" * (3 * MB)
    before = snapshot()
    response = client.post(url, {**data, "document-rib": SimpleUploadedFile("bail.pdf", big, "application/pdf")})
    assert response.status_code == 413
    assert_unchanged(before)
    files = DossierFile.objects.filter(dossier=draft).count()
    small = SimpleUploadedFile("bail.pdf", pdf_bytes(), "application/pdf")
    response = client.post(url, {**data, "document-rib": small})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.data["housing_commune"] == "Gray"
    assert DossierFile.objects.filter(dossier=draft).count() >= files


def test_body_limit_urlencoded_body_over_memory_limit_refused(client, cast, snapshot):
    """A form without files is held to DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): 3 MB of text → 413."""
    before = snapshot()
    response = client.post(
        reverse("signup"),
        "first_name=" + "a" * (3 * MB),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "Envoi trop volumineux" in text_of(response)
    assert_unchanged(before)


def test_body_limit_too_many_fields_refused_in_french(client, cast, snapshot):
    """1,001 fields (DATA_UPLOAD_MAX_NUMBER_FIELDS is 1,000): 400 with the French reason, no account."""
    data = {f"champ{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    data.update(email="nombreux@exemple.test", password1="Un-mot-de-passe-long-2026")
    before = snapshot()
    response = client.post(reverse("signup"), data)
    assert response.status_code == 400
    assert "contient trop de champs (plus de 1000)" in text_of(response)
    assert not User.objects.filter(email="nombreux@exemple.test").exists()
    assert_unchanged(before)


def test_body_limit_too_many_files_refused_in_french(client, draft, snapshot):
    """101 files in one form (DATA_UPLOAD_MAX_NUMBER_FILES is 100): 400 in French, no file stored."""
    files = [SimpleUploadedFile(f"p{i}.pdf", pdf_bytes(), "application/pdf") for i in range(101)]
    before = snapshot()
    response = client.post(reverse("citizen:edit", args=[draft.reference]), {**draft.data, "document-rib": files})
    assert response.status_code == 400
    assert "contient trop de fichiers (plus de 100)" in text_of(response)
    assert_unchanged(before)


def test_body_limit_api_huge_json_refused_unread(cast, snapshot):
    """The API: a JSON body announcing 100 MB → 413 problem+json, unread; a real 3 MB body too."""
    headers = {"Authorization": f"Bearer {token_for(cast.agent, 'read', 'instruct')}"}
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    url = f"/api/v1/dossiers/{dossier.reference}/decide/"
    client = Client()
    stream = CountingStream()
    before = snapshot()
    response = client.generic(
        "POST",
        url,
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(100 * MB),
        headers=headers,
        **{"wsgi.input": stream},
    )
    assert response.status_code == 413 and stream.read_bytes == 0
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Requête trop volumineuse"
    body = json.dumps({"decision": "accepted", "motivation": "a" * (3 * MB)})
    response = client.post(url, body, content_type="application/json", headers=headers)
    assert response.status_code == 413
    assert_unchanged(before)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'--autre\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--autre--\r\n', "multipart/form-data"),
        (b'--a\r\nContent-Disposition: form-data; name="x"\r\n\r\ny', "multipart/form-data; boundary=\x7f\x7f"),
        (b"\xff\xfe\x00garbage", "multipart/form-data; boundary=a"),
        (b"%FF%FE=%00&&&==", "application/x-www-form-urlencoded; charset=ebcdic"),
    ],
)
def test_body_limit_malformed_form_body_refused_in_french(client, draft, snapshot, body, content_type):
    """A multipart body without or with a broken boundary, garbage, an unknown charset: a French
    400 page (or the form again, with what could be read), never a 500, nothing written."""
    before = snapshot()
    response = client.generic("POST", reverse("citizen:foyer_edit"), body, content_type)
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert "Requête incorrecte" in text_of(response)
    assert_unchanged(before)


def test_body_limit_refused_without_a_query(client, db, django_assert_num_queries):
    """Refused from the headers alone: an anonymous 5 GB sign-up costs no database query and no read."""
    stream = CountingStream()
    with django_assert_num_queries(0):
        response = client.generic(
            "POST",
            reverse("signup"),
            CONTENT_TYPE="multipart/form-data; boundary=frontiere",
            CONTENT_LENGTH=str(5 * 1024 * MB),
            **{"wsgi.input": stream},
        )
    assert response.status_code == 413 and stream.read_bytes == 0
