"""Supervision: a supervisor gives dossiers to the agents of their services (one or in bulk, the
agent being told by e-mail) and manages who the agents of a service are."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from instruction import webhooks
from instruction.actions.base import ActionError, InvalidInput, ensure_allowed, fire, locked_dossier, record, refusal
from instruction.agent_notifications import notify_assignment, notify_bulk_assignment
from instruction.models import Dossier, DossierStatus, Event
from permissions import access
from permissions.models import InstructingService, User
from workflows import engine

S = DossierStatus
REASON_MAX_LENGTH = 1000
# A selection is moved in one transaction (measured: bench/, « bulk_reassign_1000 »).
BULK_MAX = 1000
# Dossiers an agent holds: in instruction, or waiting for the applicant's complement.
HELD_STATUSES = (
    S.IN_INSTRUCTION,
    S.COMPLEMENT_REQUESTED,
    S.AWAITING_VALIDATION,
    S.VISIT_SCHEDULED,
    S.AWAITING_RANKING,
)


def service_agents(service_id: int) -> QuerySet[User]:
    """The active agents of a service: the members of its group (who hold its permissions)."""
    return User.objects.filter(is_active=True, groups__instructing_service__pk=service_id).order_by(
        "last_name", "first_name", "email"
    )


def _clean_reason(reason: Any) -> str:
    reason = str(reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": [_("Indiquez le motif de l'attribution.")]})
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(
            {"reason": [_("Le motif ne doit pas dépasser %(max)d caractères.") % {"max": REASON_MAX_LENGTH}]}
        )
    return reason


def _check_agent(agent: Any) -> None:
    if not isinstance(agent, User):
        raise InvalidInput({"agent": [_("Choisissez l'agent à qui attribuer le dossier.")]})


def assign(dossier: Dossier, *, acting_user: Any, agent: Any, reason: str) -> Dossier:
    """« Attribuer »: a supervisor gives a dossier of the queue to an agent of its service (it is
    then in instruction, as if the agent had taken it), or moves a dossier in instruction to
    another agent of the service (its status does not change; the review task changes owner).
    The agent is told by e-mail « Un dossier vous a été attribué »."""
    _assign(dossier, acting_user=acting_user, agent=agent, reason=reason, notify=True)
    return dossier


def _assign(dossier: Dossier, *, acting_user: Any, agent: Any, reason: str, notify: bool) -> Event:
    """``assign``, returning its audit event; ``notify=False`` when the caller tells the agent
    itself (a bulk assignment sends one e-mail for the whole selection)."""
    reason = _clean_reason(reason)
    _check_agent(agent)
    with locked_dossier(dossier, acting_user=acting_user, action="assign") as locked:
        reassigning = locked.status == S.IN_INSTRUCTION
        transition = locked.reassign if reassigning else locked.assign
        ensure_allowed(locked, transition)
        if not service_agents(locked.teleservice.instructing_service_id).filter(pk=agent.pk).exists():
            raise InvalidInput(
                {"agent": [_("%(agent)s n'est pas agent du service instructeur de ce dossier.") % {"agent": agent}]}
            )
        if locked.assignee_id == agent.pk:
            raise InvalidInput({"agent": [_("Le dossier est déjà attribué à %(agent)s.") % {"agent": agent}]})
        previous = locked.assignee
        before = fire(locked, transition)
        if reassigning:
            engine.reassign_review(locked, agent)
        else:
            engine.assign_review(locked, agent)
        locked.assignee = agent
        locked.save()
        event = record(
            locked,
            acting_user=acting_user,
            action="reassign" if reassigning else "assign",
            before=before,
            previous_assignee=previous.pk if previous else None,
            previous_assignee_name=str(previous) if previous else "",
            assignee=agent.pk,
            assignee_name=str(agent),
            reason=reason,
        )
        if notify:
            notify_assignment(locked, event, agent=agent, acting_user=acting_user)
    return event


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one dossier of a bulk assignment; ``message`` says why it was refused."""

    reference: str
    assigned: bool
    message: str = ""


def bulk_assign(references: Iterable[str], *, acting_user: Any, agent: Any, reason: str) -> list[BulkOutcome]:
    """« Attribuer la sélection »: ``assign`` on every dossier of the selection, set-based, in one
    transaction: the rows are locked together (in id order), each is checked as ``assign`` would
    (supervisor of its service, status, the agent's service, not already the agent's), and the
    accepted ones move with one UPDATE of the dossiers, one of their review tasks and one insert
    of their audit events; the agent gets one e-mail. Returns one outcome per distinct
    reference, in the order given; a refusal says why and does not stop the others."""
    reason = _clean_reason(reason)
    _check_agent(agent)
    wanted = list(dict.fromkeys(ref.strip()[:50] for ref in references if ref and ref.strip()))
    if not wanted:
        raise InvalidInput({"dossiers": [_("Sélectionnez au moins un dossier.")]})
    if len(wanted) > BULK_MAX:
        raise InvalidInput({"dossiers": [_("Sélectionnez au plus %(max)d dossiers à la fois.") % {"max": BULK_MAX}]})
    with transaction.atomic():
        found = {
            d.reference: d
            for d in access.visible_to(acting_user)
            .filter(reference__in=wanted)
            .select_related("teleservice", "assignee")
            .select_for_update(of=("self",))
            .order_by("pk")
        }
        services = {d.teleservice.instructing_service_id for d in found.values()}
        agent_services = (
            set(InstructingService.objects.filter(pk__in=services, group__user=agent).values_list("pk", flat=True))
            if agent.is_active
            else set()
        )
        outcomes = []
        accepted: list[Dossier] = []
        for reference in wanted:
            dossier = found.get(reference)
            why = _bulk_refusal(dossier, acting_user, agent, agent_services)
            outcomes.append(BulkOutcome(reference, why is None, why or ""))
            if why is None and dossier is not None:
                accepted.append(dossier)
        events = _bulk_move(accepted, acting_user=acting_user, agent=agent, reason=reason)
        notify_bulk_assignment(
            list(zip(accepted, events, strict=True)), agent=agent, acting_user=acting_user, reason=reason
        )
    return outcomes


def _bulk_refusal(dossier: Dossier | None, acting_user: Any, agent: User, agent_services: set[int]) -> str | None:
    """Why ``assign`` would refuse this dossier (the same messages), or None."""
    if dossier is None or dossier.teleservice_id not in access.instructed_teleservice_ids(acting_user):
        return _("dossier introuvable")
    if dossier.status == S.DRAFT:
        return _("dossier introuvable")
    if dossier.teleservice_id not in access.supervised_teleservice_ids(acting_user):
        return _("vous ne supervisez pas le service instructeur de ce dossier")
    if dossier.status not in (S.TRANSMITTED, S.IN_INSTRUCTION):
        return refusal(dossier).message
    if dossier.teleservice.instructing_service_id not in agent_services:
        return _("%(agent)s n'est pas agent du service instructeur de ce dossier.") % {"agent": agent}
    if dossier.assignee_id == agent.pk:
        return _("Le dossier est déjà attribué à %(agent)s.") % {"agent": agent}
    return None


def _bulk_move(dossiers: list[Dossier], *, acting_user: Any, agent: User, reason: str) -> list[Event]:
    """The accepted dossiers, locked: in instruction with the agent, their review task with the
    agent (engine.bulk_assign_review checks there is exactly one each), one audit event each."""
    if not dossiers:
        return []
    now = timezone.now()
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(status=S.IN_INSTRUCTION, assignee=agent, updated=now)
    engine.bulk_assign_review([d.process_id for d in dossiers if d.process_id is not None], agent)
    events = [
        Event(
            dossier=d,
            actor=acting_user,
            action="reassign" if d.status == S.IN_INSTRUCTION else "assign",
            from_status=d.status,
            to_status=S.IN_INSTRUCTION,
            details={
                "previous_assignee": d.assignee_id,
                "previous_assignee_name": str(d.assignee) if d.assignee else "",
                "assignee": agent.pk,
                "assignee_name": str(agent),
                "reason": reason,
            },
        )
        for d in dossiers
    ]
    created = Event.objects.bulk_create(events)
    webhooks.emit(created)  # one query for the whole selection
    return created


# --- Who the agents of a service are ---------------------------------------------------------
def _supervised(service: InstructingService, acting_user: Any) -> InstructingService:
    """The service row, locked, if ``acting_user`` supervises it; else the service is not visible."""
    if not getattr(acting_user, "is_authenticated", False) or not acting_user.is_active:
        raise access.NotVisible
    locked = InstructingService.objects.select_for_update().filter(pk=service.pk, supervisors=acting_user).first()
    if locked is None:
        raise access.NotVisible
    return locked


def _log(service: InstructingService, acting_user: Any, message: str) -> None:
    """Kept in the service's history in the administration (there is no dossier to attach it to)."""
    LogEntry.objects.log_actions(
        user_id=acting_user.pk, queryset=[service], action_flag=CHANGE, change_message=message, single_object=True
    )


def add_agent(service: InstructingService, *, acting_user: Any, email: str) -> User:
    """« Ajouter un agent »: a supervisor adds an existing account to the agents of their service."""
    email = str(email or "").strip()
    if not email:
        raise InvalidInput({"email": [_("Indiquez l'adresse électronique du compte de l'agent.")]})
    with transaction.atomic():
        locked = _supervised(service, acting_user)
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise InvalidInput(
                {"email": [_("Aucun compte actif n'a cette adresse : l'agent doit d'abord avoir un compte.")]}
            )
        if user.groups.filter(pk=locked.group_id).exists():
            raise InvalidInput({"email": [_("%(agent)s est déjà agent de ce service.") % {"agent": user}]})
        locked.add_agent(user)
        with translation.override(settings.LANGUAGE_CODE):
            _log(locked, acting_user, _("Agent ajouté par un superviseur : %(email)s") % {"email": user.email})
    return user


def remove_agent(service: InstructingService, *, acting_user: Any, agent: User) -> None:
    """« Retirer »: the agent leaves the service, once the dossiers they hold there are reassigned."""
    with transaction.atomic():
        locked = _supervised(service, acting_user)
        if not agent.groups.filter(pk=locked.group_id).exists():
            raise InvalidInput({"agent": [_("%(agent)s n'est pas agent de ce service.") % {"agent": agent}]})
        held = Dossier.objects.filter(service=locked, assignee=agent, status__in=HELD_STATUSES).count()
        if held:
            raise ActionError(
                ngettext(
                    "%(agent)s a encore %(count)d dossier en cours dans ce service : attribuez-le d'abord à un "
                    "autre agent.",
                    "%(agent)s a encore %(count)d dossiers en cours dans ce service : attribuez-les d'abord à "
                    "d'autres agents.",
                    held,
                )
                % {"agent": agent, "count": held}
            )
        agent.groups.remove(locked.group)
        with translation.override(settings.LANGUAGE_CODE):
            _log(locked, acting_user, _("Agent retiré par un superviseur : %(email)s") % {"email": agent.email})
