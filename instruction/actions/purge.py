"""The purge of a dossier's files, for the retention job (its rules and schedule come with the
retention issue).

A dossier row cannot be deleted: its audit trail (``Event``, append-only, enforced by a database
trigger) protects it. What a purge removes is what is stored: the supporting documents, the
message attachments and the decision letters' PDFs, from the storage (local or S3) once the
purge commits, and their rows (a letter keeps its row, tied to its decision event, without a
file). The dossier, its form data, its messages and its audit trail stay, with one more event
saying how many files went."""

from __future__ import annotations

from typing import Any

from instruction.actions.base import locked_dossier, record, refusal
from instruction.files import delete_on_commit
from instruction.models import DecisionLetter, Dossier, DossierFile, MessageAttachment
from permissions import access


def purge_files(dossier: Dossier, *, acting_user: Any = access.SYSTEM) -> int:
    """Delete every stored file of a draft or a decided dossier; returns how many. Scheduled jobs
    only (``access.ACTION_ROLES``); a dossier still being instructed is refused."""
    with locked_dossier(dossier, acting_user=acting_user, action="purge_files") as locked:
        if not access.abilities(acting_user, locked)["purge_files"]:  # the status guard
            raise refusal(locked)
        counts: dict[str, int] = {}
        for key, model, rows in (
            ("documents", DossierFile, DossierFile.objects.filter(dossier=locked)),
            ("attachments", MessageAttachment, MessageAttachment.objects.filter(message__dossier=locked)),
            ("letters", DecisionLetter, DecisionLetter.objects.filter(dossier=locked).exclude(file="")),
        ):
            names = list(rows.values_list("file", flat=True))
            counts[key] = len(names)
            if model is DecisionLetter:
                rows.update(file="")
            else:
                rows.delete()
            # Only once the purge commits: a rolled-back purge keeps its files.
            delete_on_commit(model._meta.get_field("file").storage, names)
        record(locked, acting_user=acting_user, action="purge_files", before=locked.status, **counts)
    return sum(counts.values())
