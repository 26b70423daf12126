"""``manage.py apply_retention``: the dry run prints what is due and changes nothing (database and
storage compared), the real run then does exactly that, a second run finds nothing, one failing
dossier loses nothing else, and beat runs it daily."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import time_machine
from django.core import mail
from django.utils import timezone

from instruction.actions import retention as retention_actions
from instruction.models import Dossier, DossierStatus
from instruction.tasks import apply_retention
from tests.factories import TeleserviceFactory
from tests.instruction.retention_helpers import (
    db_snapshot,
    decided_dossier,
    idle_draft,
    run,
    stored_files,
    warned,
)


def _lines(output: str, title: str) -> list[str]:
    """The references listed under a heading of the command's output."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    refs = []
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        refs.append(line.split()[0])
    return refs


def test_apply_retention_dry_run_changes_nothing_then_does_what_it_said(
    cast, settings, django_capture_on_commit_callbacks
):
    """One dossier per category and one of each kept: the dry run lists them and touches neither
    rows nor files; the run does the same list; a second run has nothing to do."""
    to_warn = idle_draft(cast, 80)
    to_delete = warned(idle_draft(cast, 91), days_ago=16)
    to_anonymise = decided_dossier(cast, years_ago=5.1)
    fresh_draft = idle_draft(cast, 10)
    recent = decided_dossier(cast, years_ago=4.5)
    early_warned = warned(idle_draft(cast, 95), days_ago=3)  # warned too late: 15 days are owed
    before_db, before_files = db_snapshot(), stored_files(settings)
    assert len(before_files) >= 8

    code, output = run("apply_retention", "--dry-run")

    assert code == 0, output
    assert "Simulation (--dry-run) : rien n'est modifié." in output
    assert "Brouillons à avertir (courriel avant suppression) : 1" in output
    assert _lines(output, "Brouillons à avertir") == [to_warn.reference]
    assert _lines(output, "Brouillons à supprimer") == [to_delete.reference]
    assert _lines(output, "Dossiers décidés à anonymiser") == [to_anonymise.reference]
    assert db_snapshot() == before_db
    assert stored_files(settings) == before_files

    with django_capture_on_commit_callbacks(execute=True):
        code, output = run("apply_retention")

    assert code == 0, output
    assert _lines(output, "Brouillons avertis") == [to_warn.reference]
    assert _lines(output, "Brouillons supprimés") == [to_delete.reference]
    assert _lines(output, "Dossiers décidés anonymisés") == [to_anonymise.reference]
    assert not Dossier.objects.filter(pk=to_delete.pk).exists()
    assert Dossier.objects.get(pk=to_anonymise.pk).anonymised_at is not None
    assert Dossier.objects.get(pk=to_warn.pk).retention_warned_at is not None
    for kept in (fresh_draft, recent, early_warned):
        fresh = Dossier.objects.get(pk=kept.pk)
        assert fresh.anonymised_at is None and fresh.data == kept.data
    gone = before_files - stored_files(settings)
    assert gone and all(f"/{to_delete.pk}/" in name or f"/{to_anonymise.pk}/" in name for name in gone)
    assert any(f"/{to_anonymise.pk}/" in name for name in gone) and any(f"/{to_delete.pk}/" in name for name in gone)

    code, output = run("apply_retention")
    assert code == 0
    assert "Brouillons avertis (courriel avant suppression) : 0" in output
    assert "Brouillons supprimés avec leurs fichiers : 0" in output
    assert "Dossiers décidés anonymisés : 0" in output


def test_apply_retention_per_teleservice_period(cast):
    """A téléservice kept 1 year is anonymised at 2 years, one kept 5 years (the default) is not."""
    short = TeleserviceFactory(instructing_service=cast.service, code="CRT", retention_years=1)
    assert cast.teleservice.retention_years == 5
    brief = decided_dossier(cast, years_ago=2, teleservice=short)
    kept = decided_dossier(cast, years_ago=2)

    code, output = run("apply_retention")

    assert code == 0, output
    assert _lines(output, "Dossiers décidés anonymisés") == [brief.reference]
    assert Dossier.objects.get(pk=kept.pk).applicant == cast.applicant


def test_apply_retention_one_failure_loses_nothing_else(cast, settings, django_capture_on_commit_callbacks):
    """The first dossier's anonymisation fails half-way: it stays whole (rows and files), the second
    is anonymised, the command says which failed and exits with an error."""
    first = decided_dossier(cast, years_ago=6)
    second = decided_dossier(cast, years_ago=6, applicant=cast.other_citizen)
    files_before = stored_files(settings)
    real = retention_actions._redact_events

    def failing(dossier):
        real(dossier)  # the events are redacted, then the failure: all of it must roll back
        if dossier.pk == first.pk:
            raise RuntimeError("panne simulée")
        return 0

    with mock.patch.object(retention_actions, "_redact_events", failing):
        with django_capture_on_commit_callbacks(execute=True):
            code, output = run("apply_retention")

    assert code == 1
    assert f"pour {first.reference} : RuntimeError: panne simulée" in output
    assert "1 dossier(s) n'ont pas pu être traités" in output
    whole = Dossier.objects.get(pk=first.pk)
    assert whole.anonymised_at is None and whole.applicant == cast.applicant and whole.data == first.data
    assert not whole.events.exclude(redacted="").exists()
    assert Dossier.objects.get(pk=second.pk).anonymised_at is not None
    remaining = stored_files(settings)
    assert {f for f in files_before if f"/{first.pk}/" in f} <= remaining
    assert not {f for f in remaining if f"/{second.pk}/" in f}


def test_apply_retention_beat_task_runs_the_same_rules(cast):
    """The daily beat task warns the same draft the command would, once."""
    draft = idle_draft(cast, 80)
    assert apply_retention.apply().get() == {"warn": 1, "delete": 0, "anonymise": 0, "failed": 0, "files": 0}
    assert Dossier.objects.get(pk=draft.pk).retention_warned_at is not None
    assert apply_retention.apply().get()["warn"] == 0


def test_apply_retention_whole_life_of_a_draft_with_the_clock(cast, django_capture_on_commit_callbacks, deliver_outbox):
    """Day 75: warned (one e-mail naming day 90). Day 90: deleted."""
    draft = idle_draft(cast, 0)
    start = timezone.now()
    with time_machine.travel(start + dt.timedelta(days=75, hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            run("apply_retention")
        deliver_outbox()  # as the worker would (with a broker, nothing is sent in the web process)
        assert len(mail.outbox) == 1
        deletion_day = timezone.localdate(draft.updated + dt.timedelta(days=90))
        assert f"supprimés le {deletion_day.day} " in mail.outbox[0].body
    with time_machine.travel(start + dt.timedelta(days=89), tick=False):
        run("apply_retention")
        assert Dossier.objects.filter(pk=draft.pk, status=DossierStatus.DRAFT).exists()
    with time_machine.travel(start + dt.timedelta(days=90, hours=1), tick=False):
        code, output = run("apply_retention")
        assert code == 0 and draft.reference in output
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert len(mail.outbox) == 1
