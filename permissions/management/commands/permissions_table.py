"""Print « Qui peut faire quoi », the Markdown table of README.md (permissions/table.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from permissions.table import END_MARKER, START_MARKER, markdown


class Command(BaseCommand):
    help = "Print the permissions table (Markdown) that README.md holds between its two markers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--with-markers", action="store_true", help="Frame it with README.md's markers.")

    def handle(self, *args: Any, **options: Any) -> None:
        table = markdown()
        if options["with_markers"]:
            table = f"{START_MARKER}\n{table}{END_MARKER}\n"
        self.stdout.write(table, ending="")
