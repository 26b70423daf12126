"""Files attached to a dossier: supporting documents, and attachments of messages."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _dossier_file_path(instance: Any, filename: str) -> str:
    # Generated names only: what the person called the file is kept in original_name.
    return f"dossiers/{instance.dossier_id}/{uuid.uuid4().hex}"


def _attachment_path(instance: Any, filename: str) -> str:
    return f"messages/{instance.message.dossier_id}/{uuid.uuid4().hex}"


class StoredFile(models.Model):
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    created = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


class DossierFile(StoredFile):
    """One file of one supporting document (a document may take several files: recto, verso…)."""

    dossier = models.ForeignKey("instruction.Dossier", on_delete=models.CASCADE, related_name="files")
    document = models.CharField(_("pièce justificative"), max_length=50)
    file = models.FileField(upload_to=_dossier_file_path, max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("fichier d'une pièce justificative")
        verbose_name_plural = _("fichiers des pièces justificatives")
        ordering = ["document", "created", "pk"]
        indexes = [models.Index(fields=["dossier", "document"], name="dossierfile_dossier_document")]


class MessageAttachment(StoredFile):
    message = models.ForeignKey("instruction.Message", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=255)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["pk"]
