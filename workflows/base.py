"""The shared instruction flow every téléservice runs on.

    submission ──▶ review ──▶ route ──▶ decision ──▶ end
                     ▲          │
                     └── await_complement ◀┘

- *submission*: started by the citizen's transmission (``StartHandle``, driven by the action);
- *review*: a human task in the queue of the téléservice's instructing service;
- *await_complement*: a human task assigned to the applicant; agents cannot act meanwhile;
- *decision*: records the outcome on the process, then the process ends.

Nodes never change the dossier's status themselves: the actions in ``instruction.actions``
fire the FSM transition and drive these nodes through ``workflows.engine`` in the same
transaction, so that status and open tasks cannot disagree.
"""

from __future__ import annotations

from typing import Any

from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.views import UpdateProcessView

REVIEW_OUTCOME = "review_outcome"
COMPLEMENT, DECIDED = "complement", "decided"


def _dossier_teleservice(process: Any) -> Any:
    return process.dossier.teleservice


def _applicant(activation: Any) -> Any:
    return activation.process.dossier.applicant


class BaseInstructionFlow(flow.Flow):
    """Instruction d'un dossier"""

    lock_impl = lock.SelectForUpdateLock(nowait=False)

    submission = flow.StartHandle(this.on_submission).Next(this.review)

    review = (
        flow.View(UpdateProcessView.as_view(fields=[]))
        .Permission("instruction.instruct_teleservice", obj=_dossier_teleservice)
        .Next(this.route)
    )

    route = (
        flow.Switch()
        .Case(this.await_complement, lambda act: act.process.data.get(REVIEW_OUTCOME) == COMPLEMENT)
        .Default(this.decision)
    )

    await_complement = flow.View(UpdateProcessView.as_view(fields=[])).Assign(_applicant).Next(this.review)

    decision = flow.Function(this.on_decision).Next(this.end)

    end = flow.End()

    def on_submission(self, activation: Any, dossier: Any) -> Any:
        activation.process.data = {"reference": dossier.reference}
        # Cache the reverse relation: the review task's permission object is read from it
        # before the dossier row points at the (then unsaved) process.
        activation.process.dossier = dossier
        return activation.process

    def on_decision(self, activation: Any) -> None:
        dossier = activation.process.dossier
        activation.process.data["decision"] = dossier.status
        activation.process.save(update_fields=["data"])
