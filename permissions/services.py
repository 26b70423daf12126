"""Writes of permissions: kept here so that every grant goes through one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from guardian.shortcuts import assign_perm, get_groups_with_perms, remove_perm

if TYPE_CHECKING:
    from instruction.models import Teleservice

INSTRUCT = "instruction.instruct_teleservice"


def sync_instructing_permission(teleservice: Teleservice) -> None:
    """Give the téléservice's instructing service (its group) the object permission, and take
    it from any other group: the foreign key on the téléservice is the one source of truth.

    The dossiers' ``service`` column, the lists' denormalised copy of the same foreign key,
    follows it too: every dossier of the téléservice, decided ones included, so that the
    queue, the team pages and the dashboard all agree on which service a dossier is with."""
    wanted = teleservice.instructing_service.group
    for group in get_groups_with_perms(teleservice):  # type: ignore[union-attr]
        if group != wanted:
            remove_perm(INSTRUCT, group, teleservice)
    assign_perm(INSTRUCT, wanted, teleservice)
    sync_dossier_service(teleservice)


def sync_dossier_service(teleservice: Teleservice) -> int:
    """One UPDATE of the téléservice's dossiers filed with another service; drafts, which get
    the column at transmission, are left without it. Returns how many dossiers moved."""
    service_id = teleservice.instructing_service_id
    moved: int = (
        teleservice.dossiers.exclude(service_id=service_id).exclude(service_id=None).update(service_id=service_id)
    )
    return moved
