"""Dossiers at each stage of their retention, built through the real actions, and snapshots of
the database and the storage to compare before and after a run."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from instruction import actions
from instruction.models import (
    DecisionLetter,
    Dossier,
    DossierFile,
    Event,
    Message,
    MessageAttachment,
    OutboxMessage,
)
from tests.factories import filed_dossier, pdf_upload


def stored_files(settings: Any) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def db_snapshot() -> dict[str, Any]:
    """Every row the retention may touch, as plain values."""
    return {
        "dossiers": sorted(Dossier.objects.values_list()),
        "events": sorted(Event.objects.values_list()),
        "files": sorted(DossierFile.objects.values_list()),
        "messages": sorted(Message.objects.values_list()),
        "attachments": sorted(MessageAttachment.objects.values_list()),
        "letters": sorted(DecisionLetter.objects.values_list()),
        "outbox": sorted(OutboxMessage.objects.values_list("pk", "key", "payload", "dossier_id", "status")),
    }


def run(*args: str) -> tuple[int, str]:
    """``manage.py <args>``: exit code (0, or 1 for a CommandError / SystemExit) and output."""
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue() + err.getvalue()
    except Exception as error:  # CommandError
        return 1, out.getvalue() + err.getvalue() + str(error)
    return 0, out.getvalue() + err.getvalue()


def idle_draft(cast: Any, days: float, *, applicant: Any = None) -> Dossier:
    """A draft with its documents whose last change was ``days`` ago."""
    draft = filed_dossier(cast.teleservice, applicant or cast.applicant, transmit=False)
    Dossier.objects.filter(pk=draft.pk).update(updated=timezone.now() - dt.timedelta(days=days))
    draft.refresh_from_db()
    return draft


def warned(draft: Dossier, days_ago: float) -> Dossier:
    Dossier.objects.filter(pk=draft.pk).update(retention_warned_at=timezone.now() - dt.timedelta(days=days_ago))
    draft.refresh_from_db()
    return draft


def decided_dossier(cast: Any, *, years_ago: float, teleservice: Any = None, applicant: Any = None) -> Dossier:
    """Filed with documents, a thread with attachments on both sides, a correction-free decision
    with a motivation and its letter rendered by the worker; decided ``years_ago``."""
    applicant = applicant or cast.applicant
    dossier = filed_dossier(teleservice or cast.teleservice, applicant)
    actions.take(dossier, acting_user=cast.agent)
    actions.send_message(dossier, acting_user=cast.agent, body="Merci d'envoyer le bail.", files=[pdf_upload("a.pdf")])
    actions.send_message(
        dossier, acting_user=applicant, body="Voici le bail de Mme Martin.", files=[pdf_upload("bail.pdf")]
    )
    actions.decide(dossier, acting_user=cast.agent, outcome="accepted", amount="250", motivation="Loyer de 480 €.")
    from instruction.tasks import deliver_outbox

    for pk in OutboxMessage.objects.filter(dossier=dossier, status="pending").values_list("pk", flat=True):
        deliver_outbox(pk)  # renders and stores the decision letter
    when = timezone.now() - dt.timedelta(days=365.25 * years_ago)
    Dossier.objects.filter(pk=dossier.pk).update(decided_at=when)
    dossier.refresh_from_db()
    return dossier
