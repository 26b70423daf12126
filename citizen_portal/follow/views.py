"""Citizen pages: following one's dossiers (« Demandes ») and their messages (« Message »)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from citizen_portal.follow.forms import DossierFilterForm, MessageForm
from instruction import actions
from instruction.actions.messages import annotate_threads, unread_message_ids
from instruction.files import private_file_response
from instruction.models import Dossier, DossierStatus, Message, MessageAttachment
from permissions import access

PAGE_SIZE = 50


def applicant_dossiers(user: Any) -> QuerySet[Dossier]:
    """The person's dossiers: their own and their organismes' (the applicant role of
    ``visible_to``; an agent does not see here the dossiers they instruct)."""
    if not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    return Dossier.objects.filter(access.own_dossiers_q(user))


def _applicant_dossier(request: HttpRequest, reference: str) -> Dossier:
    """The one lookup, applicant's side: 404 unless the person holds the applicant role."""
    dossier = access.get_dossier_for(request.user, reference)
    if not access.may_open(request.user, dossier, "applicant_pages"):
        raise access.NotVisible
    return dossier


@require_GET
def dossier_list(request: HttpRequest) -> HttpResponse:
    """« Demandes »: where the applicant follows the progress of their dossiers."""
    dossiers = applicant_dossiers(request.user)
    form = DossierFilterForm(request.GET or None, dossiers=dossiers)
    shown = form.filter(dossiers).select_related("teleservice", "beneficiary", "organisme").order_by("-created", "-pk")
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "citizen_portal/dossier_list.html",
        {"page": page, "form": form, "query": query.urlencode(), "filtered": form.is_filtered},
    )


@require_GET
def thread_list(request: HttpRequest) -> HttpResponse:
    """« Message »: one thread per transmitted dossier, the newest conversation first."""
    threads = annotate_threads(
        applicant_dossiers(request.user).exclude(status=DossierStatus.DRAFT).select_related("teleservice"),
        request.user,
        service_side=False,
    ).order_by(F("last_message_at").desc(nulls_last=True), "-transmitted_at", "-pk")
    page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "citizen_portal/follow/thread_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, reference: str) -> HttpResponse:
    """One dossier's thread with the instructing service; opening it marks it read."""
    dossier = _applicant_dossier(request, reference)
    can_write = access.abilities(request.user, dossier)["message"]
    form = MessageForm()
    if request.method == "POST":
        if not can_write:
            messages.error(request, _("Vous pourrez écrire au service instructeur une fois votre demande transmise."))
            return redirect("citizen:thread", reference=reference)
        form = MessageForm(request.POST, request.FILES)
        sent = _send(request, dossier, form)
        if sent is not None:
            messages.success(request, _("Votre message a été envoyé au service instructeur."))
            return redirect(reverse("citizen:thread", args=[reference]) + f"#message-{sent.pk}")
    thread_messages = list(dossier.messages.select_related("author").prefetch_related("attachments"))
    unread = unread_message_ids(dossier, request.user, thread_messages, service_side=False)
    if thread_messages:
        actions.mark_thread_read(dossier, acting_user=request.user, up_to=thread_messages[-1].created)
    context = {
        "dossier": dossier,
        "thread_messages": thread_messages,
        "unread_ids": unread,
        "form": form,
        "can_write": can_write,
    }
    return render(request, "citizen_portal/follow/thread.html", context, status=400 if form.errors else 200)


def _send(request: HttpRequest, dossier: Dossier, form: MessageForm) -> Message | None:
    """Send the form's message; errors are put on the form (the typed text stays in it)."""
    if not form.is_valid():
        return None
    try:
        return actions.send_message(
            dossier, acting_user=request.user, body=form.cleaned_data["body"], files=form.cleaned_data["attachments"]
        )
    except actions.InvalidInput as error:
        form.add_action_errors(error)
    except actions.ActionError as error:
        form.add_error(None, error.message)
    return None


@require_GET
def attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    dossier = _applicant_dossier(request, reference)
    return attachment_response(dossier, pk)


def attachment_response(dossier: Dossier, pk: int) -> HttpResponseBase:
    """A message attachment of this dossier (the caller has checked access to the dossier), as a
    download with the type recorded when its content was checked: never shown inline, never from
    a public URL. Also used by the agents' side."""
    return private_file_response(MessageAttachment.objects.filter(pk=pk, message__dossier=dossier).first())
