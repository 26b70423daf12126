from instruction.models.teleservice import Audience

FICHE = """L'allocation familiale départementale étudiant (AFDE) aide les familles dont un enfant \
de moins de 26 ans, titulaire du baccalauréat, poursuit des études supérieures. La demande est \
déposée par un parent depuis l'espace foyer : l'étudiant doit figurer parmi les enfants du foyer.

Le montant dépend du quotient familial du foyer et de l'âge de l'étudiant à la date de la demande. \
Exemple de démonstration (barème indicatif) :
- quotient familial de 0 à 499 € : 300 € jusqu'à 20 ans, 400 € de 21 à 25 ans ;
- de 500 à 799 € : 200 € jusqu'à 20 ans, 300 € de 21 à 25 ans ;
- de 800 à 1 099 € : 120 € jusqu'à 20 ans, 180 € de 21 à 25 ans ;
- au-delà de 1 099 €, l'allocation n'est pas accordée.

Pièces à fournir : dernier avis d'imposition ou de non-imposition, certificat de scolarité \
de l'année en cours, diplôme ou relevé de notes du baccalauréat, RIB."""

ENTRY = {
    "slug": "afde-allocation-etudiant",
    "code": "AFDE",
    "title": "AFDE — allocation familiale départementale étudiant",
    "fiche": FICHE,
    "audience": Audience.FOYER,
    "category": "Éducation",
    "flow_class_path": "workflows.afde.flow.AfdeFlow",
    "processing_days": 45,
}
