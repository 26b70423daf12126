from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from instruction import retention
from instruction.retention import ANONYMISE, CATEGORIES, DELETE, WARN, Item


def _titles(dry_run: bool) -> dict[str, str]:
    if dry_run:
        return {
            WARN: _("Brouillons à avertir (courriel avant suppression)"),
            DELETE: _("Brouillons à supprimer avec leurs fichiers"),
            ANONYMISE: _("Dossiers décidés à anonymiser"),
        }
    return {
        WARN: _("Brouillons avertis (courriel avant suppression)"),
        DELETE: _("Brouillons supprimés avec leurs fichiers"),
        ANONYMISE: _("Dossiers décidés anonymisés"),
    }


class Command(BaseCommand):
    help = (
        "Applique les règles de conservation (RGPD) : avertit puis supprime les brouillons abandonnés, "
        "anonymise les dossiers décidés au terme de la durée de conservation de leur téléservice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Afficher ce qui serait fait, sans rien modifier.")

    def _list(self, title: str, items: list[Item]) -> None:
        self.stdout.write(f"{title} : {len(items)}")
        for item in items:
            self.stdout.write(f"  {item.reference} ({item.teleservice})")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        started = time.monotonic()
        due = retention.plan(timezone.now())
        titles = _titles(dry_run)
        if dry_run:
            self.stdout.write(_("Simulation (--dry-run) : rien n'est modifié."))
            for category in CATEGORIES:
                self._list(titles[category], due.items[category])
            return
        outcome = retention.apply(due)
        for category in CATEGORIES:
            self._list(titles[category], outcome.done[category])
        skipped = sum(len(items) for items in outcome.skipped.values())
        if skipped:
            self.stdout.write(_("Ignorés car modifiés entre-temps : %(count)d") % {"count": skipped})
        self.stdout.write(
            _("Fichiers supprimés du stockage : %(files)d. Durée : %(seconds).1f s.")
            % {"files": outcome.files_deleted, "seconds": time.monotonic() - started}
        )
        if outcome.failed:
            for category, item, error in outcome.failed:
                self.stderr.write(
                    _("Échec (%(category)s) pour %(reference)s : %(error)s")
                    % {"category": titles[category], "reference": item.reference, "error": error}
                )
            raise CommandError(
                _("%(count)d dossier(s) n'ont pas pu être traités ; les autres l'ont été.")
                % {"count": len(outcome.failed)}
            )
