"""Agents' side of a dossier's message thread, shown on the review screen.

The form and the download are the citizen side's (citizen_portal/follow), so that both sides
validate and serve files the same way; only the lookups differ (agents of the service here)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from citizen_portal.follow.forms import MessageForm
from citizen_portal.follow.views import attachment_response
from instruction import actions
from instruction.actions.messages import unread_message_ids
from instruction.models import Dossier


class AgentMessageForm(MessageForm):
    body_label = gettext_lazy("Message au demandeur")


def thread_context(request: HttpRequest, dossier: Dossier, form: MessageForm | None = None) -> dict[str, Any]:
    """What backoffice/_thread.html needs. Showing the thread marks it read for this agent (up
    to the newest message shown); the messages new to them are flagged first."""
    thread_messages = list(dossier.messages.select_related("author").prefetch_related("attachments"))
    unread = unread_message_ids(dossier, request.user, thread_messages, service_side=True)
    if thread_messages:
        actions.mark_thread_read(dossier, acting_user=request.user, up_to=thread_messages[-1].created)
    return {"messages": thread_messages, "unread_ids": unread, "form": form or AgentMessageForm()}


@require_POST
def send(request: HttpRequest, reference: str) -> HttpResponse:
    """« Envoyer »: an agent of the service writes to the applicant (any status but draft, even
    during a complement: writing is not acting on the dossier)."""
    from backoffice import views  # views imports this module for the review screen's context

    dossier = views._agent_dossier(request, reference)
    form = AgentMessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = actions.send_message(
                dossier,
                acting_user=request.user,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except actions.InvalidInput as error:
            form.add_action_errors(error)
        except actions.ActionError as error:
            messages.error(request, error.message)
            return redirect("backoffice:review", reference=reference)
        else:
            messages.success(request, _("Votre message a été envoyé au demandeur."))
            return redirect(reverse("backoffice:review", args=[reference]) + f"#message-{message.pk}")
    return views.review(request, reference, forms={"message": form})


@require_GET
def attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    from backoffice import views

    return attachment_response(views._agent_dossier(request, reference), pk)
