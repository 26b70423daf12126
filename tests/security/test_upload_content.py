"""What an upload must be before anything is stored: PDFs without active content (found by
parsing, also inside compressed object streams), readable; images re-encoded without their
metadata, orientation applied, decompression bombs refused; a document's own narrower types.
A refusal leaves nothing in the database nor in the storage."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.urls import reverse
from PIL import Image

from instruction import actions
from instruction.models import DossierFile, Message, MessageAttachment
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier, pdf_bytes, pdf_upload, valid_form_data
from tests.security.uploads_helpers import (
    jpeg_with_gps,
    pdf_with,
    png_bomb,
    png_with_text,
    stored_files,
    upload,
)


def draft(cast):
    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    actions.save_draft(dossier, valid_form_data(cast.applicant.foyer.members.get()), acting_user=cast.applicant)
    return dossier


def refused(cast, dossier, code, file) -> list[str]:
    with pytest.raises(actions.InvalidInput) as error:
        actions.attach_files(dossier, {code: [file]}, acting_user=cast.applicant)
    return error.value.errors[f"document-{code}"]


ACTIVE = [
    ({"open_action_js": True}, "du code JavaScript"),
    ({"names_js": True}, "du code JavaScript"),
    ({"page_aa_launch": True}, "une commande qui lance un programme (/Launch)"),
    ({"embedded_file": True}, "un fichier incorporé"),
    ({"xfa": True}, "un formulaire dynamique XFA"),
]


@pytest.mark.parametrize("object_streams", [False, True], ids=["plain", "object-stream"])
@pytest.mark.parametrize(("what", "reason"), ACTIVE, ids=[r[1][:20] for r in ACTIVE])
def test_upload_pdf_with_active_content_refused_saying_why(cast, settings, what, reason, object_streams):
    """JavaScript (/OpenAction, /Names), /Launch in a page's /AA, an embedded file, XFA: refused
    with the reason in French, even hidden in a compressed object stream; nothing stored."""
    content = pdf_with(object_streams=object_streams, **what)
    if object_streams:
        # The proof that a byte search would miss it: the names only exist once decompressed.
        assert b"/JavaScript" not in content and b"/Launch" not in content and b"/XFA" not in content
    dossier = draft(cast)
    messages = refused(cast, dossier, "rib", upload("releve.pdf", content))
    assert len(messages) == 1 and reason in messages[0] and "« releve.pdf » est refusé" in messages[0]
    assert not DossierFile.objects.exists() and stored_files(settings.MEDIA_ROOT) == []


def test_upload_pdf_plain_accepted_as_sent(cast, settings):
    """A PDF without active content is stored byte for byte."""
    dossier = draft(cast)
    content = pdf_bytes("Avis 2025")
    actions.attach_files(dossier, {"rib": [upload("rib.pdf", content)]}, acting_user=cast.applicant)
    with dossier.files.get().file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n" + b"\x00garbage" * 50,
        pdf_bytes()[: len(pdf_bytes()) // 3],  # cut short: no cross-reference table, no trailer
    ],
    ids=["garbage", "truncated"],
)
def test_upload_pdf_malformed_refused_not_500(cast, settings, content):
    """A file that starts like a PDF but cannot be parsed is refused with a French message."""
    dossier = draft(cast)
    messages = refused(cast, dossier, "rib", upload("abime.pdf", content))
    assert any("n'est pas un PDF valide" in m for m in messages) or any("illisible" in m for m in messages)
    assert stored_files(settings.MEDIA_ROOT) == []


def test_upload_pdf_encrypted_refused(cast):
    pdf = pikepdf.open(io.BytesIO(pdf_bytes()))
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="secret"))
    messages = refused(cast, draft(cast), "rib", upload("protege.pdf", out.getvalue()))
    assert "protégé par un mot de passe" in messages[0]


def test_upload_jpeg_metadata_stripped_and_orientation_applied(cast):
    """EXIF (with the GPS position and the camera), XMP are gone from the stored file; the
    rotation the EXIF asked for is applied to the pixels."""
    original = jpeg_with_gps(size=(40, 20), orientation=6)
    assert b"Camille" in original and Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    dossier = draft(cast)
    actions.attach_files(dossier, {"rib": [upload("photo.jpg", original, "image/jpeg")]}, acting_user=cast.applicant)
    stored = dossier.files.get()
    with stored.file.open("rb") as handle:
        kept = handle.read()
    image = Image.open(io.BytesIO(kept))
    assert image.format == "JPEG" and stored.content_type == "image/jpeg" and stored.size == len(kept)
    assert not image.getexif() and "exif" not in image.info and "xmp" not in image.info
    assert b"Camille" not in kept and b"Exif" not in kept and b"xmpmeta" not in kept
    # Orientation 6 (rotate 90° clockwise to show): 40 × 20 stored as 20 × 40, blue half on top.
    assert image.size == (20, 40)
    top, bottom = image.getpixel((10, 5)), image.getpixel((10, 35))
    assert top[2] > 150 > top[0] and bottom[0] > 150 > bottom[2]


def test_upload_png_text_chunks_stripped(cast):
    original = png_with_text()
    assert b"Camille Martin" in original
    dossier = draft(cast)
    actions.attach_files(dossier, {"rib": [upload("scan.png", original, "image/png")]}, acting_user=cast.applicant)
    with dossier.files.get().file.open("rb") as handle:
        kept = handle.read()
    assert b"Camille" not in kept and b"Vesoul" not in kept and b"tEXt" not in kept and b"iTXt" not in kept
    image = Image.open(io.BytesIO(kept))
    assert image.getpixel((3, 3)) == (0, 128, 0) and not image.text


def test_upload_image_bomb_refused_with_french_message(client, cast, settings):
    """A PNG declaring 100,000 × 100,000 pixels: a 400 page saying why, never a 500, nothing kept."""
    dossier = draft(cast)
    login(client, cast.applicant)
    response = client.post(
        reverse("citizen:edit", args=[dossier.reference]),
        {**{"document-rib": upload("enorme.png", png_bomb(), "image/png")}, **_form_post(dossier)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "ses dimensions sont trop grandes (50 millions de pixels au plus)" in page
    assert not DossierFile.objects.exists() and stored_files(settings.MEDIA_ROOT) == []


def test_upload_image_unreadable_refused(cast):
    broken = png_with_text()[:60]
    messages = refused(cast, draft(cast), "rib", upload("coupe.png", broken, "image/png"))
    assert "ne peut pas être lue" in messages[0]


def test_upload_document_narrowed_to_pdf_refuses_image(cast, settings):
    """« Dernier avis d'imposition » takes PDF only: a JPEG is refused, naming the one format;
    the form page offers only PDF in its file picker."""
    dossier = draft(cast)
    image = upload("avis.jpg", jpeg_with_gps(), "image/jpeg")
    messages = refused(cast, dossier, "avis_imposition", image)
    assert messages == ["Le fichier « avis.jpg » n'est pas accepté : formats acceptés PDF."]
    actions.attach_files(dossier, {"avis_imposition": [pdf_upload("avis.pdf")]}, acting_user=cast.applicant)
    assert dossier.files.get().document == "avis_imposition"


def test_form_page_narrowed_document_offers_only_pdf(client, cast):
    dossier = draft(cast)
    login(client, cast.applicant)
    page = client.get(reverse("citizen:edit", args=[dossier.reference])).content.decode()
    assert 'id="document-avis_imposition-file" multiple accept="application/pdf,.pdf"' in page
    assert "Pour cette pièce : PDF uniquement." in page
    assert 'id="document-rib-file" multiple accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"' in page


def test_message_attachment_pdf_with_javascript_refused_nothing_stored(cast, settings):
    """Message attachments go through the same checks: the message is refused whole."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    before = stored_files(settings.MEDIA_ROOT)
    with pytest.raises(actions.InvalidInput) as error:
        actions.send_message(
            dossier,
            acting_user=cast.applicant,
            body="Voici la pièce",
            files=[upload("piece.pdf", pdf_with(open_action_js=True, object_streams=True))],
        )
    assert "du code JavaScript" in error.value.errors["files"][0]
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == before


def _form_post(dossier) -> dict[str, str]:
    """The draft's saved data as the form page posts it back (the refusal keeps what was typed)."""
    return {key: value for key, value in dossier.data.items() if isinstance(value, str)}


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("facture\u202efdp.exe", "facturefdp.exe"),  # right-to-left override
        ("avis\u200bd'impot.pdf", "avisd'impot.pdf"),  # zero-width space
        ("\u2066../../etc/passwd.pdf\u2069", "passwd.pdf"),  # isolates around a path
    ],
)
def test_safe_name_drops_format_characters(given: str, shown: str) -> None:
    from instruction.uploads import safe_name

    assert safe_name(given) == shown
