"""Agents' download of a dossier's files (never a draft's: drafts are not in the back office)."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from backoffice.views import _agent_dossier
from instruction.models import DossierFile
from permissions import access


@require_GET
def file_download(request: HttpRequest, reference: str, file_id: int) -> FileResponse:
    dossier = _agent_dossier(request, reference)
    stored = DossierFile.objects.filter(dossier=dossier, pk=file_id).first()
    if stored is None:
        raise access.NotVisible
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise access.NotVisible from None
    # Always a download with the type found on upload: never rendered in the back office's origin.
    response = FileResponse(handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
