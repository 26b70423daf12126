from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from instruction.demo.data import ACCOUNTS, PASSWORD


class Command(BaseCommand):
    help = "Affiche l'adresse du site, les comptes de démonstration et le dossier des courriels."

    def handle(self, *args: Any, **options: Any) -> None:
        lines = [
            "",
            "Mes services publics — démonstration",
            "  Adresse : http://127.0.0.1:8000/  (back office : http://127.0.0.1:8000/instruction/)",
            f"  Comptes (mot de passe « {PASSWORD} ») :",
            *(f"    {email:<24} {role}" for email, _f, _l, role in ACCOUNTS),
            f"  Courriels envoyés : écrits dans {getattr(settings, 'EMAIL_FILE_PATH', 'SMTP ' + settings.EMAIL_HOST)}",
            "",
        ]
        self.stdout.write("\n".join(lines))
