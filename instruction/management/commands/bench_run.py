"""``manage.py bench_run --part pages``: one part of ``make bench`` (see bench/run.py)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.run import PARTS, run_part


class Command(BaseCommand):
    help = "Mesure une partie du banc d'essai et l'écrit en JSON (utilisé par « make bench »)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--part", required=True, choices=PARTS)
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["warmup"] < 1 or options["repeat"] < 1:
            raise CommandError("--warmup et --repeat doivent valoir au moins 1.")
        self.stdout.write(json.dumps(run_part(options["part"], warmup=options["warmup"], repeat=options["repeat"])))
