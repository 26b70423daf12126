"""Citizen pages: filling a dossier (draft, recap, transmission)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from instruction import actions
from instruction.forms import form_for
from instruction.models import Dossier
from permissions import access


def _own_dossier(request: HttpRequest, reference: str) -> Dossier:
    """The applicant's side of the one lookup: 404 unless the dossier is theirs."""
    dossier = access.get_dossier_for(request.user, reference)
    if access.APPLICANT not in access.roles(request.user, dossier):
        raise access.NotVisible
    return dossier


def dossier_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The recap: what was entered, its status, and what the applicant can do next."""
    dossier = _own_dossier(request, reference)
    form = form_for(dossier.teleservice)(data=dossier.data, dossier=dossier)
    can = access.abilities(request.user, dossier)
    errors = form.errors if dossier.is_editable_by_applicant else {}
    return render(
        request,
        "citizen_portal/dossier_detail.html",
        {"dossier": dossier, "form": form, "rows": form.summary(), "can": can, "invalid": bool(errors)},
    )


@require_http_methods(["GET", "POST"])
def dossier_edit(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _own_dossier(request, reference)
    if not access.abilities(request.user, dossier)["edit"]:
        messages.error(request, _("Votre demande a été transmise, elle n'est plus modifiable."))
        return redirect("citizen:dossier", reference=reference)
    form_class = form_for(dossier.teleservice)
    if request.method == "POST":
        try:
            actions.save_draft(dossier, request.POST, acting_user=request.user)
        except actions.ActionError as error:
            messages.error(request, error.message)
            return redirect("citizen:dossier", reference=reference)
        messages.success(
            request, _("Votre demande est enregistrée. Vérifiez le récapitulatif avant de la transmettre.")
        )
        return redirect("citizen:dossier", reference=reference)
    # After a refused transmission the form is bound to what was saved, so its errors show.
    show_errors = request.GET.get("erreurs") == "1"
    form = form_class(data=dossier.data if show_errors else None, initial=dossier.data, dossier=dossier)
    return render(request, "citizen_portal/dossier_form.html", {"dossier": dossier, "form": form})


@require_http_methods(["GET", "POST"])
def dossier_transmit(request: HttpRequest, reference: str) -> HttpResponse:
    """« Transmettre », then the confirmation « oui »."""
    dossier = _own_dossier(request, reference)
    action = actions.answer_complement if dossier.status == "complement_requested" else actions.transmit
    if request.method == "GET":
        return render(request, "citizen_portal/dossier_confirm.html", {"dossier": dossier})
    try:
        action(dossier, acting_user=request.user)
    except actions.InvalidInput:
        messages.error(request, _("Votre demande est incomplète : corrigez les champs signalés puis transmettez-la."))
        return redirect(reverse("citizen:edit", args=[reference]) + "?erreurs=1")
    except actions.ActionError as error:
        dossier.refresh_from_db()
        if dossier.status == "transmitted":  # a double click or a second tab
            messages.info(request, _("Votre demande a déjà été transmise, elle n'est plus modifiable."))
        else:
            messages.error(request, error.message)
        return redirect("citizen:dossier", reference=reference)
    messages.success(request, _("Votre demande a été transmise, elle n'est plus modifiable."))
    return redirect("citizen:dossier", reference=reference)
