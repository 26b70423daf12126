"""Pack Jeunes rules: the QF scale, the +50 % and the 18–25 eligibility."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from workflows.pack_jeunes import rules


@pytest.mark.parametrize(
    ("qf", "engagement", "expected"),
    [
        (0, "aucun", "400"),
        (299, "aucun", "400"),
        (300, "aucun", "250"),
        (599, "jsp", "375"),
        (600, "aucun", "150"),
        (999, "gendarme", "225"),
        (1000, "aucun", "100"),
        (1200, "militaire", "150"),
    ],
)
def test_compute_amount_scale_and_bonus(qf, engagement, expected):
    """The amount follows the QF scale of CATALOGUE.md, +50 % for an engagement."""
    amount = rules.compute_amount(qf, engagement)
    assert amount.value == Decimal(expected)
    assert amount.reasoning[-1] == f"Montant proposé : {expected} €"


def test_compute_amount_above_scale_not_eligible():
    """Above 1 200 € of QF the aid is not granted, and the reasoning says why."""
    amount = rules.compute_amount(1201, "jsp")
    assert not amount.eligible and "non éligible" in amount.reasoning[0]


@pytest.mark.parametrize(
    ("birth", "eligible"),
    [
        (dt.date(2008, 11, 26), True),  # 18 today
        (dt.date(2008, 11, 27), False),  # 18 tomorrow
        (dt.date(2000, 11, 27), True),  # 25, 26 tomorrow
        (dt.date(2000, 11, 26), False),  # 26 today
    ],
)
def test_is_eligible_beneficiary_age_bounds(birth, eligible):
    """Beneficiaries are 18 to 25 years old on the day, birthdays included."""
    assert rules.is_eligible_beneficiary(birth, dt.date(2026, 11, 26)) is eligible


def test_form_beneficiary_dropdown_lists_only_eligible_members(cast):
    """The form's drop-down offers the foyer's 18–25 year olds only."""
    from instruction import actions
    from tests.factories import FoyerMemberFactory
    from workflows.pack_jeunes.form import PackJeunesForm

    foyer = cast.applicant.foyer
    young = foyer.members.get()
    child = FoyerMemberFactory(foyer=foyer, birth_date=dt.date.today() - dt.timedelta(days=10 * 365))
    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    choices = dict(PackJeunesForm(dossier=dossier).fields["beneficiary"].choices)
    assert str(young.pk) in choices and str(child.pk) not in choices
    form = PackJeunesForm(data={"beneficiary": str(child.pk)}, dossier=dossier)
    assert not form.is_valid() and "beneficiary" in form.errors
