"""Roles in an organisme, held as guardian object permissions (direct foreign-key rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from guardian.shortcuts import assign_perm, remove_perm

if TYPE_CHECKING:
    from instruction.models import Organisme

ACT = "act_for_organisme"
ADMINISTER = "administer_organisme"
MEMBER, ADMINISTRATOR = "member", "administrator"
ROLE_PERMS = {MEMBER: (ACT,), ADMINISTRATOR: (ACT, ADMINISTER)}


def organismes_of(user: Any) -> QuerySet[Organisme]:
    """The organismes a person may file and follow dossiers for (one query)."""
    from instruction.models import Organisme, OrganismeUserObjectPermission

    if not user.is_authenticated:
        return Organisme.objects.none()
    ids = OrganismeUserObjectPermission.objects.filter(user=user, permission__codename=ACT).values("content_object_id")
    return Organisme.objects.filter(pk__in=ids)


def role_of(user: Any, organisme: Organisme) -> str | None:
    from instruction.models import OrganismeUserObjectPermission

    if not user.is_authenticated:
        return None
    codenames = set(
        OrganismeUserObjectPermission.objects.filter(user=user, content_object=organisme).values_list(
            "permission__codename", flat=True
        )
    )
    if ADMINISTER in codenames:
        return ADMINISTRATOR
    return MEMBER if ACT in codenames else None


def grant_role(user: Any, organisme: Organisme, role: str) -> None:
    for codename in (ACT, ADMINISTER):
        if codename in ROLE_PERMS[role]:
            assign_perm(f"instruction.{codename}", user, organisme)
        else:
            remove_perm(f"instruction.{codename}", user, organisme)


def revoke_membership(user: Any, organisme: Organisme) -> None:
    for codename in (ACT, ADMINISTER):
        remove_perm(f"instruction.{codename}", user, organisme)
