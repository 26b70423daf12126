"""1000 Semaines — collectives, as code: who may file, and how much a collective stay receives.

Source: CATALOGUE.md knows only that an association or a holiday centre files for collective
stays. Everything here is an example rule of the demo, said so in the téléservice's fiche: a
rate per child of the département and per week, a cap per stay, no more weeks than the stay lasts."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.utils.translation import gettext as _

from instruction.models import Organisme
from workflows.amounts import Amount

KINDS = (Organisme.Kind.ASSOCIATION, Organisme.Kind.HOLIDAY_CENTRE)
RATE = 40  # euros per child of the département and per week
CAP = 6000  # euros per stay
MIN_CHILDREN, MAX_CHILDREN = 1, 500
MIN_WEEKS, MAX_WEEKS = 1, 8


def may_file(kind: str | None) -> bool:
    return kind in KINDS


def filer_refusal(kind: str | None) -> str | None:
    if may_file(kind):
        return None
    return _(
        "Seule une association ou un centre de vacances peut déposer une demande 1000 Semaines — collectives : "
        "choisissez l'espace de l'organisme concerné."
    )


def stay_weeks(start: dt.date, end: dt.date) -> int:
    """The number of weeks a stay spans, a week begun counting (5 days: 1 week; 8 days: 2)."""
    return math.ceil(((end - start).days + 1) / 7)


def dates_refusal(start: dt.date, end: dt.date) -> str | None:
    if end <= start:
        return _("La date de fin du séjour doit être postérieure à la date de début.")
    return None


def weeks_refusal(weeks: int, start: dt.date | None = None, end: dt.date | None = None) -> str | None:
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        return _("Indiquez entre %(min)s et %(max)s semaines.") % {"min": MIN_WEEKS, "max": MAX_WEEKS}
    if start is not None and end is not None and end > start and weeks > stay_weeks(start, end):
        return _("Le séjour dure %(span)s semaine(s) : le nombre de semaines ne peut pas dépasser sa durée.") % {
            "span": stay_weeks(start, end)
        }
    return None


def compute_amount(children: int, weeks: int) -> Amount:
    gross = Decimal(children * weeks * RATE)
    steps = [
        _("%(children)s enfant(s) du département × %(weeks)s semaine(s) × %(rate)s € = %(gross)s €")
        % {"children": children, "weeks": weeks, "rate": RATE, "gross": gross}
    ]
    value = gross
    if gross > CAP:
        value = Decimal(CAP)
        steps.append(_("Plafond de %(cap)s € par séjour : montant ramené à %(cap)s €") % {"cap": CAP})
    steps.append(_("Montant proposé : %(value)s €") % {"value": value})
    return Amount(value, steps)
