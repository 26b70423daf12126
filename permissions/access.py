"""The one place that answers "may this user do this to this dossier".

Views, actions and flow nodes all call into here: ``visible_to`` for lists, ``get_dossier_for``
for object pages (404 for whoever may not see it), ``abilities`` for what a page offers, and
``check`` inside every action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django_fsm import can_proceed
from guardian.models import GroupObjectPermission, UserObjectPermission

from permissions.organismes import organismes_of

if TYPE_CHECKING:
    from instruction.models import Dossier

APPLICANT, AGENT, ASSIGNEE, SUPERVISOR = "applicant", "agent", "assignee", "supervisor"
SYSTEM_ROLE = "system"


class _System:
    """The actor of scheduled jobs (a complement's deadline): no user, recorded as nobody."""

    is_authenticated = False
    is_active = True
    pk = None

    def __str__(self) -> str:
        return "system"


SYSTEM = _System()

# Which role may attempt which action; the FSM then says whether the status allows it.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "edit": frozenset({APPLICANT}),
    "transmit": frozenset({APPLICANT}),
    "answer_complement": frozenset({APPLICANT}),
    "take": frozenset({AGENT}),
    "release": frozenset({ASSIGNEE, SUPERVISOR}),
    "request_complement": frozenset({ASSIGNEE}),
    "decide": frozenset({ASSIGNEE}),
    # « Corriger une donnée »: the agent in charge, while in instruction (status guard below).
    "correct_field": frozenset({ASSIGNEE}),
    # Give a queued dossier to an agent of the service, or move one in instruction to another agent.
    "assign": frozenset({SUPERVISOR}),
    # Writing is not acting on the dossier: both sides may, even during a complement.
    "message": frozenset({APPLICANT, AGENT}),
    # A decision above the téléservice's threshold, proposed by the agent in charge.
    "validate_decision": frozenset({SUPERVISOR}),
    "send_back_decision": frozenset({SUPERVISOR}),
    # Palmarès: the agent in charge schedules the jury's visit, records its report and its ranking.
    "schedule_visit": frozenset({ASSIGNEE}),
    "report_visit": frozenset({ASSIGNEE}),
    "rank": frozenset({ASSIGNEE}),
    # The complement's deadline: scheduled jobs only.
    "expire_complement": frozenset({SYSTEM_ROLE}),
    # The purge of a dossier's files at the end of its retention: scheduled jobs only.
    "purge_files": frozenset({SYSTEM_ROLE}),
    # After transmission, a file the antivirus blocked may be replaced by another (scanned too).
    "replace_blocked_file": frozenset({APPLICANT}),
}
# Actions whose permission is not an FSM transition of the same name.
_STATUS_GUARDS = {
    "edit": lambda d: d.is_editable_by_applicant,
    "message": lambda d: d.status != "draft",
    "correct_field": lambda d: d.status == "in_instruction",
    "assign": lambda d: can_proceed(d.assign) or can_proceed(d.reassign),
    # Never while the dossier is being instructed or awaits a complement.
    "purge_files": lambda d: d.status in ("draft", "accepted", "rejected", "closed"),
    # Before: the form page takes new files (draft, complement); after the decision: too late.
    "replace_blocked_file": lambda d: d.status in ("transmitted", "in_instruction"),
}


class NotVisible(Http404):
    """The user may not even know the dossier exists."""


def _teleservice_ids(user: Any) -> tuple[frozenset[int], frozenset[int]]:
    """(instructed or supervised, supervised) téléservice ids; cached on the user for the request."""
    cached = getattr(user, "_teleservice_ids", None)
    if cached is not None:
        return cached
    from instruction.models import Teleservice

    if not user.is_authenticated:
        cached = (frozenset(), frozenset())
    else:
        by_perm = _instruct_permission_ids(user, Teleservice)
        supervised = frozenset(
            Teleservice.objects.filter(instructing_service__supervisors=user).values_list("pk", flat=True)
        )
        cached = (frozenset(by_perm) | supervised, supervised)
    user._teleservice_ids = cached
    return cached


def _instruct_permission_ids(user: Any, teleservice_model: Any) -> frozenset[int]:
    """The téléservices on which the user holds ``instruct_teleservice`` as a guardian object
    permission, through a group (a service) or directly: what ``get_objects_for_user(...,
    accept_global_perms=False)`` answers, in one UNION query without its Python overhead
    (measured: 3 ms of every back-office page at 1,000,000 dossiers)."""
    if user.is_superuser:  # as guardian's with_superuser
        return frozenset(teleservice_model.objects.values_list("pk", flat=True))
    content_type = ContentType.objects.get_for_model(teleservice_model)  # cached by Django
    held = Q(permission__codename="instruct_teleservice", permission__content_type=content_type)
    held &= Q(content_type=content_type)
    via_groups = GroupObjectPermission.objects.filter(held, group__user=user).values_list("object_pk", flat=True)
    direct = UserObjectPermission.objects.filter(held, user=user).values_list("object_pk", flat=True)
    return frozenset(int(pk) for pk in via_groups.union(direct))


def instructed_teleservice_ids(user: Any) -> frozenset[int]:
    """Téléservices this user instructs (through a service's object permission) or supervises."""
    return _teleservice_ids(user)[0]


def supervised_teleservice_ids(user: Any) -> frozenset[int]:
    return _teleservice_ids(user)[1]


def roles(user: Any, dossier: Dossier) -> frozenset[str]:
    if user is SYSTEM:
        return frozenset({SYSTEM_ROLE})
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    found = set()
    if dossier.applicant_id == user.pk or (
        dossier.organisme_id is not None and organismes_of(user).filter(pk=dossier.organisme_id).exists()
    ):
        found.add(APPLICANT)
    if dossier.status != "draft" and dossier.teleservice_id in instructed_teleservice_ids(user):
        found.add(AGENT)
        if dossier.assignee_id == user.pk:
            found.add(ASSIGNEE)
        if dossier.teleservice_id in supervised_teleservice_ids(user):
            found.add(SUPERVISOR)
    return frozenset(found)


def _status_allows(dossier: Dossier, action: str) -> bool:
    guard = _STATUS_GUARDS.get(action)
    if guard is not None:
        return bool(guard(dossier))
    return can_proceed(getattr(dossier, action))


def abilities(user: Any, dossier: Dossier) -> dict[str, bool]:
    held = roles(user, dossier)
    result = {"view": bool(held)}
    for action, allowed in ACTION_ROLES.items():
        result[action] = bool(held & allowed) and _status_allows(dossier, action)
    return result


def check(user: Any, dossier: Dossier, action: str) -> None:
    """Raise NotVisible (404) for outsiders, PermissionDenied (403) for a role that may not act.
    The status is left to the FSM, so that the refusal names the status."""
    held = roles(user, dossier)
    if not held:
        raise NotVisible
    if not held & ACTION_ROLES[action]:
        raise PermissionDenied


def organisme_ids(user: Any) -> frozenset[int]:
    """The organismes the person files for; cached on the user for the request."""
    cached = getattr(user, "_organisme_ids", None)
    if cached is None:
        cached = frozenset(organismes_of(user).values_list("pk", flat=True))
        user._organisme_ids = cached
    return cached


def own_dossiers_q(user: Any) -> Q:
    """The applicant's side: their dossiers and their organismes'. The ids are listed, not a
    subquery, so that PostgreSQL combines the two indexes (a subquery in an OR reads the table)."""
    own = Q(applicant=user)
    organismes = organisme_ids(user)
    return own | Q(organisme_id__in=organismes) if organismes else own


def visible_to(user: Any) -> QuerySet[Dossier]:
    from instruction.models import Dossier

    if not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    visible = own_dossiers_q(user)
    instructed = instructed_teleservice_ids(user)
    if instructed:
        visible |= Q(teleservice_id__in=instructed) & ~Q(status="draft")
    return Dossier.objects.filter(visible)


def get_dossier_for(user: Any, reference: str, queryset: QuerySet[Dossier] | None = None) -> Dossier:
    qs = queryset if queryset is not None else visible_to(user)
    try:
        return qs.select_related("teleservice", "applicant", "beneficiary", "assignee").get(reference=reference)
    except qs.model.DoesNotExist:
        raise NotVisible from None
