"""The two 1000 Semaines téléservices, a foyer with children and a structure, for their tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from instruction import actions
from instruction.models import Audience, FoyerMember, Organisme, Teleservice
from tests.factories import FoyerMemberFactory, TeleserviceFactory


def familles_teleservice(service: Any) -> Teleservice:
    return TeleserviceFactory(
        instructing_service=service,
        code="MSF",
        title="1000 Semaines — familles",
        category="Enfance et famille",
        flow_class_path="workflows.mille_semaines_familles.flow.MilleSemainesFamillesFlow",
    )


def collectives_teleservice(service: Any) -> Teleservice:
    return TeleserviceFactory(
        instructing_service=service,
        code="MSC",
        title="1000 Semaines — collectives",
        audience=Audience.ORGANISME,
        category="Enfance et famille",
        flow_class_path="workflows.mille_semaines_collectives.flow.MilleSemainesCollectivesFlow",
    )


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


def add_child(user: Any, first_name: str, birth_date: dt.date, link: str = FoyerMember.Link.CHILD) -> FoyerMember:
    return FoyerMemberFactory(foyer=user.foyer, first_name=first_name, birth_date=birth_date, link=link)


def stay_row(child: FoyerMember, **overrides: Any) -> dict[str, Any]:
    row = {
        "child": str(child.pk),
        "organiser": "Ligue de l'enseignement 70",
        "commune": "Champagney",
        "first_day": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "weeks": "2",
    }
    row.update(overrides)
    return row


def posted_rows(rows: list[dict[str, Any]], name: str = "children") -> dict[str, Any]:
    """The page's inputs for these rows (prefix ``children-<i>-``) and their hidden count."""
    posted: dict[str, Any] = {f"{name}-lignes": str(len(rows))}
    for index, row in enumerate(rows):
        posted.update({f"{name}-{index}-{key}": value for key, value in row.items()})
    return posted


def structure_of(user: Any, kind: str = Organisme.Kind.ASSOCIATION, siret: str = "44306184100047") -> Organisme:
    return actions.create_organisme(
        acting_user=user,
        kind=kind,
        name="Les Francas de Haute-Saône",
        siret=siret,
        address="12 rue de la République",
        postal_code="70000",
        commune="Vesoul",
    )


COLLECTIVE_DATA = {
    "stay_name": "Colo nature au ballon de Servance",
    "place": "Centre de la Planche des Belles Filles",
    "commune": "Plancher-les-Mines",
    "children": "24",
    "weeks": "2",
    "certify": "on",
}


def collective_data(**overrides: Any) -> dict[str, Any]:
    start = timezone.localdate() + dt.timedelta(days=40)
    data = {**COLLECTIVE_DATA, "start_date": start.isoformat(), "end_date": (start + dt.timedelta(days=13)).isoformat()}
    data.update(overrides)
    return data
