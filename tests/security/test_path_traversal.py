"""Path traversal: a file sent under a hostile name is stored under a generated key inside the
private storage, with a display name cut down to a plain file name; download addresses tampered
with "../" or its encodings answer 404, never another file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from instruction.models import DossierFile
from tests.factories import filed_dossier, pdf_bytes

HOSTILE_NAMES = [
    "../../etc/passwd.pdf",
    "..\\..\\windows\\win.ini.pdf",
    "/etc/shadow.pdf",
    "C:\\Users\\Public\\rib.pdf",
    "....//....//rib.pdf",
    "%2e%2e%2f%2e%2e%2frib.pdf",
    "rib\x00.pdf",
    "rib\r\nContent-Type: text/html.pdf",
    "<script>alert(1)</script>.pdf",
    "x" * 400 + ".pdf",
    ".htaccess",
]


@pytest.fixture
def draft(cast, client):
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    client.force_login(cast.applicant)
    return dossier


def files_outside_media(root: Path) -> set[str]:
    """Every file under the test's own directory, outside MEDIA_ROOT (where a traversal would land)."""
    media = Path(settings.MEDIA_ROOT)
    return {str(path) for path in root.rglob("*") if path.is_file() and media not in path.parents}


def upload(client, dossier, name: str):
    data = {**dossier.data, "document-rib": SimpleUploadedFile(name, pdf_bytes(), "application/pdf")}
    return client.post(reverse("citizen:edit", args=[dossier.reference]), data)


def test_path_traversal_upload_names_stored_under_generated_keys(client, draft, tmp_path, settings):
    """Each hostile name: accepted as the PDF it is, stored as dossiers/<id>/<32 hex>, nothing
    written outside the storage, a display name without path, control characters or markup."""
    settings.UPLOAD_MAX_FILES_PER_DOCUMENT = len(HOSTILE_NAMES) + 1
    outside = files_outside_media(tmp_path)
    for name in HOSTILE_NAMES:
        known = set(DossierFile.objects.filter(dossier=draft).values_list("pk", flat=True))
        response = upload(client, draft, name)
        assert response.status_code == 302, (name, response.content[:300])
        (stored,) = DossierFile.objects.filter(dossier=draft).exclude(pk__in=known)
        key = stored.file.name
        assert key.startswith(f"dossiers/{draft.pk}/") and len(key.rsplit("/", 1)[1]) == 32, key
        assert Path(stored.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
        shown = stored.original_name
        assert "/" not in shown and "\\" not in shown and ".." not in shown.strip(".") or shown == "fichier", shown
        assert not any(ord(ch) < 32 for ch in shown) and len(shown) <= 200, shown
        page = client.get(reverse("citizen:edit", args=[draft.reference])).content.decode()
        assert "<script>alert(1)</script>" not in page
    assert files_outside_media(tmp_path) == outside


def test_path_traversal_upload_name_with_rtl_override_is_neutralised(client, draft):
    """« facture‮fdp.exe » would show as « factureexe.pdf »: bidi controls never reach the display
    name (Django's multipart parser drops every non-printable character of a file name)."""
    response = upload(client, draft, "facture\u202efdp.exe")
    assert response.status_code == 302
    stored = DossierFile.objects.filter(dossier=draft).latest("pk")
    assert not any(ch in stored.original_name for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def raw_multipart(fields: dict[str, str], filename: bytes) -> tuple[bytes, str]:
    """A multipart body whose file part carries ``filename`` byte for byte (the test client's
    encoder refuses names such as ".." that a hostile client sends all the same)."""
    boundary = "frontiere-de-test"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="document-rib"; filename="'.encode()
        + filename
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + pdf_bytes()
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("filename", [b"..", b"../", b"..\\", b"/", b".", b"", b"\x00", b"%00../x"])
def test_path_traversal_raw_file_names_never_escape(client, draft, tmp_path, filename):
    """Names a browser never sends: the part is dropped or stored under a generated key; the form's
    fields are saved all the same, nothing lands outside the storage, never a 500."""
    outside = files_outside_media(tmp_path)
    fields = {key: str(value) for key, value in draft.data.items() if isinstance(value, str | int)}
    body, content_type = raw_multipart(fields, filename)
    response = client.generic("POST", reverse("citizen:edit", args=[draft.reference]), body, content_type)
    assert response.status_code in (302, 400), response.status_code
    for stored in DossierFile.objects.filter(dossier=draft):
        assert stored.file.name.startswith(f"dossiers/{draft.pk}/")
        assert "/" not in stored.original_name and stored.original_name not in ("", ".", "..")
    assert files_outside_media(tmp_path) == outside


TAMPERED = [
    "../",
    "..%2F",
    "%2e%2e/",
    "%2e%2e%2f",
    "..%5c",
    "%252e%252e%252f",
    "....//",
    "%c0%ae%c0%ae/",
]


def test_path_traversal_download_urls_tampered_get_404(client, cast):
    """The download addresses of the applicant and the agent, with "../" (and its encodings) put in
    place of the file's id or around it: 404, never a file."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    file = DossierFile.objects.filter(dossier=dossier).first()
    client.force_login(cast.applicant)
    served = client.get(reverse("citizen:file", args=[dossier.reference, file.pk]))
    with file.file.open("rb") as stored:
        assert served.status_code == 200 and b"".join(served.streaming_content) == stored.read()
    base = {
        "applicant": f"/demandes/{dossier.reference}/pieces/",
        "agent": f"/instruction/dossiers/{dossier.reference}/pieces/",
    }
    for who, prefix in base.items():
        client.force_login(getattr(cast, who))
        for bad in TAMPERED:
            for path in (
                f"{prefix}{bad}{file.pk}/",
                f"{prefix}{file.pk}/{bad}",
                f"{prefix}{bad}{bad}etc/passwd",
                f"{prefix}{file.pk}/{bad}{bad}{bad}settings.py",
                prefix.replace(dossier.reference, f"{bad}{dossier.reference}") + f"{file.pk}/",
            ):
                response = client.get(path)
                assert response.status_code == 404, (who, path, response.status_code)
