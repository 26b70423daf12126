"""Private files: writing them so that no object outlives a rolled-back transaction, deleting
them once a deletion is committed, and serving them once the caller has checked access.

**No orphans.** Django runs ``on_commit`` callbacks when the outermost transaction commits and
*discards* them when the work they belong to is rolled back (the whole transaction, or the
savepoint they were registered under); it has no ``on_rollback``. ``store`` therefore registers,
before writing, a callback that only marks the file as kept, and ties a ``weakref.finalize`` to
it: when Django drops the callback without running it (a rollback, at any depth, even after the
action has returned), the finalizer deletes the object. A write that fails half-way is covered
the same way, because the name is registered before the bytes are sent. A process killed in
the middle of a transaction may still leave an object behind: nothing in the database names it.

**Serving.** Every download view checks access first (``permissions.access``), then calls
``private_file_response``: local files, and S3 objects with ``S3_DOWNLOAD=stream`` (block by
block from S3's answer, never whole in memory), are streamed through the app; with
``S3_DOWNLOAD=redirect`` the answer is a 302 to a presigned URL that expires after
``S3_PRESIGNED_SECONDS`` and makes S3 answer with the same Content-Disposition and type. Inline
previews are always streamed (``backoffice/preview.py``): their sandboxing Content-Security-Policy
and same-origin framing are headers of this site, which a redirect to the bucket would lose.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from instruction.models.document import QUARANTINE_PREFIX, ScannedFile, ScanStatus, StoredFile

logger = logging.getLogger(__name__)

NO_STORE = "private, no-store"


@dataclass
class _Stored:
    storage: Storage
    name: str
    committed: bool = False


class _KeepOnCommit:
    """The on_commit callback of one stored object: run, it keeps the object; dropped by a
    rollback, its finalizer deletes it."""

    def __init__(self, stored: _Stored) -> None:
        self.stored = stored
        weakref.finalize(self, _delete_unless_committed, stored)

    def __call__(self) -> None:
        self.stored.committed = True


def _delete_unless_committed(stored: _Stored) -> None:
    if not stored.committed:
        _delete_quietly(stored.storage, stored.name)


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # never raise from a commit hook or a finalizer: log, the object stays
        logger.exception("could not delete stored file %s", name)


def store(fieldfile: FieldFile, content: File[Any], filename: str) -> str:
    """Write ``content`` under the field's generated name and set it on ``fieldfile`` (the row is
    saved by the caller). Must run inside the transaction that saves the row: if that transaction
    is rolled back, the object is deleted."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("store() must run inside the transaction that records the file")
    field = fieldfile.field
    stored = _Stored(fieldfile.storage, field.generate_filename(fieldfile.instance, filename))
    # Only the commit-hook list holds the callback: a traceback holding this frame must not delay
    # the deletion of a half-written object.
    transaction.on_commit(_KeepOnCommit(stored))
    stored.name = fieldfile.storage.save(stored.name, content, max_length=field.max_length)
    fieldfile.name = stored.name
    return stored.name


def move_to_quarantine(fieldfile: FieldFile) -> str:
    """Copy the object under the quarantine prefix (same storage, never served) and point the
    field at the copy; the original is deleted once the caller's transaction commits (a rollback
    deletes the copy instead)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("move_to_quarantine() must run inside the transaction that records it")
    storage, old = fieldfile.storage, str(fieldfile.name)
    stored = _Stored(storage, QUARANTINE_PREFIX + old)
    transaction.on_commit(_KeepOnCommit(stored))
    with storage.open(old, "rb") as source:
        stored.name = storage.save(stored.name, source, max_length=fieldfile.field.max_length)
    fieldfile.name = stored.name
    delete_on_commit(storage, [old])
    return stored.name


def delete_on_commit(storage: Storage, names: Iterable[str]) -> None:
    """Delete these objects once the transaction that deleted their rows commits (a rolled-back
    deletion keeps its files)."""
    doomed = [name for name in names if name]

    def delete() -> None:
        for name in doomed:
            _delete_quietly(storage, name)

    if doomed:
        transaction.on_commit(delete, robust=True)


class FileNotReady(Exception):
    """The file exists but may not be served (yet): its antivirus scan is pending, failed, or
    found a virus. ``message`` is for the person who asked (pages answer 409 with it)."""

    def __init__(self, stored: ScannedFile) -> None:
        self.stored = stored
        self.message = not_ready_message(stored)
        super().__init__(self.message)


def not_ready_message(stored: ScannedFile) -> str:
    name = {"name": stored.original_name}
    if stored.scan_status == ScanStatus.PENDING:
        return (
            _(
                "Le fichier « %(name)s » est en cours d'analyse antivirus : il pourra être ouvert dès "
                "la fin de l'analyse. Réessayez dans quelques minutes."
            )
            % name
        )
    if stored.scan_status == ScanStatus.INFECTED:
        return (
            _("Le fichier « %(name)s » a été bloqué : l'antivirus y a détecté un virus. Il ne peut pas être ouvert.")
            % name
        )
    return (
        _(
            "Le fichier « %(name)s » n'a pas pu être analysé par l'antivirus : "
            "il ne peut pas être ouvert pour l'instant."
        )
        % name
    )


def ensure_openable(stored: StoredFile) -> None:
    """Refuse a file the antivirus has not cleared (the quarantine is never served, whatever
    the row says)."""
    if not isinstance(stored, ScannedFile):
        return  # written by the system itself (exports)
    if not stored.is_openable or stored.file.name.startswith(QUARANTINE_PREFIX):  # type: ignore[attr-defined]
        raise FileNotReady(stored)


def private_file_response(stored: StoredFile | None) -> HttpResponseBase:
    """A stored file row's download, named and typed as recorded when its content was checked.
    A missing row or file is a 404; a file the antivirus has not cleared raises FileNotReady."""
    if stored is None:
        raise Http404
    ensure_openable(stored)
    return private_file(stored.file, filename=stored.original_name, content_type=stored.content_type)  # type: ignore[attr-defined]


def private_file(fieldfile: FieldFile, *, filename: str, content_type: str) -> HttpResponseBase:
    """A download (never inline, never kept by a shared cache) of a private file, once the caller
    has checked access: streamed, or a redirect to a short-lived presigned URL."""
    if not fieldfile:
        raise Http404
    if _is_s3(fieldfile.storage) and settings.S3_DOWNLOAD == "redirect":
        s3: Any = fieldfile.storage  # S3Storage.url signs these response headers into the link
        url = s3.url(
            fieldfile.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": content_type,
                "ResponseCacheControl": NO_STORE,
            },
        )
        redirect = HttpResponseRedirect(url)
        redirect["Cache-Control"] = NO_STORE
        return redirect
    return _streamed(fieldfile, as_attachment=True, filename=filename, content_type=content_type)


def inline_file_response(fieldfile: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """The file shown in the page (a preview), always streamed from this site: the caller adds
    its sandboxing headers, which a redirect to the bucket would lose."""
    return _streamed(fieldfile, as_attachment=False, filename=filename, content_type=content_type)


def _streamed(fieldfile: FieldFile, *, as_attachment: bool, filename: str, content_type: str) -> FileResponse:
    if not fieldfile.name:
        raise Http404
    storage = fieldfile.storage
    length = None
    try:
        if _is_s3(storage):
            # Block by block from S3's answer: S3Storage.open() would first copy the whole
            # object into memory.
            s3: Any = storage
            answer = s3.bucket.Object(s3._normalize_name(fieldfile.name)).get()
            handle, length = answer["Body"], answer["ContentLength"]
        else:
            handle = storage.open(fieldfile.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    except Exception as error:
        if _is_missing_object(error):
            raise Http404 from None
        raise
    response = FileResponse(handle, as_attachment=as_attachment, filename=filename, content_type=content_type)
    if length is not None:
        response["Content-Length"] = str(length)
    response["Cache-Control"] = NO_STORE
    return response


def _is_s3(storage: Storage) -> bool:
    from storages.backends.s3 import S3Storage  # imported on first use only

    return isinstance(storage, S3Storage)


def _is_missing_object(error: Exception) -> bool:
    response = getattr(error, "response", None)  # botocore's ClientError
    return isinstance(response, dict) and response.get("Error", {}).get("Code") in ("NoSuchKey", "404")
