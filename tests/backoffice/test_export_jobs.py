"""Background exports: a list longer than EXPORT_SYNC_MAX_ROWS becomes an ExportJob, written by
the worker as its owner would see the list, followed in « Mes exports » and downloaded by its
owner only; failures leave no file; old jobs and files are purged.

The task is run by calling it (as the worker would): with a broker configured (CI), ``delay``
only queues it."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backoffice import exports, tasks
from backoffice.models import ExportJob
from tests.backoffice.test_exports import HEADERS, XLSX_TYPE, export, read_xlsx, rows_of
from tests.factories import filed_dossier

EXPORTS_URL = "/instruction/exports/"


@pytest.fixture
def queued(monkeypatch: Any) -> list[int]:
    """The job ids sent to the worker (``run_export.delay``), without sending them anywhere."""
    sent: list[int] = []

    class Task:
        @staticmethod
        def delay(job_id: int) -> None:
            sent.append(job_id)

    monkeypatch.setattr(tasks, "run_export", Task)
    return sent


def stored_files(settings: Any) -> list[Path]:
    """The export files in storage (the dossiers' own files are elsewhere)."""
    root = Path(settings.MEDIA_ROOT) / "exports"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def make_job(
    owner: Any, *, tab: str = "a-traiter", query: str = "", fmt: str = "csv", language: str = "fr", **fields: Any
) -> ExportJob:
    return ExportJob.objects.create(
        owner=owner,
        tab=tab,
        query=query,
        format=fmt,
        language=language,
        original_name=f"dossiers-{tab}.{fmt}",
        content_type=exports.CONTENT_TYPES[fmt],
        **fields,
    )


def download(client: Any, job: ExportJob, expect: int = 200) -> Any:
    response = client.get(reverse("backoffice:export_download", args=[job.pk]))
    assert response.status_code == expect
    return response


# --- Starting a job ---------------------------------------------------------------------------
def test_export_agent_over_threshold_starts_job(client, cast, settings, queued, django_capture_on_commit_callbacks):
    """Above EXPORT_SYNC_MAX_ROWS the button creates a job for this list (filters and order kept),
    sends its task once committed, and leads to « Mes exports » with « L'export de N dossiers est
    en préparation… »."""
    settings.EXPORT_SYNC_MAX_ROWS = 2
    for _ in range(3):
        filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = export(client, expect=302, fmt="xlsx", sort="-reference", deadline="")
    assert response.url == EXPORTS_URL
    job = ExportJob.objects.get()
    assert (job.owner, job.tab, job.query, job.format) == (cast.agent, "a-traiter", "sort=-reference", "xlsx")
    assert (job.status, job.rows_total, job.rows_done, job.file.name) == ("pending", 3, 0, "")
    assert job.original_name.startswith("dossiers-a-traiter-") and job.content_type == XLSX_TYPE
    assert queued == [job.pk]
    page = client.get(EXPORTS_URL).content.decode()
    assert "L&#x27;export de 3 dossiers est en préparation…" in page


def test_export_agent_at_threshold_downloads_at_once(client, cast, settings):
    """A list of exactly EXPORT_SYNC_MAX_ROWS dossiers (or a filtered list under it) is sent at once."""
    settings.EXPORT_SYNC_MAX_ROWS = 2
    first = filed_dossier(cast.teleservice, cast.applicant)
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    assert len(rows_of(export(client))) == 3
    filed_dossier(cast.teleservice, cast.other_citizen)
    assert [row[0] for row in rows_of(export(client, q=first.reference))[1:]] == [first.reference]
    assert not ExportJob.objects.exists()


def test_export_agent_same_export_not_started_twice(client, cast, settings):
    """A second click on the same export while it is in preparation does not start another;
    another format, or other filters, do."""
    settings.EXPORT_SYNC_MAX_ROWS = 0
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    export(client, expect=302)
    response = export(client, expect=302)
    assert response.url == EXPORTS_URL
    assert "Cet export est déjà en préparation." in client.get(EXPORTS_URL).content.decode()
    export(client, expect=302, fmt="xlsx")
    export(client, expect=302, sort="-reference")
    assert ExportJob.objects.count() == 3
    ExportJob.objects.update(status=ExportJob.Status.DONE)
    export(client, expect=302)
    assert ExportJob.objects.count() == 4


def test_export_agent_invalid_filter_starts_no_job(client, cast, settings):
    """An invalid filter is refused before any job is created."""
    settings.EXPORT_SYNC_MAX_ROWS = 0
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    export(client, expect=400, teleservice=cast.other_teleservice.pk)
    assert not ExportJob.objects.exists()


# --- Running it -------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_run_export_writes_the_same_rows_as_the_list(client, cast, settings, fmt):
    """The worker's file holds what the immediate export of the same list holds, filters and
    order included; the job is done with its counts, size and a file under exports/."""
    settings.EXPORT_SYNC_MAX_ROWS = 2
    for _ in range(3):
        filed_dossier(cast.teleservice, cast.applicant)
    filed_dossier(cast.teleservice, cast.other_citizen)
    filed_dossier(cast.other_teleservice, cast.other_citizen)  # another service's
    client.force_login(cast.agent)
    export(client, expect=302, fmt=fmt, sort="-reference")
    job = ExportJob.objects.get()
    assert tasks.run_export(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_done, job.percent, job.error) == ("done", 4, 4, 100, "")
    assert job.file.name.startswith(f"exports/{cast.agent.pk}/") and job.finished is not None
    content = b"".join(download(client, job).streaming_content)
    assert job.size == len(content)
    settings.EXPORT_SYNC_MAX_ROWS = 5000
    at_once = export(client, fmt=fmt, sort="-reference")
    if fmt == "csv":
        assert content == b"".join(at_once.streaming_content)
    else:
        assert read_xlsx(content).rows == read_xlsx(b"".join(at_once.streaming_content)).rows
    assert tasks.run_export(job.pk) == "skipped"  # a done job is not written again


def test_run_export_only_what_the_owner_sees(cast):
    """The worker runs the list as the job's owner: an agent of another service gets only theirs."""
    filed_dossier(cast.teleservice, cast.applicant)
    theirs = filed_dossier(cast.other_teleservice, cast.other_citizen)
    job = make_job(cast.other_agent)
    assert tasks.run_export(job.pk) == "done"
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        rows = handle.read().decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and rows[1].startswith(theirs.reference + ";")


def test_run_export_owner_no_longer_agent_fails_without_file(cast, settings):
    """An owner removed from their service since the click: the job fails, no file is written."""
    filed_dossier(cast.teleservice, cast.applicant)
    job = make_job(cast.agent)
    cast.agent.groups.remove(cast.service.group)
    assert tasks.run_export(job.pk) == "refused"
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "Vous n'avez plus accès aux dossiers de cette liste."
    assert not job.file and stored_files(settings) == []


def test_run_export_filter_no_longer_valid_fails(cast, settings):
    """A téléservice filter the owner no longer instructs is not widened: the job fails."""
    other_service = cast.other_teleservice.instructing_service
    other_service.add_agent(cast.agent)
    filed_dossier(cast.other_teleservice, cast.other_citizen)
    job = make_job(cast.agent, query=f"teleservice={cast.other_teleservice.pk}")
    cast.agent.groups.remove(other_service.group)
    assert tasks.run_export(job.pk) == "refused"
    job.refresh_from_db()
    assert job.status == "failed" and "ne sont plus valides" in job.error
    assert stored_files(settings) == []


def test_run_export_in_the_owners_language(cast):
    """The file's headers are in the language the agent used when asking."""
    filed_dossier(cast.teleservice, cast.applicant)
    job = make_job(cast.agent, fmt="xlsx", language="en")
    tasks.run_export(job.pk)
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        sheet = read_xlsx(handle.read())
    assert sheet.rows[0][0] == "Reference" and sheet.name == "To process"


def test_run_export_progress_every_n_rows(cast, monkeypatch):
    """Progress is written every PROGRESS_EVERY rows by a short UPDATE of its own."""
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 2)
    for _ in range(5):
        filed_dossier(cast.teleservice, cast.applicant)
    job = make_job(cast.agent)
    with CaptureQueriesContext(connection) as queries:
        tasks.run_export(job.pk)
    progress = [
        int(match.group(1))
        for query in queries.captured_queries
        if (match := re.match(r'UPDATE "backoffice_exportjob" SET "rows_done" = (\d+) WHERE', query["sql"]))
    ]
    assert progress == [2, 4]
    job.refresh_from_db()
    assert (job.rows_done, job.rows_total, job.status) == (5, 5, "done")


@pytest.mark.django_db(transaction=True)
def test_run_export_progress_visible_while_running(cast, monkeypatch):
    """While the worker writes, another connection (« Mes exports ») sees the progress: it is
    committed at once, not held in a long transaction; the rows still come from one cursor."""
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 2)
    for _ in range(5):
        filed_dossier(cast.teleservice, cast.applicant)
    job = make_job(cast.agent)
    other = connections.create_connection("default")
    seen: list[tuple[str, int, int]] = []
    real_rows = exports.rows

    def watched(*args: Any, **kwargs: Any) -> Any:
        for row in real_rows(*args, **kwargs):
            with other.cursor() as cursor:
                cursor.execute("SELECT status, rows_done, rows_total FROM backoffice_exportjob WHERE id = %s", [job.pk])
                seen.append(cursor.fetchone())
            yield row

    monkeypatch.setattr(exports, "rows", watched)
    try:
        assert tasks.run_export(job.pk) == "done"
    finally:
        other.close()
    assert seen == [("running", 0, 5), ("running", 0, 5), ("running", 2, 5), ("running", 2, 5), ("running", 4, 5)]


def test_run_export_failure_leaves_no_file(cast, settings, monkeypatch):
    """An error in the middle of the rows: the job is marked failed with a message for the agent,
    and nothing is left in storage."""
    for _ in range(3):
        filed_dossier(cast.teleservice, cast.applicant)
    real_rows = exports.rows

    def broken(*args: Any, **kwargs: Any) -> Any:
        for count, row in enumerate(real_rows(*args, **kwargs)):
            if count == 2:
                raise RuntimeError("database went away")
            yield row

    monkeypatch.setattr(exports, "rows", broken)
    for fmt in ("csv", "xlsx"):
        job = make_job(cast.agent, fmt=fmt)
        assert tasks.run_export(job.pk) == "failed"
        job.refresh_from_db()
        assert job.status == "failed" and job.finished is not None and not job.file
        assert job.error == "L'export n'a pas pu être préparé. Relancez-le depuis la liste."
    assert stored_files(settings) == []


def test_run_export_storage_failure_leaves_no_half_file(cast, settings, monkeypatch):
    """The storage fails half-way through writing the file: the partial file is removed."""
    filed_dossier(cast.teleservice, cast.applicant)

    def half_written(self: FileSystemStorage, name: str, content: Any) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read(10))
        raise OSError("No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", half_written)
    job = make_job(cast.agent)
    assert tasks.run_export(job.pk) == "failed"
    assert ExportJob.objects.get(pk=job.pk).status == "failed"
    assert stored_files(settings) == []


def test_run_export_job_deleted_meanwhile_keeps_no_file(cast, settings, monkeypatch):
    """A job purged while its file was being written: the file is not kept."""
    filed_dossier(cast.teleservice, cast.applicant)
    job = make_job(cast.agent)
    real_write = exports.write

    def write_then_purge(*args: Any, **kwargs: Any) -> int:
        written = real_write(*args, **kwargs)
        ExportJob.objects.filter(pk=job.pk).delete()
        return written

    monkeypatch.setattr(exports, "write", write_then_purge)
    assert tasks.run_export(job.pk) == "skipped"
    assert stored_files(settings) == []


# --- « Mes exports » --------------------------------------------------------------------------
def test_exports_page_agent_sees_own_jobs_with_progress(client, cast):
    """Each job with its list, a <progress> and its percentage; « Télécharger » once done; the
    script that follows the progress and « Actualiser » only while one is in preparation."""
    running = make_job(cast.agent, status="running", rows_total=200, rows_done=50)
    done = make_job(cast.agent, tab="traites", query="q=vesoul", fmt="xlsx", status="done", rows_total=3, rows_done=3)
    done.file.save("x", ContentFile(b"data"), save=True)
    failed = make_job(cast.agent, status="failed", error="Vous n'avez plus accès aux dossiers de cette liste.")
    make_job(cast.other_agent, status="running")
    client.force_login(cast.agent)
    page = client.get(EXPORTS_URL).content.decode()
    assert page.count('<tr id="export-') == 3
    assert '<progress max="100" value="25"' in page and '25 % — <span class="status">En préparation</span>' in page
    assert "(50 sur 200 dossiers)" in page
    assert f'href="{reverse("backoffice:export_download", args=[done.pk])}">Télécharger' in page
    assert page.count(">Télécharger<") == 1
    assert 'href="/instruction/traites/?q=vesoul">Traités</a> <span class="meta">(liste filtrée)</span>' in page
    assert f'id="export-{failed.pk}"' in page and "Vous n&#x27;avez plus accès" in page
    assert f'id="export-{running.pk}" data-export-job="running"' in page
    assert '<script src="/static/js/export-progress.js" defer></script>' in page
    assert ">Actualiser</a>" in page
    ExportJob.objects.filter(pk=running.pk).update(status="done")
    page = client.get(EXPORTS_URL).content.decode()
    assert "export-progress.js" not in page and "Actualiser" not in page


def test_exports_page_agent_without_jobs(client, cast):
    """No job yet: the page says so."""
    client.force_login(cast.agent)
    assert "Aucun export pour le moment." in client.get(EXPORTS_URL).content.decode()


@pytest.mark.parametrize("actor", ["applicant", "other_citizen"])
def test_exports_page_citizen_forbidden(client, cast, actor):
    """Citizens get 403 on « Mes exports », as on the lists."""
    client.force_login(getattr(cast, actor))
    assert client.get(EXPORTS_URL).status_code == 403


def test_exports_page_anonymous_redirected_to_login(client, cast):
    """An anonymous visitor is sent to the login page."""
    response = client.get(EXPORTS_URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_exports_page_query_count_bounded(client, cast, django_assert_max_num_queries):
    """« Mes exports » costs the same few queries whatever the number of jobs."""
    make_job(cast.agent, status="running", rows_total=10)
    client.force_login(cast.agent)
    with CaptureQueriesContext(connection) as one:
        assert client.get(EXPORTS_URL).status_code == 200
    for status in ["pending", "running", "done", "failed"] * 6:
        job = make_job(cast.agent, status=status, rows_total=10, rows_done=5)
        if status == "done":
            job.file.save("x", ContentFile(b"data"), save=True)
    with django_assert_max_num_queries(len(one)):
        assert client.get(EXPORTS_URL).content.decode().count('<tr id="export-') == 25
    assert len(one) <= 8


def test_exports_list_link_in_the_lists(client, cast):
    """The lists offer « Exporter (CSV) » and « Exporter (XLSX) », as buttons of one POST form to
    the export URL with the list's filters, and a link to « Mes exports »."""
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    page = client.get(reverse("backoffice:queue"), {"q": "vesoul", "sort": "-reference"}).content.decode()
    form = re.search(r'<form method="post" action="([^"]*)" class="list-tools actions">(.*?)</form>', page, re.S)
    assert form.group(1) == "/instruction/exporter/a-traiter/?q=vesoul&amp;sort=-reference"
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert 'name="format" value="csv" class="button button-secondary">Exporter (CSV)</button>' in form.group(2)
    assert 'name="format" value="xlsx" class="button button-secondary">Exporter (XLSX)</button>' in form.group(2)
    assert f'<a href="{EXPORTS_URL}">Mes exports</a>' in form.group(2)


# --- Downloading ------------------------------------------------------------------------------
@pytest.fixture
def done_job(cast: Any) -> ExportJob:
    filed_dossier(cast.teleservice, cast.applicant)
    job = make_job(cast.agent, fmt="xlsx")
    tasks.run_export(job.pk)
    job.refresh_from_db()
    return job


def test_export_download_owner_gets_the_file(client, cast, done_job):
    """The owner downloads the file as an attachment named after the list, never cached."""
    client.force_login(cast.agent)
    response = download(client, done_job)
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="dossiers-a-traiter.xlsx"'
    assert response["Cache-Control"] == "private, no-store"
    assert read_xlsx(b"".join(response.streaming_content)).rows[0] == HEADERS


@pytest.mark.parametrize("actor", ["supervisor", "other_agent", "applicant", "other_citizen"])
def test_export_download_anybody_else_not_found(client, cast, done_job, actor):
    """Anybody but the owner, a colleague or a supervisor of the same service included, gets 404."""
    client.force_login(getattr(cast, actor))
    download(client, done_job, expect=404)


def test_export_download_owner_no_longer_agent_not_found(client, cast, done_job):
    """An owner who is no longer an agent cannot download their old exports any more."""
    cast.agent.groups.remove(cast.service.group)
    client.force_login(cast.agent)
    download(client, done_job, expect=404)


@pytest.mark.parametrize("status", ["pending", "running", "failed"])
def test_export_download_unfinished_not_found(client, cast, status):
    """Only a finished export has a file."""
    job = make_job(cast.agent, status=status)
    client.force_login(cast.agent)
    download(client, job, expect=404)


def test_export_download_missing_file_not_found(client, cast, done_job):
    """A job whose file has disappeared from storage: 404, not an error."""
    done_job.file.storage.delete(done_job.file.name)
    client.force_login(cast.agent)
    download(client, done_job, expect=404)


# --- Purge ------------------------------------------------------------------------------------
def test_purge_old_exports_removes_jobs_and_files_after_seven_days(cast, settings):
    """Jobs older than 7 days go with their files; newer ones stay; a file left by a worker that
    died before recording it goes once it is 7 days old too."""
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=7, minutes=1)):
        old = make_job(cast.agent, status="done")
        old.file.save("x", ContentFile(b"old"), save=True)
        make_job(cast.agent, status="failed")
        make_job(cast.agent, status="running")
    with time_machine.travel(now - dt.timedelta(days=6, hours=23)):
        recent = make_job(cast.agent, status="done")
        recent.file.save("x", ContentFile(b"recent"), save=True)
    storage = recent.file.storage
    orphan = storage.save(f"exports/{cast.agent.pk}/orphan", ContentFile(b"lost"))
    storage.save(f"exports/{cast.other_agent.pk}/in-progress", ContentFile(b"being recorded"))
    eight_days_ago = (now - dt.timedelta(days=8)).timestamp()
    os.utime(storage.path(orphan), (eight_days_ago, eight_days_ago))
    os.utime(storage.path(old.file.name), (eight_days_ago, eight_days_ago))
    assert tasks.purge_old_exports() == 3
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [recent.pk]
    assert [path.name for path in stored_files(settings)] == sorted([Path(recent.file.name).name, "in-progress"])


def test_purge_old_exports_nothing_to_do(cast):
    """No export at all: nothing happens, nothing fails."""
    assert tasks.purge_old_exports() == 0
