"""1000 Semaines — familles, as code: which children may go, how many weeks, and how much.

Source: CATALOGUE.md knows only that the programme funds holiday stays for the household's
children. Everything here is an example rule of the demo, said so in the téléservice's fiche:
children aged 4 to 17 on the first day of the stay, 1 to 3 weeks per child and per year, a
weekly amount by the foyer's quotient familial (``SCALE``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from workflows.amounts import Amount

MIN_AGE, MAX_AGE = 4, 17
MIN_WEEKS, MAX_WEEKS = 1, 3
# The first day of the stay, around the day of the request (example rule).
STAY_WINDOW_DAYS = 365

# (upper bound of the quotient familial, weekly amount in euros); above the last: not eligible.
SCALE: tuple[tuple[int, int], ...] = ((499, 200), (799, 150), (1099, 100))


def age_on(birth_date: dt.date, day: dt.date) -> int:
    years = day.year - birth_date.year
    return years - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_eligible_child(birth_date: dt.date, first_day: dt.date) -> bool:
    return MIN_AGE <= age_on(birth_date, first_day) <= MAX_AGE


def may_go_within_window(birth_date: dt.date, today: dt.date) -> bool:
    """Whether the child is 4–17 on some day of the stays the form accepts (for the drop-down)."""
    return age_on(birth_date, today + dt.timedelta(days=STAY_WINDOW_DAYS)) >= MIN_AGE and (
        age_on(birth_date, today - dt.timedelta(days=STAY_WINDOW_DAYS)) <= MAX_AGE
    )


def child_refusal(birth_date: dt.date, first_day: dt.date) -> str | None:
    if is_eligible_child(birth_date, first_day):
        return None
    return _("L'enfant doit avoir entre %(min)s et %(max)s ans le premier jour du séjour (il aura %(age)s ans).") % {
        "min": MIN_AGE,
        "max": MAX_AGE,
        "age": age_on(birth_date, first_day),
    }


def first_day_refusal(first_day: dt.date, today: dt.date) -> str | None:
    if abs((first_day - today).days) > STAY_WINDOW_DAYS:
        return _("Le séjour doit commencer dans l'année qui précède ou qui suit la date de la demande.")
    return None


def weeks_refusal(weeks: int) -> str | None:
    if MIN_WEEKS <= weeks <= MAX_WEEKS:
        return None
    return _("Indiquez entre %(min)s et %(max)s semaines par enfant et par an.") % {
        "min": MIN_WEEKS,
        "max": MAX_WEEKS,
    }


def duplicates(children: Iterable[str]) -> dict[int, int]:
    """{index of a row: index of the earlier row naming the same child}."""
    first: dict[str, int] = {}
    found: dict[int, int] = {}
    for index, child in enumerate(children):
        if not child:
            continue
        if child in first:
            found[index] = first[child]
        else:
            first[child] = index
    return found


def weekly_amount(quotient_familial: int) -> tuple[int, int, int] | None:
    """(lower bound, upper bound, weekly amount) of the bracket, or None above the scale."""
    lower = 0
    for upper, amount in SCALE:
        if quotient_familial <= upper:
            return lower, upper, amount
        lower = upper + 1
    return None


def qf_refusal(quotient_familial: int) -> str | None:
    if weekly_amount(quotient_familial) is not None:
        return None
    return _("L'aide 1000 Semaines est réservée aux foyers dont le quotient familial ne dépasse pas %(max)s €.") % {
        "max": f"{SCALE[-1][0]:,}".replace(",", " ")
    }


@dataclass(frozen=True)
class Stay:
    child_name: str
    weeks: int


def compute_amount(quotient_familial: int, stays: Iterable[Stay]) -> Amount:
    bracket = weekly_amount(quotient_familial)
    if bracket is None:
        return Amount(None, [str(qf_refusal(quotient_familial))])
    lower, upper, weekly = bracket
    steps = [
        _("Quotient familial %(qf)s € (tranche %(lower)s à %(upper)s €) : %(weekly)s € par semaine")
        % {"qf": quotient_familial, "lower": lower, "upper": upper, "weekly": weekly}
    ]
    total = Decimal(0)
    for stay in stays:
        line = Decimal(stay.weeks * weekly)
        total += line
        steps.append(
            _("%(child)s : %(weeks)s semaine(s) × %(weekly)s € = %(amount)s €")
            % {"child": stay.child_name, "weeks": stay.weeks, "weekly": weekly, "amount": line}
        )
    steps.append(_("Montant proposé : %(value)s €") % {"value": total})
    return Amount(total, steps)
