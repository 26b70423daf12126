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


@pytest.mark.parametrize(
    ("qf", "engagement", "expected"),
    [
        (0, "aucun", "500"),
        (299, "aucun", "500"),
        (300, "aucun", "400"),
        (599, "jsp", "600"),
        (600, "aucun", "300"),
        (999, "aucun", "300"),
        (1000, "militaire", "300"),
        (1200, "aucun", "200"),
    ],
)
def test_compute_amount_permis_scale_and_bonus(qf, engagement, expected):
    """The permis B follows its example scale on each bracket edge, +50 % for an engagement too."""
    amount = rules.compute_amount(qf, engagement, rules.PERMIS)
    assert amount.value == Decimal(expected)
    assert amount.reasoning[0].startswith("Permis de conduire (permis B) — quotient familial")
    assert amount.reasoning[-1] == f"Montant proposé : {expected} €"


def test_compute_amount_permis_above_scale_not_eligible():
    """Above 1 200 € of QF the permis aid is not granted either."""
    assert not rules.compute_amount(1201, "aucun", rules.PERMIS).eligible


@pytest.mark.parametrize(
    ("aid", "field", "asked"),
    [
        ("logement", "monthly_rent", True),
        ("logement", "permis_cost", False),
        ("permis", "permis_cost", True),
        ("permis", "housing_address", False),
        ("", "housing_address", True),  # data saved before the permis part: a logement
        ("permis", "quotient_familial", True),
    ],
)
def test_applies_fields_by_aid(aid, field, asked):
    """The housing fields belong to the logement, the driving-school ones to the permis."""
    assert rules.applies(field, aid) is asked


@pytest.mark.parametrize(
    ("registered", "refused"),
    [
        (dt.date(2026, 11, 26), None),  # the day of the request
        (dt.date(2026, 11, 27), "ne peut pas être postérieure"),  # the day after
        (dt.date(2025, 11, 26), None),  # 365 days before
        (dt.date(2025, 11, 25), "moins d'un an"),  # 366 days before
    ],
)
def test_registration_refusal_edges(registered, refused):
    """The driving-school registration is neither in the future nor older than a year."""
    reason = rules.registration_refusal(registered, dt.date(2026, 11, 26))
    assert reason is None if refused is None else refused in reason


def test_beneficiary_refusal_says_the_age_range():
    """The refusal is the plain French sentence of the issue."""
    assert rules.beneficiary_refusal(dt.date(2008, 11, 27), dt.date(2026, 11, 26)) == (
        "Le bénéficiaire doit avoir entre 18 et 25 ans à la date de la demande."
    )
    assert rules.beneficiary_refusal(dt.date(2008, 11, 26), dt.date(2026, 11, 26)) is None


def _form(cast, data):
    from instruction import actions
    from workflows.pack_jeunes.form import PackJeunesForm

    dossier = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    return PackJeunesForm(data=data, dossier=dossier)


def _permis_data(member, **overrides):
    from django.utils import timezone

    from tests.factories import valid_form_data

    data = valid_form_data(
        member,
        aid="permis",
        housing_address="",
        housing_postal_code="700",  # left over from a logement: not asked any more, not checked
        housing_commune="",
        move_in_date="",
        monthly_rent="",
        driving_school="Auto-école du Centre",
        driving_school_commune="Lure",
        registration_date=(timezone.localdate() - dt.timedelta(days=20)).isoformat(),
        permis_cost="1450",
    )
    data.update(overrides)
    return data


def test_form_permis_valid_without_housing_fields(cast):
    """For the permis, the housing fields are neither required nor checked, and are not kept."""
    form = _form(cast, _permis_data(cast.applicant.foyer.members.get()))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["housing_postal_code"] is None and form.cleaned_data["aid"] == "permis"
    assert form.amount().reasoning[-1] == "Montant proposé : 400 €"
    labels = [label for label, _value in form.summary()]
    assert "Nom de l'auto-école" in labels and "Adresse du logement" not in labels


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("driving_school", "Indiquez le nom de l'auto-école."),
        ("driving_school_commune", "Indiquez la commune de l'auto-école."),
        ("registration_date", "Indiquez la date d'inscription à l'auto-école."),
        ("permis_cost", "Indiquez le coût de la formation au permis de conduire."),
    ],
)
def test_form_permis_fields_required_for_permis(cast, field, message):
    """Each permis field is required, with its French message, when the permis is asked for."""
    form = _form(cast, _permis_data(cast.applicant.foyer.members.get(), **{field: ""}))
    assert not form.is_valid() and form.errors[field] == [message]


def test_form_logement_housing_required_permis_not(cast):
    """For the logement, the housing fields are required and the permis fields are not."""
    from tests.factories import valid_form_data

    member = cast.applicant.foyer.members.get()
    assert _form(cast, valid_form_data(member)).is_valid()
    form = _form(cast, valid_form_data(member, monthly_rent="", aid=""))
    assert not form.is_valid() and form.errors["monthly_rent"] == ["Indiquez le montant du loyer mensuel."]
    assert "driving_school" not in form.errors


def test_form_permis_old_registration_refused(cast):
    """A registration more than a year before the request is refused with the reason."""
    old = (dt.date.today() - dt.timedelta(days=400)).isoformat()
    form = _form(cast, _permis_data(cast.applicant.foyer.members.get(), registration_date=old))
    assert not form.is_valid()
    assert form.errors["registration_date"] == [
        "L'inscription à l'auto-école doit dater de moins d'un an à la date de la demande."
    ]


def test_form_ineligible_member_refused_with_the_reason(cast):
    """Choosing a foyer member outside 18–25 (by a forged request) is refused with the reason."""
    from tests.factories import FoyerMemberFactory, birth_date_for_age, valid_form_data

    child = FoyerMemberFactory(foyer=cast.applicant.foyer, birth_date=birth_date_for_age(17, days=364))
    form = _form(cast, valid_form_data(child))
    assert not form.is_valid()
    assert form.errors["beneficiary"] == ["Le bénéficiaire doit avoir entre 18 et 25 ans à la date de la demande."]


def test_permis_documents_conditional(cast):
    """The lease is asked for the logement only, the driving-school certificate for the permis only."""
    from workflows.pack_jeunes.form import PackJeunesForm

    specs = {spec.code: spec for spec in PackJeunesForm.documents}
    assert specs["bail"].is_required({"aid": "logement"}) and specs["bail"].is_required({})
    assert not specs["bail"].is_required({"aid": "permis"})
    assert specs["attestation_auto_ecole"].is_required({"aid": "permis"})
    assert not specs["attestation_auto_ecole"].is_required({"aid": "logement"})
