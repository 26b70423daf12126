"""« Fiche du téléservice »: what a téléservice asks and how its dossiers are instructed, with the
flow chart of its circuit, for the agents of its instructing service, its supervisors and the
administrators; a 404 for everyone else. And « Circuit du dossier »: the same chart for one
dossier, its steps done and current (a page of its own, linked from the review screen, so that
the review screen pays no query for it)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from backoffice.templatetags.flow_chart import chart_for, process_chart
from backoffice.views import _agent_dossier
from instruction.documents import specs_for
from instruction.models import Teleservice
from permissions import access

VIEW_PERMISSION = "instruction.view_teleservice"


def _is_administrator(user: Any) -> bool:
    """Whoever may see the téléservices in the administration (staff with the model permission)."""
    return bool(user.is_authenticated and user.is_staff and user.has_perm(VIEW_PERMISSION))


def _visible(user: Any) -> QuerySet[Teleservice]:
    teleservices = Teleservice.objects.select_related("instructing_service")
    if _is_administrator(user):
        return teleservices
    return teleservices.filter(pk__in=access.instructed_teleservice_ids(user))


def teleservice_list(request: HttpRequest) -> HttpResponse:
    """The téléservices the user instructs or supervises (all of them for an administrator)."""
    teleservices = list(_visible(request.user))
    if not teleservices and not _is_administrator(request.user):
        raise PermissionDenied(_("Cet espace est réservé aux agents instructeurs."))
    return render(request, "backoffice/teleservice_list.html", {"teleservices": teleservices})


def teleservice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        teleservice = _visible(request.user).get(slug=slug)
    except Teleservice.DoesNotExist:
        raise Http404 from None
    context = {
        "teleservice": teleservice,
        "is_open": teleservice.is_open(),
        "closed_message": "" if teleservice.is_open() else teleservice.closed_message(),
        # The current version's list, as edited in the administration (instruction/versions.py).
        "documents": list(specs_for(teleservice)),
        "chart": chart_for(teleservice.flow_class_path),
        "can_edit": request.user.is_staff and request.user.has_perm("instruction.change_teleservice"),
    }
    return render(request, "backoffice/teleservice_detail.html", context)


def dossier_chart(request: HttpRequest, reference: str) -> HttpResponse:
    """For the agents who may open the dossier's review screen; a 404 for everyone else."""
    dossier = _agent_dossier(request, reference)
    chart = process_chart(dossier.process_id) if dossier.process_id else None
    return render(request, "backoffice/teleservice_dossier_chart.html", {"dossier": dossier, "chart": chart})
