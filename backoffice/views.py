"""Agents' pages: the service queue, my tasks, the review screen and its actions."""

from __future__ import annotations

from typing import Any

from django import forms as forms_module
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backoffice.forms import ComplementForm, DecisionForm
from backoffice.messaging import thread_context
from instruction import actions
from instruction.forms import form_for
from instruction.models import Dossier, DossierStatus
from permissions import access

PAGE_SIZE = 50


def _instructed(request: HttpRequest, *, outsider: type[Exception] = PermissionDenied) -> QuerySet[Dossier]:
    ids = access.instructed_teleservice_ids(request.user)
    if not ids:
        raise outsider(_("Cet espace est réservé aux agents instructeurs."))
    return Dossier.objects.filter(teleservice_id__in=ids).exclude(status=DossierStatus.DRAFT)


def _task_list(request: HttpRequest, qs: QuerySet[Dossier], tab: str) -> HttpResponse:
    base = _instructed(request)
    counts = base.aggregate(
        queue=Count("pk", filter=Q(status=DossierStatus.TRANSMITTED, assignee__isnull=True)),
        mine=Count("pk", filter=Q(assignee=request.user, status=DossierStatus.IN_INSTRUCTION)),
    )
    page = Paginator(
        qs.select_related("teleservice", "applicant", "beneficiary").order_by("deadline", "reference"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "backoffice/task_list.html", {"page": page, "tab": tab, "counts": counts})


def queue(request: HttpRequest) -> HttpResponse:
    """« À traiter »: the unassigned dossiers of my services."""
    qs = _instructed(request).filter(status=DossierStatus.TRANSMITTED, assignee__isnull=True)
    return _task_list(request, qs, "queue")


def my_tasks(request: HttpRequest) -> HttpResponse:
    """« Mes tâches »: the dossiers I am in charge of."""
    qs = _instructed(request).filter(assignee=request.user, status=DossierStatus.IN_INSTRUCTION)
    return _task_list(request, qs, "mine")


def _agent_dossier(request: HttpRequest, reference: str) -> Dossier:
    """The agent's side of the one lookup: 404 unless the dossier belongs to a téléservice the
    user instructs (drafts never show here). Whoever is not an agent at all gets a 404 too: an
    object URL never tells a citizen whether the dossier exists."""
    dossier = access.get_dossier_for(request.user, reference, _instructed(request, outsider=access.NotVisible))
    if access.AGENT not in access.roles(request.user, dossier):
        raise access.NotVisible
    return dossier


def review(request: HttpRequest, reference: str, forms: dict[str, Any] | None = None) -> HttpResponse:
    dossier = _agent_dossier(request, reference)
    form = form_for(dossier.teleservice)(data=dossier.data, dossier=dossier)
    amount = form.amount() if hasattr(form, "amount") else None
    forms = forms or {}
    decision_form = forms.get("decide") or DecisionForm(
        initial={"amount": amount.value if amount and amount.eligible else ""}
    )
    context = {
        "dossier": dossier,
        "rows": form.summary(),
        "amount": amount,
        "events": dossier.events.select_related("actor").order_by("created", "pk"),
        "can": access.abilities(request.user, dossier),
        "decision_form": decision_form,
        "complement_form": forms.get("request_complement") or ComplementForm(),
        "thread": thread_context(request, dossier, forms.get("message")),
    }
    return render(request, "backoffice/review.html", context, status=400 if forms else 200)


ACTIONS = {
    "prendre": ("take", None),
    "liberer": ("release", None),
    "complement": ("request_complement", ComplementForm),
    "decider": ("decide", DecisionForm),
}
DONE_MESSAGES = {
    "take": gettext_lazy("Vous avez pris en charge le dossier."),
    "release": gettext_lazy("Le dossier est remis dans la file « À traiter »."),
    "request_complement": gettext_lazy("Le dossier est renvoyé au demandeur pour complément d'information."),
    "decide": gettext_lazy("La décision est enregistrée et le demandeur en est informé."),
}


@require_POST
def act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    name, form_class = ACTIONS[action]
    dossier = _agent_dossier(request, reference)
    kwargs: dict[str, Any] = {}
    form = None
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            return review(request, reference, forms={name: form})
        kwargs = form.cleaned_data
    try:
        getattr(actions, name)(dossier, acting_user=request.user, **kwargs)
    except actions.InvalidInput as error:
        form = form or forms_module.Form()
        for field, errors in error.errors.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        return review(request, reference, forms={name: form})
    except actions.ActionError as error:
        messages.error(request, error.message)
        return redirect("backoffice:review", reference=reference)
    messages.success(request, str(DONE_MESSAGES[name]))
    if name == "take":
        return redirect("backoffice:review", reference=reference)
    return redirect("backoffice:my_tasks" if name != "release" else "backoffice:queue")
