"""A complement's deadline: what the agent asks for, the reminder before it, and what the
scheduled job does once it has passed (Viewflow's database-backed timer, fired through the
actions layer), with a frozen clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

from instruction import actions
from instruction.actions import InvalidInput
from instruction.deadlines import sweep
from instruction.models import DecisionLetter, Dossier, DossierStatus, Event, OutboxMessage
from instruction.models.teleservice import ComplementExpiry
from instruction.tasks import sweep_complements
from tests.factories import filed_dossier, pdf_upload
from workflows import engine

S = DossierStatus
PARIS_NOON = dt.time(12, 0)


def at(day: dt.date, time: dt.time = PARIS_NOON) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def complement_dossier(cast: Any, *, due: dt.date, documents: tuple[str, ...] = ("bail",)) -> Dossier:
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    actions.request_complement(
        dossier, acting_user=cast.agent, message="Joignez votre bail signé.", documents=documents, due=due
    )
    return dossier


def emails(kind: str, dossier: Dossier) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(dossier=dossier, key__startswith=f"{kind}:"))


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


def test_request_complement_records_documents_due_and_arms_timer(cast, today):
    due = today + dt.timedelta(days=10)
    dossier = complement_dossier(cast, due=due, documents=("rib", "bail"))

    assert dossier.complement_due == due
    event = Event.objects.filter(dossier=dossier, action="request_complement").get()
    assert event.details["documents"] == ["rib", "bail"]
    assert event.details["due"] == due.isoformat()
    [timer] = engine.scheduled_timers(dossier)
    assert timer.flow_task.name == "await_complement__timeout"
    # The end of the due day, local time: the applicant has the whole day.
    assert timezone.localtime(timer.scheduled) == at(due + dt.timedelta(days=1), dt.time.min)
    [email] = emails("complement-requested", dossier)
    body = email.payload["body"]
    assert "Relevé d'identité bancaire (RIB)" in body and "Bail au nom du demandeur" in body
    assert "inclus" in body


def test_request_complement_default_due_is_teleservice_days(cast, today):
    cast.teleservice.complement_days = 21
    cast.teleservice.save()
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)

    actions.request_complement(dossier, acting_user=cast.agent, message="Précisez votre loyer.")

    assert dossier.complement_due == today + dt.timedelta(days=21)


@pytest.mark.parametrize(
    ("due_offset", "documents", "field"),
    [(0, (), "due"), (-3, (), "due"), (91, (), "due"), (5, ("passeport",), "documents")],
    ids=["today", "past", "too-far", "unknown-document"],
)
def test_request_complement_bad_input_changes_nothing(cast, today, due_offset, documents, field):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    events = Event.objects.filter(dossier=dossier).count()

    with pytest.raises(InvalidInput) as caught:
        actions.request_complement(
            dossier,
            acting_user=cast.agent,
            message="Joignez votre bail.",
            documents=documents,
            due=today + dt.timedelta(days=due_offset),
        )

    assert list(caught.value.errors) == [field]
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.status, fresh.complement_due) == (S.IN_INSTRUCTION, None)
    assert Event.objects.filter(dossier=dossier).count() == events
    assert engine.scheduled_timers(fresh) == []


def test_reminder_goes_once_on_its_day(cast, today):
    due = today + dt.timedelta(days=10)  # reminder 3 days before (the téléservice's default)
    dossier = complement_dossier(cast, due=due)

    with time_machine.travel(at(due - dt.timedelta(days=4)), tick=False):
        assert sweep().reminded == 0
    with time_machine.travel(at(due - dt.timedelta(days=3)), tick=False):
        assert sweep().reminded == 1
        assert sweep().reminded == 0  # not twice

    [email] = emails("complement-reminder", dossier)
    assert dossier.reference in email.payload["subject"]
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.status == S.COMPLEMENT_REQUESTED
    assert fresh.complement_reminded_on == due - dt.timedelta(days=3)
    assert Event.objects.filter(dossier=dossier, action="remind_complement", actor=None).count() == 1


def test_no_reminder_when_teleservice_says_none(cast, today):
    cast.teleservice.complement_reminder_days = 0
    cast.teleservice.save()
    due = today + dt.timedelta(days=5)
    dossier = complement_dossier(cast, due=due)

    with time_machine.travel(at(due), tick=False):
        assert sweep().reminded == 0
    assert emails("complement-reminder", dossier) == []


def test_deadline_not_passed_on_the_due_day(cast, today):
    due = today + dt.timedelta(days=2)
    dossier = complement_dossier(cast, due=due)

    with time_machine.travel(at(due, dt.time(23, 59)), tick=False):
        assert sweep().expired == 0

    assert Dossier.objects.get(pk=dossier.pk).status == S.COMPLEMENT_REQUESTED


def test_deadline_passed_returns_task_to_agent(cast, today):
    due = today + dt.timedelta(days=2)
    dossier = complement_dossier(cast, due=due)
    [timer] = engine.scheduled_timers(dossier)

    with time_machine.travel(at(due + dt.timedelta(days=1), dt.time(0, 5)), tick=False):
        result = sweep()
        assert sweep().expired == 0  # once

    assert (result.expired, result.failed) == (1, 0)
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.status, fresh.assignee_id, fresh.complement_due) == (S.IN_INSTRUCTION, cast.agent.pk, None)
    [task] = engine.open_tasks(fresh)
    assert (task.flow_task.name, task.status, task.owner_id) == ("review", STATUS.ASSIGNED, cast.agent.pk)
    assert Task.objects.get(pk=timer.pk).status == STATUS.DONE
    assert Task.objects.filter(process_id=fresh.process_id, flow_task_type="HUMAN", status=STATUS.CANCELED).count() == 1
    event = Event.objects.filter(dossier=dossier).last()
    assert (event.action, event.actor_id, event.from_status, event.to_status) == (
        "expire_complement",
        None,
        S.COMPLEMENT_REQUESTED,
        S.IN_INSTRUCTION,
    )
    [email] = emails("complement-expired", dossier)
    assert "reprend l'instruction" in email.payload["body"]


def test_deadline_passed_agent_gone_goes_to_queue(cast, today):
    due = today + dt.timedelta(days=2)
    dossier = complement_dossier(cast, due=due)
    # The agent left the service meanwhile (the admin removed them from its group).
    cast.agent.groups.remove(cast.service.group)

    with time_machine.travel(at(due + dt.timedelta(days=3)), tick=False):
        assert sweep().expired == 1

    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.status, fresh.assignee_id) == (S.TRANSMITTED, None)
    [task] = engine.open_tasks(fresh)
    assert (task.flow_task.name, task.owner_id) == ("review", None)


def test_deadline_passed_closes_when_teleservice_says_so(cast, today):
    cast.teleservice.complement_expiry = ComplementExpiry.CLOSE
    cast.teleservice.save()
    due = today + dt.timedelta(days=2)
    dossier = complement_dossier(cast, due=due)

    with time_machine.travel(at(due + dt.timedelta(days=1)), tick=False):
        assert sweep_complements() == {"reminded": 0, "expired": 1, "failed": 0}

    fresh = Dossier.objects.select_related("process").get(pk=dossier.pk)
    assert fresh.status == S.CLOSED
    assert fresh.decided_at is not None
    assert "n'a pas été transmis avant l'échéance" in fresh.decision_motivation
    assert engine.open_tasks(fresh) == []
    assert fresh.process.status == "DONE"
    [email] = emails("complement-expired", dossier)
    assert "classée sans suite" in email.payload["body"]
    assert email.payload["attachments"][0]["kind"] == "decision_letter"


def test_closure_by_deadline_sends_its_decision_letter(cast, today, deliver_outbox, mailoutbox):
    cast.teleservice.complement_expiry = ComplementExpiry.CLOSE
    cast.teleservice.save()
    due = today + dt.timedelta(days=2)
    dossier = complement_dossier(cast, due=due)
    with time_machine.travel(at(due + dt.timedelta(days=1)), tick=False):
        sweep()

    deliver_outbox()

    [sent] = [m for m in mailoutbox if "Échéance du complément" in m.subject]
    [(name, content, mimetype)] = sent.attachments
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    letter = DecisionLetter.objects.get(dossier=dossier)
    assert letter.event.action == "expire_complement"


def test_answer_before_deadline_cancels_timer(cast, today):
    due = today + dt.timedelta(days=5)
    dossier = complement_dossier(cast, due=due, documents=())
    [timer] = engine.scheduled_timers(dossier)

    actions.answer_complement(dossier, acting_user=cast.applicant)

    assert Task.objects.get(pk=timer.pk).status == STATUS.CANCELED
    with time_machine.travel(at(due + dt.timedelta(days=10)), tick=False):
        assert sweep().expired == 0
    assert Dossier.objects.get(pk=dossier.pk).status == S.TRANSMITTED


def test_answer_requires_new_file_for_requested_documents(cast, today):
    dossier = complement_dossier(cast, due=today + dt.timedelta(days=5), documents=("bail",))

    with pytest.raises(InvalidInput) as caught:
        actions.answer_complement(dossier, acting_user=cast.applicant)

    assert list(caught.value.errors) == ["document-bail"]
    assert "Bail au nom du demandeur" in caught.value.errors["document-bail"][0]
    assert Dossier.objects.get(pk=dossier.pk).status == S.COMPLEMENT_REQUESTED

    actions.attach_files(dossier, {"bail": [pdf_upload("bail-signe.pdf")]}, acting_user=cast.applicant)
    actions.answer_complement(dossier, acting_user=cast.applicant)

    assert dossier.status == S.TRANSMITTED


def test_stock_viewflow_dispatcher_keeps_dossier_in_step(cast, today):
    """Whoever runs ``manage.py workflow_timers`` instead of our job: the flow's node moves the
    dossier with it (to the queue, the new review task being unassigned)."""
    due = today + dt.timedelta(days=1)
    dossier = complement_dossier(cast, due=due)

    with time_machine.travel(at(due + dt.timedelta(days=2)), tick=False):
        assert fire_due_timers() == 1

    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.status, fresh.assignee_id) == (S.TRANSMITTED, None)
    assert [(t.flow_task.name, t.owner_id) for t in engine.open_tasks(fresh)] == [("review", None)]
    assert Event.objects.filter(dossier=dossier, action="expire_complement").count() == 1


def test_sweep_one_failure_does_not_stop_others(cast, today, monkeypatch):
    due = today + dt.timedelta(days=1)
    first = complement_dossier(cast, due=due)
    second = complement_dossier(cast, due=due)
    original = actions.expire_complement

    def failing(dossier: Dossier, **kwargs: Any) -> Dossier:
        if dossier.pk == first.pk:
            raise RuntimeError("boom")
        return original(dossier, **kwargs)

    monkeypatch.setattr(actions, "expire_complement", failing)
    with time_machine.travel(at(due + dt.timedelta(days=1)), tick=False):
        result = sweep()

    assert (result.expired, result.failed) == (1, 1)
    assert Dossier.objects.get(pk=first.pk).status == S.COMPLEMENT_REQUESTED
    assert Dossier.objects.get(pk=second.pk).status == S.IN_INSTRUCTION
