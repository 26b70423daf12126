"""The Celery app (`celery -A config worker`, `celery -A config beat`), configured from the
CELERY_* settings; tasks are found in each app's ``tasks`` module. The schedule is
CELERY_BEAT_SCHEDULE in config/settings.py."""

import os
from importlib import import_module

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("teleservices")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.celery.purge_expired_sessions")
def purge_expired_sessions() -> str:
    """What `manage.py clearsessions` does, on the beat schedule: expired sessions are rows
    (or files) that Django never removes by itself."""
    from django.conf import settings

    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    return "done"
