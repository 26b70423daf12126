"""« Demander un complément », the applicant's answer, and what happens at the deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from instruction.actions.base import InvalidInput, ensure_allowed, fire, locked_dossier, record
from instruction.actions.transmit import transmitted_snapshot, validate_for_transmission
from instruction.documents import specs_for
from instruction.models import Dossier, DossierStatus
from instruction.models.teleservice import ComplementExpiry
from instruction.notifications import notify_complement_expired, notify_complement_reminder, notify_complement_requested
from instruction.search import refresh_search_vector
from permissions import access
from workflows import engine
from workflows.base import RETURNED

S = DossierStatus
MAX_COMPLEMENT_DAYS = 90
CLOSED_EXPIRY = "closed"


def default_complement_due(dossier: Dossier, today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(days=dossier.teleservice.complement_days)


def _validated_request(dossier: Dossier, message: str, documents: Iterable[str], due: Any) -> tuple[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not message:
        errors["message"] = [_("Indiquez au demandeur ce qu'il doit compléter.")]
    known = [spec.code for spec in specs_for(dossier)]
    asked = list(dict.fromkeys(documents))
    if any(code not in known for code in asked):
        errors["documents"] = [_("Choisissez les pièces dans la liste de celles du téléservice.")]
    today = timezone.localdate()
    last = today + dt.timedelta(days=MAX_COMPLEMENT_DAYS)
    if not isinstance(due, dt.date) or due <= today or due > last:
        errors["due"] = [
            _("L'échéance doit être une date entre demain et le %(last)s.") % {"last": formats.date_format(last)}
        ]
    if errors:
        raise InvalidInput(errors)
    return message, [code for code in known if code in asked]


def request_complement(
    dossier: Dossier,
    *,
    acting_user: Any,
    message: str,
    documents: Iterable[str] = (),
    due: dt.date | None = None,
) -> Dossier:
    """« Demander un complément »: the dossier goes back to the applicant until ``due`` (end of
    that day); agents wait. ``documents`` are the codes of the pieces to send again."""
    message = (message or "").strip()
    due = due or default_complement_due(dossier)
    message, asked = _validated_request(dossier, message, documents, due)
    with locked_dossier(dossier, acting_user=acting_user, action="request_complement") as locked:
        before = fire(locked, locked.request_complement)
        locked.complement_due = due
        locked.complement_reminded_on = None
        engine.send_back_for_complement(locked, due)
        locked.save()
        record(
            locked,
            acting_user=acting_user,
            action="request_complement",
            before=before,
            message=message,
            documents=asked,
            due=due.isoformat(),
        )
        notify_complement_requested(locked, message, documents=asked)
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
        locked.complement_due = None
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


def _expiry_target(dossier: Dossier) -> str:
    """Closed, back to the agent who asked, or to the queue when that agent no longer instructs it."""
    if dossier.teleservice.complement_expiry == ComplementExpiry.CLOSE:
        return S.CLOSED
    if dossier.assignee is not None and dossier.teleservice_id in access.instructed_teleservice_ids(dossier.assignee):
        return S.IN_INSTRUCTION
    return S.TRANSMITTED


def _expire(locked: Dossier, target: str) -> str:
    before = fire(locked, locked.expire_complement, target)
    due = locked.complement_due
    if target == S.CLOSED:
        locked.decided_at = timezone.now()
        locked.decision_amount = None
        locked.decision_motivation = _(
            "Le complément d'information demandé n'a pas été transmis avant l'échéance du %(due)s."
        ) % {"due": formats.date_format(due) if due else "—"}
    elif target == S.TRANSMITTED:
        locked.assignee = None
    locked.complement_due = None
    return before


def _record_expiry(locked: Dossier, before: str, due: dt.date | None) -> None:
    event = record(
        locked,
        acting_user=access.SYSTEM,
        action="expire_complement",
        before=before,
        due=due.isoformat() if due else None,
        motivation=locked.decision_motivation if locked.status == S.CLOSED else "",
    )
    notify_complement_expired(locked, event)


def expire_complement(dossier: Dossier, *, acting_user: Any = access.SYSTEM) -> Dossier:
    """The complement's deadline passed without an answer: the scheduled job fires the Viewflow
    timer through here, so that status, tasks and audit trail move together."""
    with locked_dossier(dossier, acting_user=acting_user, action="expire_complement") as locked:
        ensure_allowed(locked, locked.expire_complement)
        target = _expiry_target(locked)
        due = locked.complement_due
        agent = locked.assignee
        before = _expire(locked, target)
        locked.save()  # before the flow goes on: its decision node reads the status
        engine.fire_complement_timer(locked, RETURNED if target != S.CLOSED else CLOSED_EXPIRY)
        if target == S.IN_INSTRUCTION:
            engine.assign_review(locked, agent)
        _record_expiry(locked, before, due)
    return dossier


def expire_complement_from_flow(process: Any) -> str:
    """The same, when another timer dispatcher (``manage.py workflow_timers``) fired the timer:
    the flow is already moving, so the dossier follows it; a returned dossier goes to the queue
    (the new review task is created unassigned after this node)."""
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("teleservice").get(process=process)
    target = S.CLOSED if _expiry_target(dossier) == S.CLOSED else S.TRANSMITTED
    due = dossier.complement_due
    before = _expire(dossier, target)
    dossier.save()
    _record_expiry(dossier, before, due)
    return RETURNED if target == S.TRANSMITTED else CLOSED_EXPIRY


def remind_complement(dossier: Dossier, *, acting_user: Any = access.SYSTEM) -> Dossier:
    """The applicant is reminded of the deadline, once per request (no change of status). Only
    the scheduler may, as for the deadline itself: it is checked against that action's roles."""
    with locked_dossier(dossier, acting_user=acting_user, action="expire_complement") as locked:
        if locked.status != S.COMPLEMENT_REQUESTED or locked.complement_reminded_on is not None:
            return dossier
        locked.complement_reminded_on = timezone.localdate()
        locked.save(update_fields=["complement_reminded_on", "updated"])
        record(locked, acting_user=acting_user, action="remind_complement", before=locked.status)
        notify_complement_reminder(locked)
    return dossier
