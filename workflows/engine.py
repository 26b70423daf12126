"""The bridge between instruction actions and Viewflow: start a process, find and drive its
open human tasks. Called only from ``instruction.actions`` inside their transaction."""

from __future__ import annotations

from typing import Any

from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.base import COMPLEMENT, DECIDED, REVIEW_OUTCOME

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


def unassign_review(dossier: Any) -> None:
    activation = _activation(_open_task(dossier, "review"))
    activation.unassign()


def _finish_review(dossier: Any, outcome: str) -> None:
    task = _open_task(dossier, "review")
    activation = _activation(task)
    activation.process.data[REVIEW_OUTCOME] = outcome
    activation.process.save(update_fields=["data"])
    activation.start(request=None)
    activation.execute()


def send_back_for_complement(dossier: Any) -> None:
    _finish_review(dossier, COMPLEMENT)


def finish_with_decision(dossier: Any) -> None:
    _finish_review(dossier, DECIDED)


def complete_complement(dossier: Any) -> None:
    activation = _activation(_open_task(dossier, "await_complement"))
    activation.start(request=None)
    activation.execute()
