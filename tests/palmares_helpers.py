"""A Palmarès téléservice and a commune's registration, through the actions layer."""

from __future__ import annotations

from typing import Any

from instruction import actions
from instruction.models import Audience, Dossier, Organisme, Teleservice
from tests.factories import TeleserviceFactory, attach_required_documents

PALMARES_DATA = {
    "population_category": "1000_3000",
    "current_label": "1",
    "contact_name": "Claire Vuillemin",
    "contact_phone": "03 84 32 10 00",
    "actions": "Massifs de vivaces devant la mairie, gestion différenciée des espaces verts.",
    "certify": "on",
}


def palmares_teleservice(service: Any, **fields: Any) -> Teleservice:
    return TeleserviceFactory(
        instructing_service=service,
        code=fields.pop("code", "PVF"),
        title="Palmarès des Villes et Villages fleuris",
        audience=Audience.ORGANISME,
        category="Palmarès",
        flow_class_path="workflows.palmares.flow.PalmaresFlow",
        processing_days=90,
        **fields,
    )


def commune_of(user: Any, name: str = "Commune de Gy", siret: str = "21700282500016") -> Organisme:
    existing = Organisme.objects.filter(siret=siret).first()
    if existing is not None:
        return existing
    return actions.create_organisme(
        acting_user=user,
        kind=Organisme.Kind.COMMUNE,
        name=name,
        siret=siret,
        address="Place de l'Hôtel de Ville",
        postal_code="70700",
        commune="Gy",
    )


def palmares_dossier(teleservice: Teleservice, user: Any, organisme: Organisme, *, transmit: bool = True) -> Dossier:
    dossier = actions.create_draft(teleservice, acting_user=user, organisme=organisme)
    actions.save_draft(dossier, dict(PALMARES_DATA), acting_user=user)
    attach_required_documents(dossier, user)
    if transmit:
        actions.transmit(dossier, acting_user=user)
    return dossier
