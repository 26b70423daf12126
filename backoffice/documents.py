"""Agents' download of a dossier's files (never a draft's: drafts are not in the back office)."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from backoffice.views import _agent_dossier
from instruction.files import private_file_response
from instruction.models import DossierFile


@require_GET
def file_download(request: HttpRequest, reference: str, file_id: int) -> HttpResponseBase:
    dossier = _agent_dossier(request, reference)
    return private_file_response(DossierFile.objects.filter(dossier=dossier, pk=file_id).first())
