from viewflow.workflow import flow

from workflows.base import InstructionSteps
from workflows.pack_jeunes.form import PackJeunesForm


class PackJeunesFlow(InstructionSteps, flow.Flow):
    """Pack Jeunes — premier logement et permis B

    Aide du Département aux 18–25 ans pour l'installation dans un premier logement ou le permis de conduire.
    """

    form_class = PackJeunesForm
