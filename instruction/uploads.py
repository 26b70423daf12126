"""Validation of uploaded files: type checked on the content, size limits, safe names, PDFs
without active content (instruction/pdf_check.py), images re-encoded without their metadata
(instruction/images.py).

Used by every upload (supporting documents, message attachments) before anything is stored;
what is stored is ``CheckedUpload.file``, the re-encoded image for an image."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from instruction.images import FORMATS as IMAGE_FORMATS
from instruction.images import sanitized_image
from instruction.pdf_check import check_pdf

# What an applicant may send by default: PDF and the usual photo formats of a scan.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}


@dataclass(frozen=True)
class CheckedUpload:
    file: File[bytes]
    content_type: str
    safe_name: str
    size: int


def safe_name(name: str) -> str:
    """A display name without path, control characters or odd punctuation (kept for people,
    never used as a storage key)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "", base)
    # Format characters (bidi overrides such as U+202E, zero-width joiners) can disguise
    # « facture\u202efdp.exe » as « facture.exe.pdf »: dropped.
    base = "".join(ch for ch in base if unicodedata.category(ch) != "Cf").strip(" .")
    return base[:200] or "fichier"


def allowed_types(types: tuple[str, ...] = ()) -> dict[str, str]:
    """The default types, narrowed to ``types`` when given (a document may only narrow them)."""
    if not types:
        return dict(ALLOWED_TYPES)
    unknown = set(types) - set(ALLOWED_TYPES)
    if unknown:
        raise ValueError(f"Unknown upload types {sorted(unknown)}: only {sorted(ALLOWED_TYPES)}")
    return {mime: label for mime, label in ALLOWED_TYPES.items() if mime in types}


def check_upload(upload: UploadedFile, allowed: dict[str, str] | None = None) -> CheckedUpload:
    """Refuse, with a French message, a file that is too big, whose content is not an allowed
    type, a PDF with active content or an unreadable one, an image too large to decode."""
    allowed = allowed or ALLOWED_TYPES
    name = safe_name(upload.name or "")
    limit = settings.UPLOAD_MAX_FILE_MB * 1024 * 1024
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("Le fichier « %(name)s » est vide.") % {"name": name})
    if size > limit:
        raise ValidationError(
            _("Le fichier « %(name)s » dépasse la taille maximale de %(max)s Mo.")
            % {"name": name, "max": settings.UPLOAD_MAX_FILE_MB}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in allowed:
        raise ValidationError(
            _("Le fichier « %(name)s » n'est pas accepté : formats acceptés %(formats)s.")
            % {"name": name, "formats": ", ".join(allowed.values())}
        )
    if kind.mime == "application/pdf":
        check_pdf(upload, name)
    elif kind.mime in IMAGE_FORMATS:
        pixels = sanitized_image(upload, kind.mime, name)
        clean = ContentFile(pixels, name=name)
        return CheckedUpload(file=clean, content_type=kind.mime, safe_name=name, size=len(pixels))
    return CheckedUpload(file=upload, content_type=kind.mime, safe_name=name, size=size)
