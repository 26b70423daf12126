"""Palmarès des Villes et Villages fleuris: only a commune registers, from its organisme space."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from instruction import actions
from instruction.actions import ActionError, AlreadyFiled, InvalidInput
from instruction.models import Audience, Dossier, Organisme
from tests.factories import TeleserviceFactory, UserFactory, attach_required_documents
from workflows.palmares import rules

VALID = {
    "population_category": "moins_1000",
    "current_label": "aucun",
    "contact_name": "Bernard Vuillemin",
    "contact_phone": "03 84 32 90 00",
    "actions": "Massifs de vivaces devant la mairie, fleurissement du lavoir.",
    "certify": "on",
}


@pytest.fixture
def palmares(cast):
    return TeleserviceFactory(
        instructing_service=cast.service,
        code="PVF",
        title="Palmarès des Villes et Villages fleuris",
        audience=Audience.ORGANISME,
        category="Palmarès",
        flow_class_path="workflows.palmares.flow.PalmaresFlow",
    )


def _organisme(kind: str, siret: str):
    mayor = UserFactory()
    organisme = actions.create_organisme(
        acting_user=mayor,
        kind=kind,
        name="Commune de Gy" if kind == Organisme.Kind.COMMUNE else "Les Amis du Lavoir",
        siret=siret,
        address="Place de l'Hôtel de Ville",
        postal_code="70700",
        commune="Gy",
    )
    return mayor, organisme


def test_palmares_commune_files_and_transmits(palmares, cast):
    """A commune's mayor registers from the organisme space; the dossier is transmitted."""
    mayor, commune = _organisme(Organisme.Kind.COMMUNE, "21700282500016")
    dossier = actions.create_draft(palmares, acting_user=mayor, organisme=commune)
    actions.save_draft(dossier, VALID, acting_user=mayor)
    actions.transmit(dossier, acting_user=mayor)
    assert dossier.status == "transmitted" and dossier.reference.startswith("PVF-")
    assert dossier.organisme == commune and dossier.foyer is None


def test_palmares_association_is_refused_at_start(palmares, cast):
    """An association cannot register for the contest: refused before any draft exists."""
    president, association = _organisme(Organisme.Kind.ASSOCIATION, "73282932000074")
    with pytest.raises(ActionError) as refused:
        actions.create_draft(palmares, acting_user=president, organisme=association)
    assert refused.value.message == "Seule une commune peut s'inscrire au Palmarès des Villes et Villages fleuris."
    assert not Dossier.objects.exists()


def test_palmares_second_deposit_same_campaign_points_to_first(palmares, cast):
    """One deposit per commune and campaign: the second is refused and names the first."""
    mayor, commune = _organisme(Organisme.Kind.COMMUNE, "21700282500016")
    first = actions.create_draft(palmares, acting_user=mayor, organisme=commune)
    assert first.campaign == timezone.localdate().year

    with pytest.raises(AlreadyFiled) as refused:
        actions.create_draft(palmares, acting_user=mayor, organisme=commune)

    assert refused.value.dossier == first
    assert refused.value.message == (
        f"Commune de Gy a déjà déposé son inscription pour la campagne {first.campaign} : le dossier {first.reference}."
    )
    assert Dossier.objects.count() == 1


def test_palmares_deposit_race_held_by_the_database(palmares, cast):
    """Two tabs past the check at once: the unique constraint keeps one deposit per campaign."""
    mayor, commune = _organisme(Organisme.Kind.COMMUNE, "21700282500016")
    first = actions.create_draft(palmares, acting_user=mayor, organisme=commune)
    duplicate = Dossier(
        reference="PVF-X", teleservice=palmares, applicant=mayor, organisme=commune, campaign=first.campaign
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_palmares_next_campaign_accepts_a_new_deposit(palmares, cast):
    """Last year's deposit does not block this year's campaign."""
    mayor, commune = _organisme(Organisme.Kind.COMMUNE, "21700282500016")
    first = actions.create_draft(palmares, acting_user=mayor, organisme=commune)
    Dossier.objects.filter(pk=first.pk).update(campaign=first.campaign - 1)
    second = actions.create_draft(palmares, acting_user=mayor, organisme=commune)
    assert second.campaign == first.campaign and second.pk != first.pk


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_phone", "12345", "10 chiffres"),
        ("population_category", "", "catégorie de population"),
        ("actions", "", "actions de fleurissement"),
    ],
)
def test_palmares_form_bad_input_french_messages(palmares, cast, field, value, message):
    """Each field refuses bad input with a French message and the draft keeps what was typed."""
    mayor, commune = _organisme(Organisme.Kind.COMMUNE, "21700282500016")
    dossier = actions.create_draft(palmares, acting_user=mayor, organisme=commune)
    actions.save_draft(dossier, {**VALID, field: value}, acting_user=mayor)
    with pytest.raises(InvalidInput) as refused:
        actions.transmit(dossier, acting_user=mayor)
    assert message in " ".join(refused.value.errors[field])
    dossier.refresh_from_db()
    assert dossier.data[field] == value and dossier.data["contact_name"] == "Bernard Vuillemin"


def test_palmares_accept_before_ranking_refused_by_the_action(palmares, cast):
    """Whatever the page offers, the action refuses to accept a commune before its ranking."""
    mayor, commune = _organisme(Organisme.Kind.COMMUNE, "21700282500016")
    dossier = actions.create_draft(palmares, acting_user=mayor, organisme=commune)
    actions.save_draft(dossier, VALID, acting_user=mayor)
    attach_required_documents(dossier, mayor)
    actions.transmit(dossier, acting_user=mayor)
    actions.take(dossier, acting_user=cast.agent)
    with pytest.raises(InvalidInput) as refused:
        actions.decide(dossier, acting_user=cast.agent, outcome="accepted", amount="500")
    assert refused.value.errors["outcome"] == [
        "Une commune inscrite au Palmarès est classée après la visite du jury : programmez la visite."
    ]
    assert Dossier.objects.get(pk=dossier.pk).status == "in_instruction"


@pytest.mark.parametrize(
    ("prize", "category", "expected"),
    [
        ("excellence", "moins_1000", "600"),
        ("premier", "1000_3000", "500"),
        ("deuxieme", "3000_10000", "375"),
        ("encouragement", "plus_10000", "160"),
        ("troisieme", "inconnue", "150"),
    ],
)
def test_prize_amount_by_category(prize, category, expected):
    amount = rules.prize_amount(prize, category)
    assert amount.value == Decimal(expected) and amount.reasoning[-1] == f"Montant du prix : {expected} €"


def test_prize_amount_unknown_prize_not_granted():
    assert not rules.prize_amount("or", "moins_1000").eligible


@pytest.mark.parametrize(("day", "campaign"), [(dt.date(2026, 1, 1), 2026), (dt.date(2026, 12, 31), 2026)])
def test_campaign_is_the_calendar_year(day, campaign):
    assert rules.campaign_of(day) == campaign
