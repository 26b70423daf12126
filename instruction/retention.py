"""RGPD retention: which dossiers are due for what, and running it one dossier at a time.

- A draft whose last change (``Dossier.updated``, moved by every change of the draft) is older
  than RETENTION_DRAFT_DAYS − RETENTION_DRAFT_WARNING_DAYS gets one warning e-mail.
- A draft untouched for RETENTION_DRAFT_DAYS *and* warned, after its last change, at least
  RETENTION_DRAFT_WARNING_DAYS ago is deleted with its files.
- A decided dossier (accepted, rejected, closed without action) whose decision is older than
  its téléservice's ``retention_years`` is anonymised.

``manage.py apply_retention [--dry-run]`` prints the plan or the outcome; Celery beat runs it
daily (``instruction.tasks.apply_retention``). Each dossier is handled in its own transaction by
``instruction.actions.retention``: one failure is reported and loses nothing else."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Func, Q, QuerySet, Value
from django.utils import timezone

from instruction.actions import retention as actions
from instruction.models import Dossier
from instruction.models.dossier import DECIDED_STATUSES, DossierStatus

logger = logging.getLogger(__name__)

WARN, DELETE, ANONYMISE = "warn", "delete", "anonymise"
CATEGORIES = (WARN, DELETE, ANONYMISE)


class YearsInterval(Func):
    """PostgreSQL's ``make_interval(years => n)``: calendar years, leap days included."""

    template = "make_interval(years => %(expressions)s)"
    output_field = DurationField()


def drafts_to_warn(now: dt.datetime) -> QuerySet[Dossier]:
    idle = dt.timedelta(days=settings.RETENTION_DRAFT_DAYS - settings.RETENTION_DRAFT_WARNING_DAYS)
    return Dossier.objects.filter(status=DossierStatus.DRAFT, updated__lt=now - idle).filter(
        Q(retention_warned_at__isnull=True) | Q(retention_warned_at__lt=F("updated"))
    )


def drafts_to_delete(now: dt.datetime) -> QuerySet[Dossier]:
    return Dossier.objects.filter(
        status=DossierStatus.DRAFT,
        updated__lt=now - dt.timedelta(days=settings.RETENTION_DRAFT_DAYS),
        retention_warned_at__gte=F("updated"),
        retention_warned_at__lte=now - dt.timedelta(days=settings.RETENTION_DRAFT_WARNING_DAYS),
    )


def dossiers_to_anonymise(now: dt.datetime) -> QuerySet[Dossier]:
    cutoff = ExpressionWrapper(
        Value(now, output_field=DateTimeField()) - YearsInterval(F("teleservice__retention_years")),
        output_field=DateTimeField(),
    )
    return Dossier.objects.filter(
        status__in=DECIDED_STATUSES, anonymised_at__isnull=True, decided_at__isnull=False, decided_at__lt=cutoff
    )


@dataclass(frozen=True)
class Item:
    pk: int
    reference: str
    teleservice: str


@dataclass
class Plan:
    now: dt.datetime
    items: dict[str, list[Item]] = field(default_factory=dict)


def plan(now: dt.datetime | None = None) -> Plan:
    """What is due now, per category (one query each, in reference order)."""
    now = now or timezone.now()
    result = Plan(now)
    for category, queryset in (
        (WARN, drafts_to_warn(now)),
        (DELETE, drafts_to_delete(now)),
        (ANONYMISE, dossiers_to_anonymise(now)),
    ):
        rows = queryset.order_by("reference").values_list("pk", "reference", "teleservice__code")
        result.items[category] = [Item(*row) for row in rows]
    return result


@dataclass
class Outcome:
    done: dict[str, list[Item]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})
    skipped: dict[str, list[Item]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})
    failed: list[tuple[str, Item, str]] = field(default_factory=list)
    files_deleted: int = 0


def _step(category: str, now: dt.datetime) -> Callable[[Dossier], Any]:
    if category == DELETE:
        return lambda dossier: actions.delete_draft(dossier, due_at=now)
    return {WARN: actions.warn_draft_deletion, ANONYMISE: actions.anonymise}[category]


def apply(due: Plan) -> Outcome:
    """Run the plan, one transaction per dossier. A dossier that changed since the plan (edited,
    transmitted, already done) is skipped: its category's query is asked again for it, and the
    action checks again on the locked row (a draft edited in between is kept)."""
    outcome = Outcome()
    for category in CATEGORIES:
        still_due = {
            WARN: drafts_to_warn,
            DELETE: drafts_to_delete,
            ANONYMISE: dossiers_to_anonymise,
        }[category](due.now)
        for item in due.items.get(category, []):
            try:
                dossier = still_due.filter(pk=item.pk).first()
                if dossier is None:
                    outcome.skipped[category].append(item)
                    continue
                result = _step(category, due.now)(dossier)
            except Exception as error:
                logger.exception("retention %s failed for %s", category, item.reference)
                outcome.failed.append((category, item, f"{type(error).__name__}: {error}"))
                continue
            if result is False or result is None:
                outcome.skipped[category].append(item)
                continue
            if category == DELETE:
                outcome.files_deleted += int(result)
            elif category == ANONYMISE:
                outcome.files_deleted += result["documents"] + result["attachments"] + result["letters"]
            outcome.done[category].append(item)
    return outcome
