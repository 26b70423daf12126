from instruction.models.teleservice import Audience

FICHE = """Le concours départemental des Villes et Villages fleuris récompense les communes \
qui embellissent leur cadre de vie. L'inscription se fait depuis l'espace « Organisme » de la commune, \
par le maire ou une personne qu'il désigne : un seul dépôt par commune et par campagne.

Après l'instruction de l'inscription, le jury visite la commune pendant l'été, puis le classement \
attribue à chaque commune visitée une catégorie de prix.

Exemple de démonstration : catégories par nombre d'habitants, montants des prix indicatifs."""

ENTRY = {
    "slug": "palmares-villes-villages-fleuris",
    "code": "PVF",
    "title": "Palmarès des Villes et Villages fleuris",
    "fiche": FICHE,
    "audience": Audience.ORGANISME,
    "category": "Palmarès",
    "flow_class_path": "workflows.palmares.flow.PalmaresFlow",
    "processing_days": 90,
}
