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
from django.utils import timezone
from django_fsm import can_proceed
from guardian.models import GroupObjectPermission, UserObjectPermission

from permissions.organismes import organismes_of

if TYPE_CHECKING:
    from instruction.models import Dossier

APPLICANT, AGENT, ASSIGNEE, SUPERVISOR = "applicant", "agent", "assignee", "supervisor"
# Someone an agent invited on one dossier, until a date (instruction/actions/expert.py).
EXPERT = "expert"
SYSTEM_ROLE = "system"
# The guardian object permission an expert holds on the one dossier they were invited on.
EXPERT_PERMISSION = "consult_dossier_as_expert"


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
    # « Inviter un expert » on one dossier, « Retirer l'accès »: the agent in charge or a supervisor.
    "grant_expert_access": frozenset({ASSIGNEE, SUPERVISOR}),
    "revoke_expert_access": frozenset({ASSIGNEE, SUPERVISOR}),
    # « Avis de l'expert »: written by the invited expert, read by the agents.
    "give_expert_opinion": frozenset({EXPERT}),
    # The removal of experts' accesses past their date: scheduled jobs only.
    "expire_expert_access": frozenset({SYSTEM_ROLE}),
    # RGPD retention (instruction/actions/retention.py): the warning before an abandoned draft's
    # deletion and the anonymisation of a decided dossier are scheduled jobs; a draft is deleted by
    # the job or by its applicant deleting their account.
    "warn_draft_deletion": frozenset({SYSTEM_ROLE}),
    "delete_draft": frozenset({SYSTEM_ROLE, APPLICANT}),
    "anonymise": frozenset({SYSTEM_ROLE}),
    # After transmission, a file the antivirus blocked may be replaced by another (scanned too).
    "replace_blocked_file": frozenset({APPLICANT}),
}
# Which roles open which pages of a dossier; the views ask ``may_open``, the table of README's
# « Who can do what » reads it (permissions/table.py).
PAGE_ROLES: dict[str, frozenset[str]] = {
    # The citizen's dossier page, its documents, its messages.
    "applicant_pages": frozenset({APPLICANT}),
    # The back office's review page, its documents, letters and thread.
    "review": frozenset({AGENT}),
    # « Dossiers en expertise »: the dossier read-only and its documents.
    "expert_pages": frozenset({EXPERT}),
}
# Actions whose permission is not an FSM transition of the same name.
_STATUS_GUARDS = {
    "edit": lambda d: d.is_editable_by_applicant,
    "message": lambda d: d.status != "draft",
    "correct_field": lambda d: d.status == "in_instruction",
    "assign": lambda d: can_proceed(d.assign) or can_proceed(d.reassign),
    # Never while the dossier is being instructed or awaits a complement.
    "purge_files": lambda d: d.status in ("draft", "accepted", "rejected", "closed"),
    # An expert helps the instruction: invited before the decision, and gives an opinion before it.
    "grant_expert_access": lambda d: d.status != "draft" and not d.is_decided,
    "give_expert_opinion": lambda d: d.status != "draft" and not d.is_decided,
    # Ending an access is always possible.
    "revoke_expert_access": lambda d: True,
    "expire_expert_access": lambda d: True,
    "warn_draft_deletion": lambda d: d.status == "draft",
    "delete_draft": lambda d: d.status == "draft",
    "anonymise": lambda d: d.status in ("accepted", "rejected", "closed") and d.anonymised_at is None,
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


def expert_dossier_ids(user: Any) -> frozenset[int]:
    """The dossiers on which the user holds the expert's object permission AND a live grant (not
    ended, not past its expiry): one query, cached on the user for the request. An expired grant
    gives nothing even before the hourly job removes its permission."""
    cached = getattr(user, "_expert_dossier_ids", None)
    if cached is not None:
        return cached
    from instruction.models import DossierUserObjectPermission

    if not user.is_authenticated or not user.is_active:
        cached = frozenset()
    else:
        # One filter() call: the three conditions hold for the same grant row.
        rows = DossierUserObjectPermission.objects.filter(
            user=user,
            permission__codename=EXPERT_PERMISSION,
            content_object__expert_accesses__expert=user,
            content_object__expert_accesses__ended_at__isnull=True,
            content_object__expert_accesses__expires_at__gt=timezone.now(),
        )
        cached = frozenset(rows.values_list("content_object_id", flat=True))
    user._expert_dossier_ids = cached
    return cached


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
    # Only asked of people with no other role on the dossier (nobody of its service nor of the
    # applicant's side is invited as its expert): agents' and applicants' pages pay no query.
    if not found and dossier.pk in expert_dossier_ids(user):
        found.add(EXPERT)
    return frozenset(found)


def may_open(user: Any, dossier: Dossier, page: str) -> bool:
    return bool(roles(user, dossier) & PAGE_ROLES[page])


def status_allows(dossier: Dossier, action: str) -> bool:
    """Whether the dossier's status allows the action (its guard, else its FSM transition)."""
    guard = _STATUS_GUARDS.get(action)
    if guard is not None:
        return bool(guard(dossier))
    return can_proceed(getattr(dossier, action))


def abilities(user: Any, dossier: Dossier) -> dict[str, bool]:
    held = roles(user, dossier)
    result = {"view": bool(held)}
    for action, allowed in ACTION_ROLES.items():
        result[action] = bool(held & allowed) and status_allows(dossier, action)
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


def expert_visible_to(user: Any) -> QuerySet[Dossier]:
    """The dossiers the user is invited on as an expert, while the invitation lives."""
    from instruction.models import Dossier

    return Dossier.objects.filter(pk__in=expert_dossier_ids(user))


def get_dossier_for(user: Any, reference: str, queryset: QuerySet[Dossier] | None = None) -> Dossier:
    qs = queryset if queryset is not None else visible_to(user)
    try:
        return qs.select_related("teleservice", "applicant", "beneficiary", "assignee").get(reference=reference)
    except qs.model.DoesNotExist:
        raise NotVisible from None
