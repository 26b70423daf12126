"""BDS rules, as code: which pupil may benefit and how much the grant is.

Known fact (CATALOGUE.md): a grant for secondary-school pupils, filed by a parent, whose amount
depends on the household's quotient familial (QF). Everything else here is an example rule of
the demo, said so in the téléservice's fiche:

- the pupil is a child of the foyer aged 10 to 20 on the day of the request (birthdays included);
- the grant by QF bracket (edges included), with a supplement for a lycée pupil (general,
  technological or vocational, CAP included), whose schooling costs more:

    QF              collège   supplément lycée
    0 à 449 €        150 €        + 100 €
    450 à 699 €      100 €        +  80 €
    700 à 899 €       60 €        +  40 €
    above 899 €   not eligible
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.amounts import Amount

MIN_AGE, MAX_AGE = 10, 20

COLLEGE, LYCEE = "college", "lycee"
CLASS_LEVELS = {
    "6e": gettext_lazy("6e"),
    "5e": gettext_lazy("5e"),
    "4e": gettext_lazy("4e"),
    "3e": gettext_lazy("3e"),
    "2nde": gettext_lazy("Seconde générale et technologique"),
    "1re": gettext_lazy("Première générale ou technologique"),
    "terminale": gettext_lazy("Terminale générale ou technologique"),
    "cap": gettext_lazy("CAP (1re ou 2e année)"),
    "2nde_pro": gettext_lazy("Seconde professionnelle"),
    "1re_pro": gettext_lazy("Première professionnelle"),
    "terminale_pro": gettext_lazy("Terminale professionnelle"),
}
COLLEGE_LEVELS = ("6e", "5e", "4e", "3e")
# (upper bound of the QF, grant for a collégien, supplement for a lycéen); above: not eligible.
SCALE: tuple[tuple[int, int, int], ...] = ((449, 150, 100), (699, 100, 80), (899, 60, 40))


def school_of(class_level: str) -> str:
    return COLLEGE if class_level in COLLEGE_LEVELS else LYCEE


def age_on(birth_date: dt.date, day: dt.date) -> int:
    years = day.year - birth_date.year
    return years - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_eligible_beneficiary(is_child: bool, birth_date: dt.date, on: dt.date) -> bool:
    return is_child and MIN_AGE <= age_on(birth_date, on) <= MAX_AGE


def beneficiary_refusal(is_child: bool, birth_date: dt.date, on: dt.date) -> str | None:
    if not is_child:
        return _("Le bénéficiaire doit être un enfant du foyer.")
    if not is_eligible_beneficiary(is_child, birth_date, on):
        return _("Le bénéficiaire doit avoir entre %(min)s et %(max)s ans à la date de la demande.") % {
            "min": MIN_AGE,
            "max": MAX_AGE,
        }
    return None


def compute_amount(quotient_familial: int, class_level: str) -> Amount:
    lower = 0
    for upper, base, supplement in SCALE:
        if quotient_familial <= upper:
            value = Decimal(base)
            steps = [
                _("Quotient familial %(qf)s € (tranche %(lower)s à %(upper)s €) : %(base)s €")
                % {"qf": quotient_familial, "lower": lower, "upper": upper, "base": base}
            ]
            if class_level in CLASS_LEVELS and school_of(class_level) == LYCEE:
                steps.append(
                    _("Supplément lycée (%(level)s) : + %(supplement)s €")
                    % {"level": CLASS_LEVELS[class_level], "supplement": supplement}
                )
                value += supplement
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
