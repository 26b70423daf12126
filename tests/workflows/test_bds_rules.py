"""BDS rules: a pupil of 10 to 20, the amount by QF with a lycée supplement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from instruction.models import FoyerMember
from workflows.bds import rules

DAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("birth", "is_child", "eligible"),
    [
        (dt.date(2016, 11, 26), True, True),  # 10 today
        (dt.date(2016, 11, 27), True, False),  # 10 tomorrow
        (dt.date(2005, 11, 27), True, True),  # 20, 21 tomorrow
        (dt.date(2005, 11, 26), True, False),  # 21 today
        (dt.date(2012, 5, 1), False, False),  # not a child of the foyer
    ],
)
def test_is_eligible_beneficiary_pupil_10_to_20(birth, is_child, eligible):
    """The pupil is a child of the foyer aged 10 to 20 on the day, birthdays included."""
    assert rules.is_eligible_beneficiary(is_child, birth, DAY) is eligible


def test_beneficiary_refusal_message():
    """The refusal is a plain French sentence."""
    assert rules.beneficiary_refusal(True, dt.date(2016, 11, 27), DAY) == (
        "Le bénéficiaire doit avoir entre 10 et 20 ans à la date de la demande."
    )
    assert rules.beneficiary_refusal(False, dt.date(2012, 5, 1), DAY) == "Le bénéficiaire doit être un enfant du foyer."


@pytest.mark.parametrize(
    ("qf", "level", "expected"),
    [
        (0, "6e", "150"),
        (449, "3e", "150"),
        (449, "2nde", "250"),
        (450, "4e", "100"),
        (699, "terminale_pro", "180"),
        (700, "5e", "60"),
        (899, "cap", "100"),
    ],
)
def test_compute_amount_qf_and_lycee_supplement(qf, level, expected):
    """The example scale on each bracket edge, with the lycée supplement (vocational included)."""
    amount = rules.compute_amount(qf, level)
    assert amount.value == Decimal(expected)
    assert amount.reasoning[-1] == f"Montant proposé : {expected} €"
    assert ("Supplément lycée" in " ".join(amount.reasoning)) is (level not in rules.COLLEGE_LEVELS)


def test_compute_amount_above_scale_not_eligible():
    """Above 899 € of QF the grant is not given, and the reasoning says why."""
    amount = rules.compute_amount(900, "6e")
    assert not amount.eligible and "non éligible" in amount.reasoning[0]


@pytest.fixture
def bds(cast):
    from tests.factories import catalogue_teleservice

    return catalogue_teleservice("bds", cast.service)


def _family(children_ages):
    from tests.factories import FoyerFactory, FoyerMemberFactory, UserFactory, birth_date_for_age

    parent = UserFactory()
    foyer = FoyerFactory(responsible=parent, quotient_familial=300)
    FoyerMemberFactory(foyer=foyer, link=FoyerMember.Link.APPLICANT, birth_date=birth_date_for_age(45))
    return parent, [FoyerMemberFactory(foyer=foyer, birth_date=birth_date_for_age(age)) for age in children_ages]


def _data(pupil, **overrides):
    data = {
        "beneficiary": str(pupil.pk),
        "quotient_familial": "300",
        "class_level": "4e",
        "school": "Collège Jacques Brel, Vesoul",
        "certify": "on",
    }
    data.update(overrides)
    return data


def test_form_dropdown_pupils_only(bds):
    """The drop-down offers the children of 10 to 20, not a younger or older one, nor the parent."""
    from instruction import actions
    from workflows.bds.form import BdsForm

    parent, (small, pupil, adult) = _family([8, 14, 22])
    dossier = actions.create_draft(bds, acting_user=parent)
    assert list(dict(BdsForm(dossier=dossier).fields["beneficiary"].choices)) == ["", str(pupil.pk)]


def test_form_valid_amount_and_refusals(bds):
    """A valid request proposes its amount; an ineligible pupil or QF is refused with the reason."""
    from instruction import actions
    from workflows.bds.form import BdsForm

    parent, (small, pupil) = _family([8, 16])
    dossier = actions.create_draft(bds, acting_user=parent)
    form = BdsForm(data=_data(pupil, class_level="1re"), dossier=dossier)
    assert form.is_valid(), form.errors
    assert form.amount().reasoning == [
        "Quotient familial 300 € (tranche 0 à 449 €) : 150 €",
        "Supplément lycée (Première générale ou technologique) : + 100 €",
        "Montant proposé : 250 €",
    ]
    form = BdsForm(data=_data(small, quotient_familial="900", class_level=""), dossier=dossier)
    assert not form.is_valid()
    assert form.errors["beneficiary"] == ["Le bénéficiaire doit avoir entre 10 et 20 ans à la date de la demande."]
    assert "ne dépasse pas 899 €" in form.errors["quotient_familial"][0]
    assert form.errors["class_level"] == ["Choisissez la classe suivie par l'élève."]


def test_refusal_to_start_without_pupil(bds):
    """A foyer without a child of 10 to 20 cannot start a request, and is told why."""
    from instruction import actions

    parent, _members = _family([6, 23])
    with pytest.raises(actions.ActionError, match="réservée aux familles ayant un enfant de 10 à 20 ans"):
        actions.create_draft(bds, acting_user=parent)
