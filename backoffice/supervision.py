"""Supervisors' pages: « Attribuer » (one dossier or a selection), « Charge de l'équipe » with each
agent's dossiers and the queue, and « Mon service » (who the agents are).

Mounted under ``/instruction/equipe/`` by ``backoffice.urls``. List pages answer 403 to whoever
is not a supervisor; object pages (a dossier, an agent, a service) answer 404 to whoever may not
see the object, as everywhere else in the back office."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backoffice import dashboard
from backoffice.views import _agent_dossier, _instructed
from config.db import stick_to_primary
from instruction import actions
from instruction.actions.assign import HELD_STATUSES, REASON_MAX_LENGTH, service_agents
from instruction.models import Dossier, DossierStatus, Teleservice
from permissions import access
from permissions.models import InstructingService, User

S = DossierStatus
PAGE_SIZE = 50


def agent_label(first_name: str, last_name: str, email: str) -> str:
    name = f"{first_name} {last_name}".strip()
    return f"{name} ({email})" if name else email


# --- Forms ------------------------------------------------------------------------------------
class _ReasonMixin(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Il est gardé dans l'historique du dossier."),
    )


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return agent_label(obj.first_name, obj.last_name, obj.email)


class AssignForm(_ReasonMixin):
    """« Attribuer » one dossier: an agent of its service (not the one already in charge)."""

    agent = AgentChoiceField(
        label=gettext_lazy("Agent"), queryset=User.objects.none(), empty_label=gettext_lazy("— Choisir un agent —")
    )
    field_order = ["agent", "reason"]

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)
        agents = service_agents(dossier.teleservice.instructing_service_id)
        if dossier.assignee_id is not None:
            agents = agents.exclude(pk=dossier.assignee_id)
        self.fields["agent"].queryset = agents  # type: ignore[attr-defined]


def supervised_agent_choices(user: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """The agents of every service ``user`` supervises, grouped by service, in one query."""
    rows = (
        InstructingService.objects.filter(supervisors=user, group__user__is_active=True)
        .order_by("name", "group__user__last_name", "group__user__first_name", "group__user__email")
        .values_list(
            "name", "group__user__pk", "group__user__first_name", "group__user__last_name", "group__user__email"
        )
    )
    grouped: dict[str, list[tuple[str, str]]] = {}
    for service, pk, first_name, last_name, email in rows:
        grouped.setdefault(service, []).append((str(pk), agent_label(first_name, last_name, email)))
    return list(grouped.items())


class BulkAssignForm(_ReasonMixin):
    """« Attribuer la sélection »: the agent is chosen among the agents of the supervisor's
    services; each dossier then checks that the agent belongs to its own service."""

    # Included inside other pages' forms (the lists' filters): no browser-side "required" that
    # would block their other buttons; the server checks everything.
    use_required_attribute = False
    agent = forms.TypedChoiceField(label=gettext_lazy("Agent"), coerce=int)
    field_order = ["agent", "reason"]

    def __init__(self, *args: Any, supervisor: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "bulk")
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", _("— Choisir un agent —"))]
        self.fields["agent"].choices = choices + supervised_agent_choices(supervisor)  # type: ignore[attr-defined]

    def clean_agent(self) -> User:
        user = User.objects.filter(pk=self.cleaned_data["agent"]).first()
        if user is None:  # deleted since the page was shown
            raise forms.ValidationError(_("Sélectionnez un choix valide."))
        return user


class AddAgentForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Adresse électronique de l'agent"),
        help_text=gettext_lazy("La personne doit déjà avoir un compte."),
    )


# --- Who may come here --------------------------------------------------------------------------
def _supervised_services(request: HttpRequest) -> list[InstructingService]:
    """List pages: 403 for whoever is not an agent (as the other lists) or not a supervisor."""
    _instructed(request)
    services = list(InstructingService.objects.filter(supervisors=cast(User, request.user)).order_by("name"))
    if not services:
        raise PermissionDenied(_("Cette page est réservée aux superviseurs d'un service instructeur."))
    return services


def _supervised_service(request: HttpRequest, pk: int) -> InstructingService:
    """Object pages of a service: 404 unless the user supervises it."""
    service = InstructingService.objects.filter(pk=pk, supervisors=cast(User, request.user)).first()
    if service is None or not request.user.is_active:
        raise access.NotVisible
    return service


def _next_url(request: HttpRequest, value: str | None, default: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, require_https=request.is_secure()):
        return value
    return default


# --- « Attribuer » one dossier --------------------------------------------------------------
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    """The form of the review screen, on a page of its own when it needs correcting (or without it)."""
    dossier = _agent_dossier(request, reference)
    if access.SUPERVISOR not in access.roles(request.user, dossier):
        raise PermissionDenied(_("Seul un superviseur du service peut attribuer ce dossier."))
    review_url = reverse("backoffice:review", args=[dossier.reference])
    next_url = _next_url(request, request.POST.get("next") or request.GET.get("next"), review_url)
    form = AssignForm(request.POST if request.method == "POST" else None, dossier=dossier)
    if request.method == "POST" and form.is_valid():
        agent = form.cleaned_data["agent"]
        try:
            actions.assign(dossier, acting_user=request.user, agent=agent, reason=form.cleaned_data["reason"])
        except actions.InvalidInput as error:
            for name, errors in error.errors.items():
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        except actions.ActionError as error:
            messages.error(request, error.message)
            return redirect(review_url)
        else:
            messages.success(
                request,
                _("Le dossier %(ref)s est attribué à %(agent)s.") % {"ref": dossier.reference, "agent": agent},
            )
            return stick_to_primary(redirect(next_url))  # ``next`` may be a list (config/db.py)
    context = {
        "dossier": dossier,
        "form": form,
        "next": next_url,
        "allowed": access.abilities(request.user, dossier)["assign"],
    }
    return render(request, "backoffice/supervision/assign.html", context, status=400 if form.errors else 200)


# --- « Attribuer la sélection » ---------------------------------------------------------------
# A selection posted from a page (the action itself takes up to instruction.actions.assign.BULK_MAX):
# well under Django's DATA_UPLOAD_MAX_NUMBER_FIELDS.
PAGE_BULK_MAX = 200


@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    _supervised_services(request)
    references = list(dict.fromkeys(r.strip()[:50] for r in request.POST.getlist("dossiers") if r.strip()))
    form = BulkAssignForm(request.POST, supervisor=request.user)
    back = _next_url(request, request.POST.get("bulk-next"), reverse("backoffice:team"))
    if not references:
        form.add_error(None, _("Sélectionnez au moins un dossier."))
    elif len(references) > PAGE_BULK_MAX:
        form.add_error(None, _("Sélectionnez au plus %(max)d dossiers à la fois.") % {"max": PAGE_BULK_MAX})
    if not form.is_valid():
        context = {"form": form, "references": references[:PAGE_BULK_MAX], "back": back}
        return render(request, "backoffice/supervision/bulk_assign.html", context, status=400)
    agent = form.cleaned_data["agent"]
    outcomes = actions.bulk_assign(
        references, acting_user=request.user, agent=agent, reason=form.cleaned_data["reason"]
    )
    context = {
        "outcomes": outcomes,
        "agent": agent,
        "assigned": sum(1 for o in outcomes if o.assigned),
        "refused": sum(1 for o in outcomes if not o.assigned),
        "back": back,
    }
    return render(request, "backoffice/supervision/bulk_result.html", context)


# --- « Charge de l'équipe » ------------------------------------------------------------------
@dataclass
class AgentLoad:
    pk: int
    label: str
    member: bool = True
    held: int = 0
    in_complement: int = 0
    overdue: int = 0
    oldest: Any = None


@dataclass
class ServiceLoad:
    service: InstructingService
    queue: int = 0
    queue_overdue: int = 0
    queue_oldest: Any = None
    agents: dict[int, AgentLoad] = field(default_factory=dict)

    @property
    def rows(self) -> list[AgentLoad]:
        return sorted(self.agents.values(), key=lambda a: (not a.member, a.label.lower()))


def _members(service_ids: list[int]) -> QuerySet[User, tuple[Any, ...]]:
    return (
        User.objects.filter(groups__instructing_service__in=service_ids, is_active=True)
        .order_by()
        .values_list("groups__instructing_service", "pk", "first_name", "last_name", "email")
    )


def team_load(services: list[InstructingService]) -> list[ServiceLoad]:
    """Per service: the queue, and per agent the dossiers they hold. Three queries whatever the
    number of agents and dossiers: the members, then one aggregate grouped by service and assignee."""
    loads = {s.pk: ServiceLoad(s) for s in services}
    for service_id, pk, first_name, last_name, email in _members(list(loads)):
        loads[service_id].agents[pk] = AgentLoad(pk, agent_label(first_name, last_name, email))
    today = timezone.localdate()
    rows = (
        Dossier.objects.filter(service_id__in=list(loads), status__in=(S.TRANSMITTED, *HELD_STATUSES))
        .values("service_id", "assignee_id", "assignee__first_name", "assignee__last_name", "assignee__email")
        .annotate(
            total=Count("pk"),
            in_complement=Count("pk", filter=Q(status=S.COMPLEMENT_REQUESTED)),
            overdue=Count("pk", filter=Q(deadline__lt=today)),
            oldest=Min("transmitted_at"),
        )
        .order_by()
    )
    for row in rows:
        load = loads[row["service_id"]]
        if row["assignee_id"] is None:
            load.queue, load.queue_overdue, load.queue_oldest = row["total"], row["overdue"], row["oldest"]
            continue
        agent = load.agents.get(row["assignee_id"])
        if agent is None:  # no longer an agent of the service, yet still holding dossiers there
            label = agent_label(row["assignee__first_name"], row["assignee__last_name"], row["assignee__email"])
            agent = load.agents[row["assignee_id"]] = AgentLoad(row["assignee_id"], label, member=False)
        agent.held, agent.in_complement = row["total"], row["in_complement"]
        agent.overdue, agent.oldest = row["overdue"], row["oldest"]
    return [loads[s.pk] for s in services]


def team(request: HttpRequest) -> HttpResponse:
    services = _supervised_services(request)
    context = {"loads": team_load(services), "today": timezone.localdate()}
    return render(request, "backoffice/supervision/team.html", context)


def _dossier_page(request: HttpRequest, qs: QuerySet[Dossier]) -> Any:
    return Paginator(
        qs.select_related("teleservice", "applicant", "beneficiary", "assignee").order_by("deadline", "reference"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))


def team_agent(request: HttpRequest, pk: int) -> HttpResponse:
    """One agent's dossiers in the supervisor's services, to reassign some of them."""
    services = _supervised_services(request)
    ids = [s.pk for s in services]
    agent = User.objects.filter(
        Q(pk=pk) & (Q(groups__instructing_service__in=ids) | Q(assigned_dossiers__service_id__in=ids))
    ).first()
    if agent is None:
        raise access.NotVisible
    qs = Dossier.objects.filter(service_id__in=ids, assignee=agent, status__in=HELD_STATUSES)
    context = {"agent": agent, "page": _dossier_page(request, qs), "queue": False, "service_form": None}
    return render(request, "backoffice/supervision/dossiers.html", context)


class QueueFilterForm(forms.Form):
    service = forms.TypedChoiceField(label=gettext_lazy("Service"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, services: list[InstructingService], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", _("Tous mes services"))]
        self.fields["service"].choices = choices + [(s.pk, s.name) for s in services]  # type: ignore[attr-defined]


def team_queue(request: HttpRequest) -> HttpResponse:
    """The queue of the supervisor's services, to hand dossiers out."""
    services = _supervised_services(request)
    ids = [s.pk for s in services]
    form = QueueFilterForm(request.GET, services=services)
    valid = form.is_valid()
    if valid and form.cleaned_data["service"]:
        ids = [form.cleaned_data["service"]]
    qs = Dossier.objects.filter(service_id__in=ids, status=S.TRANSMITTED, assignee__isnull=True)
    context = {"agent": None, "page": _dossier_page(request, qs), "queue": True, "service_form": form}
    return render(request, "backoffice/supervision/dossiers.html", context, status=200 if valid else 400)


# --- « Mon service » -------------------------------------------------------------------------
def _service_page(
    request: HttpRequest, services: list[InstructingService], bound: tuple[int, AddAgentForm] | None = None
) -> HttpResponse:
    ids = [s.pk for s in services]
    members: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    for service_id, pk, first_name, last_name, email in _members(ids).order_by("last_name", "first_name", "email"):
        members[service_id].append({"pk": pk, "label": agent_label(first_name, last_name, email)})
    held = {
        (row["service_id"], row["assignee_id"]): row["total"]
        for row in Dossier.objects.filter(service_id__in=ids, status__in=HELD_STATUSES, assignee__isnull=False)
        .values("service_id", "assignee_id")
        .annotate(total=Count("pk"))
        .order_by()
    }
    teleservices: dict[int, list[str]] = {pk: [] for pk in ids}
    supervisors: dict[int, list[str]] = {pk: [] for pk in ids}
    for service_id, title in Teleservice.objects.filter(instructing_service_id__in=ids).values_list(
        "instructing_service_id", "title"
    ):
        teleservices[service_id].append(title)
    for service_id, first_name, last_name, email in InstructingService.supervisors.through.objects.filter(
        instructingservice_id__in=ids
    ).values_list("instructingservice_id", "user__first_name", "user__last_name", "user__email"):
        supervisors[service_id].append(agent_label(first_name, last_name, email))
    rows = []
    for service in services:
        for member in members[service.pk]:
            member["held"] = held.get((service.pk, member["pk"]), 0)
        form = bound[1] if bound and bound[0] == service.pk else AddAgentForm(prefix=f"service-{service.pk}")
        rows.append(
            {
                "service": service,
                "agents": members[service.pk],
                "teleservices": sorted(teleservices[service.pk]),
                "supervisors": sorted(supervisors[service.pk]),
                "form": form,
            }
        )
    return render(request, "backoffice/supervision/service.html", {"services": rows}, status=400 if bound else 200)


def my_service(request: HttpRequest) -> HttpResponse:
    return _service_page(request, _supervised_services(request))


@require_POST
def add_agent(request: HttpRequest, pk: int) -> HttpResponse:
    service = _supervised_service(request, pk)
    form = AddAgentForm(request.POST, prefix=f"service-{service.pk}")
    if form.is_valid():
        try:
            user = actions.add_agent(service, acting_user=request.user, email=form.cleaned_data["email"])
        except actions.InvalidInput as error:
            for message in error.errors.get("email", [error.message]):
                form.add_error("email", message)
        else:
            messages.success(
                request,
                _("%(agent)s est maintenant agent du service %(service)s.") % {"agent": user, "service": service},
            )
            return redirect(reverse("backoffice:my_service") + f"#service-{service.pk}")
    return _service_page(request, _supervised_services(request), bound=(service.pk, form))


@require_POST
def remove_agent(request: HttpRequest, pk: int, agent: int) -> HttpResponse:
    service = _supervised_service(request, pk)
    user = User.objects.filter(pk=agent, groups__instructing_service=service).first()
    if user is None:
        raise access.NotVisible
    try:
        actions.remove_agent(service, acting_user=request.user, agent=user)
    except actions.ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(agent)s ne fait plus partie du service %(service)s.") % {"agent": user, "service": service}
        )
    return redirect(reverse("backoffice:my_service") + f"#service-{service.pk}")


urlpatterns = [
    path("", team, name="team"),
    path("file/", team_queue, name="team_queue"),
    path("agents/<int:pk>/", team_agent, name="team_agent"),
    path("attribuer/", bulk_assign, name="bulk_assign"),
    path("dossiers/<str:reference>/attribuer/", assign, name="assign"),
    path("service/", my_service, name="my_service"),
    path("service/<int:pk>/ajouter/", add_agent, name="add_agent"),
    path("service/<int:pk>/retirer/<int:agent>/", remove_agent, name="remove_agent"),
    path("tableau-de-bord/", dashboard.dashboard, name="dashboard"),
]
