"""The transmission receipt (« accusé de réception »): a PDF attached to the acknowledgement
e-mail, rendered by the worker at delivery time.

It is rendered from what the ``transmit`` audit event recorded (data, files, time), never from
"now", so that a retried delivery sends the same receipt whatever happened to the dossier since."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from instruction.attachments import register
from instruction.documents import specs_for
from instruction.forms import form_for
from instruction.models import Dossier, Event, FoyerMember

TEMPLATE = "pdf/receipt.html"


def transmission_event(dossier: Dossier) -> Event:
    event = dossier.events.filter(action="transmit").order_by("created", "pk").first()
    if event is None:
        raise ValueError(f"{dossier.reference} has not been transmitted: no receipt")
    return event


def _beneficiary(recorded: dict[str, Any] | None) -> dict[str, Any] | None:
    """The beneficiary as recorded at transmission (the foyer may have changed since)."""
    if not recorded:
        return None
    return {
        "civility": FoyerMember.Civility(recorded["civility"]).label,
        "last_name": recorded["last_name"],
        "first_name": recorded["first_name"],
        "birth_date": dt.date.fromisoformat(recorded["birth_date"]),
        "link": FoyerMember.Link(recorded["link"]).label,
    }


def receipt_context(dossier: Dossier) -> dict[str, Any]:
    event = transmission_event(dossier)
    data = event.details.get("data", dossier.data)
    form = form_for(dossier)(data=data, dossier=dossier)
    beneficiary_field = getattr(form, "beneficiary_field", None)
    files: dict[str, list[str]] = {}
    for stored in event.details.get("files", []):
        files.setdefault(stored["document"], []).append(stored["name"])
    documents = [
        {"label": str(spec.label), "files": files.get(spec.code, [])}
        for spec in specs_for(dossier)
        if spec.applies(data) or spec.code in files
    ]
    return {
        "dossier": dossier,
        "transmitted_at": timezone.localtime(event.created),
        "applicant": dossier.applicant,
        "beneficiary": _beneficiary(event.details.get("beneficiary")),
        # The beneficiary has its own section: its choice label carries an age that moves with time.
        "rows": form.summary(exclude=[beneficiary_field] if beneficiary_field else []),
        "documents": documents,
    }


def receipt_html(dossier: Dossier) -> str:
    # In French, like every message to the applicant, whatever language the worker runs in.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(TEMPLATE, receipt_context(dossier))


def receipt_pdf(dossier: Dossier) -> bytes:
    from weasyprint import HTML  # heavy import, only where PDFs are made

    pdf: bytes = HTML(string=receipt_html(dossier)).write_pdf()
    return pdf


def receipt_filename(dossier: Dossier) -> str:
    return f"accuse-de-reception-{dossier.reference}.pdf"


@register("receipt")
def render_receipt(message: Any, spec: dict[str, Any]) -> tuple[str, bytes, str]:
    dossier = message.dossier
    if dossier is None:
        raise ValueError(f"outbox {message.key}: a receipt needs a dossier")
    return receipt_filename(dossier), receipt_pdf(dossier), "application/pdf"
