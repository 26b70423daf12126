"""Agents' pages: the review screen and its actions (the lists are in backoffice/lists.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as forms_module
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backoffice.correction import correction_context, correction_form, posted_field
from backoffice.expert_panel import FORM_KEY as EXPERT_FORM_KEY
from backoffice.expert_panel import expert_panel
from backoffice.forms import ComplementForm, DecisionForm, RankForm, SendBackForm, VisitForm, VisitReportForm
from backoffice.messaging import thread_context
from config.db import stick_to_primary
from instruction import actions
from instruction.actions.correct import correct_field
from instruction.audit import log_consultation
from instruction.forms import form_for
from instruction.models import Dossier, DossierStatus
from permissions import access

PAGE_SIZE = 50


def _instructed(request: HttpRequest, *, outsider: type[Exception] = PermissionDenied) -> QuerySet[Dossier]:
    ids = access.instructed_teleservice_ids(request.user)
    if not ids:
        raise outsider(_("Cet espace est réservé aux agents instructeurs."))
    return Dossier.objects.filter(teleservice_id__in=ids).exclude(status=DossierStatus.DRAFT)


def _agent_dossier(request: HttpRequest, reference: str) -> Dossier:
    """The agent's side of the one lookup: 404 unless the dossier belongs to a téléservice the
    user instructs (drafts never show here). Whoever is not an agent at all gets a 404 too: an
    object URL never tells a citizen whether the dossier exists."""
    dossier = access.get_dossier_for(request.user, reference, _instructed(request, outsider=access.NotVisible))
    if not access.may_open(request.user, dossier, "review"):
        raise access.NotVisible
    return dossier


def review(request: HttpRequest, reference: str, forms: dict[str, Any] | None = None) -> HttpResponse:
    """The review screen: the dossier's data, the beneficiary, the documents with their preview,
    the computed amount, the actions, the thread, the history and the decision letter. Its number
    of queries does not grow with the documents, messages or events (tests/backoffice)."""
    dossier = _agent_dossier(request, reference)
    log_consultation(request.user, dossier)  # the audit trail: two queries (instruction/audit.py)
    form = form_for(dossier)(data=dossier.data, dossier=dossier)
    amount = form.amount()
    forms = forms or {}
    decision_form = forms.get("decide") or DecisionForm(
        initial={"amount": amount.value if amount and amount.eligible else ""}, dossier=dossier
    )
    can = access.abilities(request.user, dossier)
    context = {
        "dossier": dossier,
        "rows": form.summary(exclude=form.blocks),
        "block_groups": form.block_groups(),
        "amount": amount,
        "beneficiary": dossier.beneficiary,
        "foyer": dossier.foyer if dossier.foyer_id else None,
        "organisme": dossier.organisme if dossier.organisme_id else None,
        "events": dossier.events.select_related("actor").order_by("created", "pk"),
        "letters": list(dossier.letters.order_by("created", "pk")),
        "can": can,
        "decision_form": decision_form,
        "complement_form": forms.get("request_complement") or ComplementForm(dossier=dossier),
        "send_back_form": forms.get("send_back_decision") or SendBackForm(),
        "visit_form": forms.get("schedule_visit") or VisitForm(),
        "report_form": forms.get("report_visit") or VisitReportForm(),
        "rank_form": forms.get("rank") or RankForm(),
        "proposed_label": DossierStatus(dossier.proposed_outcome).label if dossier.proposed_outcome else "",
        "correction": correction_context(request, dossier, form, forms.get("correct_field"))
        if can["correct_field"]
        else None,
        "thread": thread_context(request, dossier, forms.get("message")),
        "experts": expert_panel(dossier, can, forms.get(EXPERT_FORM_KEY)),
    }
    return render(request, "backoffice/review.html", context, status=400 if forms else 200)


def _complement_form(request: HttpRequest, dossier: Dossier) -> forms_module.Form | None:
    return ComplementForm(request.POST, dossier=dossier)


def _send_back_form(request: HttpRequest, dossier: Dossier) -> forms_module.Form | None:
    return SendBackForm(request.POST)


def _decision_form(request: HttpRequest, dossier: Dossier) -> forms_module.Form | None:
    return DecisionForm(request.POST, dossier=dossier)


def _visit_form(request: HttpRequest, dossier: Dossier) -> forms_module.Form | None:
    return VisitForm(request.POST)


def _report_form(request: HttpRequest, dossier: Dossier) -> forms_module.Form | None:
    return VisitReportForm(request.POST)


def _rank_form(request: HttpRequest, dossier: Dossier) -> forms_module.Form | None:
    return RankForm(request.POST)


def _correction_form(request: HttpRequest, dossier: Dossier) -> forms_module.Form | None:
    dossier_form = form_for(dossier)(data=dossier.data, dossier=dossier)
    return correction_form(dossier_form, posted_field(request), request.POST)


FormFactory = Callable[[HttpRequest, Dossier], forms_module.Form | None]
# slug of the URL → (action, the form of its input, or None when it takes none)
ACTIONS: dict[str, tuple[str, FormFactory | None]] = {
    "prendre": ("take", None),
    "liberer": ("release", None),
    "complement": ("request_complement", _complement_form),
    "decider": ("decide", _decision_form),
    "corriger": ("correct_field", _correction_form),
    "valider": ("validate_decision", None),
    "renvoyer": ("send_back_decision", _send_back_form),
    "programmer-visite": ("schedule_visit", _visit_form),
    "compte-rendu": ("report_visit", _report_form),
    "classer": ("rank", _rank_form),
}
ACTION_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "take": actions.take,
    "release": actions.release,
    "request_complement": actions.request_complement,
    "decide": actions.decide,
    "correct_field": correct_field,
    "validate_decision": actions.validate_decision,
    "send_back_decision": actions.send_back_decision,
    "schedule_visit": actions.schedule_visit,
    "report_visit": actions.report_visit,
    "rank": actions.rank,
}
DONE_MESSAGES = {
    "take": gettext_lazy("Vous avez pris en charge le dossier."),
    "release": gettext_lazy("Le dossier est remis dans la file « À traiter »."),
    "request_complement": gettext_lazy("Le dossier est renvoyé au demandeur pour complément d'information."),
    "decide": gettext_lazy("La décision est enregistrée et le demandeur en est informé."),
    "correct_field": gettext_lazy("La donnée est corrigée et le demandeur en est informé."),
    "validate_decision": gettext_lazy("La décision est validée et le demandeur en est informé."),
    "send_back_decision": gettext_lazy("La décision n'est pas validée : le dossier revient à l'agent."),
    "schedule_visit": gettext_lazy("La visite du jury est programmée et la commune en est informée."),
    "report_visit": gettext_lazy("Le compte rendu de la visite est enregistré : la commune attend son classement."),
    "rank": gettext_lazy("Le classement est enregistré et la commune en est informée."),
}
# Where the agent goes next: back to the dossier while working on it, else to a list.
NEXT_PAGES = {
    "take": "review",
    "correct_field": "review",
    "schedule_visit": "review",
    "report_visit": "review",
    "release": "queue",
    "validate_decision": "to_validate",
    "send_back_decision": "to_validate",
}


@require_POST
def act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    name, form_factory = ACTIONS[action]
    dossier = _agent_dossier(request, reference)
    # A role that may not act gets its 403 before its input is looked at (as in the API), not a form error.
    access.check(request.user, dossier, name)
    kwargs: dict[str, Any] = {}
    form = None
    if form_factory is not None:
        form = form_factory(request, dossier)
        if form is None:
            # A field that cannot be corrected (any more): choose again.
            messages.error(request, _("Choisissez une donnée du formulaire à corriger."))
            return redirect(reverse("backoffice:review", args=[reference]) + "#correction")
        if not form.is_valid():
            return review(request, reference, forms={name: form})
        kwargs = form.cleaned_data
    try:
        ACTION_FUNCTIONS[name](dossier, acting_user=request.user, **kwargs)
    except actions.InvalidInput as error:
        form = form or forms_module.Form()
        for field, errors in error.errors.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        return review(request, reference, forms={name: form})
    except actions.ActionError as error:
        messages.error(request, error.message)
        return redirect("backoffice:review", reference=reference)
    done = str(DONE_MESSAGES[name])
    if dossier.status == DossierStatus.AWAITING_VALIDATION:
        done = _("La décision est proposée : elle attend la validation d'un superviseur.")
    messages.success(request, done)
    next_page = NEXT_PAGES.get(name, "my_tasks")
    if next_page == "review":
        return redirect("backoffice:review", reference=reference)
    # A list next, maybe read from the replica: this browser's lists read default for a few seconds.
    return stick_to_primary(redirect(f"backoffice:{next_page}"))
