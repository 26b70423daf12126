"""The inline preview of supporting documents on the review screen (backoffice:preview): the
stored type, inline, never sniffed, no script, framed by this site only, not cached; agents of
the service only."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from instruction import actions
from instruction.models import DossierFile
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier, pdf_bytes, png_bytes, png_upload


def preview_url(dossier, stored) -> str:
    return reverse("backoffice:preview", args=[dossier.reference, stored.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def dossier(cast):
    return filed_dossier(cast.teleservice, cast.applicant)


def test_preview_agent_pdf_is_inline_with_protective_headers(client, cast, dossier):
    """A PDF is served inline with its stored type, nosniff, a sandboxing CSP, SAMEORIGIN framing, no cache."""
    rib = dossier.files.get(document="rib")
    login(client, cast.agent)
    response = client.get(preview_url(dossier, rib))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="rib.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Cache-Control"] == "private, no-store"
    # Sandboxed (an opaque origin), no script or connection (default-src 'none'), framed by this site only.
    assert response["Content-Security-Policy"] == (
        "sandbox; default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"
    )
    assert body(response) == pdf_bytes()


def test_preview_agent_image_is_sandboxed(client, cast, dossier):
    """An image is served inline in a sandboxed document (an opaque origin)."""
    actions.take(dossier, acting_user=cast.agent)
    actions.request_complement(dossier, acting_user=cast.agent, message="Le RIB en image.")
    actions.attach_files(dossier, {"rib": [png_upload("rib.png")]}, acting_user=cast.applicant)
    image = dossier.files.get(original_name="rib.png")
    login(client, cast.agent)
    response = client.get(preview_url(dossier, image))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="rib.png"'
    assert response["Content-Security-Policy"].startswith("sandbox; default-src 'none'; img-src 'self'")
    assert response["X-Frame-Options"] == "SAMEORIGIN" and response["X-Content-Type-Options"] == "nosniff"
    # What was stored (the image re-encoded without its metadata), with the same pixels.
    served = body(response)
    with image.file.open("rb") as stored:
        assert served == stored.read()
    assert Image.open(io.BytesIO(served)).tobytes() == Image.open(io.BytesIO(png_bytes())).tobytes()


def test_preview_site_pages_stay_unframable(client, cast, dossier):
    """Only the preview may be framed (by this site): the review screen itself stays DENY."""
    login(client, cast.agent)
    assert client.get(reverse("backoffice:review", args=[dossier.reference]))["X-Frame-Options"] == "DENY"
    download = client.get(reverse("backoffice:file", args=[dossier.reference, dossier.files.first().pk]))
    assert download["X-Frame-Options"] == "DENY" and download["Content-Disposition"].startswith("attachment")
    body(download)


@pytest.mark.parametrize(
    ("who", "status"),
    [("applicant", 404), ("other_citizen", 404), ("agent", 200), ("other_agent", 404), ("supervisor", 200)],
)
def test_preview_cast(client, cast, dossier, who, status):
    """Agents of the dossier's service only; everyone else gets a 404, the applicant included."""
    login(client, getattr(cast, who))
    response = client.get(preview_url(dossier, dossier.files.first()))
    assert response.status_code == status
    if status == 200:
        body(response)


def test_preview_anonymous_goes_to_login(client, cast, dossier):
    """Behind the login, like every back-office page."""
    response = client.get(preview_url(dossier, dossier.files.first()))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_preview_agent_file_of_another_dossier_or_unknown_is_404(client, cast, dossier):
    """A file is only previewed under its own dossier's reference; unknown ids are 404."""
    other = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.agent)
    assert client.get(preview_url(dossier, other.files.first())).status_code == 404
    missing = reverse("backoffice:preview", args=[dossier.reference, 999999])
    assert client.get(missing).status_code == 404
    assert client.post(preview_url(dossier, dossier.files.first())).status_code == 405


def test_preview_agent_unexpected_type_is_never_served_inline(client, cast, dossier):
    """Whatever a row says, only PDF, JPEG and PNG are previewed: anything else is a 404 (download only)."""
    stored = dossier.files.first()
    DossierFile.objects.filter(pk=stored.pk).update(content_type="text/html")
    login(client, cast.agent)
    assert client.get(preview_url(dossier, stored)).status_code == 404


def test_preview_agent_missing_stored_file_is_404(client, cast, dossier):
    """A row whose bytes are gone answers 404, not 500."""
    stored = dossier.files.first()
    stored.file.storage.delete(stored.file.name)
    login(client, cast.agent)
    assert client.get(preview_url(dossier, stored)).status_code == 404
