"""A citizen deletes their account (« Supprimer mon compte »).

What happens, in one transaction (files leave the storage once it commits):

- their drafts are deleted with their files (nothing was sent to anyone);
- what identifies the account is erased: e-mail (replaced by a placeholder that cannot receive
  mail), names, civility, password, the FranceConnect identity; the account is deactivated, so
  every open session ends at its next request;
- their roles in organismes are withdrawn; the foyer's members named by no transmitted dossier
  are deleted, and the foyer's address is erased when no transmitted dossier remains;
- dossiers already transmitted stay with the instructing service, which needs them to decide and
  must keep them for the téléservice's retention period, after which they are anonymised. They
  keep what the person gave in them (the form, the documents, the beneficiary), linked to an
  account that no longer says who it was, and no e-mail is sent about them any more.

Refused, with the reason in French: for agents, supervisors and administrators (their accounts
are managed by the administration), and for the only administrator of an organisme that has other
members or transmitted dossiers (someone must remain to follow them)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from instruction.actions.base import ActionError
from instruction.actions.retention import delete_draft
from instruction.models import Dossier, DossierStatus, Foyer, FoyerMember, SpaceEvent, ThreadReadMark
from permissions import organismes
from permissions.models import FranceConnectIdentity


def is_authority_account(user: Any) -> bool:
    """An agent, a supervisor or an administrator."""
    return bool(
        user.is_staff
        or user.is_superuser
        or user.groups.filter(instructing_service__isnull=False).exists()
        or user.supervised_services.exists()
    )


def deletion_refusal(user: Any) -> str | None:
    """Why this account cannot be deleted by its owner, or None."""
    if is_authority_account(user):
        return _(
            "Les comptes des agents, des superviseurs et des administrateurs ne peuvent pas être supprimés "
            "depuis cette page : adressez-vous à l'administrateur de la plateforme."
        )
    blocking = []
    for organisme in organismes.organismes_of(user).order_by("name"):
        if organismes.role_of(user, organisme) != organismes.ADMINISTRATOR:
            continue
        if organismes.administrator_ids(organisme) != {user.pk}:
            continue
        others = len(organismes.members_with_roles(organisme)) > 1
        transmitted = organisme.dossiers.exclude(status=DossierStatus.DRAFT).exists()
        if others or transmitted:
            blocking.append(organisme.name)
    if blocking:
        return _(
            "Vous êtes le seul administrateur de l'organisme %(names)s, qui a d'autres membres ou des dossiers "
            "transmis : nommez d'abord un autre administrateur (page « Membres » de l'organisme), puis revenez "
            "supprimer votre compte."
        ) % {"names": ", ".join(f"« {name} »" for name in blocking)}
    return None


def placeholder_email(user: Any) -> str:
    # The .invalid top-level domain can never receive mail (RFC 2606).
    return f"compte-supprime-{user.pk}@supprime.invalid"


def delete_account(user: Any, *, acting_user: Any) -> dict[str, int]:
    """Delete the person's own account as described above; returns what was deleted."""
    if acting_user is not user or not user.is_authenticated or not user.is_active:
        raise ActionError(_("Seule la personne titulaire du compte peut le supprimer."))
    refusal = deletion_refusal(user)
    if refusal:
        raise ActionError(refusal)
    with transaction.atomic():
        drafts = list(Dossier.objects.filter(applicant=user, status=DossierStatus.DRAFT).order_by("pk"))
        files = sum(delete_draft(draft, acting_user=user) or 0 for draft in drafts)
        for organisme in organismes.organismes_of(user):
            organismes.revoke_membership(user, organisme)
        foyer = Foyer.objects.filter(responsible=user).first()
        members = 0
        if foyer is not None:
            unnamed = FoyerMember.all_objects.filter(foyer=foyer, dossiers__isnull=True)
            members, _by_model = unnamed.delete()
            if not Dossier.objects.filter(Q(foyer=foyer) | Q(beneficiary__foyer=foyer)).exists():
                Foyer.objects.filter(pk=foyer.pk).update(address="", postal_code="", commune="", quotient_familial=None)
        # The spaces' own log: the foyer's changes (address, quotient familial) and the invitations
        # that named this e-mail address lose those details; the rows (who, what, when) stay.
        if foyer is not None:
            SpaceEvent.objects.filter(foyer=foyer).update(details={})
        for event in SpaceEvent.objects.filter(details__email__iexact=user.email):
            SpaceEvent.objects.filter(pk=event.pk).update(
                details={k: v for k, v in event.details.items() if k != "email"}
            )
        FranceConnectIdentity.objects.filter(user=user).delete()
        ThreadReadMark.objects.filter(user=user).delete()
        user.email = placeholder_email(user)
        user.first_name = user.last_name = user.civility = ""
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["email", "first_name", "last_name", "civility", "password", "is_active"])
    return {"drafts": len(drafts), "files": files, "members": members}
