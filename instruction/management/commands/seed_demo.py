"""`manage.py seed_demo`: loads the demo data (instruction/demo/data.py); refuses without DEBUG."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from instruction.demo.data import load


class Command(BaseCommand):
    help = "Charge les données de démonstration (uniquement avec DEBUG activé)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo refuse de s'exécuter sans DEBUG=1 : ce sont des comptes de démonstration.")
        with transaction.atomic():
            load()
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
