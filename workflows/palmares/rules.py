"""Palmarès des Villes et Villages fleuris: who may register.

The departmental contest is open to communes (CATALOGUE.md); categories by population are an
example rule of the demo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workflows.amounts import Amount

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


# The ranking: a prize category for each visited commune. Amounts are an example of the demo
# (CATALOGUE.md knows the contest, not its prizes): larger communes get larger prizes.
PRIZES = {
    "excellence": _("Prix d'excellence"),
    "premier": _("Premier prix"),
    "deuxieme": _("Deuxième prix"),
    "troisieme": _("Troisième prix"),
    "encouragement": _("Prix d'encouragement"),
}
PRIZE_AMOUNTS = {"excellence": 600, "premier": 400, "deuxieme": 250, "troisieme": 150, "encouragement": 80}
CATEGORY_FACTORS = {"moins_1000": Decimal("1"), "1000_3000": Decimal("1.25"), "3000_10000": Decimal("1.5")}
CATEGORY_FACTORS["plus_10000"] = Decimal("2")


def campaign_of(day: dt.date) -> int:
    """A campaign runs over a calendar year: one deposit per commune and year."""
    return day.year


def prize_amount(prize: str, population_category: str) -> Amount:
    """The prize's amount for the commune's population category, with its reasoning."""
    if prize not in PRIZES:
        return Amount(None, [gettext("Choisissez une catégorie de prix.")])
    base = Decimal(PRIZE_AMOUNTS[prize])
    factor = CATEGORY_FACTORS.get(population_category, Decimal("1"))
    value = (base * factor).quantize(Decimal("1"))
    steps = [gettext("%(prize)s : %(base)s €") % {"prize": PRIZES[prize], "base": base}]
    if factor != 1:
        label = POPULATION_CATEGORIES.get(population_category, population_category)
        steps.append(gettext("Commune « %(category)s » : × %(factor)s") % {"category": label, "factor": factor})
    steps.append(gettext("Montant du prix : %(value)s €") % {"value": value})
    return Amount(value, steps)
