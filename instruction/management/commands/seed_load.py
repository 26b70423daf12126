"""`manage.py seed_load --dossiers N`: a realistic volume for load tests (bench/seed_load.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.seed_load import SeedError, run


class Command(BaseCommand):
    help = "Génère N dossiers réalistes (COPY PostgreSQL) pour les tests de charge, sur une base sans dossiers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, required=True, help="Nombre de dossiers à générer.")
        parser.add_argument("--seed", type=int, default=42, help="Graine : même graine, mêmes données.")
        parser.add_argument(
            "--defer-fk-checks",
            dest="fk_checks",
            action="store_false",
            help="Clés étrangères vérifiées une fois à la fin plutôt qu'à chaque ligne (superutilisateur PostgreSQL).",
        )
        parser.add_argument("--batch", type=int, default=20_000, help="Dossiers par lot (une transaction).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] <= 0:
            raise CommandError("La taille des lots doit être strictement positive.")
        try:
            written = run(
                options["dossiers"],
                seed=options["seed"],
                batch=options["batch"],
                fk_checks=options["fk_checks"],
                out=self.stderr,
            )
        except SeedError as error:
            raise CommandError(str(error)) from None
        summary = ", ".join(f"{table} : {count}" for table, count in written.items())
        self.stdout.write(self.style.SUCCESS(f"Dossiers générés. Lignes écrites — {summary}."))
