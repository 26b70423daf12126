"""Two people acting on the same dossier at the same moment, against the real PostgreSQL: the row
lock taken by the actions layer lets exactly one of them through."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from viewflow.workflow.models import Process
from viewflow.workflow.status import PROCESS

from instruction import actions
from instruction.actions import Conflict, TransitionRefused
from instruction.models import Dossier, DossierStatus, Event, OutboxMessage
from permissions.models import User
from tests.factories import filed_dossier
from workflows import engine

S = DossierStatus
HOLD_LOCK_SECONDS = 0.3


def run_together(dossier_pk: int, user_pk: int, calls: dict[str, Callable[[Dossier, User], Any]]) -> dict[str, Any]:
    """Run each call in its own thread and DB connection, all released at once by a barrier.

    Each thread loads its own copy of the dossier and of the user before the barrier, as two
    requests would. Returns, per call, "ok" or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: dict[str, Any] = {}

    def worker(name: str, call: Callable[[Dossier, User], Any]) -> None:
        try:
            dossier = Dossier.objects.get(pk=dossier_pk)
            user = User.objects.get(pk=user_pk)
            barrier.wait(timeout=10)
            call(dossier, user)
            results[name] = "ok"
        except Exception as error:  # reported to the test thread
            results[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=item, name=item[0]) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), f"{thread.name} is stuck"
    return results


def slowed(function: Callable[..., Any]) -> Callable[..., Any]:
    """The same engine call, holding the transaction (and the dossier's row lock) a little longer,
    so that the other thread is certainly waiting on the lock rather than arriving after commit."""

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(HOLD_LOCK_SECONDS)
        return function(*args, **kwargs)

    return slow


def split(results: dict[str, Any]) -> tuple[list[str], list[Exception]]:
    winners = [name for name, result in results.items() if result == "ok"]
    losers = [result for result in results.values() if result != "ok"]
    return winners, losers


@pytest.mark.django_db(transaction=True)
def test_decide_assignee_twice_concurrently_one_wins(cast, monkeypatch):
    """Two simultaneous decisions on one dossier: one is recorded, the other is a conflict."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    monkeypatch.setattr(engine, "finish_with_decision", slowed(engine.finish_with_decision))
    outbox_before = OutboxMessage.objects.filter(dossier=dossier).count()

    results = run_together(
        dossier.pk,
        cast.agent.pk,
        {
            S.ACCEPTED: lambda d, u: actions.decide(d, acting_user=u, outcome=S.ACCEPTED, amount="250"),
            S.REJECTED: lambda d, u: actions.decide(d, acting_user=u, outcome=S.REJECTED, motivation="Hors barème."),
        },
    )

    winners, losers = split(results)
    assert len(winners) == 1, results
    assert len(losers) == 1 and isinstance(losers[0], Conflict | TransitionRefused), results
    dossier.refresh_from_db()
    assert dossier.status == winners[0]
    decisions = Event.objects.filter(dossier=dossier, action="decide")
    assert [(e.from_status, e.to_status) for e in decisions] == [(S.IN_INSTRUCTION, winners[0])]
    assert dossier.process.status == PROCESS.DONE
    assert engine.open_tasks(dossier) == []
    assert OutboxMessage.objects.filter(dossier=dossier).count() == outbox_before + 1


@pytest.mark.django_db(transaction=True)
def test_transmit_applicant_twice_concurrently_one_process(cast, monkeypatch):
    """Two simultaneous transmissions of one draft start one process and send one message."""
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    monkeypatch.setattr(engine, "start", slowed(engine.start))

    results = run_together(
        dossier.pk,
        cast.applicant.pk,
        {tab: lambda d, u: actions.transmit(d, acting_user=u) for tab in ("first tab", "second tab")},
    )

    winners, losers = split(results)
    assert len(winners) == 1, results
    assert len(losers) == 1 and isinstance(losers[0], Conflict | TransitionRefused), results
    dossier.refresh_from_db()
    assert dossier.status == S.TRANSMITTED
    assert list(Process.objects.values_list("pk", flat=True)) == [dossier.process_id]
    assert [t.flow_task.name for t in engine.open_tasks(dossier)] == ["review"]
    assert Event.objects.filter(dossier=dossier, action="transmit").count() == 1
    assert OutboxMessage.objects.filter(dossier=dossier).count() == 1
