from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from instruction import webhooks
from instruction.models import Dossier, Event
from permissions import access


class ActionError(Exception):
    """An action refused; ``message`` is meant for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransitionRefused(ActionError):
    """The dossier's status does not allow this action."""


class Conflict(ActionError):
    """Someone else changed the dossier since the caller read it."""


class AlreadyFiled(ActionError):
    """One deposit per campaign: ``dossier`` is the one already filed (the page points to it)."""

    def __init__(self, message: str, dossier: Dossier) -> None:
        super().__init__(message)
        self.dossier = dossier


class InvalidInput(ActionError):
    """The data given to the action is not valid; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]], message: str | None = None) -> None:
        super().__init__(message or _("Le formulaire contient des erreurs."))
        self.errors = errors


@contextmanager
def locked_dossier(dossier: Dossier, *, acting_user: Any, action: str) -> Iterator[Dossier]:
    """Open the action's transaction, lock the dossier row and check access.

    Yields the locked, fresh copy; the caller's copy is refreshed from it on success so that
    views keep working with what is now in the database."""
    with transaction.atomic():
        locked = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("teleservice", "applicant")
            .get(pk=dossier.pk)
        )
        access.check(acting_user, locked, action)
        if locked.status != dossier.status:
            raise Conflict(
                _("Ce dossier a été modifié entre-temps (il est maintenant « %(status)s »). Rechargez la page.")
                % {"status": locked.get_status_display()}
            )
        try:
            yield locked
        except ConcurrentTransition:
            raise Conflict(_("Ce dossier a été modifié entre-temps. Rechargez la page.")) from None
    dossier.refresh_from_db()


def refusal(dossier: Dossier) -> TransitionRefused:
    return TransitionRefused(
        _("Cette action n'est pas possible pour un dossier « %(status)s ».") % {"status": dossier.get_status_display()}
    )


def ensure_allowed(dossier: Dossier, transition: Callable[..., Any]) -> None:
    """Refuse early, naming the status, before validating input the status would refuse anyway."""
    if not can_proceed(transition):
        raise refusal(dossier)


def fire(dossier: Dossier, transition: Callable[..., Any], *args: Any) -> str:
    """Fire an FSM transition; returns the status before it. Refusals carry a French message."""
    before = dossier.status
    try:
        transition(*args)
    except TransitionNotAllowed:
        raise refusal(dossier) from None
    return before


def record(dossier: Dossier, *, acting_user: Any, action: str, before: str, **details: Any) -> Event:
    """The audit event, and the webhooks it makes (in the same transaction, through the outbox)."""
    event = Event.objects.create(
        dossier=dossier,
        actor=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        action=action,
        from_status=before,
        to_status=dossier.status,
        details=details,
    )
    webhooks.emit([event])
    return event
