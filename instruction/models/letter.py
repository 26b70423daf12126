from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


def _letter_path(instance: Any, filename: str) -> str:
    return f"lettres/{instance.dossier_id}/{uuid.uuid4().hex}.pdf"


class DecisionLetter(models.Model):
    """The PDF letter of a decision, rendered once by the worker and kept for the applicant's space."""

    dossier = models.ForeignKey("instruction.Dossier", on_delete=models.PROTECT, related_name="letters")
    event = models.OneToOneField("instruction.Event", on_delete=models.PROTECT, related_name="letter")
    file = models.FileField(upload_to=_letter_path, max_length=255, blank=True)
    created = models.DateTimeField(_("rendue le"), auto_now_add=True)

    class Meta:
        verbose_name = _("lettre de décision")
        verbose_name_plural = _("lettres de décision")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.created:%Y-%m-%d}"
