"""The supervision actions: assign, bulk_assign, add_agent and remove_agent — what they do to the
dossier, its Viewflow task and its audit trail, who may call them, and what bad input they refuse."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from viewflow.workflow.status import STATUS

from instruction import actions
from instruction.actions import ActionError, BulkOutcome, Conflict, InvalidInput, TransitionRefused
from instruction.actions.assign import BULK_MAX, REASON_MAX_LENGTH
from instruction.models import Dossier, DossierStatus, Event
from permissions.access import NotVisible
from permissions.models import InstructingService
from tests.factories import UserFactory, filed_dossier
from tests.instruction.test_transitions import bring_to, snapshot
from workflows import engine

S = DossierStatus
REASON = "Congé de l'agent jusqu'à la fin du mois."


@pytest.fixture
def colleague(cast: Any) -> Any:
    """A second agent of the service (neither supervisor nor assignee)."""
    user = UserFactory(email="collegue@exemple.test", first_name="Camille", last_name="Roux")
    cast.service.add_agent(user)
    return user


def review_task(dossier: Dossier) -> tuple[str, str, int | None]:
    [task] = engine.open_tasks(Dossier.objects.get(pk=dossier.pk))
    return task.flow_task.name, task.status, task.owner_id


# --- assign -------------------------------------------------------------------------------------
def test_assign_supervisor_queued_dossier_goes_to_agent(cast):
    """A queued dossier given to an agent is in instruction, held by them, with its task and event."""
    dossier = bring_to(S.TRANSMITTED, cast)

    returned = actions.assign(dossier, acting_user=cast.supervisor, agent=cast.agent, reason=f"  {REASON} ")

    assert returned is dossier
    assert (dossier.status, dossier.assignee_id) == (S.IN_INSTRUCTION, cast.agent.pk)
    assert review_task(dossier) == ("review", STATUS.ASSIGNED, cast.agent.pk)
    event = Event.objects.filter(dossier=dossier).last()
    assert (event.action, event.actor_id, event.from_status, event.to_status) == (
        "assign",
        cast.supervisor.pk,
        S.TRANSMITTED,
        S.IN_INSTRUCTION,
    )
    assert event.details == {
        "previous_assignee": None,
        "previous_assignee_name": "",
        "assignee": cast.agent.pk,
        "assignee_name": str(cast.agent),
        "reason": REASON,
    }


def test_assign_supervisor_dossier_in_instruction_changes_agent_only(cast, colleague):
    """Reassigning keeps the status; the review task changes owner; the event names both agents."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)

    actions.assign(dossier, acting_user=cast.supervisor, agent=colleague, reason=REASON)

    assert (dossier.status, dossier.assignee_id) == (S.IN_INSTRUCTION, colleague.pk)
    assert review_task(dossier) == ("review", STATUS.ASSIGNED, colleague.pk)
    event = Event.objects.filter(dossier=dossier).last()
    assert (event.action, event.from_status, event.to_status) == ("reassign", S.IN_INSTRUCTION, S.IN_INSTRUCTION)
    assert (event.details["previous_assignee"], event.details["previous_assignee_name"]) == (
        cast.agent.pk,
        str(cast.agent),
    )
    assert (event.details["assignee"], event.details["reason"]) == (colleague.pk, REASON)


def test_assign_supervisor_new_agent_acts_and_former_cannot(cast, colleague):
    """After a reassignment the new agent decides; the former one may no longer act."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)
    actions.assign(dossier, acting_user=cast.supervisor, agent=colleague, reason=REASON)

    with pytest.raises(PermissionDenied):
        actions.decide(dossier, acting_user=cast.agent, outcome=S.ACCEPTED, amount="250")
    actions.decide(dossier, acting_user=colleague, outcome=S.ACCEPTED, amount="250")

    assert dossier.status == S.ACCEPTED
    assert engine.open_tasks(dossier) == []


def test_assign_supervisor_to_themselves_succeeds(cast):
    """A supervisor who is also an agent of the service may take a dossier through « Attribuer »."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)

    actions.assign(dossier, acting_user=cast.supervisor, agent=cast.supervisor, reason=REASON)

    assert dossier.assignee_id == cast.supervisor.pk
    assert review_task(dossier) == ("review", STATUS.ASSIGNED, cast.supervisor.pk)


@pytest.mark.parametrize("status", [S.TRANSMITTED, S.IN_INSTRUCTION])
def test_assign_supervisor_agent_of_other_service_refused(cast, status):
    """The agent must belong to the dossier's service: the refusal is on 'agent' and changes nothing."""
    dossier = bring_to(status, cast)
    before = snapshot(dossier)

    with pytest.raises(InvalidInput) as caught:
        actions.assign(dossier, acting_user=cast.supervisor, agent=cast.other_agent, reason=REASON)

    assert list(caught.value.errors) == ["agent"]
    assert "n'est pas agent du service instructeur" in caught.value.errors["agent"][0]
    assert snapshot(dossier) == before


def test_assign_supervisor_inactive_agent_refused(cast, colleague):
    """A deactivated account is no longer an agent one can give dossiers to."""
    colleague.is_active = False
    colleague.save()
    dossier = bring_to(S.TRANSMITTED, cast)
    before = snapshot(dossier)

    with pytest.raises(InvalidInput) as caught:
        actions.assign(dossier, acting_user=cast.supervisor, agent=colleague, reason=REASON)

    assert list(caught.value.errors) == ["agent"]
    assert snapshot(dossier) == before


def test_assign_supervisor_same_agent_refused(cast):
    """Giving a dossier to the agent who already holds it is refused, with no empty event."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)
    before = snapshot(dossier)

    with pytest.raises(InvalidInput) as caught:
        actions.assign(dossier, acting_user=cast.supervisor, agent=cast.agent, reason=REASON)

    assert caught.value.errors["agent"] == [f"Le dossier est déjà attribué à {cast.agent}."]
    assert snapshot(dossier) == before


@pytest.mark.parametrize("reason", ["", "   \n", None, "x" * (REASON_MAX_LENGTH + 1)])
def test_assign_supervisor_missing_or_too_long_reason_refused(cast, reason):
    """« Motif » is required (and bounded): refused on 'reason' before anything else."""
    dossier = bring_to(S.TRANSMITTED, cast)
    before = snapshot(dossier)

    with pytest.raises(InvalidInput) as caught:
        actions.assign(dossier, acting_user=cast.supervisor, agent=cast.agent, reason=reason)

    assert list(caught.value.errors) == ["reason"]
    assert snapshot(dossier) == before


@pytest.mark.parametrize("agent", [None, "agent@exemple.test", 3])
def test_assign_supervisor_no_agent_refused(cast, agent):
    """Without an agent (or with something that is not an account) the refusal is on 'agent'."""
    dossier = bring_to(S.TRANSMITTED, cast)
    before = snapshot(dossier)

    with pytest.raises(InvalidInput) as caught:
        actions.assign(dossier, acting_user=cast.supervisor, agent=agent, reason=REASON)

    assert list(caught.value.errors) == ["agent"]
    assert snapshot(dossier) == before


@pytest.mark.parametrize(
    ("actor", "refusal"),
    [
        ("applicant", PermissionDenied),
        ("other_citizen", NotVisible),
        ("agent", PermissionDenied),
        ("other_agent", NotVisible),
    ],
)
def test_assign_not_supervisor_refused(cast, actor, refusal):
    """Only a supervisor of the service assigns: the applicant and agents are refused, outsiders see nothing."""
    dossier = bring_to(S.TRANSMITTED, cast)
    before = snapshot(dossier)

    with pytest.raises(refusal):
        actions.assign(dossier, acting_user=getattr(cast, actor), agent=cast.agent, reason=REASON)

    assert snapshot(dossier) == before


def test_assign_supervisor_of_other_service_not_visible(cast):
    """Supervising another service gives no right on this one's dossiers."""
    boss = UserFactory(email="cheffe.solidarites@exemple.test")
    cast.other_teleservice.instructing_service.supervisors.add(boss)
    dossier = bring_to(S.TRANSMITTED, cast)

    with pytest.raises(NotVisible):
        actions.assign(dossier, acting_user=boss, agent=cast.agent, reason=REASON)


@pytest.mark.parametrize("status", [S.DRAFT, S.COMPLEMENT_REQUESTED, S.ACCEPTED, S.REJECTED, S.CLOSED])
def test_assign_supervisor_status_without_assignment_refused(cast, status):
    """Drafts are not visible; during a complement or once decided, the refusal names the status."""
    dossier = bring_to(status, cast)
    before = snapshot(dossier)

    with pytest.raises(NotVisible if status == S.DRAFT else TransitionRefused) as caught:
        actions.assign(dossier, acting_user=cast.supervisor, agent=cast.agent, reason=REASON)

    if status != S.DRAFT:
        assert caught.value.message == f"Cette action n'est pas possible pour un dossier « {S(status).label} »."
    assert snapshot(dossier) == before


def test_assign_supervisor_stale_copy_conflict(cast, colleague):
    """A supervisor working from a page read before the agent released the dossier gets a conflict."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)
    stale = Dossier.objects.get(pk=dossier.pk)
    actions.release(dossier, acting_user=cast.agent)
    before = snapshot(dossier)

    with pytest.raises(Conflict):
        actions.assign(stale, acting_user=cast.supervisor, agent=colleague, reason=REASON)

    assert snapshot(dossier) == before


# --- bulk_assign ------------------------------------------------------------------------------
def test_bulk_assign_supervisor_mixed_selection_reports_each(cast, colleague):
    """Each dossier succeeds or is refused on its own; refusals say why and undo nothing else."""
    queued = bring_to(S.TRANSMITTED, cast)
    held = bring_to(S.IN_INSTRUCTION, cast)
    waiting = bring_to(S.COMPLEMENT_REQUESTED, cast)
    already = bring_to(S.IN_INSTRUCTION, cast)
    actions.assign(already, acting_user=cast.supervisor, agent=colleague, reason=REASON)
    elsewhere = filed_dossier(cast.other_teleservice, cast.other_citizen)
    refs = [queued.reference, held.reference, waiting.reference, elsewhere.reference, "PJL-1999-000001"]
    refs += [already.reference, queued.reference, "  "]

    outcomes = actions.bulk_assign(refs, acting_user=cast.supervisor, agent=colleague, reason=REASON)

    assert outcomes == [
        BulkOutcome(queued.reference, True),
        BulkOutcome(held.reference, True),
        BulkOutcome(
            waiting.reference, False, "Cette action n'est pas possible pour un dossier « Complément d'information »."
        ),
        BulkOutcome(elsewhere.reference, False, "dossier introuvable"),
        BulkOutcome("PJL-1999-000001", False, "dossier introuvable"),
        BulkOutcome(already.reference, False, f"Le dossier est déjà attribué à {colleague}."),
    ]
    fresh = {d.pk: d for d in Dossier.objects.filter(pk__in=[queued.pk, held.pk, waiting.pk, elsewhere.pk])}
    assert (fresh[queued.pk].status, fresh[queued.pk].assignee_id) == (S.IN_INSTRUCTION, colleague.pk)
    assert (fresh[held.pk].status, fresh[held.pk].assignee_id) == (S.IN_INSTRUCTION, colleague.pk)
    assert (fresh[waiting.pk].status, fresh[waiting.pk].assignee_id) == (S.COMPLEMENT_REQUESTED, cast.agent.pk)
    assert (fresh[elsewhere.pk].status, fresh[elsewhere.pk].assignee_id) == (S.TRANSMITTED, None)
    assert review_task(held) == ("review", STATUS.ASSIGNED, colleague.pk)
    assert Event.objects.filter(action__in=["assign", "reassign"], details__reason=REASON).count() == 3


def test_bulk_assign_agent_not_supervisor_all_refused(cast, colleague):
    """An agent who is not a supervisor sees the dossiers but every assignment is refused."""
    dossiers = [bring_to(S.TRANSMITTED, cast) for _ in range(2)]

    outcomes = actions.bulk_assign(
        [d.reference for d in dossiers], acting_user=cast.agent, agent=colleague, reason=REASON
    )

    assert {o.message for o in outcomes} == {"vous ne supervisez pas le service instructeur de ce dossier"}
    assert not any(o.assigned for o in outcomes)
    assert set(Dossier.objects.values_list("status", flat=True)) == {S.TRANSMITTED}


@pytest.mark.parametrize(
    ("references", "reason", "field"),
    [
        ([], REASON, "dossiers"),
        (["", "  "], REASON, "dossiers"),
        ([f"PJL-2026-{n:06d}" for n in range(BULK_MAX + 1)], REASON, "dossiers"),
        (["PJL-2026-000001"], "  ", "reason"),
    ],
    ids=["empty", "blank", "too-many", "no-reason"],
)
def test_bulk_assign_supervisor_bad_input_refused_whole(cast, references, reason, field):
    """A selection that is empty or too large, or no reason, refuses the whole request on its field."""
    dossier = bring_to(S.TRANSMITTED, cast)
    before = snapshot(dossier)

    with pytest.raises(InvalidInput) as caught:
        actions.bulk_assign(references, acting_user=cast.supervisor, agent=cast.agent, reason=reason)

    assert list(caught.value.errors) == [field]
    assert snapshot(dossier) == before


# --- add_agent / remove_agent -------------------------------------------------------------
def test_add_agent_supervisor_existing_account_joins_service(cast):
    """An existing account added by e-mail (any case) becomes an agent and sees the service's dossiers."""
    newcomer = UserFactory(email="nouvelle.recrue@exemple.test")
    dossier = bring_to(S.TRANSMITTED, cast)

    added = actions.add_agent(cast.service, acting_user=cast.supervisor, email=" Nouvelle.Recrue@Exemple.test ")

    assert added == newcomer
    assert newcomer.groups.filter(pk=cast.service.group_id).exists()
    actions.take(dossier, acting_user=added)
    entry = LogEntry.objects.get(object_id=str(cast.service.pk))
    assert (entry.user_id, entry.change_message) == (
        cast.supervisor.pk,
        "Agent ajouté par un superviseur : nouvelle.recrue@exemple.test",
    )


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Indiquez l'adresse électronique du compte de l'agent."),
        ("personne@exemple.test", "Aucun compte actif n'a cette adresse : l'agent doit d'abord avoir un compte."),
        ("inactif@exemple.test", "Aucun compte actif n'a cette adresse : l'agent doit d'abord avoir un compte."),
        ("agent@exemple.test", "est déjà agent de ce service."),
    ],
    ids=["blank", "unknown", "inactive", "already"],
)
def test_add_agent_supervisor_bad_email_refused(cast, email, message):
    """No account, an inactive one, or an agent already there: refused on 'email', nothing logged."""
    UserFactory(email="inactif@exemple.test", is_active=False)
    members = set(cast.service.group.user_set.values_list("pk", flat=True))

    with pytest.raises(InvalidInput) as caught:
        actions.add_agent(cast.service, acting_user=cast.supervisor, email=email)

    assert message in caught.value.errors["email"][0]
    assert set(cast.service.group.user_set.values_list("pk", flat=True)) == members
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize("actor", ["applicant", "agent", "other_agent"])
def test_add_agent_not_supervisor_not_visible(cast, actor):
    """Only the service's supervisors manage its agents; for anyone else the service is not there."""
    newcomer = UserFactory(email="nouvelle.recrue@exemple.test")

    with pytest.raises(NotVisible):
        actions.add_agent(cast.service, acting_user=getattr(cast, actor), email=newcomer.email)

    assert not newcomer.groups.exists()


def test_remove_agent_supervisor_agent_without_dossiers_leaves(cast, colleague):
    """An agent holding nothing leaves the service: they no longer see its dossiers."""
    dossier = bring_to(S.TRANSMITTED, cast)

    actions.remove_agent(cast.service, acting_user=cast.supervisor, agent=colleague)

    assert not colleague.groups.filter(pk=cast.service.group_id).exists()
    with pytest.raises(NotVisible):
        actions.take(Dossier.objects.get(pk=dossier.pk), acting_user=colleague)
    assert LogEntry.objects.get().change_message == "Agent retiré par un superviseur : collegue@exemple.test"


@pytest.mark.parametrize("status", [S.IN_INSTRUCTION, S.COMPLEMENT_REQUESTED])
def test_remove_agent_supervisor_agent_holding_dossiers_refused(cast, status):
    """An agent still holding dossiers of the service stays until they are reassigned."""
    bring_to(status, cast)

    with pytest.raises(ActionError) as caught:
        actions.remove_agent(cast.service, acting_user=cast.supervisor, agent=cast.agent)

    assert "a encore 1 dossier en cours dans ce service" in caught.value.message
    assert cast.agent.groups.filter(pk=cast.service.group_id).exists()
    assert not LogEntry.objects.exists()


def test_remove_agent_supervisor_not_a_member_refused(cast):
    """Removing someone who is not an agent of the service is refused on 'agent'."""
    with pytest.raises(InvalidInput) as caught:
        actions.remove_agent(cast.service, acting_user=cast.supervisor, agent=cast.other_agent)

    assert list(caught.value.errors) == ["agent"]
    assert cast.other_agent.groups.exists()


def test_remove_agent_supervisor_of_other_service_not_visible(cast, colleague):
    """A supervisor of another service cannot remove this service's agents."""
    other_service = InstructingService.objects.get(pk=cast.other_teleservice.instructing_service_id)
    boss = UserFactory(email="cheffe.solidarites@exemple.test")
    other_service.supervisors.add(boss)

    with pytest.raises(NotVisible):
        actions.remove_agent(cast.service, acting_user=boss, agent=colleague)

    assert colleague.groups.filter(pk=cast.service.group_id).exists()
