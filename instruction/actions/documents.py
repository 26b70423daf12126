"""Attaching and removing the files of a dossier's supporting documents.

Like ``save_draft``, these change what the applicant is preparing, not the dossier's status:
they write no audit event (the transition log stays one row per status change); what was
sent is recorded in the ``transmit`` and ``answer_complement`` events instead."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from instruction.actions.base import ActionError, InvalidInput, TransitionRefused, locked_dossier, record, refusal
from instruction.documents import spec_for, specs_for
from instruction.files import delete_on_commit, store
from instruction.models import Dossier, DossierFile, ScanStatus
from instruction.scanning import initial_status, scan_on_commit
from instruction.uploads import CheckedUpload, check_upload
from permissions import access


def _ensure_editable(dossier: Dossier) -> None:
    if not dossier.is_editable_by_applicant:
        raise TransitionRefused(
            _("Ce dossier « %(status)s » n'est plus modifiable.") % {"status": dossier.get_status_display()}
        )


def _checked(dossier: Dossier, uploads: Mapping[str, Sequence[UploadedFile]]) -> dict[str, list[CheckedUpload]]:
    """Every file checked before any is stored: one refused file refuses the whole request."""
    specs = {spec.code: spec for spec in specs_for(dossier)}
    errors: dict[str, list[str]] = {}
    checked: dict[str, list[CheckedUpload]] = {}
    counts = dict.fromkeys(specs, 0)
    # A file the antivirus blocked does not count: the applicant sends another in its place.
    for stored in dossier.files.exclude(scan_status=ScanStatus.INFECTED).values_list("document", flat=True):
        counts[stored] = counts.get(stored, 0) + 1
    for code, files in uploads.items():
        spec = specs.get(code)
        if spec is None:
            errors.setdefault("__all__", []).append(_("Cette pièce justificative n'est pas demandée pour ce dossier."))
            continue
        messages: list[str] = []
        if counts[code] + len(files) > spec.file_limit:
            messages.append(
                _("Vous pouvez joindre au plus %(max)s fichiers pour la pièce « %(label)s ».")
                % {"max": spec.file_limit, "label": spec.label}
            )
        good = []
        for upload in files:
            try:
                good.append(check_upload(upload, spec.allowed_types))
            except ValidationError as error:
                messages.extend(error.messages)
        if messages:
            errors[spec.input_name] = messages
        checked[code] = good
    if errors:
        raise InvalidInput(errors, _("Aucun fichier n'a été joint : corrigez les pièces signalées."))
    return checked


def attach_files(
    dossier: Dossier, uploads: Mapping[str, Sequence[UploadedFile]], *, acting_user: Any
) -> list[DossierFile]:
    """Attach new files to documents (``uploads`` maps a document code to its files): all of
    them, or none, and nothing left in storage when refused."""
    uploads = {code: list(files) for code, files in uploads.items() if files}
    if not uploads:
        return []
    with locked_dossier(dossier, acting_user=acting_user, action="edit") as locked:
        _ensure_editable(locked)
        checked = _checked(locked, uploads)
        created = []
        for code, files in checked.items():
            created += [_stored(locked, code, upload, acting_user) for upload in files]
        locked.save(update_fields=["updated"])
    return created


def remove_file(dossier: Dossier, file_id: int, *, acting_user: Any) -> DossierFile:
    """« Supprimer »: the applicant removes one file while the dossier is editable."""
    with locked_dossier(dossier, acting_user=acting_user, action="edit") as locked:
        _ensure_editable(locked)
        removed = DossierFile.objects.filter(dossier=locked, pk=file_id).first()
        if removed is None:
            raise ActionError(_("Ce fichier a déjà été supprimé."))
        removed.delete()
        locked.save(update_fields=["updated"])
        # Only once the row is gone for good: a rolled-back removal keeps its file.
        delete_on_commit(removed.file.storage, [removed.file.name])
    return removed


def replace_blocked_files(
    dossier: Dossier, code: str, uploads: Sequence[UploadedFile], *, acting_user: Any
) -> list[DossierFile]:
    """« Envoyer un autre fichier »: once the dossier is transmitted, the applicant sends new files
    in place of those the antivirus blocked for one document (one new file per blocked one). The
    blocked rows and their quarantined objects go; the quarantine's audit event stays."""
    with locked_dossier(dossier, acting_user=acting_user, action="replace_blocked_file") as locked:
        if not access.status_allows(locked, "replace_blocked_file"):
            raise refusal(locked)
        spec = spec_for(locked, code)
        blocked = list(DossierFile.objects.filter(dossier=locked, document=code, scan_status=ScanStatus.INFECTED))
        if spec is None or not blocked:
            raise ActionError(_("Aucun fichier bloqué par l'antivirus n'est à remplacer pour cette pièce."))
        key = spec.input_name
        if not uploads:
            raise InvalidInput({key: [_("Choisissez le fichier à envoyer.")]})
        if len(uploads) > len(blocked):
            raise InvalidInput(
                {key: [_("Vous pouvez envoyer au plus %(max)s fichiers pour cette pièce.") % {"max": len(blocked)}]}
            )
        checked: list[CheckedUpload] = []
        errors: list[str] = []
        for sent in uploads:
            try:
                checked.append(check_upload(sent, spec.allowed_types))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise InvalidInput({key: errors}, _("Aucun fichier n'a été envoyé : corrigez la pièce signalée."))
        created = []
        for good, old in zip(checked, blocked, strict=False):
            created.append(_stored(locked, code, good, acting_user))
            old.delete()
            delete_on_commit(old.file.storage, [old.file.name])
        record(
            locked,
            acting_user=acting_user,
            action="replace_blocked_file",
            before=locked.status,
            document=code,
            replaced=[old.original_name for old in blocked[: len(created)]],
            files=[new.pk for new in created],
        )
    return created


def _stored(dossier: Dossier, code: str, upload: CheckedUpload, acting_user: Any) -> DossierFile:
    """One checked file stored for a document, its antivirus scan queued for after the commit."""
    attached = DossierFile(
        dossier=dossier,
        document=code,
        original_name=upload.safe_name,
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by=acting_user,
        scan_status=initial_status(),
    )
    # Deleted from storage if this transaction, or one around it, is rolled back.
    store(attached.file, upload.file, upload.safe_name)
    attached.save()
    scan_on_commit(attached)
    return attached
