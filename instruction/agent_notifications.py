"""What agents are told by e-mail, written to the outbox by the actions (the applicant's e-mails
are in instruction/notifications.py).

« Un dossier vous a été attribué »: a supervisor gave one dossier to an agent, or a selection at
once (one summary e-mail for the whole selection, not one per dossier). Nobody is told when they
took the dossier themselves, nor when a supervisor gave it to themselves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse

from instruction.models import Dossier, Event
from instruction.outbox import enqueue_template_email


def _review_url(dossier: Dossier) -> str:
    return settings.SITE_URL + reverse("backoffice:review", args=[dossier.reference])


def _send(*, key: str, to: Any, template: str, dossier: Dossier | None = None, **context: Any) -> None:
    context = {**context, "dossier": dossier, "agent": to}
    enqueue_template_email(key=key, to=[to.email], template=template, context=context, dossier=dossier)


def _told(agent: Any, acting_user: Any) -> bool:
    return getattr(acting_user, "pk", None) != agent.pk


def notify_assignment(dossier: Dossier, event: Event, *, agent: Any, acting_user: Any) -> None:
    """One dossier given to ``agent``; keyed by the assign event, so a retried transaction or a
    repeated call never sends it twice."""
    if not _told(agent, acting_user):
        return
    _send(
        key=f"assigned:{dossier.reference}:{event.pk}",
        to=agent,
        template="emails/dossier_assigned.txt",
        dossier=dossier,
        supervisor=acting_user,
        reason=event.details.get("reason", ""),
        previous=event.details.get("previous_assignee_name", ""),
        url=_review_url(dossier),
    )


def notify_bulk_assignment(
    assigned: Sequence[tuple[Dossier, Event]], *, agent: Any, acting_user: Any, reason: str
) -> None:
    """A selection given to ``agent``: one e-mail listing the dossiers (just the one-dossier
    e-mail when only one of the selection was assigned). Keyed by the selection's first event."""
    if not assigned or not _told(agent, acting_user):
        return
    if len(assigned) == 1:
        notify_assignment(*assigned[0], agent=agent, acting_user=acting_user)
        return
    first = min(event.pk for _dossier, event in assigned)
    _send(
        key=f"assigned-selection:{agent.pk}:{first}",
        to=agent,
        template="emails/dossiers_assigned.txt",
        supervisor=acting_user,
        reason=reason,
        dossiers=[(dossier, _review_url(dossier)) for dossier, _event in assigned],
        url=settings.SITE_URL + reverse("backoffice:my_tasks"),
    )
