from instruction.models.teleservice import Audience

FICHE = """1000 Semaines aide les familles à offrir à leurs enfants des séjours de vacances : colonies, \
camps, séjours linguistiques ou sportifs organisés par un organisateur de séjours. La demande \
est déposée par un parent depuis l'espace « Foyer », pour un ou plusieurs enfants du foyer : \
un enfant par ligne, avec son séjour.

Exemple de démonstration : l'enfant doit avoir entre 4 et 17 ans le premier jour du séjour ; \
de 1 à 3 semaines par enfant et par an ; le séjour commence dans l'année qui précède ou qui suit la demande. \
Montant par semaine et par enfant selon le quotient familial du foyer : 200 € (0 à 499 €), \
150 € (500 à 799 €), 100 € (800 à 1 099 €) ; au-delà, l'aide n'est pas accordée. \
Le montant proposé est la somme, pour chaque enfant, du nombre de semaines multiplié par le montant par semaine.

Pièces à fournir : dernier avis d'imposition ou de non-imposition, RIB, attestation d'inscription \
au séjour (une par enfant)."""

ENTRY = {
    "slug": "mille-semaines-familles",
    "code": "MSF",
    "title": "1000 Semaines — familles",
    "fiche": FICHE,
    "audience": Audience.FOYER,
    "category": "Enfance et famille",
    "flow_class_path": "workflows.mille_semaines_familles.flow.MilleSemainesFamillesFlow",
    "processing_days": 30,
}
