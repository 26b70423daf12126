"""Repeated blocks of a téléservice form: a group of fields the applicant fills once per row
(one row per child of a 1000 Semaines — familles dossier).

A :class:`DossierForm` declares ``blocks = {"children": RepeatedBlock(ChildStayForm, …)}``. The
rows are kept in ``dossier.data`` as a list of dicts under the block's name, as typed (the
draft keeps invalid values too). On the page each row is a small Django form with the prefix
``<name>-<index>``, in a fieldset whose legend numbers it (« Enfant 1 »); the « Ajouter » and
« Retirer » buttons are plain submit buttons, so they work without JavaScript: the draft is
saved with one row more or less and the page shows again."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext as _

# The name of the « Ajouter » / « Retirer » submit buttons; their value says what to do:
# ``ajouter:<block>`` or ``retirer:<block>:<index>``.
ROW_COMMAND = "ligne"
ADD, REMOVE = "ajouter", "retirer"
MAX_LENGTH = 2000


@dataclass(frozen=True)
class RepeatedBlock:
    form_class: type[forms.Form]
    legend: Any  # of the whole block, e.g. « Séjours des enfants »
    row_legend: Any  # of one row, with %(number)s, e.g. « Enfant %(number)s »
    add_label: Any  # e.g. « Ajouter un enfant »
    min_rows: int = 1
    max_rows: int = 6
    # The form field after which the block shows on the page (None: after every field).
    after: str | None = None
    help: Any = ""

    def count_key(self, name: str) -> str:
        """A hidden input with the number of rows, so that a row left blank is kept."""
        return f"{name}-lignes"


def row_prefix(name: str, index: int) -> str:
    return f"{name}-{index}"


def as_text(field: forms.Field, value: Any) -> Any:
    """One typed value as the draft keeps it: a boolean for a check box, else text."""
    if isinstance(field, forms.BooleanField):
        return value in (True, "on", "true", "True", "1")
    return str(value if value is not None else "")[:MAX_LENGTH]


def typed_row(block: RepeatedBlock, row: Mapping[str, Any]) -> dict[str, Any]:
    return {name: as_text(f, row.get(name, "")) for name, f in block.form_class.base_fields.items()}


def typed_rows(block: RepeatedBlock, name: str, raw: Any) -> list[dict[str, Any]]:
    """The rows in ``raw``: a list of dicts (stored data) or the page's prefixed inputs."""
    stored = raw.get(name)
    if isinstance(stored, list):
        rows = [typed_row(block, r) for r in stored if isinstance(r, Mapping)]
    else:
        pattern = re.compile(rf"^{re.escape(name)}-(\d+)-")
        indexes = {int(m.group(1)) for key in raw.keys() if (m := pattern.match(str(key)))}
        count = str(raw.get(block.count_key(name), "") or "")
        last = max(indexes, default=-1) + 1
        total = max(int(count) if count.isdigit() else 0, last)
        rows = []
        for index in range(min(total, block.max_rows)):
            prefix = row_prefix(name, index)
            rows.append(
                {f: as_text(fd, raw.get(f"{prefix}-{f}", "")) for f, fd in block.form_class.base_fields.items()}
            )
    rows = rows[: block.max_rows]
    return rows + [typed_row(block, {}) for _ in range(block.min_rows - len(rows))]


def row_command(raw: Any) -> tuple[str, str, int | None] | None:
    """(verb, block name, index) of the « Ajouter » / « Retirer » button pressed, if any."""
    parts = str(raw.get(ROW_COMMAND, "") or "").split(":")
    if len(parts) == 2 and parts[0] == ADD:
        return ADD, parts[1], None
    if len(parts) == 3 and parts[0] == REMOVE and parts[2].isdigit():
        return REMOVE, parts[1], int(parts[2])
    return None


def apply_command(
    block: RepeatedBlock, name: str, rows: list[dict[str, Any]], command: tuple[str, str, int | None] | None
) -> list[dict[str, Any]]:
    """The rows after « Ajouter » (one blank row more, up to the maximum) or « Retirer » (that
    row gone; the last one left is emptied instead, down to the minimum)."""
    if command is None or command[1] != name:
        return rows
    verb, _name, index = command
    if verb == ADD and len(rows) < block.max_rows:
        return [*rows, typed_row(block, {})]
    if verb == REMOVE and index is not None and 0 <= index < len(rows):
        kept = rows[:index] + rows[index + 1 :]
        return kept + [typed_row(block, {}) for _ in range(block.min_rows - len(kept))]
    return rows


@dataclass
class BlockRows:
    """One block of one bound (or unbound) form, as templates and rules read it."""

    name: str
    block: RepeatedBlock
    rows: list[forms.Form] = field(default_factory=list)

    @property
    def legend(self) -> Any:
        return self.block.legend

    @property
    def count_key(self) -> str:
        return self.block.count_key(self.name)

    @property
    def can_add(self) -> bool:
        return len(self.rows) < self.block.max_rows

    @property
    def can_remove(self) -> bool:
        return len(self.rows) > self.block.min_rows

    @property
    def add_value(self) -> str:
        return f"{ADD}:{self.name}"

    def row_legend(self, index: int) -> str:
        return str(self.block.row_legend) % {"number": index + 1}

    def errors(self) -> list[tuple[str, str]]:
        """(anchor, « Enfant 2 — Nombre de semaines : … ») for every error of every row."""
        found = []
        for index, row in enumerate(self.rows):
            legend = self.row_legend(index)
            for message in row.non_field_errors():
                found.append(
                    (row_prefix(self.name, index), _("%(row)s : %(error)s") % {"row": legend, "error": message})
                )
            for bound in row:
                for message in bound.errors:
                    found.append(
                        (
                            bound.auto_id,
                            _("%(row)s — %(label)s : %(error)s")
                            % {"row": legend, "label": bound.label, "error": message},
                        )
                    )
        return found


def decorate(rows: BlockRows) -> None:
    """What the page reads on each row form: its number, legend and « Retirer » button value."""
    for index, row in enumerate(rows.rows):
        row.number = index + 1  # type: ignore[attr-defined]
        row.legend = rows.row_legend(index)  # type: ignore[attr-defined]
        row.anchor = row_prefix(rows.name, index)  # type: ignore[attr-defined]
        row.remove_value = f"{REMOVE}:{rows.name}:{index}"  # type: ignore[attr-defined]
