"""Exports of an agent's list prepared in the background (« Mes exports »).

A job remembers what the agent asked for (the tab, its filters and order as a query string, the
format) rather than which dossiers: the worker runs the list again as its owner, so that it only
ever writes what the owner may see at that moment. The finished file is a private file, served
only to its owner by ``backoffice.export_jobs.download``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from instruction.models.document import StoredFile

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_file_name(tab_slug: str, today: dt.date, fmt: str) -> str:
    """The name of the downloaded file: the list and the day, ``dossiers-a-traiter-2026-03-02.csv``."""
    return f"dossiers-{tab_slug}-{today:%Y-%m-%d}.{fmt}"


def _export_path(instance: Any, filename: str) -> str:
    # Generated names only; the download is named after original_name.
    return f"exports/{instance.owner_id}/{uuid.uuid4().hex}"


class ExportJob(StoredFile):
    """One export of a list, from « Exporter » to its file (or its failure)."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En préparation")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    ACTIVE = (Status.PENDING, Status.RUNNING)

    # Served by the (owner, created) index below, not by one of its own.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", db_index=False
    )
    tab = models.CharField(_("liste"), max_length=20)  # a backoffice.lists.Tab slug
    query = models.TextField(_("filtres"), blank=True)  # the list's filters and order, as in its URL
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    # The language of the person who asked: headers and labels of the file are written in it.
    language = models.CharField(_("langue"), max_length=10)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(_("dossiers à exporter"), default=0)
    rows_done = models.PositiveIntegerField(_("dossiers exportés"), default=0)
    file = models.FileField(upload_to=_export_path, max_length=255, blank=True)
    size = models.PositiveIntegerField(_("taille (octets)"), default=0)
    error = models.TextField(_("erreur"), blank=True)
    created = models.DateTimeField(_("demandé le"), auto_now_add=True)
    finished = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created"], name="exportjob_owner_created"),
            models.Index(fields=["created"], name="exportjob_created"),
        ]

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        """Progress from 0 to 100 (the list may have grown since it was counted: never above 100)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)
