"""The applicant's e-mails that an administrator may rewrite per téléservice: the acknowledgement
(« accusé de réception ») and the decision, subject and body.

They are plain text rendered by the same restricted engine as the decision letter (no template
loading, no ``{% load %}``, no ``{% now %}``), without HTML escaping since the e-mail is text,
from a few plain values (``VARIABLES``). A blank subject or body keeps the default text of
templates/emails/. A template that would not render is refused when the téléservice is saved."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.template import Context, TemplateSyntaxError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from instruction.letters import letter_engine
from instruction.models import Dossier
from instruction.models.dossier import public_status_label

logger = logging.getLogger(__name__)

# What the administrators' templates may use, shown in the admin's help and in errors.
VARIABLES = (
    "reference",
    "demandeur",
    "teleservice",
    "service",
    "lien",
    "date_transmission",
    "echeance",
    "decision",
    "decision_code",
    "montant",
    "motivation",
    "prix",
    "lettre_jointe",
)

SAMPLE = {
    "reference": "PJL-2026-000123",
    "demandeur": "Camille Martin",
    "teleservice": "Pack Jeunes",
    "service": "Service Jeunesse",
    "lien": "https://exemple.test/demandes/PJL-2026-000123/",
    "date_transmission": dt.date(2026, 3, 2),
    "echeance": dt.date(2026, 5, 1),
    "decision": "Accepté",
    "decision_code": "accepted",
    "montant": "400,00 €",
    "motivation": "Dossier complet.",
    "prix": "",
    "lettre_jointe": True,
}


def check_email_template(source: str) -> None:
    """ValidationError (in French) if an administrator's e-mail template would not render."""
    try:
        render(source, SAMPLE)
    except (TemplateSyntaxError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise ValidationError(
            _("Le modèle d'e-mail contient une erreur : %(error)s. Variables disponibles : %(variables)s.")
            % {"error": error, "variables": ", ".join(VARIABLES)}
        ) from None


def render(source: str, context: dict[str, Any]) -> str:
    return letter_engine().from_string(source).render(Context(context, autoescape=False)).strip()


def email_context(dossier: Dossier, *, url: str, letter: bool = False) -> dict[str, Any]:
    applicant = dossier.applicant
    amount = dossier.decision_amount
    return {
        "reference": dossier.reference,
        "demandeur": (applicant.get_full_name() or applicant.email) if applicant else "",
        "teleservice": dossier.teleservice.title,
        "service": dossier.teleservice.instructing_service.name,
        "lien": url,
        "date_transmission": timezone.localdate(dossier.transmitted_at) if dossier.transmitted_at else "",
        "echeance": dossier.deadline or "",
        "decision": public_status_label(dossier.status),
        "decision_code": dossier.status,
        "montant": (formats.number_format(amount, 2, use_l10n=True) + " €") if amount is not None else "",
        "motivation": dossier.decision_motivation,
        "prix": dossier.prize_label if dossier.prize else "",
        "lettre_jointe": letter,
    }


def customised(default: tuple[str, str], custom: tuple[str, str], context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body): the administrator's where written, else the default's. A template that
    fails at sending time (it rendered when saved) gives way to the default, logged."""
    subject, body = default
    source_subject, source_body = (source.strip() for source in custom)
    try:
        if source_subject:
            subject = " ".join(render(source_subject, context).split()) or subject
        if source_body:
            body = render(source_body, context) or body
    except Exception:
        logger.exception("e-mail template of %s failed: default text sent", context.get("teleservice"))
        return default
    return subject, body
