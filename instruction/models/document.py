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


QUARANTINE_PREFIX = "quarantine/"


class ScanStatus(models.TextChoices):
    """Where a file stands with the antivirus (instruction/scanning.py)."""

    # No antivirus configured (CLAMD_SOCKET / CLAMD_URL unset: a developer's machine, the demo).
    UNSCANNED = "unscanned", _("Non analysé (antivirus non configuré)")
    PENDING = "pending", _("Analyse antivirus en cours")
    CLEAN = "clean", _("Analysé, aucun virus détecté")
    INFECTED = "infected", _("Bloqué : virus détecté")
    # clamd answered but could not scan it (e.g. larger than its StreamMaxLength): never served.
    ERROR = "error", _("Analyse antivirus impossible")


# Statuses under which a file may be served; everything else is refused.
OPENABLE = (ScanStatus.UNSCANNED, ScanStatus.CLEAN)


class StoredFile(models.Model):
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    created = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_openable(self) -> bool:
        """Files the system writes itself (exports) are not scanned."""
        return True


class ScannedFile(StoredFile):
    """A file someone uploaded: scanned by the antivirus before anyone may open it."""

    scan_status = models.CharField(
        _("analyse antivirus"), max_length=12, choices=ScanStatus.choices, default=ScanStatus.UNSCANNED
    )
    scan_attempts = models.PositiveSmallIntegerField(_("tentatives d'analyse"), default=0)
    scanned_at = models.DateTimeField(_("analysé le"), null=True, blank=True)
    # The signature clamd named (infected) or its error text (error).
    scan_result = models.CharField(_("résultat de l'analyse"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def is_openable(self) -> bool:
        return self.scan_status in OPENABLE

    @property
    def is_pending(self) -> bool:
        return self.scan_status == ScanStatus.PENDING

    @property
    def is_infected(self) -> bool:
        return self.scan_status == ScanStatus.INFECTED


class DossierFile(ScannedFile):
    """One file of one supporting document (a document may take several files: recto, verso…)."""

    dossier = models.ForeignKey("instruction.Dossier", on_delete=models.CASCADE, related_name="files")
    document = models.CharField(_("pièce justificative"), max_length=50)
    file = models.FileField(upload_to=_dossier_file_path, max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("fichier d'une pièce justificative")
        verbose_name_plural = _("fichiers des pièces justificatives")
        ordering = ["document", "created", "pk"]
        indexes = [
            models.Index(fields=["dossier", "document"], name="dossierfile_dossier_document"),
            # The sweep that retries scans reads only the (few) files still pending.
            models.Index(
                fields=["created"], name="dossierfile_scan_pending", condition=models.Q(scan_status="pending")
            ),
        ]


class MessageAttachment(ScannedFile):
    message = models.ForeignKey("instruction.Message", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=255)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["created"], name="attachment_scan_pending", condition=models.Q(scan_status="pending")),
        ]
