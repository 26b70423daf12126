"""Strict test setup and the shared cast: anonymous, applicant, other citizen, agent of the
service, agent of another service, supervisor."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings

from instruction.models import Teleservice
from permissions.models import InstructingService, User
from tests.factories import FoyerMemberFactory, ServiceFactory, TeleserviceFactory, UserFactory


class InvalidTemplateVariable(str):
    """Unknown template variables fail the test instead of rendering as ''."""

    def __mod__(self, other: Any) -> str:
        raise AssertionError(f"Unknown template variable: {other!r}")


settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        missing = [name for name in ("DATABASE_URL", "CELERY_BROKER_URL") if not os.environ.get(name)]
        if missing:
            pytest.exit(f"REQUIRE_SERVICES=1 but {', '.join(missing)} not set", returncode=3)


@pytest.fixture(scope="session")
def clamd_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A real clamd (tests/clamd_server.py) for the whole session; skipped when Debian's
    clamav-daemon is not installed, a failure when REQUIRE_SERVICES=1."""
    from tests import clamd_server

    if not clamd_server.available():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {clamd_server.CLAMD} is missing (apt-get install clamav-daemon)")
        pytest.skip("clamd is not installed (apt-get install clamav-daemon)")
    with clamd_server.running(tmp_path_factory.mktemp("clamd")) as server:
        yield server


@pytest.fixture
def clamd(clamd_server: Any, settings: Any) -> Any:
    """The antivirus on for this test, pointing at the session's clamd."""
    settings.CLAMD_SOCKET = clamd_server.socket
    settings.CLAMD_URL = ""
    return clamd_server


@dataclass
class Cast:
    applicant: User
    other_citizen: User
    agent: User
    other_agent: User
    supervisor: User
    service: InstructingService
    teleservice: Teleservice
    other_teleservice: Teleservice


def citizen_with_foyer(**kwargs: Any) -> User:
    user = UserFactory(**kwargs)
    FoyerMemberFactory(foyer__responsible=user)
    return user


@pytest.fixture
def cast(db: Any) -> Cast:
    service = ServiceFactory(name="Service Jeunesse")
    other_service = ServiceFactory(name="Service Solidarités")
    teleservice = TeleserviceFactory(instructing_service=service, code="PJL")
    other_teleservice = TeleserviceFactory(instructing_service=other_service, code="AUT", title="Autre aide")
    agent = UserFactory(email="agent@exemple.test")
    service.add_agent(agent)
    other_agent = UserFactory(email="autre.agent@exemple.test")
    other_service.add_agent(other_agent)
    supervisor = UserFactory(email="superviseur@exemple.test")
    service.add_agent(supervisor)
    service.supervisors.add(supervisor)
    return Cast(
        applicant=citizen_with_foyer(email="demandeur@exemple.test"),
        other_citizen=citizen_with_foyer(email="voisin@exemple.test"),
        agent=agent,
        other_agent=other_agent,
        supervisor=supervisor,
        service=service,
        teleservice=teleservice,
        other_teleservice=other_teleservice,
    )


@pytest.fixture
def deliver_outbox() -> Any:
    """Deliver every pending outbox message now, as the Celery worker would."""
    from instruction.models import OutboxMessage
    from instruction.tasks import deliver_outbox as task

    def run() -> list[str]:
        pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).values_list("pk", flat=True)
        return [task(pk) for pk in list(pending)]

    return run


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """TEST_DB_SUFFIX lets two test runs share one PostgreSQL server without clashing."""
    suffix = os.environ.get("TEST_DB_SUFFIX")
    if suffix:
        db = settings.DATABASES["default"]
        db.setdefault("TEST", {})
        db["TEST"]["NAME"] = f"test_{db['NAME']}_{suffix}"
    # The read replica's alias, as DATABASE_REPLICA_URL would define it: a mirror of default's
    # test database (no database of its own). Nothing reads from it unless a test sets
    # DATABASE_READ_ALIAS (tests/config/test_read_replica.py), even with DATABASE_REPLICA_URL set.
    if "replica" not in settings.DATABASES:
        default = settings.DATABASES["default"]
        settings.DATABASES["replica"] = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    settings.DATABASE_READ_ALIAS = "default"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests only need hashing to work, not to resist attack."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp_path(settings: Any, tmp_path: Any) -> None:
    """Uploaded files go to the test's own directory, never to DATA_DIR. Assigning STORAGES
    (not mutating it) sends setting_changed, which makes default_storage pick the new place."""
    media = str(tmp_path / "media")
    settings.MEDIA_ROOT = media
    default = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**default, "OPTIONS": {**default["OPTIONS"], "location": media}},
    }
