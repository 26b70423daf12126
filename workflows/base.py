"""The shared instruction flow every téléservice runs on.

    submission ──▶ review ──▶ route ─────────────────────────▶ decision ──▶ end
                     ▲          │  │                               ▲
                     │          │  └──▶ validation ──▶ after_validation
                     │          ▼                 (sent back ──▶ review)
                     └── await_complement ─(deadline passed)─▶ complement_expired ──▶ after_expiry
                                                        (returned ──▶ review, closed ──▶ decision)

- *submission*: started by the citizen's transmission (``StartHandle``, driven by the action);
- *review*: a human task in the queue of the téléservice's instructing service;
- *await_complement*: a human task assigned to the applicant; agents cannot act meanwhile;
- *await_complement__timeout*: a database-backed timer (Viewflow's ``.OnTimeout``) armed with the
  complement's deadline, fired by the scheduled ``instruction.tasks.expire_complements`` job through
  the ``expire_complement`` action (``manage.py workflow_timers`` would reach the same end);
- *validation*: a decision above the téléservice's threshold waits for a supervisor, who
  validates it (→ decision) or sends it back to the agent (→ review);
- *decision*: records the outcome on the process, then the process ends.

Nodes never change the dossier's status themselves: the actions in ``instruction.actions``
fire the FSM transition and drive these nodes through ``workflows.engine`` in the same
transaction, so that status and open tasks cannot disagree.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.base import Node
from viewflow.workflow.flow.views import UpdateProcessView

REVIEW_OUTCOME = "review_outcome"
COMPLEMENT, DECIDED, VALIDATION = "complement", "decided", "validation"
# Palmarès: the review ends with the jury's visit (the flow's own ``route``).
JURY_VISIT = "jury_visit"
# What happened after a complement's deadline or a supervisor's validation (process.data keys).
EXPIRY_OUTCOME, RETURNED = "expiry_outcome", "returned"
VALIDATION_OUTCOME, SENT_BACK = "validation_outcome", "sent_back"
COMPLEMENT_DUE = "complement_due"


def complement_deadline(activation: Any) -> dt.datetime:
    """The end of the complement's last day, local time (the day is stored on the process by
    ``engine.send_back_for_complement`` before the task is created)."""
    day = dt.date.fromisoformat(activation.process.data[COMPLEMENT_DUE])
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(midnight)


def _dossier_teleservice(process: Any) -> Any:
    return process.dossier.teleservice


def _applicant(activation: Any) -> Any:
    return activation.process.dossier.applicant


class InstructionSteps:
    """The shared steps and their callbacks, mixed into each téléservice's flow:
    ``class PackJeunesFlow(InstructionSteps, flow.Flow)``.

    This mixin is not a ``Flow`` itself on purpose: Viewflow 2.4 resolves a flow's ``this.…``
    links on the node objects when the class is created, so a flow *inheriting* from another
    would keep edges to its parent's nodes (its tasks would be stored under the parent's name
    and its chart could not be drawn). Here each concrete flow receives fresh copies of these
    unresolved templates and resolves them against itself. A flow may override a step (Palmarès
    replaces ``route`` to add the jury's visit) or add its own."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Viewflow copies nodes shallowly: each flow's hosts would share the template's list of
        # boundary events (so a complement would arm one deadline timer per flow class). Give
        # each flow fresh node copies with their own lists before Viewflow collects them.
        for name in dir(cls):
            if name.startswith("_") or name == "instance":
                continue
            node = getattr(cls, name, None)
            if isinstance(node, Node):
                fresh = copy.copy(node)
                fresh._boundary_events = []
                fresh._boundary_specs = list(node._boundary_specs)
                setattr(cls, name, fresh)
        super().__init_subclass__(**kwargs)

    lock_impl = lock.SelectForUpdateLock(nowait=False)

    # The titles and descriptions below are the chart's labels and its text alternative
    # (backoffice/templatetags/flow_chart.py), in French like every word a person reads.
    submission = (
        flow.StartHandle(this.on_submission)
        .Annotation(
            title=_("Transmission du dossier"),
            description=_("Le demandeur transmet son dossier ; il entre dans la file du service instructeur."),
        )
        .Next(this.review)
    )

    review = (
        flow.View(UpdateProcessView.as_view(fields=[]))
        .Permission("instruction.instruct_teleservice", obj=_dossier_teleservice)
        .Annotation(
            title=_("Examen du dossier"),
            description=_(
                "Un agent du service instructeur prend le dossier en charge, l'examine, puis propose une "
                "décision ou demande un complément d'information."
            ),
        )
        .Next(this.route)
    )

    route = (
        flow.Switch()
        .Annotation(
            title=_("Suite de l'examen"),
            description=_(
                "Selon l'examen : complément demandé, validation par un superviseur (acceptation au-delà du "
                "seuil du téléservice) ou décision."
            ),
        )
        .Case(this.await_complement, lambda act: act.process.data.get(REVIEW_OUTCOME) == COMPLEMENT)
        .Case(this.validation, lambda act: act.process.data.get(REVIEW_OUTCOME) == VALIDATION)
        .Default(this.decision)
    )

    await_complement = (
        flow.View(UpdateProcessView.as_view(fields=[]))
        .Assign(_applicant)
        .Annotation(
            title=_("Complément d'information"),
            description=_(
                "Le dossier est chez le demandeur, qui le complète ; les agents ne peuvent pas intervenir "
                "jusqu'à sa réponse."
            ),
        )
        .OnTimeout(complement_deadline, this.complement_expired, title=_("Échéance du complément"))
        .Next(this.review)
    )

    complement_expired = (
        flow.Function(this.on_complement_expired)
        .Annotation(
            title=_("Complément non fourni"),
            description=_("L'échéance du complément est passée sans réponse du demandeur."),
        )
        .Next(this.after_expiry)
    )

    after_expiry = (
        flow.Switch()
        .Annotation(
            title=_("Retour ou classement"),
            description=_(
                "Selon le téléservice, le dossier revient à l'agent qui l'instruit ou il est classé sans suite."
            ),
        )
        .Case(this.review, lambda act: act.process.data.get(EXPIRY_OUTCOME) == RETURNED)
        .Default(this.decision)
    )

    validation = (
        flow.View(UpdateProcessView.as_view(fields=[]))
        .Permission("instruction.instruct_teleservice", obj=_dossier_teleservice)
        .Annotation(
            title=_("Validation par un superviseur"),
            description=_(
                "Une acceptation au-delà du seuil du téléservice attend qu'un superviseur la valide ou la "
                "renvoie à l'agent."
            ),
        )
        .Next(this.after_validation)
    )

    after_validation = (
        flow.Switch()
        .Annotation(
            title=_("Validée ou renvoyée"),
            description=_("Validée, la décision est communiquée ; renvoyée, le dossier revient à l'agent."),
        )
        .Case(this.review, lambda act: act.process.data.get(VALIDATION_OUTCOME) == SENT_BACK)
        .Default(this.decision)
    )

    decision = (
        flow.Function(this.on_decision)
        .Annotation(
            title=_("Décision"),
            description=_(
                "La décision (acceptation, refus ou classement sans suite) est enregistrée et communiquée au demandeur."
            ),
        )
        .Next(this.end)
    )

    end = flow.End().Annotation(title=_("Fin"), description=_("Le circuit du dossier est terminé."))

    def on_submission(self, activation: Any, dossier: Any) -> Any:
        activation.process.data = {"reference": dossier.reference}
        # Cache the reverse relation: the review task's permission object is read from it
        # before the dossier row points at the (then unsaved) process.
        activation.process.dossier = dossier
        return activation.process

    def on_complement_expired(self, activation: Any) -> None:
        """Reached through the ``expire_complement`` action, which has already moved the dossier
        and written the outcome on the process. Fired by another dispatcher (``manage.py
        workflow_timers``), the dossier has not moved yet: the action does it now."""
        if activation.process.data.get(EXPIRY_OUTCOME):
            return
        from instruction.actions.complement import expire_complement_from_flow

        outcome = expire_complement_from_flow(activation.process)
        activation.process.data[EXPIRY_OUTCOME] = outcome
        activation.process.save(update_fields=["data"])

    def on_decision(self, activation: Any) -> None:
        dossier = activation.process.dossier
        activation.process.data["decision"] = dossier.status
        activation.process.save(update_fields=["data"])
