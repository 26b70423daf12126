"""The beat schedule: every job names a task the worker knows, and the sessions purge works."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone


def test_beat_schedule_every_job_is_a_registered_task():
    """A typo in a task's name would only show as an error in beat's log, every period."""
    from config.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "instruction.tasks.sweep_outbox",
        "instruction.tasks.sweep_complements",
        "backoffice.tasks.purge_old_exports",
        "config.celery.purge_expired_sessions",
        "instruction.tasks.expire_expert_accesses",
        "instruction.tasks.apply_retention",
        "instruction.tasks.sweep_scans",
    }
    assert scheduled <= set(app.tasks)


def test_purge_expired_sessions_keeps_live_ones(db):
    """The hourly job removes expired sessions and only them."""
    from config.celery import purge_expired_sessions

    live = SessionStore()
    live["k"] = "v"
    live.create()
    expired = SessionStore()
    expired["k"] = "v"
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - dt.timedelta(hours=1))

    assert purge_expired_sessions.apply().get() == "done"

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
