"""What the latest « Demander un complément » asked for, as the applicant's pages and the
check at the new transmission read it: the message, the deadline and the documents for which a
new file is expected (a file added after the request)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from instruction.documents import DocumentSpec, spec_for

if TYPE_CHECKING:
    from instruction.models import Dossier, Event


@dataclass
class ComplementRequest:
    event: Event
    documents: list[DocumentSpec] = field(default_factory=list)

    @property
    def message(self) -> str:
        return str(self.event.details.get("message", ""))


def current_request(dossier: Dossier) -> ComplementRequest | None:
    """The request the applicant is answering (None unless the dossier awaits a complement).
    Kept on the instance while its status and last save are unchanged: a page reads it for its
    panel and again through ``missing_documents``."""
    if dossier.status != "complement_requested":
        return None
    key = (dossier.status, dossier.updated)
    cached = dossier.__dict__.get("_complement_request")
    if cached is not None and cached[0] == key:
        return cached[1]
    event = dossier.events.filter(action="request_complement").order_by("-created", "-pk").first()
    found = None
    if event is not None:
        specs = [spec_for(dossier, code) for code in event.details.get("documents", [])]
        found = ComplementRequest(event=event, documents=[spec for spec in specs if spec is not None])
    dossier.__dict__["_complement_request"] = (key, found)
    return found


def unanswered_documents(dossier: Dossier) -> dict[str, list[str]]:
    """Errors (keyed by the documents' input names) for requested documents with no new file."""
    request = current_request(dossier)
    if request is None or not request.documents:
        return {}
    renewed = set(
        dossier.files.filter(created__gt=request.event.created, document__in=[s.code for s in request.documents])
        .values_list("document", flat=True)
        .distinct()
    )
    return {
        spec.input_name: [
            _("Ajoutez un nouveau fichier pour la pièce « %(label)s » : le service instructeur l'a demandée.")
            % {"label": spec.label}
        ]
        for spec in request.documents
        if spec.code not in renewed
    }
