"""The antivirus scan of every stored file (supporting documents and message attachments).

- A file is written with ``scan_status="pending"`` when clamd is configured and a Celery task
  (``instruction.tasks.scan_file``) is queued once the upload's transaction commits; until it is
  ``clean`` nobody can open it (``instruction.files.ensure_openable``).
- Clean: the file opens. Infected: the object is moved under ``quarantine/`` (same storage, never
  served), the document counts as not provided, an audit event is written and the person who sent
  it is told by e-mail through the outbox (and on the dossier's page). clamd could not scan it
  (e.g. larger than its StreamMaxLength): ``error``, never served, logged.
- clamd unreachable: the file stays pending and ``sweep_scans`` (beat, every minute) queues it
  again once ``CLAMD_RETRY_SECONDS`` have passed since its last attempt. Nothing is lost.
- No clamd configured (a developer's machine, the demo): ``unscanned``, openable, and
  ``check --deploy`` warns (instruction/checks.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from instruction import clamav
from instruction.files import move_to_quarantine
from instruction.models import DossierFile, MessageAttachment, ScanStatus
from instruction.models.document import ScannedFile as StoredFile

logger = logging.getLogger(__name__)

MODELS: dict[str, type[DossierFile] | type[MessageAttachment]] = {
    "document": DossierFile,
    "attachment": MessageAttachment,
}


def kind_of(stored: StoredFile) -> str:
    return "document" if isinstance(stored, DossierFile) else "attachment"


def initial_status() -> str:
    return ScanStatus.PENDING if clamav.configured() else ScanStatus.UNSCANNED


def scan_on_commit(stored: StoredFile) -> None:
    """Queue the scan once the row and its object are committed (a rolled-back upload queues nothing)."""
    if stored.scan_status != ScanStatus.PENDING:
        return
    from instruction.tasks import scan_file

    kind, pk = kind_of(stored), stored.pk
    transaction.on_commit(lambda: scan_file.delay(kind, pk))


def _chunks(stored: StoredFile) -> Iterator[bytes]:
    field: Any = stored.file  # type: ignore[attr-defined]
    with field.storage.open(field.name, "rb") as handle:
        while chunk := handle.read(clamav.CHUNK):
            yield chunk


def scan(kind: str, pk: int) -> str:
    """Scan one pending file and record the verdict; returns the new status (or ``skipped``)."""
    model: Any = MODELS[kind]
    stored = model.objects.filter(pk=pk, scan_status=ScanStatus.PENDING).first()
    if stored is None:
        return "skipped"  # scanned meanwhile, or deleted
    # No row lock while clamd reads the file (seconds): the verdict is written under one below.
    try:
        verdict = clamav.scan_chunks(_chunks(stored))
    except clamav.ClamdUnavailable as error:
        logger.warning("antivirus: %s %s stays pending (%s)", kind, pk, error)
        model.objects.filter(pk=pk, scan_status=ScanStatus.PENDING).update(
            scan_attempts=stored.scan_attempts + 1, scanned_at=timezone.now()
        )
        return str(ScanStatus.PENDING)
    with transaction.atomic():
        locked = model.objects.select_for_update().filter(pk=pk, scan_status=ScanStatus.PENDING).first()
        if locked is None or locked.file.name != stored.file.name:
            return "skipped"
        locked.scan_attempts += 1
        locked.scanned_at = timezone.now()
        if verdict.clean:
            locked.scan_status = ScanStatus.CLEAN
        elif verdict.infected:
            _quarantine(kind, locked, verdict.signature)
        else:
            logger.error("antivirus: clamd could not scan %s %s: %s", kind, pk, verdict.error)
            locked.scan_status = ScanStatus.ERROR
            locked.scan_result = verdict.error
        locked.save(update_fields=["scan_status", "scan_attempts", "scanned_at", "scan_result", "file"])
    return str(locked.scan_status)


def _quarantine(kind: str, stored: StoredFile, signature: str) -> None:
    from instruction.actions.base import record
    from instruction.models import Dossier
    from instruction.notifications import notify_file_quarantined

    logger.warning("antivirus: %s %s infected (%s), quarantined", kind, stored.pk, signature)
    move_to_quarantine(stored.file)  # type: ignore[attr-defined]
    stored.scan_status = ScanStatus.INFECTED
    stored.scan_result = signature
    if isinstance(stored, DossierFile):
        dossier_id, uploader, document, from_service = stored.dossier_id, stored.uploaded_by, stored.document, False
    else:
        message = stored.message  # type: ignore[attr-defined]
        dossier_id, uploader, document, from_service = message.dossier_id, message.author, "", message.from_service
    dossier = Dossier.objects.select_related("teleservice", "applicant").get(pk=dossier_id)
    record(
        dossier,
        acting_user=None,
        action="quarantine_file",
        before=dossier.status,
        kind=kind,
        file_id=stored.pk,
        name=stored.original_name,
        document=document,
        signature=signature,
    )
    notify_file_quarantined(dossier, stored, uploader=uploader, document=document, from_service=from_service)


def sweep(now: dt.datetime | None = None, limit: int = 200) -> int:
    """Queue again the files still pending ``CLAMD_RETRY_SECONDS`` after their last attempt (or
    after their upload, when the first task was lost). Run by beat every minute."""
    from django.conf import settings

    from instruction.tasks import scan_file

    if not clamav.configured():
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.CLAMD_RETRY_SECONDS)
    due = Q(scan_status=ScanStatus.PENDING) & (Q(scanned_at__lte=cutoff) | Q(scanned_at=None, created__lte=cutoff))
    queued = 0
    for kind, model in MODELS.items():
        rows: Any = model.objects
        for pk in rows.filter(due).order_by("created").values_list("pk", flat=True)[:limit]:
            scan_file.delay(kind, pk)
            queued += 1
    return queued
