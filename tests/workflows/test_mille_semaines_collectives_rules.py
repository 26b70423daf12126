"""1000 Semaines — collectives rules: who may file, dates, weeks and the capped amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from instruction import actions
from instruction.actions.base import ActionError
from instruction.models import Organisme
from tests.factories import UserFactory
from tests.workflows.mille_helpers import collective_data, collectives_teleservice, structure_of
from workflows.mille_semaines_collectives import rules
from workflows.mille_semaines_collectives.form import MilleSemainesCollectivesForm

START = dt.date(2027, 7, 5)


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        (Organisme.Kind.ASSOCIATION, True),
        (Organisme.Kind.HOLIDAY_CENTRE, True),
        (Organisme.Kind.COMMUNE, False),
        (Organisme.Kind.PUBLIC, False),
        (Organisme.Kind.PRIVATE, False),
        (None, False),
    ],
)
def test_filer_refusal_association_or_holiday_centre_only(kind, allowed):
    assert (rules.filer_refusal(kind) is None) is allowed


@pytest.mark.parametrize(("days", "refused"), [(-1, True), (0, True), (1, False)])
def test_dates_refusal_end_after_start(days, refused):
    """The stay ends after it starts (a one-day stay is not a stay)."""
    assert (rules.dates_refusal(START, START + dt.timedelta(days=days)) is not None) is refused


@pytest.mark.parametrize(
    ("length_days", "weeks", "accepted"),
    [
        (7, 1, True),  # 7 days: 1 week
        (7, 2, False),
        (8, 2, True),  # a week begun counts
        (13, 2, True),
        (14, 2, True),
        (14, 3, False),
        (100, 0, False),
        (100, 8, True),
        (100, 9, False),
    ],
)
def test_weeks_refusal_within_stay_length(length_days, weeks, accepted):
    end = START + dt.timedelta(days=length_days - 1)
    assert (rules.weeks_refusal(weeks, START, end) is None) is accepted


@pytest.mark.parametrize(
    ("children", "weeks", "expected", "capped"),
    [(1, 1, 40, False), (24, 2, 1920, False), (75, 2, 6000, False), (76, 2, 6000, True), (500, 8, 6000, True)],
)
def test_compute_amount_children_weeks_rate_with_cap(children, weeks, expected, capped):
    amount = rules.compute_amount(children, weeks)
    assert amount.value == Decimal(expected)
    assert amount.reasoning[0].startswith(f"{children} enfant(s) du département × {weeks} semaine(s) × 40 €")
    assert any("Plafond de 6000 €" in step for step in amount.reasoning) is capped
    assert amount.reasoning[-1] == f"Montant proposé : {expected} €"


def test_create_draft_commune_is_refused_association_accepted(cast):
    """A commune may not file a collective stay; an association may."""
    teleservice = collectives_teleservice(cast.service)
    user = UserFactory()
    commune = structure_of(user, kind=Organisme.Kind.COMMUNE, siret="21700282500016")
    with pytest.raises(ActionError, match="Seule une association ou un centre de vacances"):
        actions.create_draft(teleservice, acting_user=user, organisme=commune)
    centre = structure_of(user, kind=Organisme.Kind.HOLIDAY_CENTRE)
    assert actions.create_draft(teleservice, acting_user=user, organisme=centre).reference.startswith("MSC-")


def test_form_end_before_start_and_too_many_weeks_refused(cast):
    user = UserFactory()
    centre = structure_of(user, kind=Organisme.Kind.HOLIDAY_CENTRE)
    dossier = actions.create_draft(collectives_teleservice(cast.service), acting_user=user, organisme=centre)
    start = dt.date.fromisoformat(collective_data()["start_date"])
    backwards = collective_data(end_date=(start - dt.timedelta(days=1)).isoformat())
    form = MilleSemainesCollectivesForm(data=backwards, dossier=dossier)
    assert form.errors["end_date"] == ["La date de fin du séjour doit être postérieure à la date de début."]
    short = collective_data(end_date=(start + dt.timedelta(days=4)).isoformat(), weeks="2")
    form = MilleSemainesCollectivesForm(data=short, dossier=dossier)
    assert form.errors["weeks"] == [
        "Le séjour dure 1 semaine(s) : le nombre de semaines ne peut pas dépasser sa durée."
    ]
    assert MilleSemainesCollectivesForm(data=collective_data(), dossier=dossier).is_valid()
