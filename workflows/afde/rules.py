"""AFDE rules, as code: who may be the student, which baccalauréat year is plausible, and how
much the allocation is.

Known facts (CATALOGUE.md): a parent files for a child under 26 who has the baccalauréat and
is in higher education; the amount depends on the household's quotient familial (QF) and on
the student's age. The scale below (QF brackets × two age bands) is an example rule of the
demo, said so in the téléservice's fiche:

    QF              20 ans ou moins   21 à 25 ans
    0 à 499 €           300 €            400 €
    500 à 799 €         200 €            300 €
    800 à 1 099 €       120 €            180 €
    above 1 099 €   not eligible

Ages are taken on the day of the request, birthdays included; brackets include their edges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.amounts import Amount

# The student is under 26 (25 at most) on the day of the request.
MAX_AGE = 25
# The baccalauréat is not passed before the year the student turns 15.
MIN_BAC_AGE = 15
# The youngest age band: up to this age included; the second band goes up to MAX_AGE.
FIRST_BAND_MAX_AGE = 20
# (upper bound of the QF, amount up to 20 years old, amount from 21 to 25); above: not eligible.
SCALE: tuple[tuple[int, int, int], ...] = ((499, 300, 400), (799, 200, 300), (1099, 120, 180))
YEARS_OF_STUDY = {
    "1": gettext_lazy("1re année"),
    "2": gettext_lazy("2e année"),
    "3": gettext_lazy("3e année"),
    "4": gettext_lazy("4e année"),
    "5": gettext_lazy("5e année ou au-delà"),
}


def age_on(birth_date: dt.date, day: dt.date) -> int:
    years = day.year - birth_date.year
    return years - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_eligible_beneficiary(is_child: bool, birth_date: dt.date, on: dt.date) -> bool:
    return is_child and 0 <= age_on(birth_date, on) <= MAX_AGE


def beneficiary_refusal(is_child: bool, birth_date: dt.date, on: dt.date) -> str | None:
    if not is_child:
        return _("Le bénéficiaire doit être un enfant du foyer.")
    if not is_eligible_beneficiary(is_child, birth_date, on):
        return _("Le bénéficiaire doit avoir moins de %(limit)s ans à la date de la demande.") % {"limit": MAX_AGE + 1}
    return None


def bac_year_refusal(bac_year: int, birth_date: dt.date, on: dt.date) -> str | None:
    """Why this baccalauréat year is refused for a student born on ``birth_date``, or None."""
    if bac_year > on.year:
        return _("L'année du baccalauréat ne peut pas être postérieure à l'année de la demande (%(year)s).") % {
            "year": on.year
        }
    earliest = birth_date.year + MIN_BAC_AGE
    if bac_year < earliest:
        return _("L'année du baccalauréat ne peut pas précéder l'année des %(age)s ans du bénéficiaire (%(year)s).") % {
            "age": MIN_BAC_AGE,
            "year": earliest,
        }
    return None


def compute_amount(quotient_familial: int, student_age: int) -> Amount:
    young = student_age <= FIRST_BAND_MAX_AGE
    band = (
        _("%(max)s ans ou moins") % {"max": FIRST_BAND_MAX_AGE}
        if young
        else _("%(min)s à %(max)s ans") % {"min": FIRST_BAND_MAX_AGE + 1, "max": MAX_AGE}
    )
    lower = 0
    for upper, young_amount, older_amount in SCALE:
        if quotient_familial <= upper:
            value = Decimal(young_amount if young else older_amount)
            return Amount(
                value,
                [
                    _("Quotient familial %(qf)s € (tranche %(lower)s à %(upper)s €)")
                    % {"qf": quotient_familial, "lower": lower, "upper": upper},
                    _("Étudiant de %(age)s ans (tranche « %(band)s ») : %(value)s €")
                    % {"age": student_age, "band": band, "value": value},
                    _("Montant proposé : %(value)s €") % {"value": value},
                ],
            )
        lower = upper + 1
    return Amount(
        None,
        [
            _("Quotient familial %(qf)s € supérieur à %(max)s € : non éligible")
            % {"qf": quotient_familial, "max": SCALE[-1][0]}
        ],
    )
