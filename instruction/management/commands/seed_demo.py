"""Demo data for `make demo`: the four demo accounts, the Pack Jeunes téléservice, a foyer
and a few dossiers in the queue. Deterministic and idempotent; refuses to run with DEBUG off."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from instruction import actions
from instruction.models import Audience, Foyer, FoyerMember, Teleservice
from permissions.models import InstructingService, User

PASSWORD = "demo-2026"  # noqa: S105 - documented demo password, DEBUG only
ACCOUNTS = [
    ("citoyen@demo.test", "Camille", "Martin", "citoyen (foyer à Vesoul)"),
    ("agent@demo.test", "Julien", "Perrin", "agent instructeur du Pack Jeunes"),
    ("superviseur@demo.test", "Sophie", "Girard", "superviseure du service Jeunesse"),
    ("admin@demo.test", "Alex", "Admin", "administrateur"),
]
FICHE = """Le Pack Jeunes aide les jeunes de 18 à 25 ans dont les parents résident en Haute-Saône \
à s'installer dans un premier logement.

Montant selon le quotient familial du foyer : 400 € (0 à 299 €), 250 € (300 à 599 €), \
150 € (600 à 999 €), 100 € (1 000 à 1 200 €) ; au-delà, l'aide n'est pas accordée. \
Majoration de 50 % pour un jeune sapeur-pompier volontaire, un gendarme ou un militaire réserviste.

Pièces à fournir : dernier avis d'imposition ou de non-imposition, RIB, bail au nom du demandeur, \
pièce d'identité en cours de validité, attestation d'engagement en cas de majoration."""


def _user(email: str, first: str, last: str, **extra: Any) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"first_name": first, "last_name": last, **extra})
    if created:
        user.set_password(PASSWORD)
        user.save()
    return user


def _foyer(user: User, commune: str, postal_code: str, qf: int, members: list[tuple[str, str, str, int]]) -> Foyer:
    foyer, created = Foyer.objects.get_or_create(
        responsible=user,
        defaults={
            "address": "1 rue de la Mairie",
            "postal_code": postal_code,
            "commune": commune,
            "quotient_familial": qf,
        },
    )
    if created:
        today = timezone.localdate()
        FoyerMember.objects.create(
            foyer=foyer,
            civility="mme",
            first_name=user.first_name,
            last_name=user.last_name,
            birth_date=dt.date(today.year - 47, 3, 14),
            link=FoyerMember.Link.APPLICANT,
        )
        for civility, first, link, age in members:
            FoyerMember.objects.create(
                foyer=foyer,
                civility=civility,
                first_name=first,
                last_name=user.last_name,
                birth_date=dt.date(today.year - age, 1, 10),
                link=link,
            )
    return foyer


class Command(BaseCommand):
    help = "Charge les données de démonstration (uniquement avec DEBUG activé)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo refuse de s'exécuter sans DEBUG=1 : ce sont des comptes de démonstration.")
        with transaction.atomic():
            citizen, agent, supervisor, _admin = (
                _user(email, first, last, is_staff=email.startswith("admin"), is_superuser=email.startswith("admin"))
                for email, first, last, _role in ACCOUNTS
            )
            service, _ = InstructingService.objects.get_or_create(name="Service Jeunesse")
            service.add_agent(agent)
            service.add_agent(supervisor)
            service.supervisors.add(supervisor)
            pack_jeunes, _ = Teleservice.objects.update_or_create(
                slug="pack-jeunes-premier-logement",
                defaults={
                    "code": "PJL",
                    "title": "Pack Jeunes — aide au premier logement",
                    "fiche": FICHE,
                    "audience": Audience.FOYER,
                    "category": "Jeunesse",
                    "published": True,
                    "instructing_service": service,
                    "flow_class_path": "workflows.pack_jeunes.flow.PackJeunesFlow",
                    "processing_days": 30,
                },
            )
            _foyer(
                citizen,
                "Vesoul",
                "70000",
                450,
                [("mme", "Léa", FoyerMember.Link.CHILD, 19), ("m", "Hugo", FoyerMember.Link.CHILD, 15)],
            )
            if not pack_jeunes.dossiers.exists():
                self._queue_examples(pack_jeunes)
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))

    def _queue_examples(self, teleservice: Teleservice) -> None:
        """Two neighbours' dossiers already transmitted, so that the agent's queue is not empty."""
        neighbours = [
            ("lucas.bernard@demo.test", "Lucas", "Bernard", "Gray", "70100", 280, "Emma", 20),
            ("nadia.roux@demo.test", "Nadia", "Roux", "Lure", "70200", 820, "Théo", 23),
        ]
        for email, first, last, commune, cp, qf, child, age in neighbours:
            user = _user(email, first, last)
            foyer = _foyer(
                user, commune, cp, qf, [("mme" if child == "Emma" else "m", child, FoyerMember.Link.CHILD, age)]
            )
            dossier = actions.create_draft(teleservice, acting_user=user)
            beneficiary = foyer.members.get(first_name=child)
            actions.save_draft(
                dossier,
                {
                    "beneficiary": str(beneficiary.pk),
                    "quotient_familial": str(qf),
                    "engagement": "aucun",
                    "housing_address": "12 avenue Aristide Briand",
                    "housing_postal_code": "70000",
                    "housing_commune": "Vesoul",
                    "move_in_date": "2026-09-01",
                    "monthly_rent": "420",
                    "certify": "on",
                },
                acting_user=user,
            )
            _attach_demo_documents(dossier, user)
            actions.transmit(dossier, acting_user=user)


def _attach_demo_documents(dossier: Any, user: User) -> None:
    """One small PDF per required document, so that the demo dossiers can be transmitted."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from weasyprint import HTML

    from instruction.documents import specs_for

    uploads = {}
    for spec in specs_for(dossier.teleservice):
        if spec.is_required(dossier.data):
            content = HTML(string=f"<p>Document de démonstration : {spec.label}</p>").write_pdf()
            uploads[spec.code] = [SimpleUploadedFile(f"{spec.code}.pdf", content, "application/pdf")]
    actions.attach_files(dossier, uploads, acting_user=user)
