"""The services the configuration points at are really there (required in CI)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection


def test_database_is_postgresql(db):
    """Whatever the path (embedded or DATABASE_URL), the engine is PostgreSQL."""
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000


def test_broker_reachable_when_configured():
    """With CELERY_BROKER_URL set, tasks go to a live broker; without it they run eagerly."""
    from config.celery import app

    if not os.environ.get("CELERY_BROKER_URL"):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but CELERY_BROKER_URL is not set")
        assert settings.CELERY_TASK_ALWAYS_EAGER is True
        return
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=2)
        assert conn.connected
