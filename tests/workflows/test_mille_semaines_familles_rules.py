"""1000 Semaines — familles rules at their boundaries: age on the first day of the stay,
weeks per child, QF brackets, the same child twice, and the amount's reasoning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from instruction import actions
from instruction.actions.base import ActionError
from instruction.models import FoyerMember
from tests.workflows.mille_helpers import add_child, familles_teleservice, stay_row, years_ago
from workflows.mille_semaines_familles import rules
from workflows.mille_semaines_familles.form import MilleSemainesFamillesForm

FIRST_DAY = dt.date(2027, 7, 10)


@pytest.mark.parametrize(
    ("birth", "eligible"),
    [
        (dt.date(2023, 7, 10), True),  # 4 on the first day
        (dt.date(2023, 7, 11), False),  # 4 the day after: still 3
        (dt.date(2023, 7, 9), True),  # 4 since the day before
        (dt.date(2009, 7, 11), True),  # 17, 18 the day after
        (dt.date(2009, 7, 10), False),  # 18 on the first day
        (dt.date(2009, 7, 9), False),  # 18 since the day before
    ],
)
def test_is_eligible_child_age_on_first_day_of_stay(birth, eligible):
    """A child goes from 4 to 17 years old on the first day of the stay, birthdays included."""
    assert rules.is_eligible_child(birth, FIRST_DAY) is eligible
    assert (rules.child_refusal(birth, FIRST_DAY) is None) is eligible


def test_child_refusal_says_the_age_on_the_first_day():
    """The refusal gives the rule and the child's age that day, in French."""
    assert rules.child_refusal(dt.date(2009, 7, 10), FIRST_DAY) == (
        "L'enfant doit avoir entre 4 et 17 ans le premier jour du séjour (il aura 18 ans)."
    )


@pytest.mark.parametrize(("weeks", "accepted"), [(0, False), (1, True), (2, True), (3, True), (4, False)])
def test_weeks_refusal_one_to_three_weeks(weeks, accepted):
    """From 1 to 3 weeks per child."""
    assert (rules.weeks_refusal(weeks) is None) is accepted


@pytest.mark.parametrize(
    ("qf", "weekly"),
    [(0, 200), (499, 200), (500, 150), (799, 150), (800, 100), (1099, 100), (1100, None)],
)
def test_weekly_amount_qf_bracket_edges(qf, weekly):
    """The weekly amount by QF bracket; above 1 099 € the aid is not granted."""
    bracket = rules.weekly_amount(qf)
    assert (bracket[2] if bracket else None) == weekly
    assert (rules.qf_refusal(qf) is None) is (weekly is not None)


def test_duplicates_names_the_earlier_row():
    """The same child on a later row points to the first row naming it; blank rows are ignored."""
    assert rules.duplicates(["7", "8", "7", "", "", "8"]) == {2: 0, 5: 1}
    assert rules.duplicates(["7", "8"]) == {}


def test_compute_amount_one_line_per_child_then_total():
    """Σ weeks × weekly amount, one reasoning line per child, then the total."""
    amount = rules.compute_amount(620, [rules.Stay("Léa Martin", 2), rules.Stay("Hugo Martin", 3)])
    assert amount.value == Decimal(750)
    assert amount.reasoning == [
        "Quotient familial 620 € (tranche 500 à 799 €) : 150 € par semaine",
        "Léa Martin : 2 semaine(s) × 150 € = 300 €",
        "Hugo Martin : 3 semaine(s) × 150 € = 450 €",
        "Montant proposé : 750 €",
    ]


def test_compute_amount_above_scale_not_eligible():
    amount = rules.compute_amount(1100, [rules.Stay("Léa Martin", 1)])
    assert not amount.eligible and "1 099 €" in amount.reasoning[0]


def _form(dossier, rows, qf="450"):
    return MilleSemainesFamillesForm(data={"quotient_familial": qf, "certify": True, "children": rows}, dossier=dossier)


def test_form_same_child_twice_is_refused_on_the_second_row(cast):
    """The same child cannot appear twice: the second row is refused, naming the first."""
    lea = add_child(cast.applicant, "Léa", years_ago(9))
    dossier = actions.create_draft(familles_teleservice(cast.service), acting_user=cast.applicant)
    form = _form(dossier, [stay_row(lea), stay_row(lea, weeks="1")])
    assert not form.is_valid()
    assert form.errors["children"] == [
        "Enfant 2 — Enfant : Cet enfant figure déjà dans la demande (Enfant 1) : un seul séjour par enfant."
    ]
    assert not form.block_rows["children"].rows[0].errors


@pytest.mark.parametrize(("age_days", "valid"), [(0, True), (-1, False)])
def test_form_child_age_checked_on_the_rows_first_day(cast, age_days, valid):
    """A child who turns 4 on the first day goes; one day later he would still be 3."""
    first_day = years_ago(-1)  # in a year
    tom = add_child(cast.applicant, "Tom", first_day.replace(year=first_day.year - 4) - dt.timedelta(days=age_days))
    add_child(cast.applicant, "Léa", years_ago(9))  # so that the foyer may start
    dossier = actions.create_draft(familles_teleservice(cast.service), acting_user=cast.applicant)
    form = _form(dossier, [stay_row(tom, first_day=first_day.isoformat())])
    assert form.is_valid() is valid, form.errors


def test_form_amount_sums_weeks_by_child(cast):
    """The amount the agent sees: one line per child, total of weeks × weekly amount."""
    lea = add_child(cast.applicant, "Léa", years_ago(9))
    hugo = add_child(cast.applicant, "Hugo", years_ago(12))
    dossier = actions.create_draft(familles_teleservice(cast.service), acting_user=cast.applicant)
    amount = _form(dossier, [stay_row(lea, weeks="3"), stay_row(hugo, weeks="1")], qf="500").amount()
    assert amount is not None and amount.value == Decimal(600)
    assert amount.reasoning[1].endswith("3 semaine(s) × 150 € = 450 €") and amount.reasoning[1].startswith("Léa")
    assert amount.reasoning[-1] == "Montant proposé : 600 €"


def test_form_dropdown_offers_children_only(cast):
    """The drop-down lists the foyer's children of an age to go, not the adults nor a baby."""
    lea = add_child(cast.applicant, "Léa", years_ago(9))
    add_child(cast.applicant, "Bébé", years_ago(1))
    add_child(cast.applicant, "Papa", years_ago(40), link=FoyerMember.Link.SPOUSE)
    dossier = actions.create_draft(familles_teleservice(cast.service), acting_user=cast.applicant)
    row = MilleSemainesFamillesForm(dossier=dossier, initial=dossier.data).block_rows["children"].rows[0]
    offered = [label.split(" — ")[0] for value, label in row.fields["child"].choices if value]
    assert offered == [f"Léa {lea.last_name}"]


def test_create_draft_foyer_without_child_of_age_is_refused(cast):
    """No child aged 4–17 in the foyer: the dossier may not be started, and the reason is given."""
    teleservice = familles_teleservice(cast.service)
    add_child(cast.applicant, "Bébé", years_ago(3, days=-1))  # 4 tomorrow
    with pytest.raises(ActionError, match="Aucun enfant de votre foyer n'a entre 4 et 17 ans"):
        actions.create_draft(teleservice, acting_user=cast.applicant)
    add_child(cast.applicant, "Léa", years_ago(4))  # 4 today
    assert actions.create_draft(teleservice, acting_user=cast.applicant).reference.startswith("MSF-")
