"""The message thread of a dossier: writing a message, marking a thread read, and the
unread counts read from the marks.

Writing a message is not acting on the dossier: it never changes the status, and both sides may
write whatever the status (except a draft, which has no service on the other side yet)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count, DateTimeField, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from instruction.actions.base import InvalidInput, TransitionRefused, record
from instruction.files import store
from instruction.models import Dossier, DossierStatus, Message, MessageAttachment, ThreadReadMark
from instruction.notifications import notify_new_message
from instruction.scanning import initial_status, scan_on_commit
from instruction.uploads import CheckedUpload, check_upload
from permissions import access

MAX_BODY_LENGTH = 5000
MAX_ATTACHMENTS = 5
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def check_attachments(files: Sequence[UploadedFile]) -> list[CheckedUpload]:
    """Check EVERY file (count, size, type on the content) before any is stored; raise one
    ValidationError carrying all the French messages."""
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            ngettext(
                "Vous pouvez joindre au plus %(max)s fichier à un message.",
                "Vous pouvez joindre au plus %(max)s fichiers à un message.",
                MAX_ATTACHMENTS,
            )
            % {"max": MAX_ATTACHMENTS}
        )
    checked: list[CheckedUpload] = []
    errors: list[str] = []
    for upload in files:
        try:
            checked.append(check_upload(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked


def validate_message(body: str, files: Sequence[UploadedFile]) -> tuple[str, list[CheckedUpload]]:
    """The text and the files, all the errors at once, before anything is written."""
    errors: dict[str, list[str]] = {}
    body = (body or "").strip()
    if not body:
        errors["body"] = [_("Saisissez votre message.")]
    elif len(body) > MAX_BODY_LENGTH:
        errors["body"] = [
            _("Votre message ne doit pas dépasser %(max)s caractères (il en compte %(count)s).")
            % {"max": MAX_BODY_LENGTH, "count": len(body)}
        ]
    checked: list[CheckedUpload] = []
    try:
        checked = check_attachments(files)
    except ValidationError as error:
        errors["files"] = list(error.messages)
    if errors:
        raise InvalidInput(errors)
    return body, checked


def send_message(dossier: Dossier, *, acting_user: Any, body: str, files: Sequence[UploadedFile] = ()) -> Message:
    """Write in the dossier's thread, as the applicant's side or as the instructing service.

    The other side is told by e-mail that a message waits, never what it says: the content stays
    behind the login."""
    body, checked = validate_message(body, files)
    with transaction.atomic():
        # No row lock and no "modified meanwhile" conflict: a message does not depend on the
        # status the writer saw (an agent taking the dossier must not refuse the citizen's reply).
        fresh = Dossier.objects.select_related("teleservice", "applicant", "assignee").get(pk=dossier.pk)
        access.check(acting_user, fresh, "message")
        if fresh.status == DossierStatus.DRAFT:
            raise TransitionRefused(_("Vous pourrez écrire au service instructeur une fois votre demande transmise."))
        held = access.roles(acting_user, fresh)
        # Someone who is both (an agent filing for themself) writes as the applicant.
        from_service = access.APPLICANT not in held
        message = Message.objects.create(dossier=fresh, author=acting_user, from_service=from_service, body=body)
        for upload in checked:
            attachment = MessageAttachment(
                message=message,
                original_name=upload.safe_name,
                content_type=upload.content_type,
                size=upload.size,
                scan_status=initial_status(),
            )
            # Deleted from storage if this transaction, or one around it, is rolled back.
            store(attachment.file, upload.file, upload.safe_name)
            attachment.save()
            scan_on_commit(attachment)
        record(
            fresh,
            acting_user=acting_user,
            action="message",
            before=fresh.status,
            message_id=message.pk,
            from_service=from_service,
            attachments=len(checked),
        )
        notify_new_message(message)
    return message


def mark_thread_read(dossier: Dossier, *, acting_user: Any, up_to: dt.datetime | None = None) -> None:
    """Record that ``acting_user`` has read the thread up to ``up_to`` (the newest message shown,
    so that a message committed while the page was rendered still counts as unread).

    A read mark never moves back: two tabs opened in any order keep the later one."""
    if not access.roles(acting_user, dossier):
        raise access.NotVisible
    when = up_to or timezone.now()
    table = ThreadReadMark._meta.db_table
    with connection.cursor() as cursor:
        # One statement, safe under concurrency (the unique constraint is the arbiter).
        cursor.execute(
            f"INSERT INTO {table} (dossier_id, user_id, last_read_at) VALUES (%s, %s, %s) "  # noqa: S608 - our table
            f"ON CONFLICT (dossier_id, user_id) DO UPDATE SET last_read_at = "
            f"GREATEST({table}.last_read_at, EXCLUDED.last_read_at)",
            [dossier.pk, acting_user.pk, when],
        )


def annotate_threads(dossiers: QuerySet[Dossier], user: Any, *, service_side: bool) -> QuerySet[Dossier]:
    """Add ``message_count``, ``last_message_at`` and ``unread_count`` to each dossier, in the
    same single query whatever the number of rows.

    Unread: messages from the other side (the service for the applicant's side, the applicant's
    side for agents) newer than the user's read mark, or all of them without a mark."""
    messages = Message.objects.filter(dossier=OuterRef("pk")).order_by()
    # Correlated on the message's dossier: this subquery sits inside the messages subquery.
    read_at = ThreadReadMark.objects.filter(dossier=OuterRef("dossier"), user=user).values("last_read_at")[:1]

    def counted(qs: QuerySet[Message]) -> Coalesce:
        return Coalesce(
            Subquery(qs.values("dossier").annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            Value(0),
        )

    unread = messages.filter(
        from_service=not service_side,
        created__gt=Coalesce(Subquery(read_at), Value(_EPOCH), output_field=DateTimeField()),
    )
    return dossiers.annotate(
        message_count=counted(messages),
        last_message_at=Subquery(messages.order_by("-created", "-pk").values("created")[:1]),
        unread_count=counted(unread),
    )


def unread_message_ids(dossier: Dossier, user: Any, messages: Sequence[Message], *, service_side: bool) -> set[int]:
    """Which of the thread's messages this user had not read yet (shown as « Nouveau »)."""
    read_at = ThreadReadMark.objects.filter(dossier=dossier, user=user).values_list("last_read_at", flat=True).first()
    return {m.pk for m in messages if m.from_service != service_side and (read_at is None or m.created > read_at)}
