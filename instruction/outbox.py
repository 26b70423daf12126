"""Writing side effects into the outbox, inside the action's transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from instruction.models import OutboxMessage


def enqueue_email(
    *,
    key: str,
    to: list[str],
    subject: str,
    body: str,
    html: str = "",
    attachments: list[dict[str, Any]] | None = None,
    dossier: Any = None,
) -> OutboxMessage:
    """Write an e-mail to the outbox; the same key never makes a second message.

    ``attachments`` are specs (``{"kind": ...}``) rendered at delivery time by
    ``instruction.attachments.render_attachment``, in the worker, not in the request."""
    payload: dict[str, Any] = {"to": to, "subject": subject, "body": body}
    if html:
        payload["html"] = html
    if attachments:
        payload["attachments"] = attachments
    message, created = OutboxMessage.objects.get_or_create(
        key=key,
        defaults={"kind": OutboxMessage.Kind.EMAIL, "payload": payload, "dossier": dossier},
    )
    if created:
        from instruction.tasks import deliver_outbox

        transaction.on_commit(lambda: deliver_outbox.delay(message.pk))
    return message


def enqueue_template_email(
    *,
    key: str,
    to: list[str],
    template: str,
    context: dict[str, Any],
    attachments: list[dict[str, Any]] | None = None,
    dossier: Any = None,
) -> OutboxMessage:
    """An e-mail from a text template whose first line is the subject, rendered in French
    whatever language the person who triggered it is browsing in."""
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(template, context).strip()
    subject, _sep, body = text.partition("\n")
    return enqueue_email(
        key=key, to=to, subject=subject.strip(), body=body.strip() + "\n", attachments=attachments, dossier=dossier
    )
