"""What the applicant is told, written to the outbox by the actions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from instruction.email_templates import customised, email_context
from instruction.models import Dossier, Event, Message
from instruction.outbox import enqueue_email, enqueue_template_email


def _email(
    dossier: Dossier,
    kind: str,
    template: str,
    *,
    attachments: list[dict[str, Any]] | None = None,
    custom: tuple[str, str] = ("", ""),
    **context: object,
) -> None:
    """``custom``: the téléservice's (subject, body) templates, blank for the default text."""
    url = settings.SITE_URL + reverse("citizen:dossier", args=[dossier.reference])
    context.update(dossier=dossier, url=url)
    # The event count makes the key unique per occurrence yet stable on a retried transaction.
    key = f"{kind}:{dossier.reference}:{dossier.events.count()}"
    if dossier.applicant is None or not dossier.applicant.is_active:  # anonymised, or account deleted
        return
    to = [dossier.applicant.email]
    if not any(source.strip() for source in custom):
        enqueue_template_email(
            key=key, to=to, template=template, context=context, attachments=attachments, dossier=dossier
        )
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject, _sep, body = render_to_string(template, context).strip().partition("\n")
        values = email_context(dossier, url=url, letter=bool(context.get("letter")))
        subject, body = customised((subject.strip(), body.strip()), custom, values)
    enqueue_email(key=key, to=to, subject=subject, body=body + "\n", attachments=attachments, dossier=dossier)


def notify_transmission(dossier: Dossier) -> None:
    # The PDF receipt is rendered by the worker at delivery (instruction/receipt.py).
    teleservice = dossier.teleservice
    _email(
        dossier,
        "transmission-ack",
        "emails/transmission_ack.txt",
        attachments=[{"kind": "receipt"}],
        custom=(teleservice.ack_email_subject, teleservice.ack_email_body),
    )


def _document_labels(dossier: Dossier, codes: list[str]) -> list[str]:
    from instruction.documents import spec_for

    specs = [spec_for(dossier, code) for code in codes]
    return [str(spec.label) for spec in specs if spec is not None]


def notify_complement_requested(dossier: Dossier, message: str, documents: list[str] | None = None) -> None:
    _email(
        dossier,
        "complement-requested",
        "emails/complement_requested.txt",
        message=message,
        documents=_document_labels(dossier, documents or []),
        due=dossier.complement_due,
    )


def notify_complement_reminder(dossier: Dossier) -> None:
    """A few days before the complement's deadline (the key holds the deadline: once per request)."""
    _email(dossier, "complement-reminder", "emails/complement_reminder.txt", due=dossier.complement_due)


def notify_complement_expired(dossier: Dossier, event: Event) -> None:
    """Closed for want of an answer, the dossier is decided: its letter goes with the e-mail."""
    letter = [{"kind": "decision_letter", "event": event.pk}] if dossier.is_decided else None
    _email(
        dossier,
        "complement-expired",
        "emails/complement_expired.txt",
        attachments=letter,
        closed=dossier.is_decided,
    )


def notify_decision(dossier: Dossier) -> None:
    # The letter is rendered from the decide event (just recorded) by the worker, and kept
    # for the applicant's space (instruction/letters.py).
    event = dossier.events.filter(action="decide").order_by("-created", "-pk").first()
    letter = [{"kind": "decision_letter", "event": event.pk}] if event is not None else None
    teleservice = dossier.teleservice
    custom = (teleservice.decision_email_subject, teleservice.decision_email_body)
    _email(dossier, "decision", "emails/decision.txt", attachments=letter, custom=custom, letter=bool(letter))


def notify_correction(dossier: Dossier, event: Event) -> None:
    """The service corrected a value of the applicant's form: what, from what to what, and why."""
    _email(dossier, "correction", "emails/correction.txt", details=event.details)


def notify_new_message(message: Message) -> None:
    """Tell the other side of the thread that a message waits, never what it says: the content
    stays behind the login. The citizen is told when the service writes; the agent in charge when
    the citizen writes (nobody in charge: the service's unread count shows it)."""
    dossier = message.dossier
    if message.from_service:
        recipient = dossier.applicant
        path = reverse("citizen:thread", args=[dossier.reference])
    else:
        if dossier.assignee is None:
            return
        recipient = dossier.assignee
        path = reverse("backoffice:review", args=[dossier.reference]) + "#messages"
    if recipient is None or not recipient.is_active:  # anonymised dossier, or account deleted
        return
    context = {
        "dossier": dossier,
        "recipient": recipient,
        "from_service": message.from_service,
        "url": settings.SITE_URL + path,
    }
    enqueue_template_email(
        key=f"new-message:{dossier.reference}:{message.pk}",
        to=[recipient.email],
        template="emails/new_message.txt",
        context=context,
        dossier=dossier,
    )


def notify_jury_visit(dossier: Dossier, message: str) -> None:
    """Palmarès: the commune is told the day of the jury's visit."""
    _email(dossier, "jury-visit", "emails/jury_visit.txt", visit_on=dossier.jury_visit_on, message=message)


def notify_file_quarantined(dossier: Dossier, stored: Any, *, uploader: Any, document: str, from_service: bool) -> None:
    """The antivirus blocked a file: tell the person who sent it (the applicant's side, or the
    agent who attached it to a message), with what to do next."""
    from instruction.documents import spec_for

    spec = spec_for(dossier, document) if document else None
    if from_service:
        path = reverse("backoffice:review", args=[dossier.reference]) + "#messages"
    else:
        path = reverse("citizen:dossier", args=[dossier.reference])
    recipient = uploader if uploader is not None and uploader.email else dossier.applicant
    if recipient is None or not recipient.email or not recipient.is_active:
        return  # an anonymised dossier or a deleted account: nobody to tell
    context = {
        "dossier": dossier,
        "recipient": recipient,
        "name": stored.original_name,
        "document": str(spec.label) if spec is not None else "",
        "editable": dossier.is_editable_by_applicant and not from_service,
        "url": settings.SITE_URL + path,
    }
    kind = "document" if document else "attachment"
    enqueue_template_email(
        key=f"file-quarantined:{kind}:{stored.pk}",
        to=[recipient.email],
        template="emails/file_quarantined.txt",
        context=context,
        dossier=dossier,
    )
