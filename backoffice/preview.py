"""The review screen's inline preview of supporting documents, and the agents' download of the
decision letter. Both go through the same lookup as the review screen: agents of the dossier's
service only, 404 for everyone else.

A preview is a file the applicant uploaded, shown in a frame of the review screen. It is served
with the type found when its content was checked (PDF, JPEG or PNG only, never sniffed) and a
Content-Security-Policy that sandboxes it (an opaque origin: a hostile PDF cannot script the site)
and gives it no script, no connection, no resource but its own. Measured with Debian's Chromium
156: its PDF viewer shows the document under this policy (older Chrome releases refused to start
the viewer in a sandboxed document; the download link stays next to every preview). The frame is
allowed from this site only (X-Frame-Options: SAMEORIGIN and frame-ancestors 'self'); everything
else keeps the site's DENY.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from backoffice.views import _agent_dossier
from instruction.files import ensure_openable, inline_file_response
from instruction.letters import letter_response
from instruction.models import DecisionLetter, DossierFile

PDF = "application/pdf"
IMAGES = ("image/jpeg", "image/png")
PREVIEWABLE = (PDF, *IMAGES)

POLICY = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"


def is_previewable(stored: DossierFile) -> bool:
    return stored.content_type in PREVIEWABLE


@require_GET
@xframe_options_sameorigin
def file_preview(request: HttpRequest, reference: str, file_id: int) -> FileResponse:
    """One supporting document, inline (« Aperçu »)."""
    dossier = _agent_dossier(request, reference)
    stored = DossierFile.objects.filter(dossier=dossier, pk=file_id).first()
    if stored is None or not is_previewable(stored):
        raise Http404
    ensure_openable(stored)  # not before the antivirus has cleared it
    # Streamed from this site even when files live in S3: the sandbox below is this response's.
    response = inline_file_response(stored.file, filename=stored.original_name, content_type=stored.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = POLICY
    return response


@require_GET
def decision_letter(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    """« Lettre de décision »: the PDF sent to the applicant, as stored."""
    dossier = _agent_dossier(request, reference)
    return letter_response(dossier, DecisionLetter.objects.filter(dossier=dossier, pk=pk).first())
