from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from instruction.audit import verify_chain


class Command(BaseCommand):
    help = "Vérifie la chaîne d'empreintes du journal d'audit (exit 1 au premier maillon rompu)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossier", metavar="REF", help="Ne vérifier que ce dossier (sa référence).")
        parser.add_argument("--chunk-size", type=int, default=2000, help="Lignes lues par lot.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        report = verify_chain(options["dossier"], chunk_size=options["chunk_size"])
        elapsed = time.monotonic() - started
        if report.broken is not None:
            self.stderr.write(
                _(
                    "Chaîne d'audit rompue après %(count)d événement(s) vérifié(s) : dossier %(reference)s, "
                    "événement n° %(event)d — %(reason)s."
                )
                % {
                    "count": report.checked,
                    "reference": report.broken.reference,
                    "event": report.broken.event_id,
                    "reason": report.broken.reason,
                }
            )
            raise SystemExit(1)
        self.stdout.write(
            _("Chaîne d'audit intacte : %(count)d événement(s) vérifié(s) en %(seconds).1f s.")
            % {"count": report.checked, "seconds": elapsed}
        )
