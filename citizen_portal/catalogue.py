"""Citizen pages: home, catalogue of téléservices, fiche and « Déposer un dossier »."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from instruction import actions
from instruction.models import Teleservice
from permissions import access


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and access.instructed_teleservice_ids(request.user):
        return redirect("backoffice:queue")
    return render(request, "citizen_portal/home.html")


@login_not_required
def catalogue(request: HttpRequest) -> HttpResponse:
    teleservices = [t for t in Teleservice.objects.filter(published=True).order_by("category", "title") if t.is_open()]
    return render(request, "citizen_portal/catalogue.html", {"teleservices": teleservices})


@login_not_required
def teleservice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    teleservice = get_object_or_404(Teleservice, slug=slug, published=True)
    return render(request, "citizen_portal/teleservice.html", {"teleservice": teleservice})


@require_POST
def start_dossier(request: HttpRequest, slug: str) -> HttpResponse:
    teleservice = get_object_or_404(Teleservice, slug=slug, published=True)
    try:
        dossier = actions.create_draft(teleservice, acting_user=request.user)
    except actions.ActionError as error:
        messages.error(request, error.message)
        return redirect("citizen:teleservice", slug=slug)
    return redirect("citizen:edit", reference=dossier.reference)
