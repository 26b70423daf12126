"""Experts invited on one dossier. On the review page (agents): « Inviter un expert » and
« Retirer l'accès ». For the expert: « Dossiers en expertise », the dossier read-only, its
documents, and « Avis de l'expert ». Who may do what is decided in permissions/access.py; an
expert whose access was revoked or has expired gets a 404, like anyone else."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backoffice.expert_panel import FORM_KEY, ExpertInvitationForm, OpinionForm
from backoffice.views import _agent_dossier, review
from instruction import actions
from instruction.audit import log_consultation
from instruction.files import private_file_response
from instruction.forms import form_for
from instruction.models import Dossier, DossierFile, ExpertAccess
from permissions import access


def _apply_errors(form: forms.Form, error: actions.InvalidInput) -> None:
    for field, errors in error.errors.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@require_POST
def invite(request: HttpRequest, reference: str) -> HttpResponse:
    """« Inviter un expert » (the agent in charge or a supervisor; other agents get a 403)."""
    dossier = _agent_dossier(request, reference)
    if not access.abilities(request.user, dossier)["grant_expert_access"]:
        raise PermissionDenied
    form = ExpertInvitationForm(request.POST)
    if not form.is_valid():
        return review(request, reference, forms={FORM_KEY: form})
    data = form.cleaned_data
    try:
        actions.grant_expert_access(
            dossier, form.expert, acting_user=request.user, expires_on=data["expires_on"], note=data["note"]
        )
    except actions.InvalidInput as error:
        _apply_errors(form, error)
        return review(request, reference, forms={FORM_KEY: form})
    except actions.ActionError as error:
        messages.error(request, error.message)
        return redirect(reverse("backoffice:review", args=[reference]) + "#experts")
    messages.success(
        request,
        _("%(email)s peut consulter le dossier jusqu'au %(date)s inclus : un courriel l'en informe.")
        % {"email": form.expert.email, "date": data["expires_on"].strftime("%d/%m/%Y")},
    )
    return redirect(reverse("backoffice:review", args=[reference]) + "#experts")


@require_POST
def revoke(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """« Retirer l'accès »: at once."""
    dossier = _agent_dossier(request, reference)
    grant = ExpertAccess.objects.filter(dossier=dossier, pk=pk).select_related("expert").first()
    if grant is None:
        raise Http404
    try:
        actions.revoke_expert_access(grant, acting_user=request.user)
    except actions.ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("L'accès de %(email)s au dossier est retiré.") % {"email": grant.expert.email})
    return redirect(reverse("backoffice:review", args=[reference]) + "#experts")


def _expert_dossier(request: HttpRequest, reference: str) -> Dossier:
    """The expert's side of the one lookup: 404 unless a live invitation on this dossier."""
    dossier = access.get_dossier_for(request.user, reference, access.expert_visible_to(request.user))
    if not access.may_open(request.user, dossier, "expert_pages"):
        raise access.NotVisible
    return dossier


@require_GET
def dossier_list(request: HttpRequest) -> HttpResponse:
    """« Dossiers en expertise »: the expert's live invitations (one query)."""
    grants = (
        ExpertAccess.objects.filter(
            expert_id=request.user.pk,
            ended_at=None,
            expires_at__gt=timezone.now(),
            dossier__in=access.expert_visible_to(request.user),
        )
        .select_related("dossier__teleservice", "granted_by")
        .order_by("expires_at", "pk")
    )
    return render(request, "backoffice/expertise/list.html", {"grants": list(grants)})


def dossier_page(request: HttpRequest, reference: str, opinion_form: OpinionForm | None = None) -> HttpResponse:
    """The dossier, read-only: its data, its documents, the invitation, the expert's opinions."""
    dossier = _expert_dossier(request, reference)
    log_consultation(request.user, dossier)  # like the agents' (instruction/audit.py)
    form = form_for(dossier)(data=dossier.data, dossier=dossier)
    grant = (
        ExpertAccess.objects.filter(dossier=dossier, expert_id=request.user.pk, ended_at=None)
        .select_related("granted_by")
        .first()
    )
    context = {
        "dossier": dossier,
        "grant": grant,
        "rows": form.summary(exclude=form.blocks),
        "block_groups": form.block_groups(),
        "opinions": list(
            dossier.events.filter(action="expert_opinion", actor_id=request.user.pk).order_by("created", "pk")
        ),
        "opinion_form": opinion_form or OpinionForm(),
        "can": access.abilities(request.user, dossier),
    }
    return render(request, "backoffice/expertise/dossier.html", context, status=400 if opinion_form else 200)


@require_GET
def dossier_view(request: HttpRequest, reference: str) -> HttpResponse:
    return dossier_page(request, reference)


@require_POST
def opinion(request: HttpRequest, reference: str) -> HttpResponse:
    """« Avis de l'expert »: what was typed is kept when it is refused."""
    dossier = _expert_dossier(request, reference)
    form = OpinionForm(request.POST)
    if not form.is_valid():
        return dossier_page(request, reference, opinion_form=form)
    try:
        actions.give_expert_opinion(dossier, acting_user=request.user, opinion=form.cleaned_data["opinion"])
    except actions.InvalidInput as error:
        _apply_errors(form, error)
        return dossier_page(request, reference, opinion_form=form)
    except actions.ActionError as error:
        messages.error(request, error.message)
        return redirect("backoffice:expert_dossier", reference=reference)
    messages.success(request, _("Votre avis est transmis au service instructeur."))
    return redirect("backoffice:expert_dossier", reference=reference)


@require_GET
def file_download(request: HttpRequest, reference: str, file_id: int) -> HttpResponseBase:
    dossier = _expert_dossier(request, reference)
    return private_file_response(DossierFile.objects.filter(dossier=dossier, pk=file_id).first())
