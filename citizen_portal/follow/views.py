"""Citizen pages: following one's dossiers (« Demandes ») and their messages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from instruction.models import Dossier


def dossier_list(request: HttpRequest) -> HttpResponse:
    dossiers = Dossier.objects.filter(applicant=request.user).select_related("teleservice").order_by("-created")
    return render(request, "citizen_portal/dossier_list.html", {"dossiers": dossiers})
