"""seed_load: proportions, status/tasks agreement, real Viewflow rows, repeatability, refusals."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from viewflow.workflow.models import Task

from bench.seed_load import PASSWORD, run
from instruction import actions
from instruction.models import Dossier, DossierStatus, Event, ReferenceCounter
from instruction.search import refresh_search_vector, search_query
from permissions.models import User
from tests.factories import filed_dossier
from workflows import engine

S = DossierStatus
N = 300
EXPECTED_TASKS: dict[str, list[tuple[str, str, str | None]]] = {
    S.DRAFT: [],
    S.TRANSMITTED: [("review", "NEW", None)],
    S.IN_INSTRUCTION: [("review", "ASSIGNED", "assignee")],
    S.COMPLEMENT_REQUESTED: [("await_complement", "ASSIGNED", "applicant")],
    S.AWAITING_VALIDATION: [("validation", "NEW", None)],
}


@pytest.fixture
def seeded(db: Any) -> dict[str, int]:
    return run(N, seed=7, batch=120, out=io.StringIO())


def _snapshot() -> list[tuple[str, str]]:
    return list(Dossier.objects.order_by("pk").values_list("reference", "status"))


def test_proportions(seeded: dict[str, int]) -> None:
    counts = Counter(Dossier.objects.values_list("status", flat=True))
    assert sum(counts.values()) == N
    open_share = sum(counts[s] for s in EXPECTED_TASKS if s != S.DRAFT) / N
    assert 0.12 <= open_share <= 0.28
    assert counts[S.DRAFT] <= 0.06 * N
    assert sum(counts[s] for s in (S.ACCEPTED, S.REJECTED, S.CLOSED)) >= 0.7 * N
    assert seeded["instruction_dossier"] == N


def test_status_agrees_with_tasks_and_events(seeded: dict[str, int]) -> None:
    for dossier in Dossier.objects.select_related("process"):
        tasks = engine.open_tasks(dossier)
        owners = {"assignee": dossier.assignee_id, "applicant": dossier.applicant_id, None: None}
        expected = [(node, st, owners[who]) for node, st, who in EXPECTED_TASKS.get(dossier.status, [])]
        assert [(t.flow_task.name, t.status, t.owner_id) for t in tasks] == expected, dossier.reference
        timers = [t.flow_task.name for t in engine.scheduled_timers(dossier)]
        complement = dossier.status == S.COMPLEMENT_REQUESTED
        assert timers == (["await_complement__timeout"] if complement else []), dossier.reference
        if dossier.is_decided:
            assert dossier.process.status == "DONE" and dossier.decided_at is not None
        events = list(dossier.events.order_by("pk"))
        assert events[0].action == "create" and events[-1].to_status == dossier.status
        assert all(a.to_status == b.from_status for a, b in zip(events, events[1:], strict=False))
        assert dossier.search_vector is not None


def test_search_vectors_are_those_of_instruction_search(seeded: dict[str, int]) -> None:
    ids = list(Dossier.objects.order_by("pk").values_list("pk", flat=True)[:50])
    seeded_vectors = dict(Dossier.objects.filter(pk__in=ids).values_list("pk", "search_vector"))
    refresh_search_vector(ids)
    assert dict(Dossier.objects.filter(pk__in=ids).values_list("pk", "search_vector")) == seeded_vectors
    assert Dossier.objects.filter(search_vector=search_query("Vesoul")).exists()


def test_seeded_rows_match_the_actions_layer(seeded: dict[str, int]) -> None:
    """A dossier filed now through the actions layer leaves the same shape of rows."""
    seeded_review = Task.objects.filter(flow_task__endswith=".review", status="NEW").first()
    applicant = Dossier.objects.filter(status=S.TRANSMITTED).first().applicant
    fresh = filed_dossier(seeded_review.process.dossier.teleservice, applicant)
    real = engine.open_tasks(fresh)[0]
    columns = ("flow_task", "flow_task_type", "status", "owner_permission", "owner_permission_content_type_id", "token")
    assert [getattr(real, c) for c in columns] == [getattr(seeded_review, c) for c in columns]
    assert real.owner_permission_obj_pk == str(fresh.teleservice_id)
    assert real.process.flow_class == seeded_review.process.flow_class
    # The reference counter went on after the seeded references.
    assert fresh.reference not in {r for r, _ in _snapshot()[:-1]}
    assert ReferenceCounter.objects.exists()


def test_actions_work_on_seeded_dossiers(seeded: dict[str, int]) -> None:
    queued = Dossier.objects.filter(status=S.TRANSMITTED).select_related("teleservice").first()
    agent = User.objects.filter(groups__instructing_service=queued.service).first()
    actions.take(queued, acting_user=agent)
    actions.decide(queued, acting_user=agent, outcome=S.REJECTED, motivation="Hors délai.")
    queued.refresh_from_db()
    assert queued.status == S.REJECTED and engine.open_tasks(queued) == []
    # The seeded deadline timer fires (no documents are seeded: answering would be refused).
    complement = Dossier.objects.filter(status=S.COMPLEMENT_REQUESTED).first()
    actions.expire_complement(complement)
    complement.refresh_from_db()
    assert complement.status == S.IN_INSTRUCTION
    assert [(t.flow_task.name, t.owner_id) for t in engine.open_tasks(complement)] == [
        ("review", complement.assignee_id)
    ]
    waiting = Dossier.objects.filter(status=S.AWAITING_VALIDATION).first()
    actions.validate_decision(waiting, acting_user=waiting.service.supervisors.first())
    waiting.refresh_from_db()
    assert waiting.status == S.ACCEPTED and engine.open_tasks(waiting) == []
    assert Event.objects.filter(dossier=queued, action="decide").exists()


def test_back_office_pages_answer_for_a_seeded_agent(seeded: dict[str, int], client: Any) -> None:
    dossier = Dossier.objects.filter(status=S.IN_INSTRUCTION).first()
    agent = dossier.assignee
    assert agent.check_password(PASSWORD)  # one precomputed hash for every seeded account
    client.force_login(agent)
    for name in ("backoffice:queue", "backoffice:my_tasks", "backoffice:done"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    assert dossier.reference in client.get(reverse("backoffice:my_tasks")).content.decode()
    assert client.get(reverse("backoffice:review", args=[dossier.reference])).status_code == 200
    supervisor = dossier.service.supervisors.first()
    client.force_login(supervisor)
    assert client.get(reverse("backoffice:to_validate")).status_code == 200


class _Rollback(Exception):
    pass


def _seed_and_rollback(seed: int) -> list[tuple[str, str]]:
    try:
        with transaction.atomic():
            run(60, seed=seed, batch=25, out=io.StringIO())
            snapshot = _snapshot()
            raise _Rollback
    except _Rollback:
        pass
    return snapshot


def test_same_seed_same_data(db: Any) -> None:
    first, again, other = _seed_and_rollback(3), _seed_and_rollback(3), _seed_and_rollback(4)
    assert len(first) == 60
    assert first == again
    assert first != other


@pytest.mark.parametrize("count", [0, -5])
def test_refuses_non_positive_counts(db: Any, count: int) -> None:
    with pytest.raises(CommandError, match="strictement positif"):
        call_command("seed_load", dossiers=count, stderr=io.StringIO())


def test_refuses_a_database_with_dossiers(seeded: dict[str, int]) -> None:
    with pytest.raises(CommandError, match="déjà des dossiers"):
        call_command("seed_load", dossiers=10, stderr=io.StringIO())


def test_without_row_foreign_key_checks(db: Any) -> None:
    """--defer-fk-checks: same rows, the foreign keys checked once at the end."""
    written = run(80, seed=5, batch=30, fk_checks=False, out=io.StringIO())
    assert written["instruction_dossier"] == 80
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"  # only for the load's transactions
    dossier = Dossier.objects.filter(status=S.TRANSMITTED).first()
    assert [t.flow_task.name for t in engine.open_tasks(dossier)] == ["review"]
