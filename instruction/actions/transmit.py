from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from instruction.actions.base import ActionError, InvalidInput, ensure_allowed, fire, locked_dossier, record
from instruction.documents import missing_documents
from instruction.forms import form_for
from instruction.models import Dossier
from instruction.notifications import notify_transmission
from instruction.search import refresh_search_vector
from instruction.versions import pin_version
from workflows import engine


def validate_for_transmission(dossier: Dossier) -> dict[str, Any]:
    """The cleaned data, or InvalidInput naming every faulty field and every missing document."""
    form = form_for(dossier)(data=dossier.data, dossier=dossier)
    errors = {} if form.is_valid() else {field: [str(m) for m in msgs] for field, msgs in form.errors.items()}
    errors.update(missing_documents(dossier))
    if errors:
        raise InvalidInput(errors)
    return form.stored_data()


def transmitted_snapshot(dossier: Dossier) -> dict[str, Any]:
    """What was sent, kept in the audit event: the receipt is rendered from it, and files
    removed during a later complement stay on record."""
    member = dossier.beneficiary
    return {
        "data": dossier.data,
        "beneficiary": member
        and {
            "civility": member.civility,
            "last_name": member.last_name,
            "first_name": member.first_name,
            "birth_date": member.birth_date.isoformat(),
            "link": member.link,
        },
        "files": [
            {"document": f.document, "name": f.original_name, "size": f.size}
            for f in dossier.files.order_by("document", "created", "pk")
        ],
    }


def transmit(dossier: Dossier, *, acting_user: Any) -> Dossier:
    """The applicant transmits a draft: it goes to the instructing service's queue."""
    with locked_dossier(dossier, acting_user=acting_user, action="transmit") as locked:
        ensure_allowed(locked, locked.transmit)
        if not locked.teleservice.is_open():
            raise ActionError(locked.teleservice.closed_message())
        cleaned = validate_for_transmission(locked)
        pin_version(locked)  # the dossier keeps the documents and form it was validated with
        before = fire(locked, locked.transmit)
        locked.data = cleaned
        locked.transmitted_at = timezone.now()
        locked.deadline = timezone.localdate() + dt.timedelta(days=locked.teleservice.processing_days)
        locked.service_id = locked.teleservice.instructing_service_id
        engine.start(locked)
        locked.save()
        refresh_search_vector([locked.pk])
        record(locked, acting_user=acting_user, action="transmit", before=before, **transmitted_snapshot(locked))
        notify_transmission(locked)
    return dossier
