"""Who may act for which space: roles in an organisme, held as guardian object permissions
(direct foreign-key rows), and the foyer, which only its responsible person reaches.

Lookups for pages follow ``permissions.access``: outsiders get 404 (they may not even know the
space exists), a member without the role asked gets 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm

if TYPE_CHECKING:
    from instruction.models import Foyer, FoyerMember, Organisme

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


def members_with_roles(organisme: Organisme) -> list[tuple[Any, str]]:
    """(user, role) of every member, administrators first, then by name (one query)."""
    from instruction.models import OrganismeUserObjectPermission

    rows = OrganismeUserObjectPermission.objects.filter(
        content_object=organisme, permission__codename__in=(ACT, ADMINISTER)
    ).select_related("user", "permission")
    users: dict[int, Any] = {}
    codenames: dict[int, set[str]] = {}
    for row in rows:
        users[row.user_id] = row.user
        codenames.setdefault(row.user_id, set()).add(row.permission.codename)
    members = [(users[pk], ADMINISTRATOR if ADMINISTER in held else MEMBER) for pk, held in codenames.items()]
    members.sort(key=lambda pair: (pair[1] != ADMINISTRATOR, pair[0].last_name.lower(), pair[0].email))
    return members


def administrator_ids(organisme: Organisme) -> set[int]:
    from instruction.models import OrganismeUserObjectPermission

    return set(
        OrganismeUserObjectPermission.objects.filter(
            content_object=organisme, permission__codename=ADMINISTER
        ).values_list("user_id", flat=True)
    )


def check_organisme(user: Any, organisme: Organisme, role: str = MEMBER) -> str:
    """The user's role; Http404 for a non-member, PermissionDenied if ``role`` is administrator
    and the member is not one."""
    held = role_of(user, organisme)
    if held is None or not getattr(user, "is_active", False):
        raise Http404
    if role == ADMINISTRATOR and held != ADMINISTRATOR:
        raise PermissionDenied
    return held


def get_organisme_for(user: Any, pk: int, role: str = MEMBER) -> Organisme:
    from instruction.models import Organisme

    organisme = Organisme.objects.filter(pk=pk).first()
    if organisme is None:
        raise Http404
    check_organisme(user, organisme, role)
    return organisme


def foyer_of(user: Any) -> Foyer | None:
    """The foyer a person is responsible for (a person has at most one)."""
    from instruction.models import Foyer

    if not user.is_authenticated:
        return None
    return Foyer.objects.filter(responsible=user).first()


def get_foyer_member_for(user: Any, pk: int) -> FoyerMember:
    """A current member of the user's own foyer, or 404: nobody else's members are reachable."""
    from instruction.models import FoyerMember

    if not user.is_authenticated:
        raise Http404
    member = FoyerMember.objects.select_related("foyer").filter(pk=pk, foyer__responsible=user).first()
    if member is None:
        raise Http404
    return member
