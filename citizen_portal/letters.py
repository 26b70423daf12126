"""The applicant's download of the decision letter (the PDF e-mailed with the decision)."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from citizen_portal.dossiers import _own_dossier
from instruction.letters import letter_response
from instruction.models import DecisionLetter


@require_GET
def decision_letter(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    """« Lettre de décision »: for the applicant (and the members of their organisme); 404 for
    anyone else, as for every object URL."""
    dossier = _own_dossier(request, reference)
    return letter_response(dossier, DecisionLetter.objects.filter(dossier=dossier, pk=pk).first())
