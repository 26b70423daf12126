"""RGPD retention, one dossier per call and per transaction: the warning before an abandoned draft
is deleted, the deletion of a draft, and the anonymisation of a decided dossier.

Files leave the storage only once the transaction that removed their rows commits
(``delete_on_commit``): a failure rolls back the rows and keeps the files.

The audit trail is append-only (a database trigger); two narrow exceptions, opened for one
dossier by a transaction-local setting (migration 0016):

- a draft's events are deleted with it: a draft was never sent to anyone, and its whole chain
  goes at once, so no other dossier's chain changes;
- a decided dossier's events that hold personal data (who acted, if a citizen, and the details:
  form data, motivations, messages) are *redacted*: details become ``{}``, a citizen actor
  becomes NULL, and ``redacted`` keeps the digest of what was erased. That digest is what the
  event's content digest was computed from (``personal_digest``), so the hash chain still
  verifies: the dossier, action, statuses and dates stay proven, and no event can be removed,
  added or moved unnoticed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from instruction.actions.base import locked_dossier, record, refusal
from instruction.files import delete_on_commit
from instruction.models import (
    DecisionLetter,
    Dossier,
    DossierFile,
    Event,
    Foyer,
    FoyerMember,
    Message,
    MessageAttachment,
    OutboxMessage,
    ThreadReadMark,
)
from instruction.models.event import personal_digest
from instruction.outbox import enqueue_template_email
from permissions import access

# Events whose details name no citizen and hold no text written by or about one: kept as they are
# at anonymisation (unless a citizen is their actor). Any other action with details is redacted,
# so that a new action is erased by default.
IMPERSONAL_ACTIONS = frozenset(
    {"take", "release", "assign", "reassign", "message", "purge_files", "remind_complement", "consult", "anonymise"}
)


def draft_deletion_day(dossier: Dossier, *, now: dt.datetime | None = None) -> dt.date:
    """When a warned draft will go: RETENTION_DRAFT_DAYS after its last change, and never less than
    RETENTION_DRAFT_WARNING_DAYS after the warning (a job that was down does not shorten it)."""
    now = now or timezone.now()
    idle_end = dossier.updated + dt.timedelta(days=settings.RETENTION_DRAFT_DAYS)
    notice_end = now + dt.timedelta(days=settings.RETENTION_DRAFT_WARNING_DAYS)
    return timezone.localdate(max(idle_end, notice_end))


def warn_draft_deletion(dossier: Dossier, *, acting_user: Any = access.SYSTEM) -> bool:
    """One e-mail to the applicant saying when the draft will be deleted and how to keep it.
    Returns False (and writes nothing) if the draft changed or was warned since it was selected."""
    with locked_dossier(dossier, acting_user=acting_user, action="warn_draft_deletion") as locked:
        if not access.status_allows(locked, "warn_draft_deletion"):
            raise refusal(locked)
        now = timezone.now()
        idle = dt.timedelta(days=settings.RETENTION_DRAFT_DAYS - settings.RETENTION_DRAFT_WARNING_DAYS)
        if locked.updated >= now - idle:  # changed since it was selected
            return False
        if locked.retention_warned_at is not None and locked.retention_warned_at >= locked.updated:
            return False
        # The key names the draft's idle period: a retried job never sends it twice, a draft
        # edited then abandoned again is warned again.
        key = f"draft-deletion-warning:{locked.reference}:{locked.updated.isoformat()}"
        if locked.applicant is not None:
            enqueue_template_email(
                key=key,
                to=[locked.applicant.email],
                template="emails/draft_deletion_warning.txt",
                context={
                    "dossier": locked,
                    "day": draft_deletion_day(locked, now=now),
                    "idle_days": settings.RETENTION_DRAFT_DAYS - settings.RETENTION_DRAFT_WARNING_DAYS,
                    "url": settings.SITE_URL + reverse("citizen:dossier", args=[locked.reference]),
                },
                dossier=locked,
            )
        # An UPDATE that leaves ``updated`` alone: the warning is not a change of the draft.
        Dossier.objects.filter(pk=locked.pk).update(retention_warned_at=now)
    return True


def is_due_for_deletion(draft: Dossier, now: dt.datetime) -> bool:
    """Untouched for RETENTION_DRAFT_DAYS, and warned after its last change at least
    RETENTION_DRAFT_WARNING_DAYS ago."""
    warned = draft.retention_warned_at
    return (
        draft.updated < now - dt.timedelta(days=settings.RETENTION_DRAFT_DAYS)
        and warned is not None
        and draft.updated <= warned <= now - dt.timedelta(days=settings.RETENTION_DRAFT_WARNING_DAYS)
    )


def delete_draft(
    dossier: Dossier, *, acting_user: Any = access.SYSTEM, due_at: dt.datetime | None = None
) -> int | None:
    """Delete a draft with everything it holds: its files (storage included, after commit), its
    events, its outbox rows. Returns the number of stored files deleted. With ``due_at`` (the
    retention job), a draft no longer due on its locked row (edited meanwhile) is kept: None."""
    # Not locked_dossier: it reloads the caller's copy afterwards, and this one is gone.
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).select_related("teleservice").get(pk=dossier.pk)
        access.check(acting_user, locked, "delete_draft")
        if not access.status_allows(locked, "delete_draft"):
            raise refusal(locked)
        if due_at is not None and not is_due_for_deletion(locked, due_at):
            return None
        files = list(DossierFile.objects.filter(dossier=locked).values_list("file", flat=True))
        attachments = list(MessageAttachment.objects.filter(message__dossier=locked).values_list("file", flat=True))
        letters = list(DecisionLetter.objects.filter(dossier=locked).values_list("file", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('instruction.event_purge', %s, true)", [str(locked.pk)])
        DecisionLetter.objects.filter(dossier=locked).delete()
        Message.objects.filter(dossier=locked).delete()
        Event.objects.filter(dossier=locked).delete()
        OutboxMessage.objects.filter(dossier=locked).delete()
        process = locked.process
        Dossier.objects.filter(pk=locked.pk).delete()
        if process is not None:
            process.delete()
        for model, names in ((DossierFile, files), (MessageAttachment, attachments), (DecisionLetter, letters)):
            delete_on_commit(model._meta.get_field("file").storage, names)
    return len([name for name in files + attachments + letters if name])


def _staff_ids(user_ids: set[int]) -> set[int]:
    """Among these accounts, the authority's people (agents of a service, staff): kept as actors."""
    user_model = get_user_model()
    return set(
        user_model.objects.filter(pk__in=user_ids)
        .filter(Q(groups__instructing_service__isnull=False) | Q(is_staff=True) | Q(supervised_services__isnull=False))
        .values_list("pk", flat=True)
        .distinct()
    )


def _redact_events(dossier: Dossier) -> int:
    events = list(Event.objects.filter(dossier=dossier).values_list("pk", "actor_id", "action", "details"))
    staff = _staff_ids({actor for _pk, actor, _a, _d in events if actor is not None})
    rows = []
    for pk, actor_id, action, details in events:
        citizen_actor = actor_id is not None and actor_id not in staff
        personal_details = bool(details) and action not in IMPERSONAL_ACTIONS
        if citizen_actor or personal_details:
            digest = personal_digest(actor_id=actor_id, details=details)
            rows.append((pk, None if citizen_actor else actor_id, digest))
    if rows:
        # One statement for the dossier's events (the trigger still checks each row).
        values = ", ".join(["(%s::bigint, %s::bigint, %s::varchar)"] * len(rows))
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('instruction.event_redaction', %s, true)", [str(dossier.pk)])
            cursor.execute(
                "UPDATE instruction_event e SET details = '{}'::jsonb, actor_id = v.actor, redacted = v.digest "  # noqa: S608
                f"FROM (VALUES {values}) AS v(id, actor, digest) WHERE e.id = v.id",
                [value for row in rows for value in row],
            )
    return len(rows)


def _release_foyer(foyer_id: int | None) -> None:
    """The foyer the anonymised dossier named: its members removed from it and named by no other
    dossier were only kept for such dossiers, they go; if its owner deleted their account, every
    member no dossier names goes, and its address once no dossier names it any more."""
    if foyer_id is None:
        return
    unnamed = FoyerMember.all_objects.filter(foyer_id=foyer_id, dossiers__isnull=True)
    unnamed.filter(removed_at__isnull=False).delete()
    foyer = Foyer.objects.select_related("responsible").get(pk=foyer_id)
    if foyer.responsible.is_active:
        return
    unnamed.delete()
    if not Dossier.objects.filter(Q(foyer_id=foyer_id) | Q(beneficiary__foyer_id=foyer_id)).exists():
        Foyer.objects.filter(pk=foyer_id).update(address="", postal_code="", commune="", quotient_familial=None)


def anonymise(dossier: Dossier, *, acting_user: Any = access.SYSTEM) -> dict[str, int]:
    """Erase what identifies the applicant in a decided dossier; keep what the authority counts
    (téléservice, status, dates, amount, prize, service, agents). Returns what was erased."""
    with locked_dossier(dossier, acting_user=acting_user, action="anonymise") as locked:
        if not access.status_allows(locked, "anonymise"):
            raise refusal(locked)
        files = list(DossierFile.objects.filter(dossier=locked).values_list("file", flat=True))
        attachment_rows = MessageAttachment.objects.filter(message__dossier=locked)
        attachments = list(attachment_rows.values_list("file", flat=True))
        letter_rows = DecisionLetter.objects.filter(dossier=locked).exclude(file="")
        letters = list(letter_rows.values_list("file", flat=True))
        DossierFile.objects.filter(dossier=locked).delete()
        attachment_rows.delete()
        letter_rows.update(file="")
        messages = Message.objects.filter(dossier=locked).update(body="")
        Message.objects.filter(dossier=locked, from_service=False).update(author=None)
        ThreadReadMark.objects.filter(dossier=locked).delete()
        # The e-mails already sent about it: their addresses and texts.
        OutboxMessage.objects.filter(dossier=locked).exclude(status=OutboxMessage.Status.PENDING).update(payload={})
        events = _redact_events(locked)
        now = timezone.now()
        Dossier.objects.filter(pk=locked.pk).update(
            applicant=None,
            foyer=None,
            organisme=None,
            beneficiary=None,
            data={},
            decision_motivation="",
            jury_report="",
            search_vector=None,
            anonymised_at=now,
        )
        _release_foyer(locked.foyer_id)
        counts = {
            "documents": len(files),
            "attachments": len(attachments),
            "letters": len(letters),
            "messages": messages,
            "events": events,
        }
        locked.anonymised_at = now
        record(locked, acting_user=access.SYSTEM, action="anonymise", before=locked.status, **counts)
        for model, names in ((DossierFile, files), (MessageAttachment, attachments), (DecisionLetter, letters)):
            delete_on_commit(model._meta.get_field("file").storage, names)
    return counts
