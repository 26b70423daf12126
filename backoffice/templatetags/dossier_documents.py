"""``{% dossier_documents dossier as documents %}``: a dossier's supporting documents with their
files, for partials that are included in pages whose views do not compute them."""

from __future__ import annotations

from django import template

from instruction.documents import DocumentState, document_states
from instruction.models import Dossier

register = template.Library()


@register.simple_tag
def dossier_documents(dossier: Dossier) -> list[DocumentState]:
    return [state for state in document_states(dossier) if state.shown_on_recap]
