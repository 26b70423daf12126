"""What the applicant is told, written to the outbox by the actions."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from instruction.models import Dossier
from instruction.outbox import enqueue_email


def _email(dossier: Dossier, kind: str, template: str, **context: object) -> None:
    context.update(dossier=dossier, url=settings.SITE_URL + reverse("citizen:dossier", args=[dossier.reference]))
    # In French, whatever language the agent who triggered it is browsing in.
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(template, context).strip()
    subject, _sep, body = text.partition("\n")
    # The event count makes the key unique per occurrence yet stable on a retried transaction.
    occurrence = dossier.events.count()
    enqueue_email(
        key=f"{kind}:{dossier.reference}:{occurrence}",
        to=[dossier.applicant.email],
        subject=subject.strip(),
        body=body.strip() + "\n",
        dossier=dossier,
    )


def notify_transmission(dossier: Dossier) -> None:
    _email(dossier, "transmission-ack", "emails/transmission_ack.txt")


def notify_complement_requested(dossier: Dossier, message: str) -> None:
    _email(dossier, "complement-requested", "emails/complement_requested.txt", message=message)


def notify_decision(dossier: Dossier) -> None:
    _email(dossier, "decision", "emails/decision.txt")
