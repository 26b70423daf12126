from instruction.models.teleservice import Audience

FICHE = """La bourse départementale du secondaire (BDS) aide les familles des collégiens et des \
lycéens. La demande est déposée par un parent depuis l'espace foyer, pour un enfant du foyer \
scolarisé de la 6e à la terminale, en CAP ou en baccalauréat professionnel.

Exemple de démonstration : l'élève a de 10 à 20 ans à la date de la demande, et le montant \
dépend du quotient familial du foyer, avec un supplément pour un lycéen :
- quotient familial de 0 à 449 € : 150 €, plus 100 € au lycée ;
- de 450 à 699 € : 100 €, plus 80 € au lycée ;
- de 700 à 899 € : 60 €, plus 40 € au lycée ;
- au-delà de 899 €, la bourse n'est pas accordée.

Pièces à fournir : dernier avis d'imposition ou de non-imposition, certificat de scolarité \
de l'année en cours, RIB."""

ENTRY = {
    "slug": "bds-bourse-secondaire",
    "code": "BDS",
    "title": "BDS — bourse départementale du secondaire",
    "fiche": FICHE,
    "audience": Audience.FOYER,
    "category": "Éducation",
    "flow_class_path": "workflows.bds.flow.BdsFlow",
    "processing_days": 45,
}
