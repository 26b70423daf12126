from __future__ import annotations

from typing import Any

from instruction.actions.base import fire, locked_dossier, record
from instruction.models import Dossier
from workflows import engine


def take(dossier: Dossier, *, acting_user: Any) -> Dossier:
    """« Prendre en charge »: an agent of the service takes the dossier from the queue."""
    with locked_dossier(dossier, acting_user=acting_user, action="take") as locked:
        before = fire(locked, locked.take)
        engine.assign_review(locked, acting_user)
        locked.assignee = acting_user
        locked.save()
        record(locked, acting_user=acting_user, action="take", before=before)
    return dossier


def release(dossier: Dossier, *, acting_user: Any) -> Dossier:
    """The agent in charge (or a supervisor) puts the dossier back in the service queue."""
    with locked_dossier(dossier, acting_user=acting_user, action="release") as locked:
        before = fire(locked, locked.release)
        previous = locked.assignee_id
        engine.unassign_review(locked)
        locked.assignee = None
        locked.save()
        record(locked, acting_user=acting_user, action="release", before=before, previous_assignee=previous)
    return dossier
