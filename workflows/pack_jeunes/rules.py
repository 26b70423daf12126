"""Pack Jeunes rules, as code: who may be a beneficiary, which aid is asked for and how much it is.

Source: public description of the Haute-Saône Pack Jeunes (see CATALOGUE.md): the premier
logement scale and its +50 % are known facts. The permis B scale (``PERMIS_SCALE``) and the
one-year limit on the driving-school registration are example rules of the demo, said so in
the téléservice's fiche."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.amounts import Amount

MIN_AGE, MAX_AGE = 18, 25

LOGEMENT, PERMIS = "logement", "permis"
AIDS = {
    LOGEMENT: gettext_lazy("Premier logement"),
    PERMIS: gettext_lazy("Permis de conduire (permis B)"),
}
# The form's fields that apply to one aid only; the others apply to both.
AID_FIELDS: dict[str, tuple[str, ...]] = {
    LOGEMENT: ("housing_address", "housing_postal_code", "housing_commune", "move_in_date", "monthly_rent"),
    PERMIS: ("driving_school", "driving_school_commune", "registration_date", "permis_cost"),
}

# (upper bound of the quotient familial, amount in euros); above the last bound: not eligible.
SCALE: tuple[tuple[int, int], ...] = ((299, 400), (599, 250), (999, 150), (1200, 100))
# Example rule of the demo: the same brackets for the driving licence.
PERMIS_SCALE: tuple[tuple[int, int], ...] = ((299, 500), (599, 400), (999, 300), (1200, 200))
SCALES = {LOGEMENT: SCALE, PERMIS: PERMIS_SCALE}
ENGAGEMENTS = {
    "aucun": gettext_lazy("Aucun"),
    "jsp": gettext_lazy("Jeune sapeur-pompier volontaire"),
    "gendarme": gettext_lazy("Gendarme réserviste"),
    "militaire": gettext_lazy("Réserviste militaire"),
}
BONUS_RATE = Decimal("0.5")
# Example rule of the demo: the registration at the driving school is at most this old.
REGISTRATION_MAX_DAYS = 365


def aid_of(value: object) -> str:
    """The aid asked for; data saved before the permis part existed asks for the logement."""
    return PERMIS if str(value or "") == PERMIS else LOGEMENT


def applies(field_name: str, aid: str) -> bool:
    """Whether a form field is asked for the aid chosen."""
    return all(field_name not in names or key == aid_of(aid) for key, names in AID_FIELDS.items())


def age_on(birth_date: dt.date, day: dt.date) -> int:
    years = day.year - birth_date.year
    return years - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_eligible_beneficiary(birth_date: dt.date, on: dt.date) -> bool:
    return MIN_AGE <= age_on(birth_date, on) <= MAX_AGE


def beneficiary_refusal(birth_date: dt.date, on: dt.date) -> str | None:
    if is_eligible_beneficiary(birth_date, on):
        return None
    return _("Le bénéficiaire doit avoir entre %(min)s et %(max)s ans à la date de la demande.") % {
        "min": MIN_AGE,
        "max": MAX_AGE,
    }


def registration_refusal(registered_on: dt.date, on: dt.date) -> str | None:
    """Why the driving-school registration date is refused on the day of the request, or None."""
    if registered_on > on:
        return _("La date d'inscription à l'auto-école ne peut pas être postérieure à la date de la demande.")
    if (on - registered_on).days > REGISTRATION_MAX_DAYS:
        return _("L'inscription à l'auto-école doit dater de moins d'un an à la date de la demande.")
    return None


def compute_amount(quotient_familial: int, engagement: str, aid: str = LOGEMENT) -> Amount:
    aid = aid_of(aid)
    scale = SCALES[aid]
    lower = 0
    for upper, base in scale:
        if quotient_familial <= upper:
            steps = [
                _("%(aid)s — quotient familial %(qf)s € (tranche %(lower)s à %(upper)s €) : %(base)s €")
                % {"aid": AIDS[aid], "qf": quotient_familial, "lower": lower, "upper": upper, "base": base}
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
            % {"qf": quotient_familial, "max": scale[-1][0]}
        ],
    )
