from viewflow.workflow import flow

from workflows.base import InstructionSteps
from workflows.mille_semaines_collectives.form import MilleSemainesCollectivesForm


class MilleSemainesCollectivesFlow(InstructionSteps, flow.Flow):
    """1000 Semaines — collectives

    Séjours collectifs organisés par une association ou un centre de vacances.
    """

    form_class = MilleSemainesCollectivesForm
