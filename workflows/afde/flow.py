from viewflow.workflow import flow

from workflows.afde.form import AfdeForm
from workflows.base import InstructionSteps


class AfdeFlow(InstructionSteps, flow.Flow):
    """AFDE — allocation familiale départementale étudiant

    Allocation du Département aux familles dont un enfant de moins de 26 ans,
    bachelier, poursuit des études supérieures.
    """

    form_class = AfdeForm
