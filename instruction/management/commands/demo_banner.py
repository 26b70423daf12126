from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from instruction.demo import people
from instruction.demo.data import ACCOUNTS, PASSWORD


def franceconnect_lines() -> list[str]:
    """Where FranceConnect leads: the local demonstration provider (`make demo`) and its identities, another
    provider, or nowhere."""
    base_url = settings.FRANCECONNECT_BASE_URL
    if not settings.FRANCECONNECT_CLIENT_ID:
        return ["  FranceConnect : désactivé (FRANCECONNECT_CLIENT_ID vide)"]
    if urlsplit(base_url).hostname not in ("127.0.0.1", "localhost"):
        return [f"  FranceConnect : {base_url}"]
    from franceconnect_demo.identities import IDENTITIES, summary

    return [
        f"  FranceConnect de démonstration : {base_url}/ (identités fictives, aucune donnée réelle)",
        "    « S'identifier avec FranceConnect » sur http://127.0.0.1:8000/connexion/, puis choisir :",
        *(f"      {summary(identity)}" for identity in IDENTITIES),
    ]


class Command(BaseCommand):
    help = "Affiche l'adresse du site, les comptes de démonstration et le dossier des courriels."

    def handle(self, *args: Any, **options: Any) -> None:
        shown = {email for email, *_ in ACCOUNTS}
        others = len({p.email for p in (*people.HOUSEHOLDS, *people.STRUCTURES)} - shown)
        lines = [
            "",
            "Mes services publics — démonstration",
            "  Adresse : http://127.0.0.1:8000/  (back office : http://127.0.0.1:8000/instruction/)",
            f"  Comptes (mot de passe « {PASSWORD} ») :",
            *(f"    {email:<24} {role}" for email, _f, _l, role in ACCOUNTS),
            f"    et {others} autres foyers et organismes de la démonstration (liste dans le README)",
            *franceconnect_lines(),
            f"  Courriels envoyés : écrits dans {getattr(settings, 'EMAIL_FILE_PATH', 'SMTP ' + settings.EMAIL_HOST)}",
            "",
        ]
        self.stdout.write("\n".join(lines))
