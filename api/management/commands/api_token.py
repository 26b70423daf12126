"""``manage.py api_token --email agent@… --scope read --scope instruct``: a new API token for an
agent or an integration account; its key is printed once and never stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone, translation

from api.models import ApiToken, Scope
from permissions import access
from permissions.models import InstructingService, User


class Command(BaseCommand):
    help = "Crée un jeton d'API pour un agent ou un compte d'intégration ; la clé n'est affichée qu'une fois."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="Adresse du compte (agent ou compte d'intégration).")
        parser.add_argument(
            "--scope",
            action="append",
            choices=[scope.value for scope in Scope],
            help="Portée : read (lecture), instruct (actions et messages). Répétable ; read par défaut.",
        )
        parser.add_argument("--name", default="", help="Nom du jeton, par exemple le logiciel qui l'utilise.")
        parser.add_argument("--expires-in-days", type=int, default=None, help="Validité en jours (sans limite sinon).")
        parser.add_argument(
            "--integration",
            action="store_true",
            help="Crée le compte d'intégration s'il n'existe pas (sans mot de passe : il ne peut pas se connecter).",
        )
        parser.add_argument(
            "--service",
            action="append",
            default=[],
            help="Avec --integration : service instructeur dont le compte devient membre (répétable).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("fr"), transaction.atomic():
            user = self._user(options)
            if not access.instructed_teleservice_ids(user):
                raise CommandError(
                    f"{user.email} n'instruit aucun téléservice : l'API est réservée aux agents et aux comptes "
                    "d'intégration d'un service instructeur."
                )
            days = options["expires_in_days"]
            if days is not None and days < 1:
                raise CommandError("--expires-in-days doit valoir 1 ou plus.")
            expires = timezone.now() + dt.timedelta(days=days) if days else None
            scopes = options["scope"] or [Scope.READ.value]
            token, key = ApiToken.issue(
                user, name=options["name"] or f"Jeton de {user.email}", scopes=scopes, expires_at=expires
            )
        self.stdout.write(f"Jeton « {token.name} » créé pour {user.email} (portées : {', '.join(token.scopes)}).")
        if expires:
            self.stdout.write(f"Il expire le {timezone.localtime(expires):%d/%m/%Y à %H:%M}.")
        self.stdout.write("Clé (elle ne sera plus affichée, conservez-la maintenant) :")
        self.stdout.write(key)

    def _user(self, options: dict[str, Any]) -> User:
        email = options["email"].strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if options["integration"]:
            if user is None:
                user = User.objects.create_user(email=email, first_name="Compte d'intégration")  # no password
                self.stdout.write(f"Compte d'intégration {email} créé.")
            for name in options["service"]:
                service = InstructingService.objects.filter(name=name).first()
                if service is None:
                    raise CommandError(f"Aucun service instructeur ne s'appelle « {name} ».")
                service.add_agent(user)
                self.stdout.write(f"{email} est membre du service « {service.name} ».")
        elif options["service"]:
            raise CommandError("--service ne s'emploie qu'avec --integration.")
        if user is None:
            raise CommandError(f"Aucun compte n'a l'adresse {email}.")
        if not user.is_active:
            raise CommandError(f"Le compte {email} est désactivé.")
        return user
