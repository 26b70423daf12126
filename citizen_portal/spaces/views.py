"""Citizen pages of the spaces: the foyer and its members, the organisme, its members and
invitations, and switching the active space."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citizen_portal.spaces import forms
from citizen_portal.spaces.active import (
    FOYER_KEY,
    PENDING_INVITATION_KEY,
    activate,
    organisme_key,
    spaces_of,
)
from instruction import actions
from instruction.actions import spaces as space_actions
from instruction.models import Foyer, FoyerMember, Organisme, OrganismeInvitation
from permissions import access, organismes

View = Callable[..., HttpResponse]
RECENT_DOSSIERS = 5
CONFIRM_FIELD = "confirme"


def citizen_space(view: View) -> View:
    """Spaces are for citizens: an instructing agent's account has none (404), like an outsider."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if access.instructed_teleservice_ids(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _confirmed(request: HttpRequest) -> bool:
    """Destructive buttons post once more from a confirmation page, unless the browser already
    asked (static/js/spaces.js adds the field after its own confirmation)."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "oui"


def _own_foyer(request: HttpRequest) -> Foyer | None:
    return organismes.foyer_of(request.user)


def _recent(queryset: Any) -> list[Any]:
    return list(queryset.select_related("teleservice").order_by("-created")[:RECENT_DOSSIERS])


# --- Foyer -----------------------------------------------------------------------------------


@citizen_space
@require_http_methods(["GET", "POST"])
def foyer_create(request: HttpRequest) -> HttpResponse:
    if _own_foyer(request) is not None:
        messages.info(request, _("Vous avez déjà un foyer."))
        return redirect("citizen:foyer")
    form = forms.FoyerCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.create_foyer(
                acting_user=request.user,
                address=data["address"],
                postal_code=data["postal_code"],
                commune=data["commune"],
                quotient_familial=data["quotient_familial"],
                **form.applicant(),
            )
        except actions.InvalidInput as error:
            forms.apply_action_errors(form, error)
        except actions.ActionError as error:
            messages.error(request, error.message)
            return redirect("citizen:foyer")
        else:
            activate(request, FOYER_KEY)
            messages.success(
                request,
                _(
                    "Votre foyer est créé. Cliquez sur « Gérer les membres du foyer » "
                    "pour ajouter les membres de votre foyer."
                ),
            )
            return redirect("citizen:foyer")
    return render(request, "citizen_portal/spaces/foyer_create.html", {"form": form})


@citizen_space
def foyer_home(request: HttpRequest) -> HttpResponse:
    foyer = _own_foyer(request)
    if foyer is None:
        return redirect("citizen:foyer_create")
    activate(request, FOYER_KEY)
    context = {
        "foyer": foyer,
        "member_count": foyer.members.count(),
        "dossiers": _recent(access.visible_to(request.user).filter(foyer=foyer)),
    }
    return render(request, "citizen_portal/spaces/foyer_home.html", context)


@citizen_space
@require_http_methods(["GET", "POST"])
def foyer_edit(request: HttpRequest) -> HttpResponse:
    foyer = _own_foyer(request)
    if foyer is None:
        return redirect("citizen:foyer_create")
    initial = {
        "address": foyer.address,
        "postal_code": foyer.postal_code,
        "commune": foyer.commune,
        "quotient_familial": foyer.quotient_familial,
    }
    form = forms.FoyerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_foyer(foyer, acting_user=request.user, **form.cleaned_data)
        except actions.InvalidInput as error:
            forms.apply_action_errors(form, error)
        else:
            messages.success(request, _("Les informations de votre foyer sont mises à jour."))
            return redirect("citizen:foyer_members")
    return render(request, "citizen_portal/spaces/foyer_edit.html", {"form": form, "foyer": foyer})


@citizen_space
def foyer_members(request: HttpRequest) -> HttpResponse:
    """« Gérer les membres du foyer »: the list, « Ajouter un individu », the declared QF."""
    foyer = _own_foyer(request)
    if foyer is None:
        return redirect("citizen:foyer_create")
    activate(request, FOYER_KEY)
    members = list(foyer.members.order_by("birth_date", "pk"))
    return render(
        request,
        "citizen_portal/spaces/foyer_members.html",
        {"foyer": foyer, "members": members, "confirm_field": CONFIRM_FIELD},
    )


def _member_form_page(request: HttpRequest, form: forms.MemberForm, member: FoyerMember | None) -> HttpResponse:
    return render(request, "citizen_portal/spaces/foyer_member_form.html", {"form": form, "member": member})


@citizen_space
@require_http_methods(["GET", "POST"])
def foyer_member_add(request: HttpRequest) -> HttpResponse:
    foyer = _own_foyer(request)
    if foyer is None:
        return redirect("citizen:foyer_create")
    form = forms.MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_foyer_member(foyer, acting_user=request.user, **form.cleaned_data)
        except actions.InvalidInput as error:
            forms.apply_action_errors(form, error)
        else:
            messages.success(request, _("La liste des membres de votre foyer est mise à jour."))
            return redirect("citizen:foyer_members")
    return _member_form_page(request, form, None)


@citizen_space
@require_http_methods(["GET", "POST"])
def foyer_member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = organismes.get_foyer_member_for(request.user, pk)
    is_applicant = member.link == FoyerMember.Link.APPLICANT
    initial = {
        "civility": member.civility,
        "last_name": member.last_name,
        "first_name": member.first_name,
        "birth_date": member.birth_date,
        "link": member.link,
    }
    form = forms.MemberForm(request.POST or None, initial=initial, is_applicant=is_applicant)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_foyer_member(member, acting_user=request.user, **form.cleaned_data)
        except actions.InvalidInput as error:
            forms.apply_action_errors(form, error)
        except actions.ActionError as error:
            messages.error(request, error.message)
            return redirect("citizen:foyer_members")
        else:
            messages.success(request, _("La liste des membres de votre foyer est mise à jour."))
            return redirect("citizen:foyer_members")
    return _member_form_page(request, form, member)


@citizen_space
@require_http_methods(["GET", "POST"])
def foyer_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = organismes.get_foyer_member_for(request.user, pk)
    if not _confirmed(request):
        return render(
            request,
            "citizen_portal/spaces/confirm.html",
            {
                "title": _("Retirer un membre du foyer"),
                "question": _("Voulez-vous retirer %(name)s de votre foyer ?") % {"name": member},
                "explanation": _(
                    "Ses demandes déjà décidées restent consultables. S'il est le bénéficiaire d'un brouillon, "
                    "vous choisirez de nouveau le bénéficiaire de ce brouillon."
                ),
                "action": reverse("citizen:foyer_member_remove", args=[member.pk]),
                "button": _("Retirer du foyer"),
                "cancel": reverse("citizen:foyer_members"),
                "confirm_field": CONFIRM_FIELD,
            },
        )
    try:
        drafts = actions.remove_foyer_member(member, acting_user=request.user)
    except actions.ActionError as error:
        messages.error(request, error.message)
        return redirect("citizen:foyer_members")
    messages.success(request, _("%(name)s ne fait plus partie de votre foyer.") % {"name": member})
    for draft in drafts:
        messages.warning(
            request,
            _("Choisissez de nouveau le bénéficiaire de votre brouillon %(reference)s.")
            % {"reference": draft.reference},
        )
    return redirect("citizen:foyer_members")


# --- Organisme -------------------------------------------------------------------------------


@citizen_space
@require_http_methods(["GET", "POST"])
def organisme_create(request: HttpRequest) -> HttpResponse:
    """« Créer un Organisme Public ou Privé »."""
    form = forms.OrganismeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisme = actions.create_organisme(acting_user=request.user, **form.cleaned_data)
        except actions.InvalidInput as error:
            forms.apply_action_errors(form, error)
        else:
            activate(request, organisme_key(organisme))
            messages.success(request, _("Votre organisme est maintenant créé, vous pouvez déposer votre dossier."))
            return redirect("citizen:organisme", pk=organisme.pk)
    return render(request, "citizen_portal/spaces/organisme_create.html", {"form": form})


@citizen_space
def organisme_home(request: HttpRequest, pk: int) -> HttpResponse:
    organisme = organismes.get_organisme_for(request.user, pk)
    activate(request, organisme_key(organisme))
    context = {
        "organisme": organisme,
        "role": organismes.role_of(request.user, organisme),
        "dossiers": _recent(access.visible_to(request.user).filter(organisme=organisme)),
    }
    return render(request, "citizen_portal/spaces/organisme_home.html", context)


def _members_page(
    request: HttpRequest, organisme: Organisme, invite_form: forms.InvitationForm | None = None, status: int = 200
) -> HttpResponse:
    role = organismes.role_of(request.user, organisme)
    is_admin = role == organismes.ADMINISTRATOR
    members = organismes.members_with_roles(organisme)
    administrators = sum(1 for _user, member_role in members if member_role == organismes.ADMINISTRATOR)
    invitations = (
        list(
            OrganismeInvitation.objects.filter(organisme=organisme, accepted_at__isnull=True)
            .select_related("invited_by")
            .order_by("-created")
        )
        if is_admin
        else []
    )
    rows = [
        {
            "user": user,
            "role": member_role,
            "role_label": OrganismeInvitation.Role(member_role).label,
            "is_me": user.pk == request.user.pk,
            # The last administrator can be neither demoted nor removed: say so instead of a button.
            "locked": member_role == organismes.ADMINISTRATOR and administrators == 1,
            "role_form": forms.RoleForm(initial={"role": member_role}, prefix=f"membre-{user.pk}"),
        }
        for user, member_role in members
    ]
    context = {
        "organisme": organisme,
        "is_admin": is_admin,
        "rows": rows,
        "invitations": [(i, space_actions.invitation_expires_at(i)) for i in invitations],
        "form": invite_form if invite_form is not None else (forms.InvitationForm() if is_admin else None),
        "confirm_field": CONFIRM_FIELD,
    }
    return render(request, "citizen_portal/spaces/organisme_members.html", context, status=status)


@citizen_space
def organisme_members(request: HttpRequest, pk: int) -> HttpResponse:
    organisme = organismes.get_organisme_for(request.user, pk)
    activate(request, organisme_key(organisme))
    return _members_page(request, organisme)


@citizen_space
@require_http_methods(["GET", "POST"])
def organisme_invite(request: HttpRequest, pk: int) -> HttpResponse:
    organisme = organismes.get_organisme_for(request.user, pk, organismes.ADMINISTRATOR)
    if request.method == "GET":
        return redirect(reverse("citizen:organisme_members", args=[pk]) + "#inviter")
    form = forms.InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = actions.invite_to_organisme(organisme, acting_user=request.user, **form.cleaned_data)
        except actions.InvalidInput as error:
            forms.apply_action_errors(form, error)
        else:
            messages.success(
                request,
                _("Une invitation a été envoyée à %(email)s. Le lien est valable 7 jours.")
                % {"email": invitation.email},
            )
            return redirect("citizen:organisme_members", pk=pk)
    return _members_page(request, organisme, invite_form=form)


def _member_user(user_id: int) -> Any:
    return get_object_or_404(get_user_model(), pk=user_id)


@citizen_space
@require_POST
def organisme_member_role(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    organisme = organismes.get_organisme_for(request.user, pk, organismes.ADMINISTRATOR)
    member = _member_user(user_id)
    form = forms.RoleForm(request.POST, prefix=f"membre-{user_id}")
    if not form.is_valid():
        messages.error(request, _("Choisissez un rôle."))
        return redirect("citizen:organisme_members", pk=pk)
    try:
        actions.change_organisme_role(organisme, member, form.cleaned_data["role"], acting_user=request.user)
    except actions.ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Le rôle de %(name)s est maintenant « %(role)s ».")
            % {"name": member, "role": OrganismeInvitation.Role(form.cleaned_data["role"]).label},
        )
    return redirect("citizen:organisme_members", pk=pk)


@citizen_space
@require_http_methods(["GET", "POST"])
def organisme_member_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    leaving = request.user.pk == user_id
    organisme = organismes.get_organisme_for(
        request.user, pk, organismes.MEMBER if leaving else organismes.ADMINISTRATOR
    )
    member = _member_user(user_id)
    if organismes.role_of(member, organisme) is None:
        raise Http404
    if not _confirmed(request):
        question = (
            _("Voulez-vous quitter l'organisme « %(organisme)s » ?")
            if leaving
            else _("Voulez-vous retirer %(name)s de l'organisme « %(organisme)s » ?")
        ) % {"name": member, "organisme": organisme}
        return render(
            request,
            "citizen_portal/spaces/confirm.html",
            {
                "title": _("Quitter l'organisme") if leaving else _("Retirer un membre de l'organisme"),
                "question": question,
                "explanation": _("Les dossiers de l'organisme restent suivis par ses autres membres."),
                "action": reverse("citizen:organisme_member_remove", args=[pk, user_id]),
                "button": _("Quitter l'organisme") if leaving else _("Retirer de l'organisme"),
                "cancel": reverse("citizen:organisme_members", args=[pk]),
                "confirm_field": CONFIRM_FIELD,
            },
        )
    try:
        actions.remove_organisme_member(organisme, member, acting_user=request.user)
    except actions.ActionError as error:
        messages.error(request, error.message)
        return redirect("citizen:organisme_members", pk=pk)
    if leaving:
        messages.success(
            request, _("Vous ne faites plus partie de l'organisme « %(organisme)s ».") % {"organisme": organisme}
        )
        return redirect("citizen:home")
    messages.success(request, _("%(name)s ne fait plus partie de l'organisme.") % {"name": member})
    return redirect("citizen:organisme_members", pk=pk)


@citizen_space
@require_POST
def organisme_invitation_cancel(request: HttpRequest, pk: int, invitation_id: int) -> HttpResponse:
    organisme = organismes.get_organisme_for(request.user, pk, organismes.ADMINISTRATOR)
    invitation = get_object_or_404(OrganismeInvitation, pk=invitation_id, organisme=organisme, accepted_at__isnull=True)
    actions.cancel_invitation(invitation, acting_user=request.user)
    messages.success(request, _("L'invitation envoyée à %(email)s est annulée.") % {"email": invitation.email})
    return redirect("citizen:organisme_members", pk=pk)


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the invitation e-mail. Anyone holding it sees what it is for; accepting needs
    to be logged in with the invited address (the person creates their account first if needed)."""
    context: dict[str, Any] = {"invitation": None, "error": "", "wrong_account": False, "token": token}
    try:
        pending = space_actions.read_invitation(token)
    except space_actions.InvitationInvalid:
        request.session.pop(PENDING_INVITATION_KEY, None)
        raise Http404 from None
    except space_actions.InvitationUnusable as error:
        request.session.pop(PENDING_INVITATION_KEY, None)
        return render(request, "citizen_portal/spaces/invitation.html", {**context, "error": error.message})
    context["invitation"] = pending
    if not request.user.is_authenticated:
        # Remembered through sign-up and login, so that the home page can bring the person back here.
        request.session[PENDING_INVITATION_KEY] = token
        return render(request, "citizen_portal/spaces/invitation.html", context)
    if access.instructed_teleservice_ids(request.user):
        raise Http404
    if request.method == "POST":
        try:
            accepted = actions.accept_invitation(token, acting_user=request.user)
        except actions.ActionError as error:
            messages.error(request, error.message)
            return redirect("citizen:invitation", token=token)
        request.session.pop(PENDING_INVITATION_KEY, None)
        activate(request, organisme_key(accepted.organisme))
        messages.success(
            request,
            _("Vous avez rejoint l'organisme « %(organisme)s ». Vous pouvez déposer et suivre ses dossiers.")
            % {"organisme": accepted.organisme},
        )
        return redirect("citizen:organisme", pk=accepted.organisme_id)
    context["wrong_account"] = pending.email.lower() != request.user.email.lower()
    return render(request, "citizen_portal/spaces/invitation.html", context)


# --- Switching -------------------------------------------------------------------------------


@require_POST
def switch_space(request: HttpRequest) -> HttpResponse:
    """The header's switcher (and the fiche's « Passer dans l'espace » buttons)."""
    key = request.POST.get("espace", "")
    space = next((s for s in spaces_of(request) if s.key == key), None)
    if space is None:
        messages.error(request, _("Choisissez l'un de vos espaces."))
        return redirect("citizen:home")
    activate(request, space.key)
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(space.url)
