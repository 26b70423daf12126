"""Complement deadlines, run by the scheduler (``instruction.tasks.sweep_complements``):
remind the applicant a few days before, and fire the Viewflow timer of every complement whose
deadline has passed through the ``expire_complement`` action. Each dossier in its own
transaction: one that fails is logged and retried on the next run, the others go on."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.utils import timezone

from instruction import actions
from instruction.models import Dossier, DossierStatus, Teleservice
from workflows import engine

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    reminded: int = 0
    expired: int = 0
    failed: int = 0


def due_reminders(today: dt.date) -> list[int]:
    """Dossiers awaiting a complement whose reminder day has come and that were not reminded
    (one query per téléservice that reminds: they are few)."""
    found: list[int] = []
    for teleservice_id, days in Teleservice.objects.filter(complement_reminder_days__gt=0).values_list(
        "pk", "complement_reminder_days"
    ):
        found += Dossier.objects.filter(
            teleservice_id=teleservice_id,
            status=DossierStatus.COMPLEMENT_REQUESTED,
            complement_due__gte=today,
            complement_due__lte=today + dt.timedelta(days=days),
            complement_reminded_on__isnull=True,
        ).values_list("pk", flat=True)
    return found


def sweep(now: dt.datetime | None = None, limit: int = 1000) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    for pk in due_reminders(timezone.localdate(now))[:limit]:
        try:
            actions.remind_complement(Dossier.objects.get(pk=pk))
            result.reminded += 1
        except Exception:
            logger.exception("complement reminder of dossier %s failed", pk)
            result.failed += 1
    process_ids = list(engine.due_complement_timers(now)[:limit])
    for dossier in Dossier.objects.filter(process_id__in=process_ids, status=DossierStatus.COMPLEMENT_REQUESTED):
        try:
            actions.expire_complement(dossier)
            result.expired += 1
        except Exception:
            logger.exception("complement deadline of %s could not be applied", dossier.reference)
            result.failed += 1
    return result
