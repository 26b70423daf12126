"""The audit chain's two entry points outside the actions: the agents' consultations of a
dossier (logged from the review page) and the verification of the chain (verify_audit_chain)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from instruction.models import Dossier, Event
from instruction.models.event import chain_hash, content_digest

# At most one « consult » event per agent per dossier in this window.
CONSULTATION_WINDOW = timedelta(minutes=30)


def log_consultation(user: Any, dossier: Dossier) -> bool:
    """An agent opened the dossier: one internal « consult » event unless this agent already has
    one in the last CONSULTATION_WINDOW. Returns whether an event was written.

    Two queries, whatever happens: the dossier row lock (the same lock the actions take, so the
    chain trigger reads a stable last event), then one INSERT … SELECT … WHERE NOT EXISTS that
    skips itself inside the window. The lock is held only for that short transaction, never during
    the page's rendering. No webhook, no status change."""
    if not getattr(user, "is_authenticated", False) or user.pk == dossier.applicant_id:
        return False
    now = timezone.now()
    digest = content_digest(
        dossier_id=dossier.pk, actor_id=user.pk, action="consult", from_status="", to_status="", created=now, details={}
    )
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM instruction_dossier WHERE id = %s FOR UPDATE", [dossier.pk])
        cursor.execute(
            """
            INSERT INTO instruction_event
                (dossier_id, actor_id, action, from_status, to_status, created, details, prev_hash, hash)
            SELECT %s, %s, 'consult', '', '', %s, '{}'::jsonb, '', %s
            WHERE NOT EXISTS (
                SELECT 1 FROM instruction_event
                WHERE actor_id = %s AND action = 'consult' AND dossier_id = %s AND created > %s
            )
            """,
            [dossier.pk, user.pk, now, digest, user.pk, dossier.pk, now - CONSULTATION_WINDOW],
        )
        return cursor.rowcount == 1


@dataclass
class Break:
    """The first broken link: which dossier, which event, what differs."""

    reference: str
    event_id: int
    reason: str


@dataclass
class Report:
    checked: int = 0
    broken: Break | None = None


def _rows(reference: str | None, chunk_size: int) -> Iterator[tuple[Any, ...]]:
    events = Event.objects.all()
    if reference is not None:
        events = events.filter(dossier__reference=reference)
    return (
        events.order_by("dossier_id", "created", "id")
        .values_list(
            "id",
            "dossier_id",
            "dossier__reference",
            "actor_id",
            "action",
            "from_status",
            "to_status",
            "created",
            "details",
            "redacted",
            "prev_hash",
            "hash",
        )
        .iterator(chunk_size=chunk_size)
    )


def verify_chain(reference: str | None = None, *, chunk_size: int = 2000) -> Report:
    """Recompute every hash, dossier by dossier in (created, id) order, streaming the rows; stop at
    the first broken link. Memory: one dossier's events at a time (to tell a missing event, whose
    hash is nowhere in the dossier, from a moved one)."""
    report = Report()
    for _dossier, group in groupby(_rows(reference, chunk_size), key=itemgetter(1)):
        events = list(group)
        hashes = {row[-1] for row in events}
        prev = ""
        for (
            pk,
            dossier_id,
            ref,
            actor_id,
            action,
            from_status,
            to_status,
            created,
            details,
            redacted,
            prev_hash,
            stored,
        ) in events:
            report.checked += 1
            digest = content_digest(
                dossier_id=dossier_id,
                actor_id=actor_id,
                action=action,
                from_status=from_status,
                to_status=to_status,
                created=created,
                details=details,
                redacted=redacted,
            )
            reason = ""
            if chain_hash(prev_hash, digest) != stored:
                reason = _("contenu modifié : l'empreinte enregistrée ne correspond plus aux données de l'événement")
            elif prev_hash != prev and prev_hash not in hashes:
                reason = _("événement manquant : l'événement auquel il est lié n'existe plus (supprimé ou réécrit)")
            elif prev_hash != prev:
                reason = _("maillon rompu : l'événement qui le précède n'est pas celui auquel il est lié")
            if reason:
                report.broken = Break(ref, pk, reason)
                return report
            prev = stored
    return report
