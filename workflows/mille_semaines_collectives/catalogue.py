from instruction.models.teleservice import Audience

FICHE = """1000 Semaines — collectives soutient les séjours collectifs de vacances organisés pour \
les enfants du département par une association ou un centre de vacances. La demande est déposée \
depuis l'espace « Organisme » de la structure, une demande par séjour.

Exemple de démonstration : 40 € par enfant résidant dans le département et par semaine de séjour, \
dans la limite de 6 000 € par séjour ; le nombre de semaines ne peut pas dépasser la durée du séjour \
(une semaine commencée compte).

Pièces à fournir : projet pédagogique, récépissé de déclaration du séjour, budget prévisionnel, \
RIB de la structure."""

ENTRY = {
    "slug": "mille-semaines-collectives",
    "code": "MSC",
    "title": "1000 Semaines — collectives",
    "fiche": FICHE,
    "audience": Audience.ORGANISME,
    "category": "Enfance et famille",
    "flow_class_path": "workflows.mille_semaines_collectives.flow.MilleSemainesCollectivesFlow",
    "processing_days": 45,
}
