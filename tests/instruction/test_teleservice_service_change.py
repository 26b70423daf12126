"""A téléservice moved to another instructing service (in code or in the administration): its
dossiers' ``service`` column follows in one UPDATE, so the new service's agents and supervisors
find them in their lists and the old service's agents lose them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruction import actions
from instruction.models import Dossier, DossierStatus
from permissions.models import InstructingService
from tests.factories import UserFactory, filed_dossier
from tests.instruction.admin_forms import post_change
from tests.instruction.test_transitions import bring_to

S = DossierStatus


@pytest.fixture
def dossiers(cast: Any) -> dict[str, Dossier]:
    return {
        "queued": bring_to(S.TRANSMITTED, cast),
        "held": bring_to(S.IN_INSTRUCTION, cast),
        "decided": bring_to(S.ACCEPTED, cast),
        "draft": filed_dossier(cast.teleservice, cast.applicant, transmit=False),
    }


@pytest.fixture
def new_service(cast: Any) -> InstructingService:
    service = cast.other_teleservice.instructing_service
    supervisor = UserFactory(email="superviseure.solidarites@exemple.test")
    service.add_agent(supervisor)
    service.supervisors.add(supervisor)
    return service


def move(cast: Any, service: InstructingService) -> None:
    cast.teleservice.instructing_service = service
    cast.teleservice.save()


def services(dossiers: dict[str, Dossier]) -> dict[str, int | None]:
    return {name: Dossier.objects.get(pk=d.pk).service_id for name, d in dossiers.items()}


def test_service_change_moves_every_transmitted_dossier_in_one_update(cast, dossiers, new_service):
    """Queued, held and decided dossiers follow the téléservice; the draft keeps no service."""
    with CaptureQueriesContext(connection) as captured:
        move(cast, new_service)

    table = Dossier._meta.db_table
    updates = [q["sql"] for q in captured if q["sql"].startswith(f'UPDATE "{table}"')]
    assert len(updates) == 1
    assert services(dossiers) == {
        "queued": new_service.pk,
        "held": new_service.pk,
        "decided": new_service.pk,
        "draft": None,
    }


def test_service_change_nothing_to_move_when_service_unchanged(cast, dossiers):
    """Saving the téléservice without moving it leaves the dossiers as they were."""
    before = services(dossiers)
    cast.teleservice.title = "Pack Jeunes 2026"
    cast.teleservice.save()
    assert services(dossiers) == before


def test_service_change_new_agents_find_dossier_in_their_queue(client, cast, dossiers, new_service):
    """The new service's agent sees the queued dossier in « À traiter », opens and takes it; its
    supervisor finds it in the team's queue."""
    move(cast, new_service)
    queued = dossiers["queued"]

    client.force_login(cast.other_agent)
    assert queued.reference in client.get(reverse("backoffice:queue")).content.decode()
    assert client.get(reverse("backoffice:review", args=[queued.reference])).status_code == 200
    actions.take(queued, acting_user=cast.other_agent)
    assert (queued.status, queued.assignee_id) == (S.IN_INSTRUCTION, cast.other_agent.pk)

    client.force_login(new_service.supervisors.get())
    page = client.get(reverse("backoffice:team")).content.decode()
    assert "Service Solidarités" in page


def test_service_change_new_supervisor_team_queue_lists_dossier(client, cast, dossiers, new_service):
    """The team queue (filtered on the dossiers' service column) follows the move."""
    move(cast, new_service)
    reference = dossiers["queued"].reference

    client.force_login(new_service.supervisors.get())
    assert reference in client.get(reverse("backoffice:team_queue")).content.decode()
    client.force_login(cast.supervisor)
    assert reference not in client.get(reverse("backoffice:team_queue")).content.decode()


@pytest.mark.parametrize("name", ["queued", "held", "decided"])
def test_service_change_old_agents_get_404_on_review(client, cast, dossiers, new_service, name):
    """The old service's agents (the one holding it included) no longer see the dossiers."""
    move(cast, new_service)

    client.force_login(cast.agent)
    assert client.get(reverse("backoffice:review", args=[dossiers[name].reference])).status_code == 404
    assert dossiers["queued"].reference not in client.get(reverse("backoffice:queue")).content.decode()


def test_service_change_in_admin_moves_dossiers(client, cast, dossiers, new_service):
    """Changing « service instructeur » in the administration moves the dossiers too."""
    client.force_login(UserFactory(email="admin@exemple.test", is_staff=True, is_superuser=True))
    response = post_change(client, cast.teleservice, instructing_service=str(new_service.pk))

    assert response.status_code == 302
    assert set(services(dossiers).values()) == {new_service.pk, None}
