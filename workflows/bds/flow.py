from viewflow.workflow import flow

from workflows.base import InstructionSteps
from workflows.bds.form import BdsForm


class BdsFlow(InstructionSteps, flow.Flow):
    """BDS — bourse départementale du secondaire

    Bourse du Département aux familles des collégiens et lycéens.
    """

    form_class = BdsForm
