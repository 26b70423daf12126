"""Writes of permissions: kept here so that every grant goes through one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from guardian.shortcuts import assign_perm, get_groups_with_perms, remove_perm

if TYPE_CHECKING:
    from instruction.models import Teleservice

INSTRUCT = "instruction.instruct_teleservice"


def sync_instructing_permission(teleservice: Teleservice) -> None:
    """Give the téléservice's instructing service (its group) the object permission, and take
    it from any other group: the foreign key on the téléservice is the one source of truth."""
    wanted = teleservice.instructing_service.group
    for group in get_groups_with_perms(teleservice):  # type: ignore[union-attr]
        if group != wanted:
            remove_perm(INSTRUCT, group, teleservice)
    assign_perm(INSTRUCT, wanted, teleservice)
