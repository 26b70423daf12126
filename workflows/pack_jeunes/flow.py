from workflows.base import BaseInstructionFlow
from workflows.pack_jeunes.form import PackJeunesForm


class PackJeunesFlow(BaseInstructionFlow):
    """Pack Jeunes — aide au premier logement

    Aide du Département aux 18–25 ans pour l'installation dans un premier logement.
    """

    form_class = PackJeunesForm
