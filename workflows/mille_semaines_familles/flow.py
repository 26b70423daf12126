from viewflow.workflow import flow

from workflows.base import InstructionSteps
from workflows.mille_semaines_familles.form import MilleSemainesFamillesForm


class MilleSemainesFamillesFlow(InstructionSteps, flow.Flow):
    """1000 Semaines — familles

    Séjours de vacances des enfants du foyer.
    """

    form_class = MilleSemainesFamillesForm
