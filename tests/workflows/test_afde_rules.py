"""AFDE rules: the student under 26, the baccalauréat year, the amount by QF and age."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from instruction.models import FoyerMember
from workflows.afde import rules

DAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("birth", "is_child", "eligible"),
    [
        (dt.date(2000, 11, 27), True, True),  # 25, 26 tomorrow
        (dt.date(2000, 11, 26), True, False),  # 26 today
        (dt.date(2000, 11, 25), True, False),  # 26 since yesterday
        (dt.date(2008, 11, 26), True, True),  # 18 today
        (dt.date(2008, 11, 26), False, False),  # not a child of the foyer
    ],
)
def test_is_eligible_beneficiary_child_under_26(birth, is_child, eligible):
    """The student is a child of the foyer under 26 on the day, birthdays included."""
    assert rules.is_eligible_beneficiary(is_child, birth, DAY) is eligible


def test_beneficiary_refusal_messages():
    """Each refusal is a plain French sentence."""
    assert rules.beneficiary_refusal(True, dt.date(2000, 11, 26), DAY) == (
        "Le bénéficiaire doit avoir moins de 26 ans à la date de la demande."
    )
    assert rules.beneficiary_refusal(False, dt.date(2005, 1, 1), DAY) == "Le bénéficiaire doit être un enfant du foyer."
    assert rules.beneficiary_refusal(True, dt.date(2000, 11, 27), DAY) is None


@pytest.mark.parametrize(
    ("bac_year", "refused"),
    [
        (2026, None),  # the year of the request
        (2027, "postérieure à l'année de la demande (2026)"),
        (2020, None),  # the year the student turns 15
        (2019, "précéder l'année des 15 ans du bénéficiaire (2020)"),
    ],
)
def test_bac_year_refusal_edges(bac_year, refused):
    """The baccalauréat year is neither in the future nor before the year the student turns 15."""
    reason = rules.bac_year_refusal(bac_year, dt.date(2005, 12, 31), DAY)
    assert reason is None if refused is None else refused in reason


@pytest.mark.parametrize(
    ("qf", "age", "expected"),
    [
        (0, 18, "300"),
        (499, 20, "300"),  # upper edge of the bracket, last age of the first band
        (499, 21, "400"),  # first age of the second band
        (500, 20, "200"),
        (799, 25, "300"),
        (800, 16, "120"),
        (1099, 21, "180"),
    ],
)
def test_compute_amount_by_qf_and_age(qf, age, expected):
    """The example scale: QF brackets (edges included) × age bands 20 or less / 21 to 25."""
    amount = rules.compute_amount(qf, age)
    assert amount.value == Decimal(expected)
    assert f"Étudiant de {age} ans" in amount.reasoning[1]
    assert amount.reasoning[-1] == f"Montant proposé : {expected} €"


def test_compute_amount_above_scale_not_eligible():
    """Above 1 099 € of QF the allocation is not granted, and the reasoning says why."""
    amount = rules.compute_amount(1100, 19)
    assert not amount.eligible and "non éligible" in amount.reasoning[0]


@pytest.fixture
def afde(cast):
    from tests.factories import catalogue_teleservice

    return catalogue_teleservice("afde", cast.service)


def _family(children_ages, link=FoyerMember.Link.CHILD):
    from tests.factories import FoyerFactory, FoyerMemberFactory, UserFactory, birth_date_for_age

    parent = UserFactory()
    foyer = FoyerFactory(responsible=parent, quotient_familial=620)
    FoyerMemberFactory(foyer=foyer, link=FoyerMember.Link.APPLICANT, birth_date=birth_date_for_age(50))
    members = [FoyerMemberFactory(foyer=foyer, link=link, birth_date=birth_date_for_age(age)) for age in children_ages]
    return parent, members


def _data(student, **overrides):
    data = {
        "beneficiary": str(student.pk),
        "quotient_familial": "620",
        "bac_year": str(dt.date.today().year - 1),
        "establishment": "Université de Franche-Comté",
        "course": "Licence de droit",
        "year_of_study": "2",
        "certify": "on",
    }
    data.update(overrides)
    return data


def test_form_dropdown_children_under_26_only(afde):
    """The drop-down offers the children under 26, not the parent nor an older child."""
    from instruction import actions
    from workflows.afde.form import AfdeForm

    parent, (student, older) = _family([20, 26])
    dossier = actions.create_draft(afde, acting_user=parent)
    choices = dict(AfdeForm(dossier=dossier).fields["beneficiary"].choices)
    assert list(choices) == ["", str(student.pk)]
    assert dossier.data == {"quotient_familial": "620"}  # the foyer's QF is proposed


def test_form_valid_and_amount_by_age(afde):
    """A valid request proposes the amount of the student's QF bracket and age band."""
    from instruction import actions
    from workflows.afde.form import AfdeForm

    parent, (student,) = _family([21])
    dossier = actions.create_draft(afde, acting_user=parent)
    form = AfdeForm(data=_data(student), dossier=dossier)
    assert form.is_valid(), form.errors
    assert form.amount().reasoning[-1] == "Montant proposé : 300 €"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"quotient_familial": "1100"}, "quotient_familial", "ne dépasse pas 1 099 €"),
        ({"bac_year": "2099"}, "bac_year", "postérieure à l'année de la demande"),
        ({"bac_year": "2000"}, "bac_year", "précéder l'année des 15 ans"),
        ({"establishment": ""}, "establishment", "Indiquez l'établissement d'enseignement supérieur."),
        ({"year_of_study": ""}, "year_of_study", "Choisissez l'année d'études."),
    ],
)
def test_form_refusals_in_french(afde, overrides, field, message):
    """Each refused answer names its reason in French."""
    from instruction import actions
    from workflows.afde.form import AfdeForm

    parent, (student,) = _family([19])
    dossier = actions.create_draft(afde, acting_user=parent)
    form = AfdeForm(data=_data(student, **overrides), dossier=dossier)
    assert not form.is_valid() and message in form.errors[field][0]


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("older", "Le bénéficiaire doit avoir moins de 26 ans à la date de la demande."),
        ("parent", "Le bénéficiaire doit être un enfant du foyer."),
    ],
)
def test_form_ineligible_member_refused_with_reason(afde, who, message):
    """A forged choice of an ineligible member is refused with the reason."""
    from instruction import actions
    from workflows.afde.form import AfdeForm

    parent, (student, older) = _family([20, 26])
    chosen = older if who == "older" else parent.foyer.members.get(link=FoyerMember.Link.APPLICANT)
    dossier = actions.create_draft(afde, acting_user=parent)
    form = AfdeForm(data=_data(chosen), dossier=dossier)
    assert not form.is_valid() and form.errors["beneficiary"] == [message]


def test_refusal_to_start_without_child_under_26(afde):
    """A foyer whose children are all 26 or more cannot start a request, and is told why."""
    from instruction import actions
    from instruction.models import Dossier

    parent, _members = _family([26, 30])
    with pytest.raises(actions.ActionError, match="réservée aux familles ayant un enfant de moins de 26 ans"):
        actions.create_draft(afde, acting_user=parent)
    assert not Dossier.objects.filter(applicant=parent).exists()
