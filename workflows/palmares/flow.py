from workflows.base import BaseInstructionFlow
from workflows.palmares.form import PalmaresForm


class PalmaresFlow(BaseInstructionFlow):
    """Palmarès des Villes et Villages fleuris

    Inscription d'une commune au concours départemental des Villes et Villages fleuris.
    """

    form_class = PalmaresForm
