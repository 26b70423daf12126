from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from instruction.actions.base import InvalidInput, ensure_allowed, fire, locked_dossier, record
from instruction.actions.transmit import transmitted_snapshot, validate_for_transmission
from instruction.models import Dossier
from instruction.notifications import notify_complement_requested
from instruction.search import refresh_search_vector
from workflows import engine


def request_complement(dossier: Dossier, *, acting_user: Any, message: str) -> Dossier:
    """« Demander un complément »: the dossier goes back to the applicant; agents wait."""
    message = (message or "").strip()
    if not message:
        raise InvalidInput({"message": [_("Indiquez au demandeur ce qu'il doit compléter.")]})
    with locked_dossier(dossier, acting_user=acting_user, action="request_complement") as locked:
        before = fire(locked, locked.request_complement)
        engine.send_back_for_complement(locked)
        locked.save()
        record(locked, acting_user=acting_user, action="request_complement", before=before, message=message)
        notify_complement_requested(locked, message)
    return dossier


def answer_complement(dossier: Dossier, *, acting_user: Any) -> Dossier:
    """The applicant transmits the completed dossier again; it returns to the service queue."""
    with locked_dossier(dossier, acting_user=acting_user, action="answer_complement") as locked:
        ensure_allowed(locked, locked.answer_complement)
        locked.data = validate_for_transmission(locked)
        before = fire(locked, locked.answer_complement)
        previous = locked.assignee_id
        engine.complete_complement(locked)
        locked.assignee = None
        locked.save()
        refresh_search_vector([locked.pk])
        record(
            locked,
            acting_user=acting_user,
            action="answer_complement",
            before=before,
            previous_assignee=previous,
            **transmitted_snapshot(locked),
        )
    return dossier
