from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from instruction.actions.base import InvalidInput, ensure_allowed, fire, locked_dossier, record
from instruction.forms import form_for
from instruction.models import Dossier
from instruction.notifications import notify_transmission
from workflows import engine


def validate_for_transmission(dossier: Dossier) -> dict[str, Any]:
    form = form_for(dossier.teleservice)(data=dossier.data, dossier=dossier)
    if not form.is_valid():
        raise InvalidInput({field: [str(m) for m in msgs] for field, msgs in form.errors.items()})
    return form.stored_data()


def transmit(dossier: Dossier, *, acting_user: Any) -> Dossier:
    """The applicant transmits a draft: it goes to the instructing service's queue."""
    with locked_dossier(dossier, acting_user=acting_user, action="transmit") as locked:
        ensure_allowed(locked, locked.transmit)
        cleaned = validate_for_transmission(locked)
        before = fire(locked, locked.transmit)
        locked.data = cleaned
        locked.transmitted_at = timezone.now()
        locked.deadline = timezone.localdate() + dt.timedelta(days=locked.teleservice.processing_days)
        locked.service_id = locked.teleservice.instructing_service_id
        engine.start(locked)
        locked.save()
        record(locked, acting_user=acting_user, action="transmit", before=before)
        notify_transmission(locked)
    return dossier
