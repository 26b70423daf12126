"""Delivery of outbox messages. At-least-once from Celery, exactly-once in effect: a message
is locked, sent and marked sent in one transaction, and a sent message is never sent again."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from instruction.attachments import render_attachment
from instruction.models import OutboxMessage

logger = logging.getLogger(__name__)


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def _send(message: OutboxMessage) -> None:
    if message.kind == OutboxMessage.Kind.EMAIL:
        payload = message.payload
        digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
        email = EmailMultiAlternatives(
            subject=payload["subject"],
            body=payload["body"],
            to=payload["to"],
            headers={"Message-ID": f"<{digest}@teleservices.outbox>", "X-Idempotency-Key": message.key},
        )
        if payload.get("html"):
            email.attach_alternative(payload["html"], "text/html")
        for spec in payload.get("attachments", []):
            filename, content, mimetype = render_attachment(message, spec)
            email.attach(filename, content, mimetype)
        email.send()
    elif message.kind == OutboxMessage.Kind.WEBHOOK:
        from instruction.webhooks import deliver as deliver_webhook

        deliver_webhook(message)  # logs the attempt; raises on anything but a 2xx
    else:  # pragma: no cover - new kinds must add their delivery here
        raise ValueError(f"Unknown outbox kind {message.kind}")


INTERRUPTED = "Tentative interrompue : le processus d'envoi s'est arrêté avant d'en enregistrer le résultat."


def _claim(message_id: int) -> bool:
    """Count the attempt in its own short transaction before sending, so that an attempt cut by a
    killed worker (whose sending transaction rolls back) still counts: a message that kills its
    worker every time ends failed after OUTBOX_MAX_ATTEMPTS instead of being retried forever."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return False
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            # Every attempt was used and the last one never recorded its result: it was cut.
            message.status = OutboxMessage.Status.FAILED
            message.last_error = message.last_error or INTERRUPTED
            message.save(update_fields=["status", "last_error"])
            logger.warning("outbox %s: failed, its last attempt was interrupted", message.key)
            return False
        message.attempts += 1
        message.save(update_fields=["attempts"])
        return True


@shared_task(acks_late=True)
def deliver_outbox(message_id: int) -> str:
    if not _claim(message_id):
        return "skipped"
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return "skipped"
        try:
            _send(message)
        except Exception as exc:
            logger.warning("outbox %s: delivery failed (%s)", message.key, exc)
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.next_attempt_at = timezone.now() + _backoff(message.attempts)
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
            message.save(update_fields=["last_error", "next_attempt_at", "status"])
            return "failed"
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["status", "sent_at", "last_error"])
        return "sent"


@shared_task
def sweep_outbox(limit: int = 500) -> int:
    """Retry what is due: messages whose first delivery was lost or failed (run by beat)."""
    due = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        deliver_outbox.delay(pk)
    return len(due)


@shared_task
def sweep_complements() -> dict[str, int]:
    """Complement reminders and deadlines (run by beat; see instruction/deadlines.py)."""
    from dataclasses import asdict

    from instruction.deadlines import sweep

    return asdict(sweep())


@shared_task
def expire_expert_accesses() -> int:
    """Remove the permission of experts' accesses past their date (run by beat, hourly)."""
    from instruction.actions.expert import expire_expert_accesses as expire

    return expire()


@shared_task
def apply_retention() -> dict[str, int]:
    """RGPD retention, daily from beat (what ``manage.py apply_retention`` does): counts per category."""
    from instruction import retention

    outcome = retention.apply(retention.plan())
    counts = {category: len(items) for category, items in outcome.done.items()}
    counts["failed"] = len(outcome.failed)
    counts["files"] = outcome.files_deleted
    return counts


@shared_task(acks_late=True)
def scan_file(kind: str, pk: int) -> str:
    """The antivirus scan of one stored file (instruction/scanning.py). clamd down: the file stays
    pending and ``sweep_scans`` queues it again later."""
    from instruction.scanning import scan

    return scan(kind, pk)


@shared_task
def sweep_scans() -> int:
    """Files still pending after CLAMD_RETRY_SECONDS are scanned again (run by beat)."""
    from instruction.scanning import sweep

    return sweep()
