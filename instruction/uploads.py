"""Validation of uploaded files: type checked on the content, size limits, safe names.

Used by every upload (supporting documents, message attachments) before anything is stored."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# What an applicant may send by default: PDF and the usual photo formats of a scan.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}


@dataclass(frozen=True)
class CheckedUpload:
    file: UploadedFile
    content_type: str
    safe_name: str
    size: int


def safe_name(name: str) -> str:
    """A display name without path, control characters or odd punctuation (kept for people,
    never used as a storage key)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "", base).strip(" .")
    return base[:200] or "fichier"


def check_upload(upload: UploadedFile, allowed: dict[str, str] | None = None) -> CheckedUpload:
    """Refuse, with a French message, a file that is too big or whose content is not an allowed type."""
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
    return CheckedUpload(file=upload, content_type=kind.mime, safe_name=name, size=size)
