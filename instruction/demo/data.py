"""Demo data for `make demo`, built through the actions layer so that it is what a person would
have produced by hand: accounts, spaces, téléservices, dossiers in several statuses, messages.
Deterministic (fixed names and dates relative to today) and idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from instruction import actions
from instruction.documents import specs_for
from instruction.models import Audience, Dossier, Foyer, FoyerMember, Organisme, Teleservice
from permissions.models import InstructingService, User

PASSWORD = "demo-2026"  # noqa: S105 - documented demo password, refused without DEBUG
ACCOUNTS = [
    ("citoyen@demo.test", "Camille", "Martin", "citoyenne, foyer à Vesoul (Léa, 19 ans, éligible au Pack Jeunes)"),
    ("agent@demo.test", "Julien", "Perrin", "agent instructeur (Pack Jeunes, Palmarès)"),
    ("superviseur@demo.test", "Sophie", "Girard", "superviseure des deux services"),
    ("admin@demo.test", "Alex", "Admin", "administrateur (/admin/)"),
    ("mairie@demo.test", "Bernard", "Vuillemin", "maire de Gy, organisme « Commune de Gy »"),
]
PACK_JEUNES_FICHE = """Le Pack Jeunes aide les jeunes de 18 à 25 ans dont les parents résident en Haute-Saône \
à s'installer dans un premier logement.

Montant selon le quotient familial du foyer : 400 € (0 à 299 €), 250 € (300 à 599 €), \
150 € (600 à 999 €), 100 € (1 000 à 1 200 €) ; au-delà, l'aide n'est pas accordée. \
Majoration de 50 % pour un jeune sapeur-pompier volontaire, un gendarme ou un militaire réserviste.

Pièces à fournir : dernier avis d'imposition ou de non-imposition, RIB, bail au nom du demandeur, \
pièce d'identité en cours de validité, attestation d'engagement en cas de majoration."""
PALMARES_FICHE = """Le concours départemental des Villes et Villages fleuris récompense les communes \
qui embellissent leur cadre de vie. L'inscription se fait depuis l'espace « Organisme » de la commune, \
par le maire ou une personne qu'il désigne.

Exemple de démonstration : catégories par nombre d'habitants, visite du jury en été."""
GY_SIRET = "21700282500016"  # Luhn-valid demo number for the commune of Gy (70700)


def _born(years: int, month: int = 1, day: int = 10) -> dt.date:
    today = timezone.localdate()
    return dt.date(today.year - years, month, day)


def _user(email: str, first: str, last: str, **extra: Any) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"first_name": first, "last_name": last, **extra})
    if created:
        user.set_password(PASSWORD)
        user.save()
    return user


def _foyer(user: User, commune: str, postal_code: str, qf: int, children: list[tuple[str, str, int]]) -> Foyer:
    existing = Foyer.objects.filter(responsible=user).first()
    if existing is not None:
        return existing
    foyer = actions.create_foyer(
        acting_user=user,
        address="1 rue de la Mairie",
        postal_code=postal_code,
        commune=commune,
        quotient_familial=qf,
        civility="mme" if user.first_name in ("Camille", "Nadia") else "m",
        first_name=user.first_name,
        last_name=user.last_name,
        birth_date=_born(47, 3, 14),
    )
    for civility, first, age in children:
        actions.add_foyer_member(
            foyer,
            acting_user=user,
            civility=civility,
            first_name=first,
            last_name=user.last_name,
            birth_date=_born(age),
            link=FoyerMember.Link.CHILD,
        )
    return foyer


def _attach_demo_documents(dossier: Dossier, user: User) -> None:
    """One small PDF per required document, so that the demo dossiers can be transmitted."""
    from weasyprint import HTML

    uploads = {}
    for spec in specs_for(dossier.teleservice):
        if spec.is_required(dossier.data):
            content = HTML(string=f"<p>Document de démonstration : {spec.label}</p>").write_pdf()
            uploads[spec.code] = [SimpleUploadedFile(f"{spec.code}.pdf", content, "application/pdf")]
    actions.attach_files(dossier, uploads, acting_user=user)


def _pack_jeunes_dossier(teleservice: Teleservice, user: User, child: str, qf: int) -> Dossier:
    dossier = actions.create_draft(teleservice, acting_user=user)
    beneficiary = user.foyer.members.get(first_name=child)
    actions.save_draft(
        dossier,
        {
            "beneficiary": str(beneficiary.pk),
            "quotient_familial": str(qf),
            "engagement": "aucun",
            "housing_address": "12 avenue Aristide Briand",
            "housing_postal_code": "70000",
            "housing_commune": "Vesoul",
            "move_in_date": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
            "monthly_rent": "420",
            "certify": "on",
        },
        acting_user=user,
    )
    _attach_demo_documents(dossier, user)
    actions.transmit(dossier, acting_user=user)
    return dossier


def load() -> list[tuple[str, str, str, str]]:
    """Create what is missing; returns the demo accounts."""
    users = {
        email: _user(email, first, last, is_staff=email.startswith("admin"), is_superuser=email.startswith("admin"))
        for email, first, last, _role in ACCOUNTS
    }
    citizen, agent, supervisor = users["citoyen@demo.test"], users["agent@demo.test"], users["superviseur@demo.test"]
    youth, _ = InstructingService.objects.get_or_create(name="Service Jeunesse")
    living, _ = InstructingService.objects.get_or_create(name="Service Cadre de vie")
    for service in (youth, living):
        service.add_agent(agent)
        service.add_agent(supervisor)
        service.supervisors.add(supervisor)

    pack_jeunes, _ = Teleservice.objects.update_or_create(
        slug="pack-jeunes-premier-logement",
        defaults={
            "code": "PJL",
            "title": "Pack Jeunes — aide au premier logement",
            "fiche": PACK_JEUNES_FICHE,
            "audience": Audience.FOYER,
            "category": "Jeunesse",
            "published": True,
            "instructing_service": youth,
            "flow_class_path": "workflows.pack_jeunes.flow.PackJeunesFlow",
            "processing_days": 30,
            # Acceptances above 400 € wait for a supervisor's validation (« À valider »).
            "validation_threshold": 400,
        },
    )
    Teleservice.objects.update_or_create(
        slug="palmares-villes-villages-fleuris",
        defaults={
            "code": "PVF",
            "title": "Palmarès des Villes et Villages fleuris",
            "fiche": PALMARES_FICHE,
            "audience": Audience.ORGANISME,
            "category": "Palmarès",
            "published": True,
            "instructing_service": living,
            "flow_class_path": "workflows.palmares.flow.PalmaresFlow",
            "processing_days": 90,
        },
    )

    _foyer(citizen, "Vesoul", "70000", 450, [("mme", "Léa", 19), ("m", "Hugo", 15)])
    mayor = users["mairie@demo.test"]
    if not Organisme.objects.filter(siret=GY_SIRET).exists():
        actions.create_organisme(
            acting_user=mayor,
            kind=Organisme.Kind.COMMUNE,
            name="Commune de Gy",
            siret=GY_SIRET,
            address="Place de l'Hôtel de Ville",
            postal_code="70700",
            commune="Gy",
        )

    if not pack_jeunes.dossiers.exists():
        # Two neighbours' dossiers waiting in the queue, one taken by the agent.
        for email, first, last, commune, cp, qf, child, age in [
            ("lucas.bernard@demo.test", "Lucas", "Bernard", "Gray", "70100", 280, "Emma", 20),
            ("nadia.roux@demo.test", "Nadia", "Roux", "Lure", "70200", 820, "Théo", 23),
            ("hugo.faivre@demo.test", "Hugo", "Faivre", "Luxeuil-les-Bains", "70300", 610, "Inès", 18),
        ]:
            user = _user(email, first, last)
            _foyer(user, commune, cp, qf, [("mme" if child in ("Emma", "Inès") else "m", child, age)])
            dossier = _pack_jeunes_dossier(pack_jeunes, user, child, qf)
            if child == "Inès":
                actions.take(dossier, acting_user=agent)
            if child == "Emma":  # proposed above the threshold: waits in the supervisor's « À valider »
                actions.take(dossier, acting_user=agent)
                actions.decide(
                    dossier,
                    acting_user=agent,
                    outcome="accepted",
                    amount="450",
                    motivation="Premier logement à Gray, quotient familial de 280 € : majoration de 50 %.",
                )
        # The demo citizen's own dossier, sent back for a complement with a message.
        own = _pack_jeunes_dossier(pack_jeunes, citizen, "Léa", 450)
        actions.take(own, acting_user=agent)
        actions.send_message(
            own,
            acting_user=agent,
            body="Bonjour, le bail transmis n'est pas signé. Merci de joindre le bail signé par les deux parties.",
        )
        actions.request_complement(
            own, acting_user=agent, message="Merci de joindre le bail signé.", documents=["bail"]
        )
    return ACCOUNTS
