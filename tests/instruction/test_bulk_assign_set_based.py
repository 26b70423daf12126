"""« Attribuer la sélection » moves a selection set-based: the same number of SQL queries for 3
dossiers as for 30, and every moved dossier ends in the shape the lifecycle requires (in
instruction with the agent, its one review task assigned to the agent, one audit event)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.status import STATUS

from instruction import actions
from instruction.models import Dossier, DossierStatus, Event
from permissions.models import User
from tests.factories import UserFactory, filed_dossier
from workflows import engine

S = DossierStatus
REASON = "Rééquilibrage de la charge."


@pytest.fixture
def colleague(cast: Any) -> Any:
    user = UserFactory(email="collegue@exemple.test")
    cast.service.add_agent(user)
    return user


def selection(cast: Any, count: int) -> list[Dossier]:
    """Half queued, half in instruction with the agent."""
    dossiers = [filed_dossier(cast.teleservice, cast.applicant) for _ in range(count)]
    for dossier in dossiers[: count // 2]:
        actions.take(dossier, acting_user=cast.agent)
    return dossiers


def queries_for(cast: Any, colleague: Any, count: int) -> int:
    dossiers = selection(cast, count)
    supervisor = User.objects.get(pk=cast.supervisor.pk)  # no per-user cache carried over
    with CaptureQueriesContext(connection) as captured:
        outcomes = actions.bulk_assign(
            [d.reference for d in dossiers], acting_user=supervisor, agent=colleague, reason=REASON
        )
    assert all(o.assigned for o in outcomes)
    return len(captured.captured_queries)


def test_bulk_assign_queries_do_not_grow_with_selection(cast, colleague):
    queries_for(cast, colleague, 2)  # the process's caches (content types) warm up
    assert queries_for(cast, colleague, 3) == queries_for(cast, colleague, 30)


def test_bulk_assign_moved_dossiers_keep_lifecycle_shape(cast, colleague):
    dossiers = selection(cast, 6)

    actions.bulk_assign([d.reference for d in dossiers], acting_user=cast.supervisor, agent=colleague, reason=REASON)

    for dossier in dossiers:
        fresh = Dossier.objects.get(pk=dossier.pk)
        assert (fresh.status, fresh.assignee_id) == (S.IN_INSTRUCTION, colleague.pk)
        assert [(t.flow_task.name, t.status, t.owner_id) for t in engine.open_tasks(fresh)] == [
            ("review", STATUS.ASSIGNED, colleague.pk)
        ]
        event = Event.objects.filter(dossier=dossier).last()
        assert event.details["reason"] == REASON and event.actor_id == cast.supervisor.pk
    actions_recorded = sorted(Event.objects.filter(details__reason=REASON).values_list("action", flat=True))
    assert actions_recorded == ["assign"] * 3 + ["reassign"] * 3
    # The colleague can then work on them as on any dossier taken.
    actions.decide(dossiers[0], acting_user=colleague, outcome=S.REJECTED, motivation="Hors critères.")
    assert Dossier.objects.get(pk=dossiers[0].pk).status == S.REJECTED
