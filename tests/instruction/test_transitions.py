"""Every status × every action through the actions layer: what is allowed, what is refused,
and that a refusal leaves the dossier, its process, its audit trail and the outbox untouched."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from viewflow.workflow.models import Process

from instruction import actions
from instruction.actions import Conflict, InvalidInput, TransitionRefused
from instruction.models import Dossier, DossierStatus, Event, FoyerMember, OutboxMessage
from permissions.access import SYSTEM, NotVisible
from permissions.models import User
from tests.factories import UserFactory, filed_dossier, valid_form_data
from tests.palmares_helpers import commune_of, palmares_dossier, palmares_teleservice
from workflows import engine

S = DossierStatus
DECISION_ARGS = {
    S.ACCEPTED: {"outcome": S.ACCEPTED, "amount": "250"},
    S.REJECTED: {"outcome": S.REJECTED, "motivation": "Quotient familial trop élevé."},
    S.CLOSED: {"outcome": S.CLOSED, "motivation": "Demande en double."},
}
ACTION_ARGS: dict[str, dict[str, Any]] = {
    "transmit": {},
    "take": {},
    "release": {},
    "request_complement": {"message": "Joignez votre bail signé."},
    "answer_complement": {},
    "decide": DECISION_ARGS[S.ACCEPTED],
    # The agent is named by e-mail here and looked up by call(): the supervisor, also an agent of the service.
    "assign": {"agent": "superviseur@exemple.test", "reason": "Rééquilibrage de la charge de l'équipe."},
    # A decision above the téléservice's threshold, validated or sent back by a supervisor.
    "validate_decision": {},
    "send_back_decision": {"reason": "Le montant ne tient pas compte de la majoration."},
    # The complement's deadline passed: the scheduled job's action.
    "expire_complement": {},
    # Palmarès only: the jury's visit (today, so that its report may follow), its report, the ranking.
    "schedule_visit": {"visit_on": dt.date.today().isoformat(), "message": "Le jury arrivera à 10 h."},
    "report_visit": {"report": "Fleurissement soigné, gestion différenciée exemplaire."},
    "rank": {"prize": "premier"},
}
PALMARES_ACTIONS = ("schedule_visit", "report_visit", "rank")
PALMARES_STATUSES = (S.VISIT_SCHEDULED, S.AWAITING_RANKING)
# Who normally performs each action (the « system » is the scheduler).
USUAL_ACTOR = {
    "transmit": "applicant",
    "answer_complement": "applicant",
    "assign": "supervisor",
    "validate_decision": "supervisor",
    "send_back_decision": "supervisor",
    "expire_complement": "system",
}


def actor_of(cast: Any, name: str) -> Any:
    return SYSTEM if name == "system" else getattr(cast, name)


def bring_to(status: str, cast: Any) -> Dossier:
    """A dossier of the applicant brought to ``status`` through the actions layer only (the
    jury's statuses on a Palmarès registration of the applicant's commune)."""
    if status in PALMARES_STATUSES:
        teleservice = palmares_teleservice(cast.service)
        dossier = palmares_dossier(teleservice, cast.applicant, commune_of(cast.applicant))
        actions.take(dossier, acting_user=cast.agent)
        actions.schedule_visit(dossier, acting_user=cast.agent, **ACTION_ARGS["schedule_visit"])
        if status == S.AWAITING_RANKING:
            actions.report_visit(dossier, acting_user=cast.agent, **ACTION_ARGS["report_visit"])
        assert dossier.status == status
        return dossier
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=status != S.DRAFT)
    if status in (S.DRAFT, S.TRANSMITTED):
        return dossier
    actions.take(dossier, acting_user=cast.agent)
    if status == S.COMPLEMENT_REQUESTED:
        actions.request_complement(dossier, acting_user=cast.agent, **ACTION_ARGS["request_complement"])
    elif status == S.AWAITING_VALIDATION:
        propose_above_threshold(dossier, cast)
    elif status in DECISION_ARGS:
        actions.decide(dossier, acting_user=cast.agent, **DECISION_ARGS[status])
    assert dossier.status == status
    return dossier


def propose_above_threshold(dossier: Dossier, cast: Any) -> None:
    """The agent accepts 250 € on a téléservice that validates above 100 €; the threshold is then
    removed, so that the other rows decide directly."""
    cast.teleservice.validation_threshold = 100
    cast.teleservice.save()
    actions.decide(dossier, acting_user=cast.agent, **DECISION_ARGS[S.ACCEPTED])
    cast.teleservice.validation_threshold = None
    cast.teleservice.save()


def beneficiary_of(applicant: Any) -> FoyerMember:
    return applicant.foyer.members.exclude(link=FoyerMember.Link.APPLICANT).first()


def snapshot(dossier: Dossier) -> dict[str, Any]:
    """Everything a refused action must leave as it was."""
    fresh = Dossier.objects.get(pk=dossier.pk)
    return {
        "status": fresh.status,
        "assignee": fresh.assignee_id,
        "process": fresh.process_id,
        "data": fresh.data,
        "tasks": [(t.pk, t.flow_task.name, t.status, t.owner_id) for t in engine.open_tasks(fresh)],
        "events": list(Event.objects.filter(dossier=fresh).values_list("pk", flat=True)),
        "outbox": OutboxMessage.objects.count(),
    }


def call(action: str, dossier: Dossier, actor: Any, **overrides: Any) -> Dossier:
    kwargs = {**ACTION_ARGS[action], **overrides}
    if isinstance(kwargs.get("agent"), str):
        kwargs["agent"] = User.objects.get(email=kwargs["agent"])
    return getattr(actions, action)(dossier, acting_user=actor, **kwargs)


NEW_ACTIONS = ("validate_decision", "send_back_decision", "expire_complement")


# (status, action, actor, expected): a target status, or the refusal it must raise.
# The actor is the one who would normally perform the action in that status; where nobody
# holds the needed role (agents never see drafts, nobody is assignee of a queued dossier),
# the access layer answers before the FSM and the expected refusal is the access refusal.
MATRIX: list[tuple[str, str, str, Any]] = (
    [
        (S.DRAFT, "transmit", "applicant", S.TRANSMITTED),
        (S.DRAFT, "take", "agent", NotVisible),
        (S.DRAFT, "release", "supervisor", NotVisible),
        (S.DRAFT, "request_complement", "agent", NotVisible),
        (S.DRAFT, "answer_complement", "applicant", TransitionRefused),
        (S.DRAFT, "decide", "agent", NotVisible),
        (S.DRAFT, "assign", "supervisor", NotVisible),
        (S.TRANSMITTED, "transmit", "applicant", TransitionRefused),
        (S.TRANSMITTED, "take", "agent", S.IN_INSTRUCTION),
        (S.TRANSMITTED, "release", "supervisor", TransitionRefused),
        (S.TRANSMITTED, "request_complement", "agent", PermissionDenied),
        (S.TRANSMITTED, "answer_complement", "applicant", TransitionRefused),
        (S.TRANSMITTED, "decide", "agent", PermissionDenied),
        (S.TRANSMITTED, "assign", "supervisor", S.IN_INSTRUCTION),
        (S.IN_INSTRUCTION, "transmit", "applicant", TransitionRefused),
        (S.IN_INSTRUCTION, "take", "agent", TransitionRefused),
        (S.IN_INSTRUCTION, "release", "agent", S.TRANSMITTED),
        (S.IN_INSTRUCTION, "request_complement", "agent", S.COMPLEMENT_REQUESTED),
        (S.IN_INSTRUCTION, "answer_complement", "applicant", TransitionRefused),
        (S.IN_INSTRUCTION, "decide", "agent", S.ACCEPTED),
        (S.IN_INSTRUCTION, "assign", "supervisor", S.IN_INSTRUCTION),
        (S.COMPLEMENT_REQUESTED, "transmit", "applicant", TransitionRefused),
        (S.COMPLEMENT_REQUESTED, "take", "agent", TransitionRefused),
        (S.COMPLEMENT_REQUESTED, "release", "agent", TransitionRefused),
        (S.COMPLEMENT_REQUESTED, "request_complement", "agent", TransitionRefused),
        (S.COMPLEMENT_REQUESTED, "answer_complement", "applicant", S.TRANSMITTED),
        (S.COMPLEMENT_REQUESTED, "decide", "agent", TransitionRefused),
        (S.COMPLEMENT_REQUESTED, "assign", "supervisor", TransitionRefused),
        (S.COMPLEMENT_REQUESTED, "expire_complement", "system", S.IN_INSTRUCTION),
        (S.AWAITING_VALIDATION, "validate_decision", "supervisor", S.ACCEPTED),
        (S.AWAITING_VALIDATION, "send_back_decision", "supervisor", S.IN_INSTRUCTION),
        # The scheduler never sees drafts' owners, yet it may try: the FSM refuses.
        (S.DRAFT, "expire_complement", "system", TransitionRefused),
        # Supervisors do not see drafts.
        (S.DRAFT, "validate_decision", "supervisor", NotVisible),
        (S.DRAFT, "send_back_decision", "supervisor", NotVisible),
    ]
    + [
        (status, action, USUAL_ACTOR.get(action, "agent"), TransitionRefused)
        for status in (S.TRANSMITTED, S.IN_INSTRUCTION)
        for action in NEW_ACTIONS
    ]
    + [
        (S.COMPLEMENT_REQUESTED, action, "supervisor", TransitionRefused)
        for action in ("validate_decision", "send_back_decision")
    ]
    + [
        (S.AWAITING_VALIDATION, action, USUAL_ACTOR.get(action, "agent"), TransitionRefused)
        for action in ACTION_ARGS
        if action not in ("validate_decision", "send_back_decision")
    ]
    # Palmarès actions on a Pack Jeunes dossier: no jury, whatever the status (the FSM's
    # condition); agents never see drafts, and only the agent in charge may act.
    + [(S.DRAFT, action, "agent", NotVisible) for action in PALMARES_ACTIONS]
    + [(S.TRANSMITTED, action, "agent", PermissionDenied) for action in PALMARES_ACTIONS]
    + [
        (status, action, "agent", TransitionRefused)
        for status in (S.IN_INSTRUCTION, S.COMPLEMENT_REQUESTED)
        for action in PALMARES_ACTIONS
    ]
    # The jury's statuses (on a Palmarès registration): only the next jury step.
    + [(S.VISIT_SCHEDULED, "report_visit", "agent", S.AWAITING_RANKING)]
    + [(S.AWAITING_RANKING, "rank", "agent", S.ACCEPTED)]
    + [
        (status, action, USUAL_ACTOR.get(action, "agent"), TransitionRefused)
        for status in PALMARES_STATUSES
        for action in ACTION_ARGS
        if (status, action) not in ((S.VISIT_SCHEDULED, "report_visit"), (S.AWAITING_RANKING, "rank"))
    ]
    + [
        (decided, action, USUAL_ACTOR.get(action, "agent"), TransitionRefused)
        for decided in (S.ACCEPTED, S.REJECTED, S.CLOSED)
        for action in ACTION_ARGS
    ]
)
ALLOWED = [row for row in MATRIX if isinstance(row[3], str)]
REFUSED = [row for row in MATRIX if not isinstance(row[3], str)]


def _id(row: tuple[str, str, str, Any]) -> str:
    status, action, actor, expected = row
    return f"{status}-{action}-{actor}"


def test_matrix_covers_every_status_and_action():
    """The table has exactly one row per (status, action)."""
    assert sorted((s, a) for s, a, _actor, _exp in MATRIX) == sorted((s, a) for s in S.values for a in ACTION_ARGS)


@pytest.mark.parametrize(("status", "action", "actor", "target"), ALLOWED, ids=[_id(r) for r in ALLOWED])
def test_transition_allowed_actor_succeeds(cast, status, action, actor, target):
    """An allowed action reaches its target status and writes exactly one matching event."""
    dossier = bring_to(status, cast)
    events_before = set(Event.objects.filter(dossier=dossier).values_list("pk", flat=True))
    user = actor_of(cast, actor)

    returned = call(action, dossier, user)

    assert returned is dossier
    assert dossier.status == target
    assert Dossier.objects.get(pk=dossier.pk).status == target
    new = list(Event.objects.filter(dossier=dossier).exclude(pk__in=events_before))
    recorded = {
        ("assign", S.IN_INSTRUCTION): "reassign",
        ("validate_decision", S.AWAITING_VALIDATION): "decide",
        ("rank", S.AWAITING_RANKING): "decide",
    }.get((action, status), action)
    assert [(e.action, e.from_status, e.to_status, e.actor_id) for e in new] == [(recorded, status, target, user.pk)]


@pytest.mark.parametrize("outcome", [S.ACCEPTED, S.REJECTED, S.CLOSED])
def test_decide_assignee_each_outcome_reaches_it(cast, outcome):
    """Each decision outcome is its own target status, and the process ends."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)

    actions.decide(dossier, acting_user=cast.agent, **DECISION_ARGS[outcome])

    assert dossier.status == outcome
    assert engine.open_tasks(dossier) == []
    assert dossier.process.status == "DONE"
    event = Event.objects.filter(dossier=dossier).last()
    assert (event.action, event.from_status, event.to_status) == ("decide", S.IN_INSTRUCTION, outcome)


@pytest.mark.parametrize(("status", "action", "actor", "refusal"), REFUSED, ids=[_id(r) for r in REFUSED])
def test_transition_forbidden_actor_refused_changes_nothing(cast, status, action, actor, refusal):
    """A forbidden action raises its refusal (in French for the FSM) and changes nothing."""
    dossier = bring_to(status, cast)
    before = snapshot(dossier)

    with pytest.raises(refusal) as caught:
        call(action, dossier, actor_of(cast, actor))

    if refusal is TransitionRefused:
        label = S(status).label
        assert caught.value.message == f"Cette action n'est pas possible pour un dossier « {label} »."
    assert dossier.status == status
    assert snapshot(dossier) == before


# --- Access refusals ------------------------------------------------------------------
# For each action, the status in which its usual actor may perform it.
WHERE_ALLOWED = {
    "transmit": S.DRAFT,
    "take": S.TRANSMITTED,
    "release": S.IN_INSTRUCTION,
    "request_complement": S.IN_INSTRUCTION,
    "answer_complement": S.COMPLEMENT_REQUESTED,
    "decide": S.IN_INSTRUCTION,
    "assign": S.TRANSMITTED,
    "validate_decision": S.AWAITING_VALIDATION,
    "send_back_decision": S.AWAITING_VALIDATION,
}


@pytest.mark.parametrize("action", list(WHERE_ALLOWED))
def test_action_other_citizen_not_visible(cast, action):
    """Another citizen cannot even learn that the applicant's dossier exists."""
    dossier = bring_to(WHERE_ALLOWED[action], cast)
    before = snapshot(dossier)

    with pytest.raises(NotVisible):
        call(action, dossier, cast.other_citizen)

    assert snapshot(dossier) == before


def test_save_draft_other_citizen_not_visible(cast):
    """Another citizen cannot edit the applicant's draft."""
    dossier = bring_to(S.DRAFT, cast)
    before = snapshot(dossier)
    beneficiary = beneficiary_of(cast.applicant)

    with pytest.raises(NotVisible):
        actions.save_draft(dossier, valid_form_data(beneficiary, engagement="jsp"), acting_user=cast.other_citizen)

    assert snapshot(dossier) == before


@pytest.mark.parametrize("action", list(WHERE_ALLOWED))
def test_action_other_agent_not_visible(cast, action):
    """An agent of another service does not see the dossier at all."""
    dossier = bring_to(WHERE_ALLOWED[action], cast)
    before = snapshot(dossier)

    with pytest.raises(NotVisible):
        call(action, dossier, cast.other_agent)

    assert snapshot(dossier) == before


@pytest.mark.parametrize("action", ["decide", "request_complement", "release", "assign"])
def test_action_colleague_not_assignee_permission_denied(cast, action):
    """An agent of the same service who did not take the dossier may not act on it."""
    colleague = UserFactory(email="collegue@exemple.test")
    cast.service.add_agent(colleague)
    dossier = bring_to(S.IN_INSTRUCTION, cast)
    before = snapshot(dossier)

    with pytest.raises(PermissionDenied):
        call(action, dossier, colleague)

    assert snapshot(dossier) == before


@pytest.mark.parametrize("action", ["decide", "request_complement"])
def test_action_supervisor_not_assignee_permission_denied(cast, action):
    """A supervisor may not decide or ask for a complement on a dossier someone else holds."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)
    before = snapshot(dossier)

    with pytest.raises(PermissionDenied):
        call(action, dossier, cast.supervisor)

    assert snapshot(dossier) == before


@pytest.mark.parametrize("action", ["take", "decide"])
def test_agent_action_applicant_permission_denied(cast, action):
    """The applicant sees the dossier but may not perform an agent's action on it."""
    dossier = bring_to(WHERE_ALLOWED[action], cast)
    before = snapshot(dossier)

    with pytest.raises(PermissionDenied):
        call(action, dossier, cast.applicant)

    assert snapshot(dossier) == before


def test_release_supervisor_assigned_to_agent_succeeds(cast):
    """A supervisor may put a dossier held by an agent back into the service queue."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)

    actions.release(dossier, acting_user=cast.supervisor)

    assert dossier.status == S.TRANSMITTED
    assert dossier.assignee is None
    [task] = engine.open_tasks(dossier)
    assert (task.flow_task.name, task.owner_id) == ("review", None)
    event = Event.objects.filter(dossier=dossier).last()
    assert (event.action, event.actor_id, event.details["previous_assignee"]) == (
        "release",
        cast.supervisor.pk,
        cast.agent.pk,
    )


# --- Bad input ------------------------------------------------------------------------
@pytest.mark.parametrize("amount", ["abc", "-10", "", None, "NaN"])
def test_decide_accept_assignee_invalid_amount(cast, amount):
    """Accepting with an amount that is not a positive number is refused on 'amount'."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)
    before = snapshot(dossier)

    with pytest.raises(InvalidInput) as caught:
        actions.decide(dossier, acting_user=cast.agent, outcome=S.ACCEPTED, amount=amount)

    assert list(caught.value.errors) == ["amount"]
    assert snapshot(dossier) == before


@pytest.mark.parametrize("outcome", [S.REJECTED, S.CLOSED])
@pytest.mark.parametrize("motivation", ["", "   \n"])
def test_decide_reject_or_close_assignee_without_motivation(cast, outcome, motivation):
    """Rejecting or closing without a motivation is refused on 'motivation'."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)
    before = snapshot(dossier)

    with pytest.raises(InvalidInput) as caught:
        actions.decide(dossier, acting_user=cast.agent, outcome=outcome, motivation=motivation)

    assert list(caught.value.errors) == ["motivation"]
    assert snapshot(dossier) == before


def test_decide_assignee_unknown_outcome(cast):
    """An outcome that is not a decided status is refused on 'outcome'."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)
    before = snapshot(dossier)

    with pytest.raises(InvalidInput) as caught:
        actions.decide(dossier, acting_user=cast.agent, outcome=S.TRANSMITTED)

    assert "outcome" in caught.value.errors
    assert snapshot(dossier) == before


@pytest.mark.parametrize("message", ["", "   ", None])
def test_request_complement_assignee_blank_message(cast, message):
    """Asking for a complement without saying what is missing is refused."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)
    before = snapshot(dossier)

    with pytest.raises(InvalidInput) as caught:
        actions.request_complement(dossier, acting_user=cast.agent, message=message)

    assert list(caught.value.errors) == ["message"]
    assert snapshot(dossier) == before


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"quotient_familial": ""}, "quotient_familial"),
        ({"housing_postal_code": "7000"}, "housing_postal_code"),
        ({"housing_postal_code": "ABCDE"}, "housing_postal_code"),
        ({"certify": ""}, "certify"),
    ],
    ids=["missing-qf", "short-postal-code", "letters-postal-code", "not-certified"],
)
def test_transmit_applicant_incomplete_form(cast, override, field):
    """An incomplete draft is not transmitted: it stays a draft, keeps its data, starts nothing."""
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    beneficiary = beneficiary_of(cast.applicant)
    actions.save_draft(dossier, valid_form_data(beneficiary, **override), acting_user=cast.applicant)
    saved = Dossier.objects.get(pk=dossier.pk).data
    outbox = OutboxMessage.objects.count()

    with pytest.raises(InvalidInput) as caught:
        actions.transmit(dossier, acting_user=cast.applicant)

    assert field in caught.value.errors
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.status, fresh.process_id, fresh.transmitted_at) == (S.DRAFT, None, None)
    assert fresh.data == saved
    assert fresh.data[field] == (False if field == "certify" else override[field])
    assert OutboxMessage.objects.count() == outbox
    assert list(Event.objects.filter(dossier=fresh).values_list("action", flat=True)) == ["create"]


# --- Double transmission --------------------------------------------------------------
def _assert_transmitted_once(dossier: Dossier) -> None:
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.status == S.TRANSMITTED
    assert fresh.process_id is not None
    assert Process.objects.count() == 1
    assert [t.flow_task.name for t in engine.open_tasks(fresh)] == ["review"]
    assert Event.objects.filter(dossier=fresh, action="transmit").count() == 1
    assert OutboxMessage.objects.filter(dossier=fresh).count() == 1


def test_transmit_applicant_twice_same_object(cast):
    """Transmitting again with the (refreshed) same object is refused by the FSM."""
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    actions.transmit(dossier, acting_user=cast.applicant)

    with pytest.raises(TransitionRefused):
        actions.transmit(dossier, acting_user=cast.applicant)

    _assert_transmitted_once(dossier)


def test_transmit_applicant_twice_stale_copy(cast):
    """A second transmission from a copy read before the first (another tab) is a conflict."""
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    stale = Dossier.objects.get(pk=dossier.pk)
    actions.transmit(dossier, acting_user=cast.applicant)

    with pytest.raises(Conflict) as caught:
        actions.transmit(stale, acting_user=cast.applicant)

    assert "« Transmis »" in caught.value.message
    assert stale.status == S.DRAFT
    _assert_transmitted_once(dossier)


def test_transmit_applicant_twice_reread_copy(cast):
    """A second transmission from a copy read after the first is refused by the FSM."""
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    actions.transmit(dossier, acting_user=cast.applicant)

    with pytest.raises(TransitionRefused):
        actions.transmit(Dossier.objects.get(pk=dossier.pk), acting_user=cast.applicant)

    _assert_transmitted_once(dossier)


@pytest.mark.parametrize("status", ["transmitted", "in_instruction", "accepted"])
def test_save_draft_applicant_after_transmission_is_refused(cast, status):
    """Once transmitted (and until a complement is asked), the applicant cannot rewrite the data."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    if status != "transmitted":
        actions.take(dossier, acting_user=cast.agent)
    if status == "accepted":
        actions.decide(dossier, acting_user=cast.agent, outcome="accepted", amount="250")
    before = dict(dossier.data)
    beneficiary = cast.applicant.foyer.members.get()
    with pytest.raises(TransitionRefused, match="n'est plus modifiable"):
        actions.save_draft(dossier, valid_form_data(beneficiary, housing_postal_code="x"), acting_user=cast.applicant)
    dossier.refresh_from_db()
    assert dossier.data == before and dossier.status == status
