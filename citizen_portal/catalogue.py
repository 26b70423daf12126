"""Citizen pages: home, catalogue of téléservices, fiche and « Déposer un dossier »."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from citizen_portal.spaces.active import (
    FOYER_KEY,
    PENDING_INVITATION_KEY,
    activate,
    active_space,
    filing_for,
    organisme_key,
    spaces_of,
)
from instruction import actions
from instruction.documents import specs_for
from instruction.models import Audience, Organisme, Teleservice
from permissions import access

AUDIENCE_HEADINGS = {
    Audience.FOYER: gettext_lazy("Pour les familles — depuis votre espace foyer"),
    Audience.ORGANISME: gettext_lazy("Pour les organismes — depuis votre espace organisme"),
}
# The catalogue's filter, as the space tiles link to it: ?espace=foyer or ?espace=organisme.
AUDIENCE_PARAM = "espace"


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and access.instructed_teleservice_ids(request.user):
        return redirect("backoffice:queue")
    spaces = spaces_of(request)
    context = {
        "spaces": spaces,
        "active": active_space(request),
        "has_foyer": any(space.kind == Audience.FOYER for space in spaces),
        "pending_invitation": request.session.get(PENDING_INVITATION_KEY, "") if request.user.is_authenticated else "",
    }
    return render(request, "citizen_portal/home.html", context)


@dataclass
class Category:
    name: str
    teleservices: list[Teleservice] = field(default_factory=list)


@dataclass
class AudienceGroup:
    audience: str
    heading: str
    categories: list[Category] = field(default_factory=list)


def _grouped(teleservices: list[Teleservice]) -> list[AudienceGroup]:
    """Audience, then category, then title: the seed's « catégorie Palmarès » is a heading."""
    groups: list[AudienceGroup] = []
    for audience in (Audience.FOYER, Audience.ORGANISME):
        group = AudienceGroup(audience, str(AUDIENCE_HEADINGS[audience]))
        by_category: dict[str, Category] = {}
        for teleservice in teleservices:
            if teleservice.audience != audience:
                continue
            name = teleservice.category or _("Autres téléservices")
            by_category.setdefault(name, Category(name)).teleservices.append(teleservice)
        group.categories = sorted(by_category.values(), key=lambda c: c.name.lower())
        if group.categories:
            groups.append(group)
    return groups


@login_not_required
def catalogue(request: HttpRequest) -> HttpResponse:
    audience = request.GET.get(AUDIENCE_PARAM, "")
    if audience not in Audience.values:
        audience = ""  # an unknown filter shows the whole catalogue rather than an error
    teleservices = [t for t in Teleservice.objects.filter(published=True).order_by("category", "title") if t.is_open()]
    if audience:
        teleservices = [t for t in teleservices if t.audience == audience]
    context = {
        "groups": _grouped(teleservices),
        "audience": audience,
        "audience_label": Audience(audience).label if audience else "",
    }
    return render(request, "citizen_portal/catalogue.html", context)


def _documents(teleservice: Teleservice) -> list[dict[str, Any]]:
    """The supporting documents the téléservice's form asks for, if it declares them."""
    documents = specs_for(teleservice)
    shown = []
    for document in documents:
        shown.append(
            {
                "label": str(getattr(document, "label", document)),
                "help": str(getattr(document, "help", "") or ""),
                "condition": str(getattr(document, "condition_note", "") or ""),
                "required": bool(getattr(document, "required", True)),
            }
        )
    return shown


@login_not_required
def teleservice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    teleservice = get_object_or_404(Teleservice, slug=slug, published=True)
    context = {
        "teleservice": teleservice,
        "documents": _documents(teleservice),
        "filing": filing_for(request, teleservice),
    }
    return render(request, "citizen_portal/teleservice.html", context)


@require_POST
def start_dossier(request: HttpRequest, slug: str) -> HttpResponse:
    """« Déposer un dossier » on the fiche: a draft filed from the active space."""
    teleservice = get_object_or_404(Teleservice, slug=slug, published=True)
    filing = filing_for(request, teleservice)
    organisme = None
    if filing.space is not None and filing.space.organisme_id is not None:
        organisme = Organisme.objects.get(pk=filing.space.organisme_id)
    try:
        dossier = actions.create_draft(teleservice, acting_user=request.user, organisme=organisme)
    except actions.AlreadyFiled as error:
        messages.error(request, error.message)
        return redirect("citizen:dossier", reference=error.dossier.reference)
    except actions.ActionError as error:
        messages.error(request, error.message)
        return redirect("citizen:teleservice", slug=slug)
    # The header then shows the space the new dossier belongs to.
    activate(request, organisme_key(organisme) if organisme is not None else FOYER_KEY)
    return redirect("citizen:edit", reference=dossier.reference)
