"""Palmarès des Villes et Villages fleuris: only a commune registers, from its organisme space."""

from __future__ import annotations

import pytest

from instruction import actions
from instruction.actions import InvalidInput
from instruction.models import Audience, Organisme
from tests.factories import TeleserviceFactory, UserFactory

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


def test_palmares_association_is_refused_at_transmission(palmares, cast):
    """An association may open the form but cannot register for the contest."""
    president, association = _organisme(Organisme.Kind.ASSOCIATION, "73282932000074")
    dossier = actions.create_draft(palmares, acting_user=president, organisme=association)
    actions.save_draft(dossier, VALID, acting_user=president)
    with pytest.raises(InvalidInput) as refused:
        actions.transmit(dossier, acting_user=president)
    assert "Seule une commune" in str(refused.value.errors)
    dossier.refresh_from_db()
    assert dossier.status == "draft"


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
