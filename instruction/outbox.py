"""Writing side effects into the outbox, inside the action's transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from instruction.models import OutboxMessage


def enqueue_email(*, key: str, to: list[str], subject: str, body: str, dossier: Any = None) -> OutboxMessage:
    """Write an e-mail to the outbox; the same key never makes a second message."""
    message, created = OutboxMessage.objects.get_or_create(
        key=key,
        defaults={
            "kind": OutboxMessage.Kind.EMAIL,
            "payload": {"to": to, "subject": subject, "body": body},
            "dossier": dossier,
        },
    )
    if created:
        from instruction.tasks import deliver_outbox

        transaction.on_commit(lambda: deliver_outbox.delay(message.pk))
    return message
