"""Palmarès: the shared steps, plus the jury's visit and the ranking after instruction.

review ──▶ route ──▶ jury_visit ──▶ ranking ──▶ decision ──▶ end
              (complement, refusal: as every téléservice)
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.flow.views import UpdateProcessView

from workflows.base import COMPLEMENT, JURY_VISIT, REVIEW_OUTCOME, VALIDATION, InstructionSteps
from workflows.palmares.form import PalmaresForm


def _assignee(activation: Any) -> Any:
    """The agent who instructs the registration follows its visit and records its ranking."""
    return activation.process.dossier.assignee


class PalmaresFlow(InstructionSteps, flow.Flow):
    """Palmarès des Villes et Villages fleuris

    Inscription d'une commune au concours départemental des Villes et Villages fleuris.
    """

    form_class = PalmaresForm

    route = (
        flow.Switch()
        .Case(this.await_complement, lambda act: act.process.data.get(REVIEW_OUTCOME) == COMPLEMENT)
        .Case(this.validation, lambda act: act.process.data.get(REVIEW_OUTCOME) == VALIDATION)
        .Case(this.jury_visit, lambda act: act.process.data.get(REVIEW_OUTCOME) == JURY_VISIT)
        .Default(this.decision)
        .Annotation(
            title=_("Suite de l'examen"),
            description=_(
                "Selon l'examen : complément demandé, validation par un superviseur, visite du jury "
                "(inscription recevable) ou décision directe (refus ou classement sans suite)."
            ),
        )
    )

    jury_visit = (
        flow.View(UpdateProcessView.as_view(fields=[]))
        .Annotation(
            title=_("Visite du jury"),
            description=_("L'agent programme la visite du jury dans la commune, puis en saisit le compte rendu."),
        )
        .Assign(_assignee)
        .Next(this.ranking)
    )

    ranking = (
        flow.View(UpdateProcessView.as_view(fields=[]))
        .Annotation(
            title=_("Classement"),
            description=_("L'agent enregistre le classement décidé par le jury et la catégorie de prix."),
        )
        .Assign(_assignee)
        .Next(this.decision)
    )
