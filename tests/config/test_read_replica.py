"""The read replica (config/db.py): the lists, their counts, the exports and the API's dossier list
read from it when one is configured; the review page, the actions and the access checks never do.

The test run has a ``replica`` alias that mirrors default's test database (tests/conftest.py);
these tests turn it on with ``DATABASE_READ_ALIAS``, as ``DATABASE_REPLICA_URL`` does. The replica
is its own connection, so the tests commit their data (``transaction=True``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice import tasks
from backoffice.models import CONTENT_TYPES, ExportJob
from config.db import PRIMARY_COOKIE, PrimaryReplicaRouter, read_alias
from tests.api.helpers import ApiClient, token_for
from tests.factories import filed_dossier

on_replica = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
DOSSIER_TABLE = '"instruction_dossier"'


@contextmanager
def captured() -> Iterator[tuple[CaptureQueriesContext, CaptureQueriesContext]]:
    with CaptureQueriesContext(connections["default"]) as default:
        with CaptureQueriesContext(connections["replica"]) as replica:
            yield default, replica


def reads_dossiers(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if DOSSIER_TABLE in query["sql"]]


@pytest.fixture
def replica(settings: Any) -> None:
    settings.DATABASE_READ_ALIAS = "replica"


# --- Without DATABASE_REPLICA_URL ------------------------------------------------------------
def test_read_alias_without_replica_is_default(rf: RequestFactory) -> None:
    """The test run has no DATABASE_REPLICA_URL: everything reads default, cookie or not."""
    request = rf.get("/", HTTP_COOKIE=f"{PRIMARY_COOKIE}=1")
    assert (read_alias(), read_alias(rf.get("/")), read_alias(request)) == ("default", "default", "default")


def _settings_in_a_process(**env: str) -> str:
    base = {key: value for key, value in os.environ.items() if key != "DATABASE_REPLICA_URL"}
    code = (
        "from config import settings as s; "
        "print(sorted(s.DATABASES), s.DATABASE_READ_ALIAS, s.DATABASES.get('replica', {}).get('TEST'))"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        env={**base, "SECRET_KEY": "x", "DEBUG": "0", "DATABASE_URL": "postgres://u@db.test/app", **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_settings_replica_alias_only_with_its_url() -> None:
    """DATABASE_REPLICA_URL adds the ``replica`` alias, a test mirror of default, and turns the
    reads on; without it there is only default."""
    assert _settings_in_a_process() == "['default'] default None"
    configured = _settings_in_a_process(DATABASE_REPLICA_URL="postgres://ro@replica.test/app")
    assert configured == "['default', 'replica'] replica {'MIRROR': 'default'}"


@on_replica
def test_read_alias_inside_a_transaction_is_default(rf: RequestFactory, replica: None) -> None:
    """A transaction on default sees its own writes; the replica would not."""
    assert read_alias() == "replica" and read_alias(rf.get("/", HTTP_COOKIE=f"{PRIMARY_COOKIE}=1")) == "default"
    with transaction.atomic():
        assert read_alias() == "default"


def test_router_writes_and_migrates_on_default_only() -> None:
    router = PrimaryReplicaRouter()
    assert router.db_for_write(ExportJob) == "default"
    assert router.allow_migrate("default", "backoffice") and not router.allow_migrate("replica", "backoffice")


# --- With a replica ---------------------------------------------------------------------------
@on_replica
def test_list_page_and_counts_read_the_replica(client: Any, cast: Any, replica: None) -> None:
    """The lists' rows, counts and filter choices come from the replica; default only serves the
    session, the user and the access rules. The same number of queries as without a replica."""
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    # On the replica: the téléservices' titles, the rows, the counts (« Traités »: and the agents).
    for url_name, on_the_replica in (("backoffice:queue", 3), ("backoffice:my_tasks", 3), ("backoffice:done", 4)):
        with captured() as (default, replica_queries):
            response = client.get(reverse(url_name))
        assert response.status_code == 200
        assert len(replica_queries) == on_the_replica and len(reads_dossiers(replica_queries)) == 2
        # On default: the session, the user and who may see what (guardian, supervised services).
        assert len(default) == 4 and reads_dossiers(default) == []
    assert response.context["tabs"][1]["count"] == 1  # « À traiter » counted on the replica


@on_replica
def test_export_reads_the_replica(client: Any, cast: Any, replica: None) -> None:
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    with captured() as (default, replica_queries):
        response = client.post(reverse("backoffice:export", args=["a-traiter"]), {"format": "csv"})
        body = b"".join(response.streaming_content)
    assert response.status_code == 200 and body.count(b"\r\n") == 2  # header and the dossier
    assert len(reads_dossiers(replica_queries)) == 2  # the size check, then the rows
    assert reads_dossiers(default) == []


@on_replica
def test_background_export_reads_the_replica_and_writes_default(cast: Any, replica: None) -> None:
    filed_dossier(cast.teleservice, cast.applicant)
    job = ExportJob.objects.create(
        owner=cast.agent,
        tab="a-traiter",
        query="",
        format="csv",
        language="fr",
        original_name="d.csv",
        content_type=CONTENT_TYPES["csv"],
    )
    with captured() as (default, replica_queries):
        assert tasks.run_export(job.pk) == "done"
    assert reads_dossiers(replica_queries) and reads_dossiers(default) == []
    assert not any("backoffice_exportjob" in q["sql"] for q in replica_queries.captured_queries)
    job.refresh_from_db()
    assert (job.status, job.rows_total) == ("done", 1)


@on_replica
def test_review_and_actions_never_read_the_replica(client: Any, cast: Any, replica: None) -> None:
    """The review page and an action read and write default only; the action's redirect to a list
    makes this browser's lists read default for a few seconds (no stale list after a change)."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    with captured() as (_default, replica_queries):
        assert client.get(reverse("backoffice:review", args=[dossier.reference])).status_code == 200
        taken = client.post(reverse("backoffice:act", args=[dossier.reference, "prendre"]))
        assert taken.status_code == 302 and PRIMARY_COOKIE not in taken.cookies  # to the review page
        released = client.post(reverse("backoffice:act", args=[dossier.reference, "liberer"]))
        assert released.status_code == 302 and released["Location"] == reverse("backoffice:queue")
    assert replica_queries.captured_queries == []
    assert client.cookies[PRIMARY_COOKIE]["max-age"] == 5
    with captured() as (default, replica_queries):
        assert client.get(reverse("backoffice:queue")).status_code == 200
    assert replica_queries.captured_queries == [] and len(reads_dossiers(default)) == 2


@on_replica
def test_api_dossier_list_reads_the_replica_its_detail_default(cast: Any, replica: None) -> None:
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    api = ApiClient(token_for(cast.agent))
    with captured() as (default, replica_queries):
        response = api.get(reverse("api:dossier-list"))
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    assert reads_dossiers(replica_queries) and reads_dossiers(default) == []
    with captured() as (default, replica_queries):
        assert api.get(reverse("api:dossier-detail", args=[dossier.reference])).status_code == 200
    assert replica_queries.captured_queries == [] and reads_dossiers(default)
