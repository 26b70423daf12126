"""Actions on the applicant's spaces: the foyer and its members, the organisme, its members, roles
and invitations.

Same shape as the dossier actions: keyword-only ``acting_user``, one transaction, an access check
(404 for whoever is not in the space, 403 for a member without the role), one append-only audit
row (``SpaceEvent``) and e-mails through the outbox, sent on commit. The rules live here, not in
the forms, so that a script or another page cannot bypass them; forms only add friendlier wording.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from instruction.actions.base import ActionError, InvalidInput, record
from instruction.models import Dossier, Foyer, FoyerMember, Organisme, OrganismeInvitation, SpaceEvent
from instruction.models.dossier import OPEN_STATUSES, DossierStatus
from instruction.outbox import enqueue_email
from instruction.siret import is_valid_siret, normalize_siret
from permissions import organismes
from permissions.access import NotVisible

INVITATION_SALT = "instruction.organisme-invitation"
INVITATION_MAX_AGE = dt.timedelta(days=7)
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
ROLES = {organismes.MEMBER, organismes.ADMINISTRATOR}


# --- Shared checks ---------------------------------------------------------------------------


def _space_event(
    *, acting_user: Any, action: str, foyer: Foyer | None = None, organisme: Organisme | None = None, **details: Any
) -> SpaceEvent:
    return SpaceEvent.objects.create(
        foyer=foyer,
        organisme=organisme,
        actor=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        action=action,
        details=details,
    )


def postal_code_errors(value: str) -> list[str]:
    if not (len(value) == 5 and value.isdigit()):
        return [_("Le code postal comporte 5 chiffres.")]
    return []


def birth_date_errors(value: dt.date | None) -> list[str]:
    if value is None:
        return [_("Indiquez la date de naissance.")]
    if value > timezone.localdate():
        return [_("La date de naissance ne peut pas être dans le futur.")]
    if value < EARLIEST_BIRTH_DATE:
        return [_("La date de naissance ne peut pas être antérieure au 1er janvier 1900.")]
    return []


def siret_errors(value: str) -> list[str]:
    if not (len(value) == 14 and value.isdigit()):
        return [_("Le SIRET comporte 14 chiffres.")]
    if not is_valid_siret(value):
        return [_("Ce numéro SIRET n'est pas valide : vérifiez-le sur votre avis de situation au répertoire SIRENE.")]
    return []


def duplicate_siret_message() -> str:
    return _(
        "Un organisme est déjà enregistré avec ce SIRET. Demandez à son administrateur de vous inviter "
        "à le rejoindre : vous recevrez un lien par courrier électronique."
    )


def _required(errors: dict[str, list[str]], **values: Any) -> None:
    for name, value in values.items():
        if not str(value or "").strip():
            errors.setdefault(name, []).append(_("Ce champ est obligatoire."))


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput(errors)


def _born(birth_date: dt.date | None) -> dt.date:
    """The birth date, once the checks above have refused a missing one."""
    if birth_date is None:
        raise InvalidInput({"birth_date": [_("Indiquez la date de naissance.")]})
    return birth_date


def _check_foyer(acting_user: Any, foyer: Foyer) -> None:
    """Only the responsible person reaches a foyer; everybody else gets 404."""
    if not getattr(acting_user, "is_authenticated", False) or foyer.responsible_id != acting_user.pk:
        raise NotVisible


def _locked_foyer(foyer: Foyer, acting_user: Any) -> Foyer:
    _check_foyer(acting_user, foyer)
    return Foyer.objects.select_for_update().get(pk=foyer.pk)


def _member_errors(civility: str, first_name: str, last_name: str, birth_date: dt.date | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if civility not in FoyerMember.Civility.values:
        errors["civility"] = [_("Choisissez une civilité.")]
    _required(errors, first_name=first_name, last_name=last_name)
    dates = birth_date_errors(birth_date)
    if dates:
        errors["birth_date"] = dates
    return errors


# --- Foyer -----------------------------------------------------------------------------------


def _foyer_errors(
    errors: dict[str, list[str]], address: str, postal_code: str, commune: str, quotient_familial: int | None
) -> None:
    _required(errors, address=address, commune=commune)
    if postal_code_errors(postal_code):
        errors["postal_code"] = postal_code_errors(postal_code)
    if quotient_familial is not None and quotient_familial < 0:
        errors["quotient_familial"] = [_("Le quotient familial ne peut pas être négatif.")]


def create_foyer(
    *,
    acting_user: Any,
    address: str,
    postal_code: str,
    commune: str,
    quotient_familial: int | None,
    civility: str,
    first_name: str,
    last_name: str,
    birth_date: dt.date | None,
) -> Foyer:
    """« Valider » on « Créer mon foyer »: the foyer, with its responsible person as « Demandeur »."""
    errors = _member_errors(civility, first_name, last_name, birth_date)
    _foyer_errors(errors, address, postal_code, commune, quotient_familial)
    _raise_if(errors)
    with transaction.atomic():
        # The person's row is the lock: a double click on « Valider » makes one foyer, not an error.
        get_user_model().objects.select_for_update().get(pk=acting_user.pk)
        if Foyer.objects.filter(responsible=acting_user).exists():
            raise ActionError(_("Vous avez déjà un foyer."))
        foyer = Foyer.objects.create(
            responsible=acting_user,
            address=address.strip(),
            postal_code=postal_code,
            commune=commune.strip(),
            quotient_familial=quotient_familial,
        )
        member = FoyerMember.objects.create(
            foyer=foyer,
            civility=civility,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            birth_date=_born(birth_date),
            link=FoyerMember.Link.APPLICANT,
        )
        _space_event(acting_user=acting_user, action="create_foyer", foyer=foyer, member=member.pk)
    return foyer


def update_foyer(
    foyer: Foyer,
    *,
    acting_user: Any,
    address: str,
    postal_code: str,
    commune: str,
    quotient_familial: int | None,
) -> Foyer:
    """The foyer's address and declared quotient familial. Dossiers already transmitted keep the
    values they were filed with (their form data)."""
    _check_foyer(acting_user, foyer)
    errors: dict[str, list[str]] = {}
    _foyer_errors(errors, address, postal_code, commune, quotient_familial)
    _raise_if(errors)
    with transaction.atomic():
        locked = _locked_foyer(foyer, acting_user)
        before = {"postal_code": locked.postal_code, "commune": locked.commune, "qf": locked.quotient_familial}
        locked.address, locked.postal_code, locked.commune = address.strip(), postal_code, commune.strip()
        locked.quotient_familial = quotient_familial
        locked.save()
        _space_event(
            acting_user=acting_user,
            action="update_foyer",
            foyer=locked,
            before=before,
            after={"postal_code": postal_code, "commune": locked.commune, "qf": quotient_familial},
        )
    foyer.refresh_from_db()
    return foyer


def add_foyer_member(
    foyer: Foyer,
    *,
    acting_user: Any,
    civility: str,
    first_name: str,
    last_name: str,
    birth_date: dt.date | None,
    link: str,
) -> FoyerMember:
    """« Ajouter un individu »: a spouse, a child, a dependant… (never a second « Demandeur »)."""
    _check_foyer(acting_user, foyer)
    errors = _member_errors(civility, first_name, last_name, birth_date)
    if link not in FoyerMember.Link.values or link == FoyerMember.Link.APPLICANT:
        errors["link"] = [_("Choisissez le lien avec le demandeur.")]
    _raise_if(errors)
    with transaction.atomic():
        locked = _locked_foyer(foyer, acting_user)
        member = FoyerMember.objects.create(
            foyer=locked,
            civility=civility,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            birth_date=_born(birth_date),
            link=link,
        )
        _space_event(acting_user=acting_user, action="add_member", foyer=locked, member=member.pk, link=link)
    return member


def update_foyer_member(
    member: FoyerMember,
    *,
    acting_user: Any,
    civility: str,
    first_name: str,
    last_name: str,
    birth_date: dt.date | None,
    link: str | None = None,
) -> FoyerMember:
    """Correct a member. The « Demandeur » stays the demandeur; nobody else can become one."""
    _check_foyer(acting_user, member.foyer)
    errors = _member_errors(civility, first_name, last_name, birth_date)
    is_applicant = member.link == FoyerMember.Link.APPLICANT
    if not is_applicant and (link not in FoyerMember.Link.values or link == FoyerMember.Link.APPLICANT):
        errors["link"] = [_("Choisissez le lien avec le demandeur.")]
    _raise_if(errors)
    with transaction.atomic():
        _locked_foyer(member.foyer, acting_user)
        locked = FoyerMember.objects.select_for_update().filter(pk=member.pk).first()
        if locked is None:
            raise ActionError(_("Ce membre ne fait plus partie de votre foyer."))
        locked.civility, locked.first_name, locked.last_name = civility, first_name.strip(), last_name.strip()
        locked.birth_date = _born(birth_date)
        if not is_applicant and link is not None:
            locked.link = link
        locked.save()
        _space_event(acting_user=acting_user, action="update_member", foyer=locked.foyer, member=locked.pk)
    member.refresh_from_db()
    return member


def remove_foyer_member(member: FoyerMember, *, acting_user: Any) -> list[Dossier]:
    """Take a member out of the foyer; returns the drafts that named them as beneficiary.

    Refused while the member is the beneficiary of a dossier in instruction (transmitted, in
    instruction, complement requested): the service is working on their situation. Drafts are
    the applicant's own working copies: they are detached (beneficiary emptied, the choice to
    make again before transmission) rather than blocking the removal. Decided dossiers keep
    naming the member, which is why the row is kept and only marked removed.
    """
    _check_foyer(acting_user, member.foyer)
    if member.link == FoyerMember.Link.APPLICANT:
        raise ActionError(_("Le demandeur ne peut pas être retiré de son propre foyer."))
    with transaction.atomic():
        foyer = _locked_foyer(member.foyer, acting_user)
        locked = FoyerMember.objects.select_for_update().filter(pk=member.pk).first()
        if locked is None:
            raise ActionError(_("Ce membre ne fait plus partie de votre foyer."))
        # Lock the dossiers naming the member so that a transmission cannot slip in between.
        named = list(
            Dossier.objects.select_for_update(of=("self",))
            .filter(beneficiary=locked)
            .select_related("teleservice")
            .order_by("pk")
        )
        open_ones = [d for d in named if d.status in OPEN_STATUSES]
        if open_ones:
            first = open_ones[0]
            raise ActionError(
                _(
                    "%(name)s est le bénéficiaire de la demande %(reference)s (« %(status)s ») : il ne peut pas "
                    "être retiré du foyer tant que le service instructeur n'a pas rendu sa décision."
                )
                % {"name": locked, "reference": first.reference, "status": first.get_status_display()}
            )
        drafts = [d for d in named if d.status == DossierStatus.DRAFT]
        for draft in drafts:
            draft.beneficiary = None
            draft.data = {**draft.data, "beneficiary": ""}
            draft.save(update_fields=["beneficiary", "data", "updated"])
            record(draft, acting_user=acting_user, action="detach_beneficiary", before=draft.status, member=str(locked))
        locked.removed_at = timezone.now()
        locked.save(update_fields=["removed_at"])
        _space_event(
            acting_user=acting_user,
            action="remove_member",
            foyer=foyer,
            member=locked.pk,
            detached_drafts=[d.reference for d in drafts],
        )
    return drafts


# --- Organisme -------------------------------------------------------------------------------


def create_organisme(
    *,
    acting_user: Any,
    kind: str,
    name: str,
    siret: str,
    address: str,
    postal_code: str,
    commune: str,
) -> Organisme:
    """« Créer un Organisme Public ou Privé »: its creator becomes its administrator."""
    siret = normalize_siret(siret)
    errors: dict[str, list[str]] = {}
    if kind not in Organisme.Kind.values:
        errors["kind"] = [_("Choisissez le type d'organisme.")]
    _required(errors, name=name, address=address, commune=commune)
    if siret_errors(siret):
        errors["siret"] = siret_errors(siret)
    if postal_code_errors(postal_code):
        errors["postal_code"] = postal_code_errors(postal_code)
    _raise_if(errors)
    with transaction.atomic():
        if Organisme.objects.filter(siret=siret).exists():
            raise InvalidInput({"siret": [duplicate_siret_message()]})
        try:
            # Two people registering the same SIRET at once: the unique index decides.
            with transaction.atomic():
                organisme = Organisme.objects.create(
                    kind=kind,
                    name=name.strip(),
                    siret=siret,
                    address=address.strip(),
                    postal_code=postal_code,
                    commune=commune.strip(),
                )
        except IntegrityError:
            raise InvalidInput({"siret": [duplicate_siret_message()]}) from None
        organismes.grant_role(acting_user, organisme, organismes.ADMINISTRATOR)
        _space_event(acting_user=acting_user, action="create_organisme", organisme=organisme, siret=siret)
    return organisme


def _locked_organisme(organisme: Organisme, acting_user: Any, role: str) -> Organisme:
    """Check the role, then lock the organisme: membership changes of one organisme are serialised,
    so that two administrators demoting each other cannot leave it without any."""
    organismes.check_organisme(acting_user, organisme, role)
    return Organisme.objects.select_for_update().get(pk=organisme.pk)


def _last_administrator_refusal() -> ActionError:
    return ActionError(
        _("L'organisme doit garder au moins un administrateur : nommez d'abord un autre administrateur.")
    )


def change_organisme_role(organisme: Organisme, member: Any, role: str, *, acting_user: Any) -> None:
    """An administrator makes a member an administrator, or an administrator a member."""
    if role not in ROLES:
        raise InvalidInput({"role": [_("Choisissez un rôle.")]})
    with transaction.atomic():
        locked = _locked_organisme(organisme, acting_user, organismes.ADMINISTRATOR)
        current = organismes.role_of(member, locked)
        if current is None:
            raise NotVisible
        if current == role:
            return
        if current == organismes.ADMINISTRATOR and organismes.administrator_ids(locked) == {member.pk}:
            raise _last_administrator_refusal()
        organismes.grant_role(member, locked, role)
        _space_event(
            acting_user=acting_user,
            action="change_role",
            organisme=locked,
            member=member.pk,
            before=current,
            after=role,
        )


def remove_organisme_member(organisme: Organisme, member: Any, *, acting_user: Any) -> None:
    """An administrator removes a member, or a member leaves. The organisme's dossiers stay the
    organisme's: the remaining members keep following them."""
    leaving = getattr(acting_user, "pk", None) == member.pk
    with transaction.atomic():
        locked = _locked_organisme(organisme, acting_user, organismes.MEMBER if leaving else organismes.ADMINISTRATOR)
        current = organismes.role_of(member, locked)
        if current is None:
            raise NotVisible
        if current == organismes.ADMINISTRATOR and organismes.administrator_ids(locked) == {member.pk}:
            raise _last_administrator_refusal()
        organismes.revoke_membership(member, locked)
        _space_event(acting_user=acting_user, action="remove_member", organisme=locked, member=member.pk, role=current)


# --- Invitations -----------------------------------------------------------------------------


class InvitationInvalid(ActionError):
    """A forged, altered or cancelled link: nothing to show."""


class InvitationUnusable(ActionError):
    """A real invitation that cannot be accepted (expired, already used, another account)."""


def invitation_token(invitation: OrganismeInvitation) -> str:
    """The signed, timestamped link key; only the invitation id is inside, no e-mail address."""
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


def invitation_url(invitation: OrganismeInvitation) -> str:
    return settings.SITE_URL + reverse("citizen:invitation", args=[invitation_token(invitation)])


def invitation_expires_at(invitation: OrganismeInvitation) -> dt.datetime:
    return invitation.created + INVITATION_MAX_AGE


def _expired_message() -> str:
    return _(
        "Cette invitation a expiré (elle est valable 7 jours). Demandez à l'administrateur de l'organisme "
        "de vous en envoyer une nouvelle."
    )


def read_invitation(token: str, *, for_update: bool = False) -> OrganismeInvitation:
    """The invitation behind a link, if it may still be accepted (by whoever it was sent to)."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvitationUnusable(_expired_message()) from None
    except signing.BadSignature:
        raise InvitationInvalid(_("Ce lien d'invitation n'est pas valide.")) from None
    pk = payload.get("invitation") if isinstance(payload, dict) else None
    queryset = OrganismeInvitation.objects.select_related("organisme", "invited_by")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(pk=pk).first() if isinstance(pk, int) else None
    if invitation is None:
        raise InvitationInvalid(_("Ce lien d'invitation n'est pas valide ou l'invitation a été annulée."))
    if invitation.accepted_at is not None:
        raise InvitationUnusable(_("Cette invitation a déjà été utilisée."))
    if timezone.now() > invitation_expires_at(invitation):
        raise InvitationUnusable(_expired_message())
    return invitation


def invite_to_organisme(organisme: Organisme, *, acting_user: Any, email: str, role: str) -> OrganismeInvitation:
    """An administrator invites a colleague by e-mail; the link is valid 7 days, once.

    A new invitation to the same address replaces the pending one, so that only the latest link
    works."""
    email = (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Saisissez une adresse électronique valide, par exemple nom@exemple.fr.")]
    if role not in ROLES:
        errors["role"] = [_("Choisissez un rôle.")]
    _raise_if(errors)
    with transaction.atomic():
        locked = _locked_organisme(organisme, acting_user, organismes.ADMINISTRATOR)
        existing = get_user_model().objects.filter(email__iexact=email).first()
        if existing is not None and organismes.role_of(existing, locked) is not None:
            raise InvalidInput({"email": [_("Cette personne est déjà membre de l'organisme.")]})
        replaced = list(
            OrganismeInvitation.objects.filter(organisme=locked, email__iexact=email, accepted_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        OrganismeInvitation.objects.filter(pk__in=replaced).delete()
        invitation = OrganismeInvitation.objects.create(
            organisme=locked, email=email, role=role, invited_by=acting_user
        )
        _space_event(
            acting_user=acting_user,
            action="invite",
            organisme=locked,
            invitation=invitation.pk,
            email=email,
            role=role,
            replaced=replaced,
        )
        _send_invitation(invitation)
    return invitation


def _send_invitation(invitation: OrganismeInvitation) -> None:
    # In French, like every e-mail to applicants, whatever language the administrator browses in.
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "organisme": invitation.organisme,
            "inviter": invitation.invited_by,
            "email": invitation.email,
            "role": invitation.get_role_display(),
            "url": invitation_url(invitation),
            "expires": formats.date_format(timezone.localtime(invitation_expires_at(invitation)), "DATE_FORMAT"),
        }
        text = render_to_string("emails/organisme_invitation.txt", context).strip()
    subject, _sep, body = text.partition("\n")
    enqueue_email(
        key=f"organisme-invitation:{invitation.pk}",
        to=[invitation.email],
        subject=subject.strip(),
        body=body.strip() + "\n",
    )


def cancel_invitation(invitation: OrganismeInvitation, *, acting_user: Any) -> None:
    """An administrator withdraws a pending invitation: its link stops working."""
    with transaction.atomic():
        locked = _locked_organisme(invitation.organisme, acting_user, organismes.ADMINISTRATOR)
        deleted, _rows = OrganismeInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).delete()
        if deleted:
            _space_event(
                acting_user=acting_user,
                action="cancel_invitation",
                organisme=locked,
                invitation=invitation.pk,
                email=invitation.email,
            )


def accept_invitation(token: str, *, acting_user: Any) -> OrganismeInvitation:
    """The invited person, logged in with the invited address, joins the organisme."""
    if not getattr(acting_user, "is_authenticated", False):
        raise InvitationUnusable(_("Connectez-vous pour accepter cette invitation."))
    with transaction.atomic():
        invitation = read_invitation(token, for_update=True)
        if invitation.email.lower() != acting_user.email.lower():
            raise InvitationUnusable(
                _(
                    "Cette invitation a été envoyée à une autre adresse électronique que celle de votre compte. "
                    "Connectez-vous avec le compte de l'adresse invitée pour l'accepter."
                )
            )
        organisme = Organisme.objects.select_for_update().get(pk=invitation.organisme_id)
        current = organismes.role_of(acting_user, organisme)
        # Accepting never demotes: an administrator invited as a member stays an administrator.
        if current != organismes.ADMINISTRATOR:
            organismes.grant_role(acting_user, organisme, invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = acting_user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        _space_event(
            acting_user=acting_user,
            action="accept_invitation",
            organisme=organisme,
            invitation=invitation.pk,
            role=invitation.role,
        )
    return invitation
