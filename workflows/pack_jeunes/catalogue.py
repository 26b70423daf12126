from instruction.models.teleservice import Audience

FICHE = """Le Pack Jeunes aide les jeunes de 18 à 25 ans dont les parents résident en Haute-Saône \
à s'installer dans un premier logement ou à passer le permis de conduire (permis B). \
Choisissez dans le formulaire l'aide que vous demandez.

Premier logement — montant selon le quotient familial du foyer : 400 € (0 à 299 €), 250 € (300 à 599 €), \
150 € (600 à 999 €), 100 € (1 000 à 1 200 €) ; au-delà, l'aide n'est pas accordée.

Permis de conduire (permis B) — exemple de démonstration : 500 € (0 à 299 €), 400 € (300 à 599 €), \
300 € (600 à 999 €), 200 € (1 000 à 1 200 €) ; au-delà, l'aide n'est pas accordée. L'inscription \
à l'auto-école doit dater de moins d'un an (exemple de démonstration).

Pour les deux aides, majoration de 50 % pour un jeune sapeur-pompier volontaire, un gendarme \
ou un militaire réserviste.

Pièces à fournir : dernier avis d'imposition ou de non-imposition, RIB, pièce d'identité en cours \
de validité ; le bail au nom du demandeur pour le premier logement, l'attestation d'inscription \
à l'auto-école pour le permis ; l'attestation d'engagement en cas de majoration."""

ENTRY = {
    "slug": "pack-jeunes-premier-logement",
    "code": "PJL",
    "title": "Pack Jeunes — premier logement et permis B",
    "fiche": FICHE,
    "audience": Audience.FOYER,
    "category": "Jeunesse",
    "flow_class_path": "workflows.pack_jeunes.flow.PackJeunesFlow",
    "processing_days": 30,
    # Acceptances above 400 € wait for a supervisor's validation (« À valider »).
    "validation_threshold": 400,
}
