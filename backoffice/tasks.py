"""Background exports: writing a job's file, and purging old jobs and files.

``run_export`` runs the list again as the job's owner (``backoffice.lists.listing``, through the
same access rules as the page: the téléservices the owner instructs today), writes the file to a
local temporary file, then stores it. Progress is written every ``PROGRESS_EVERY`` dossiers by a
short UPDATE of its own, committed at once (the worker runs in autocommit; the rows come from a
server-side cursor declared WITH HOLD, which outlives those commits), so « Mes exports » sees it.
A failed export leaves no file in storage.
"""

from __future__ import annotations

import datetime as dt
import logging
import posixpath
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import Storage
from django.http import HttpRequest, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backoffice import exports
from backoffice.export_jobs import RETENTION_DAYS
from backoffice.lists import TABS_BY_SLUG, Listing, listing
from backoffice.models import ExportJob
from permissions.models import User

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 500
EXPORTS_DIR = "exports"


class ExportRefused(Exception):
    """The job may not run any more (the owner lost access, a filter is no longer valid); its
    message is shown to the owner."""


def _listing_for(job: ExportJob) -> Listing:
    """The job's list as its owner would see it now, built by the list's own code."""
    owner: User = job.owner
    tab = TABS_BY_SLUG.get(job.tab)
    if not owner.is_active or tab is None:
        raise ExportRefused(_("Vous n'avez plus accès aux dossiers de cette liste."))
    request = HttpRequest()
    request.user = owner
    request.GET = QueryDict(job.query)
    try:
        current = listing(request, tab)
    except PermissionDenied:
        raise ExportRefused(_("Vous n'avez plus accès aux dossiers de cette liste.")) from None
    if not current.form.is_valid():
        raise ExportRefused(_("Les filtres de cette liste ne sont plus valides : exportez-la de nouveau."))
    return current


def _with_progress(rows: Iterable[Any], job_id: int) -> Iterator[Any]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job_id).update(rows_done=done)


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # the purge removes what is left
        logger.exception("export: could not delete %s", name)


def _fail(job_id: int, message: str) -> None:
    # Only the running job: another worker given the same job may have finished it meanwhile.
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.FAILED, error=message, finished=timezone.now()
    )


@shared_task(acks_late=True)
def run_export(job_id: int) -> str:
    """Write the file of a pending job (or of a running one whose worker was lost: it starts
    again from the beginning). Returns what happened, for the worker's log."""
    claimed = ExportJob.objects.filter(pk=job_id, status__in=ExportJob.ACTIVE).update(
        status=ExportJob.Status.RUNNING, rows_done=0, error=""
    )
    if not claimed:
        return "skipped"
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    field = job.file.field
    storage: Storage = field.storage
    stored = ""
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            current = _listing_for(job)
            dossiers = exports.exported(current)
            ExportJob.objects.filter(pk=job_id).update(rows_total=dossiers.order_by().count())
            with tempfile.TemporaryFile() as local:
                typed = _with_progress(exports.rows(dossiers, current.today), job_id)
                written = exports.write(job.format, typed, local, title=exports.sheet_title(current))
                size = local.tell()
                local.seek(0)
                name = field.generate_filename(job, job.original_name)
                try:
                    stored = storage.save(name, File(local, name=job.original_name), max_length=field.max_length)
                except BaseException:
                    _delete_quietly(storage, name)  # a half-written file, if the storage left one
                    raise
        except ExportRefused as refusal:
            _fail(job_id, str(refusal))
            return "refused"
        except Exception:
            logger.exception("export %s failed", job_id)
            _fail(job_id, _("L'export n'a pas pu être préparé. Relancez-le depuis la liste."))
            return "failed"
    try:
        finished = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.DONE,
            file=stored,
            size=size,
            rows_done=written,
            rows_total=written,
            finished=timezone.now(),
        )
    except BaseException:
        _delete_quietly(storage, stored)
        raise
    if not finished:  # purged or finished by another worker meanwhile: this file belongs to nobody
        _delete_quietly(storage, stored)
        return "skipped"
    return "done"


@shared_task
def purge_old_exports(days: int = RETENTION_DAYS) -> int:
    """Remove the export jobs older than ``days`` and their files, then any file left under
    exports/ by a worker that died between storing it and recording it. Returns the number of
    jobs removed. A file that cannot be deleted keeps its job, to be tried again next time."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    removed = 0
    old = ExportJob.objects.filter(created__lt=cutoff).only("pk", "file").order_by("pk")
    for job in old.iterator(chunk_size=500):
        if job.file:
            try:
                job.file.storage.delete(job.file.name)
            except Exception:
                logger.exception("export purge: could not delete %s", job.file.name)
                continue
        removed += ExportJob.objects.filter(pk=job.pk).delete()[0]
    _purge_orphans(ExportJob._meta.get_field("file").storage, cutoff)
    return removed


def _purge_orphans(storage: Storage, cutoff: dt.datetime) -> None:
    try:
        owners, _files = storage.listdir(EXPORTS_DIR)
    except FileNotFoundError:
        return
    for owner in owners:
        folder = posixpath.join(EXPORTS_DIR, owner)
        names = [posixpath.join(folder, name) for name in storage.listdir(folder)[1]]
        known = set(ExportJob.objects.filter(file__in=names).values_list("file", flat=True))
        for name in names:
            if name not in known and storage.get_modified_time(name) < cutoff:
                _delete_quietly(storage, name)
