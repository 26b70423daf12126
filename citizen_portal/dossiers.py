"""Citizen pages: filling a dossier (form and supporting documents, draft, recap, transmission)
and downloading its files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from instruction import actions
from instruction.blocks import ADD, row_command
from instruction.complements import current_request
from instruction.documents import document_states, missing_documents, specs_for
from instruction.files import private_file_response
from instruction.forms import DossierForm, form_for
from instruction.models import Dossier, DossierFile
from instruction.uploads import ALLOWED_TYPES
from permissions import access


def _own_dossier(request: HttpRequest, reference: str) -> Dossier:
    """The applicant's side of the one lookup: 404 unless the dossier is theirs (or their organisme's)."""
    dossier = access.get_dossier_for(request.user, reference)
    if not access.may_open(request.user, dossier, "applicant_pages"):
        raise access.NotVisible
    return dossier


def dossier_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The recap: what was entered, the beneficiary, the documents, the status, and what the
    applicant can do next."""
    dossier = _own_dossier(request, reference)
    form = form_for(dossier)(data=dossier.data, dossier=dossier)
    can = access.abilities(request.user, dossier)
    editable = dossier.is_editable_by_applicant
    errors = form.errors if editable else {}
    missing = missing_documents(dossier) if editable else {}
    documents = [state for state in document_states(dossier, errors=missing) if state.shown_on_recap]
    return render(
        request,
        "citizen_portal/dossier_detail.html",
        {
            "dossier": dossier,
            "form": form,
            "groups": form.summary_groups(),
            "can": can,
            "invalid": bool(errors or missing),
            "beneficiary": dossier.beneficiary,
            "documents": documents,
            "complement_request": current_request(dossier),
        },
    )


def _uploads(request: HttpRequest, dossier: Dossier) -> dict[str, list[Any]]:
    return {spec.code: request.FILES.getlist(spec.input_name) for spec in specs_for(dossier)}


def _form_page(
    request: HttpRequest,
    dossier: Dossier,
    form: DossierForm,
    document_errors: Mapping[str, Sequence[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    documents = document_states(dossier, errors=document_errors)
    context = {
        "dossier": dossier,
        "form": form,
        "beneficiary": form.selected_beneficiary(),
        "documents": documents,
        "document_errors": [(state, error) for state in documents for error in state.errors],
        "other_errors": list((document_errors or {}).get("__all__", [])),
        "files_refused": bool(document_errors) and request.method == "POST",
        "formats": ", ".join(ALLOWED_TYPES.values()),
        "max_mb": settings.UPLOAD_MAX_FILE_MB,
        "max_files": settings.UPLOAD_MAX_FILES_PER_DOCUMENT,
    }
    return render(request, "citizen_portal/dossier_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def dossier_edit(request: HttpRequest, reference: str) -> HttpResponse:
    """The form with its documents; « Enregistrer » saves the data and the new files in one go."""
    dossier = _own_dossier(request, reference)
    if not access.abilities(request.user, dossier)["edit"]:
        messages.error(request, _("Votre demande a été transmise, elle n'est plus modifiable."))
        return redirect("citizen:dossier", reference=reference)
    form_class = form_for(dossier)
    if request.method == "POST":
        try:
            actions.save_draft(dossier, request.POST, acting_user=request.user)
            # After the data, so that a refused file never loses what was typed.
            actions.attach_files(dossier, _uploads(request, dossier), acting_user=request.user)
        except actions.InvalidInput as error:
            # The data is saved; none of this request's files is: say which and why, next to them.
            form = form_class(initial=dossier.data, dossier=dossier)
            return _form_page(request, dossier, form, document_errors=error.errors, status=400)
        except actions.ActionError as error:
            messages.error(request, error.message)
            return redirect("citizen:dossier", reference=reference)
        command = row_command(request.POST)
        if command is not None and command[1] in form_class.blocks:
            # « Ajouter » / « Retirer » a row: the draft is saved, the form shows again at its block.
            messages.success(request, _("Votre demande est enregistrée."))
            dossier.refresh_from_db(fields=["data"])
            rows = dossier.data.get(command[1]) or []
            anchor = f"{command[1]}-{len(rows) - 1}" if command[0] == ADD and rows else command[1]
            return redirect(reverse("citizen:edit", args=[reference]) + f"#{anchor}")
        messages.success(
            request, _("Votre demande est enregistrée. Vérifiez le récapitulatif avant de la transmettre.")
        )
        return redirect("citizen:dossier", reference=reference)
    # After a refused transmission the form is bound to what was saved, so its errors show.
    show_errors = request.GET.get("erreurs") == "1"
    form = form_class(data=dossier.data if show_errors else None, initial=dossier.data, dossier=dossier)
    return _form_page(request, dossier, form, document_errors=missing_documents(dossier) if show_errors else None)


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
        messages.error(
            request,
            _("Votre demande est incomplète : corrigez les champs et les pièces signalés puis transmettez-la."),
        )
        return redirect(reverse("citizen:edit", args=[reference]) + "?erreurs=1")
    except actions.ActionError as error:
        dossier.refresh_from_db()
        if dossier.status == "transmitted":  # a double click or a second tab
            messages.info(request, _("Votre demande a déjà été transmise, elle n'est plus modifiable."))
        else:
            messages.error(request, error.message)
        return redirect("citizen:dossier", reference=reference)
    done = _("Votre demande a été transmise, elle n'est plus modifiable.")
    if action is actions.transmit:  # the seed: « un accusé de réception vous sera envoyé par mail »
        done += " " + _("Un accusé de réception vous est envoyé par courrier électronique.")
    messages.success(request, done)
    return redirect("citizen:dossier", reference=reference)


@require_POST
def file_remove(request: HttpRequest, reference: str, file_id: int) -> HttpResponse:
    """« Supprimer » next to an attached file, while the dossier is editable."""
    dossier = _own_dossier(request, reference)
    try:
        removed = actions.remove_file(dossier, file_id, acting_user=request.user)
    except actions.ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Le fichier « %(name)s » est supprimé.") % {"name": removed.original_name})
    if dossier.is_editable_by_applicant:
        return redirect("citizen:edit", reference=reference)
    return redirect("citizen:dossier", reference=reference)


@require_POST
def file_replace(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    """« Envoyer un autre fichier » in place of one the antivirus blocked, after transmission."""
    dossier = _own_dossier(request, reference)
    try:
        uploads = request.FILES.getlist("fichier")
        created = actions.replace_blocked_files(dossier, code, uploads, acting_user=request.user)
    except actions.InvalidInput as error:
        for field_messages in error.errors.values():
            for message in field_messages:
                messages.error(request, message)
    except actions.ActionError as error:
        messages.error(request, error.message)
    else:
        names = ", ".join(f"« {stored.original_name} »" for stored in created)
        messages.success(request, _("Fichier envoyé : %(names)s. Il sera analysé par l'antivirus.") % {"names": names})
    return redirect(reverse("citizen:dossier", args=[reference]) + f"#document-{code}")


@require_GET
def file_download(request: HttpRequest, reference: str, file_id: int) -> HttpResponseBase:
    """One file of the dossier, for the applicant (and the members of their organisme)."""
    dossier = _own_dossier(request, reference)
    return private_file_response(DossierFile.objects.filter(dossier=dossier, pk=file_id).first())
