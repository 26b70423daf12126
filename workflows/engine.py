"""The bridge between instruction actions and Viewflow: start a process, find and drive its
open human tasks. Called only from ``instruction.actions`` inside their transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.base import (
    COMPLEMENT,
    COMPLEMENT_DUE,
    DECIDED,
    EXPIRY_OUTCOME,
    JURY_VISIT,
    REVIEW_OUTCOME,
    SENT_BACK,
    VALIDATION,
    VALIDATION_OUTCOME,
)

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


class FlowOutOfStep(RuntimeError):
    """The process does not have the task the dossier's status implies."""


def open_tasks(dossier: Any) -> list[Task]:
    if dossier.process_id is None:
        return []
    return list(Task.objects.filter(process_id=dossier.process_id, status__in=OPEN_TASK_STATUSES).order_by("pk"))


def _open_task(dossier: Any, node_name: str) -> Task:
    tasks = [t for t in open_tasks(dossier) if t.flow_task.name == node_name]
    if len(tasks) != 1:
        raise FlowOutOfStep(f"{dossier.reference}: expected one open {node_name} task, found {len(tasks)}")
    return tasks[0]


def _activation(task: Task) -> Any:
    task = task.coerced
    return task.flow_task.activation_class(task)


def start(dossier: Any) -> None:
    """Submission: start the téléservice's process; the review task lands in the service queue."""
    flow_class = dossier.teleservice.flow_class
    process = flow_class.submission.run(dossier=dossier)
    dossier.process = process


def assign_review(dossier: Any, agent: Any) -> None:
    activation = _activation(_open_task(dossier, "review"))
    activation.assign(agent)


def reassign_review(dossier: Any, agent: Any) -> None:
    """The review task, already assigned, changes owner (a supervisor's reassignment)."""
    activation = _activation(_open_task(dossier, "review"))
    activation.reassign(agent)


def bulk_assign_review(process_ids: list[int], agent: Any) -> None:
    """The review tasks of several dossiers (queued or in instruction) to ``agent``, in one UPDATE
    (what ``assign``/``reassign`` of each activation would write: owner, status ASSIGNED)."""
    moved = Task.objects.filter(
        process_id__in=process_ids, flow_task_type="HUMAN", status__in=(STATUS.NEW, STATUS.ASSIGNED)
    ).update(owner=agent, status=STATUS.ASSIGNED)
    if moved != len(set(process_ids)):
        raise FlowOutOfStep(f"bulk assignment: {len(set(process_ids))} review tasks expected, {moved} found")


def unassign_review(dossier: Any) -> None:
    activation = _activation(_open_task(dossier, "review"))
    activation.unassign()


def _finish(dossier: Any, node_name: str, **data: Any) -> None:
    task = _open_task(dossier, node_name)
    activation = _activation(task)
    activation.process.data.update(data)
    activation.process.save(update_fields=["data"])
    activation.start(request=None)
    activation.execute()


def send_back_for_complement(dossier: Any, due: dt.date) -> None:
    """The review ends; the applicant's task is created with its deadline timer armed."""
    _finish(dossier, "review", **{REVIEW_OUTCOME: COMPLEMENT, COMPLEMENT_DUE: due.isoformat(), EXPIRY_OUTCOME: None})


def finish_with_decision(dossier: Any) -> None:
    _finish(dossier, "review", **{REVIEW_OUTCOME: DECIDED})


def complete_complement(dossier: Any) -> None:
    """The applicant answered: the deadline timer is cancelled with the task (Viewflow does it)."""
    _finish(dossier, "await_complement")


def scheduled_timers(dossier: Any) -> list[Task]:
    if dossier.process_id is None:
        return []
    return list(Task.objects.filter(process_id=dossier.process_id, flow_task_type="TIMER", status=STATUS.SCHEDULED))


def due_complement_timers(now: dt.datetime | None = None) -> Any:
    """Process ids whose complement deadline has passed, oldest first (the sweep's worklist)."""
    return (
        Task.objects.filter(
            flow_task_type="TIMER",
            status=STATUS.SCHEDULED,
            scheduled__lte=now or timezone.now(),
            flow_task__endswith=".await_complement__timeout",
        )
        .order_by("scheduled")
        .values_list("process_id", flat=True)
    )


def fire_complement_timer(dossier: Any, outcome: str) -> None:
    """Fire the deadline timer now: the applicant's task is cancelled and the flow goes on to
    review (``outcome`` RETURNED) or to the decision. The caller has moved the dossier."""
    timers = [t for t in scheduled_timers(dossier) if t.flow_task.name == "await_complement__timeout"]
    if len(timers) != 1:
        raise FlowOutOfStep(f"{dossier.reference}: expected one complement timer, found {len(timers)}")
    activation = _activation(timers[0])
    activation.process.data[EXPIRY_OUTCOME] = outcome
    activation.process.save(update_fields=["data"])
    activation.start()
    activation.execute()
    # The timer runs its continuation with errors recorded, not raised: check where it went.
    if [t.flow_task.name for t in open_tasks(dossier)] not in (["review"], []):
        raise FlowOutOfStep(f"{dossier.reference}: the complement timer did not reach review or the decision")


def propose_decision(dossier: Any) -> None:
    """The review ends with a decision that a supervisor must validate first."""
    _finish(dossier, "review", **{REVIEW_OUTCOME: VALIDATION, VALIDATION_OUTCOME: None})


def validate_decision(dossier: Any, supervisor: Any) -> None:
    _activation(_open_task(dossier, "validation")).assign(supervisor)
    _finish(dossier, "validation", **{VALIDATION_OUTCOME: DECIDED})


def send_back_decision(dossier: Any, supervisor: Any, agent: Any) -> None:
    """The supervisor sends the proposal back: a new review task, for the agent who proposed it."""
    _activation(_open_task(dossier, "validation")).assign(supervisor)
    _finish(dossier, "validation", **{VALIDATION_OUTCOME: SENT_BACK})
    assign_review(dossier, agent)


def schedule_jury_visit(dossier: Any) -> None:
    """Palmarès: the review ends; the visit task goes to the agent in charge (``.Assign``)."""
    _finish(dossier, "review", **{REVIEW_OUTCOME: JURY_VISIT})


def report_jury_visit(dossier: Any) -> None:
    """The visit's report is recorded: the ranking task opens, for the same agent."""
    _finish(dossier, "jury_visit")


def finish_ranking(dossier: Any) -> None:
    """The ranking is the decision: the process ends."""
    _finish(dossier, "ranking")
