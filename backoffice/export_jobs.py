"""Background exports: starting one, « Mes exports » (progress, « Télécharger ») and the download.

The file itself is written by ``backoffice.tasks.run_export``; the jobs and files older than
``RETENTION_DAYS`` are removed by ``backoffice.tasks.purge_old_exports``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from backoffice.lists import TABS_BY_SLUG, Listing
from backoffice.models import CONTENT_TYPES, ExportJob, export_file_name
from backoffice.views import _instructed
from instruction.files import private_file_response
from permissions import access
from permissions.models import User

RETENTION_DAYS = 7
SHOWN_JOBS = 50  # « Mes exports » shows the latest ones (older ones are purged after a week anyway)


def start(request: HttpRequest, current: Listing, fmt: str, *, total: int) -> HttpResponse:
    """An ``ExportJob`` for this list, its task sent once the row is committed, and the agent
    sent to « Mes exports ». The same export already in preparation is not started twice (a
    double click, a second tab)."""
    from backoffice.tasks import run_export  # the task writes with exports.py, which calls this module

    owner = cast(User, request.user)  # an agent: listing() let them through
    query = current.query()
    same = ExportJob.objects.filter(
        owner=owner, tab=current.tab.slug, query=query, format=fmt, status__in=ExportJob.ACTIVE
    )
    if same.exists():
        messages.info(request, _("Cet export est déjà en préparation."))
        return redirect("backoffice:exports")
    job = ExportJob.objects.create(
        owner=owner,
        tab=current.tab.slug,
        query=query,
        format=fmt,
        language=get_language() or "",
        rows_total=total,
        original_name=export_file_name(current.tab.slug, current.today, fmt),
        content_type=CONTENT_TYPES[fmt],
    )
    transaction.on_commit(lambda: run_export.delay(job.pk))
    count = formats.number_format(total, force_grouping=True)
    messages.info(
        request,
        ngettext(
            "L'export de %(count)s dossier est en préparation…",
            "L'export de %(count)s dossiers est en préparation…",
            total,
        )
        % {"count": count},
    )
    return redirect("backoffice:exports")


@dataclass
class JobRow:
    job: ExportJob
    title: str
    list_url: str


def _row(job: ExportJob) -> JobRow:
    tab = TABS_BY_SLUG.get(job.tab)
    if tab is None:
        return JobRow(job, job.tab, "")
    return JobRow(job, str(tab.title), f"{tab.url}?{job.query}" if job.query else tab.url)


@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    """« Mes exports »: my exports of the last days, their progress and « Télécharger » once
    ready. One query for the jobs, whatever their number (tests/backoffice/test_export_jobs.py)."""
    _instructed(request)  # agents only, as the lists
    owner = cast(User, request.user)
    jobs = [_row(job) for job in ExportJob.objects.filter(owner=owner)[:SHOWN_JOBS]]
    context = {
        "jobs": jobs,
        "running": any(row.job.is_active for row in jobs),
        "retention_days": RETENTION_DAYS,
    }
    return render(request, "backoffice/exports.html", context)


@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file of one of my finished exports, through the private-file helper. Anybody else's
    job, an unfinished one, or any job once I am no longer an agent: 404."""
    if not access.instructed_teleservice_ids(request.user):
        raise Http404
    owner = cast(User, request.user)
    job = ExportJob.objects.filter(pk=pk, owner=owner, status=ExportJob.Status.DONE).first()
    if job is None or not job.file:
        raise Http404
    return private_file_response(job)
