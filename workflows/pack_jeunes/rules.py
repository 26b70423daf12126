"""Pack Jeunes rules, as code: who may be a beneficiary and how much the aid is.

Source: public description of the Haute-Saône Pack Jeunes (see CATALOGUE.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MIN_AGE, MAX_AGE = 18, 25

# (upper bound of the quotient familial, amount in euros); above the last bound: not eligible.
SCALE: tuple[tuple[int, int], ...] = ((299, 400), (599, 250), (999, 150), (1200, 100))
ENGAGEMENTS = {
    "aucun": gettext_lazy("Aucun"),
    "jsp": gettext_lazy("Jeune sapeur-pompier volontaire"),
    "gendarme": gettext_lazy("Gendarme réserviste"),
    "militaire": gettext_lazy("Réserviste militaire"),
}
BONUS_RATE = Decimal("0.5")


def age_on(birth_date: dt.date, day: dt.date) -> int:
    years = day.year - birth_date.year
    return years - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_eligible_beneficiary(birth_date: dt.date, on: dt.date) -> bool:
    return MIN_AGE <= age_on(birth_date, on) <= MAX_AGE


@dataclass(frozen=True)
class Amount:
    value: Decimal | None
    reasoning: list[str]

    @property
    def eligible(self) -> bool:
        return self.value is not None


def compute_amount(quotient_familial: int, engagement: str) -> Amount:
    lower = 0
    for upper, base in SCALE:
        if quotient_familial <= upper:
            steps = [
                _("Quotient familial %(qf)s € (tranche %(lower)s à %(upper)s €) : %(base)s €")
                % {"qf": quotient_familial, "lower": lower, "upper": upper, "base": base}
            ]
            value = Decimal(base)
            if engagement in ENGAGEMENTS and engagement != "aucun":
                bonus = (value * BONUS_RATE).quantize(Decimal("1"))
                steps.append(
                    _("Majoration de 50 %% (%(engagement)s) : + %(bonus)s €")
                    % {"engagement": ENGAGEMENTS[engagement], "bonus": bonus}
                )
                value += bonus
            steps.append(_("Montant proposé : %(value)s €") % {"value": value})
            return Amount(value, steps)
        lower = upper + 1
    return Amount(
        None,
        [
            _("Quotient familial %(qf)s € supérieur à %(max)s € : non éligible")
            % {"qf": quotient_familial, "max": SCALE[-1][0]}
        ],
    )
