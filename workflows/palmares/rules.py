"""Palmarès des Villes et Villages fleuris: who may register.

The departmental contest is open to communes (CATALOGUE.md); categories by population are an
example rule of the demo."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ELIGIBLE_ORGANISME_KINDS = ("commune",)

POPULATION_CATEGORIES = {
    "moins_1000": _("Moins de 1 000 habitants"),
    "1000_3000": _("De 1 000 à 3 000 habitants"),
    "3000_10000": _("De 3 001 à 10 000 habitants"),
    "plus_10000": _("Plus de 10 000 habitants"),
}

LABELS = {
    "aucun": _("Aucun label"),
    "1": _("1 fleur"),
    "2": _("2 fleurs"),
    "3": _("3 fleurs"),
    "4": _("4 fleurs"),
}


def may_file(organisme_kind: str | None) -> bool:
    return organisme_kind in ELIGIBLE_ORGANISME_KINDS
