"""Random sequences of actions by random members of the cast, from two browser tabs, on a few
dossiers: whatever is refused, the dossier's status, its Viewflow tasks and its audit trail
must always agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from viewflow.workflow.status import PROCESS, STATUS

from instruction import actions
from instruction.actions import ActionError, InvalidInput
from instruction.models import Dossier, DossierStatus, Event, FoyerMember
from permissions.access import SYSTEM, NotVisible
from tests.factories import filed_dossier, valid_form_data
from workflows import engine

S = DossierStatus
MAX_DOSSIERS = 2
# « system » is the scheduler (a complement's deadline).
ACTORS = ("applicant", "other_citizen", "agent", "other_agent", "supervisor", "system")
# The téléservice validates acceptances above this amount (the 900 € step below).
THRESHOLD = 500
OUTSIDERS = ("other_citizen", "other_agent")

# (action, keyword arguments, whether the input itself is valid)
STEPS: tuple[tuple[str, dict[str, Any], bool], ...] = (
    ("transmit", {}, True),
    ("take", {}, True),
    ("release", {}, True),
    ("request_complement", {"message": "Joignez votre bail signé."}, True),
    ("request_complement", {"message": "  "}, False),
    ("answer_complement", {}, True),
    ("decide", {"outcome": S.ACCEPTED, "amount": "250"}, True),
    ("decide", {"outcome": S.ACCEPTED, "amount": "abc"}, False),
    ("decide", {"outcome": S.REJECTED, "motivation": "Ressources trop élevées."}, True),
    ("decide", {"outcome": S.CLOSED, "motivation": "Demande en double."}, True),
    (
        "decide",
        {"outcome": S.ACCEPTED, "amount": "900", "motivation": "Situation exceptionnelle."},
        True,
    ),  # above the threshold: validation
    ("validate_decision", {}, True),
    ("send_back_decision", {"reason": "Le montant est à revoir."}, True),
    ("send_back_decision", {"reason": " "}, False),
    ("expire_complement", {}, True),
    # A supervisor's « Attribuer » (the agent is a name of the cast, resolved in _attempt).
    ("assign", {"agent": "agent", "reason": "Rééquilibrage de la charge."}, True),
    ("assign", {"agent": "supervisor", "reason": "Absence de l'agent."}, True),
    ("assign", {"agent": "agent", "reason": " "}, False),
)
# What a successful action does to the status (decide goes to its outcome).
TRANSITIONS = {
    "transmit": (S.DRAFT, S.TRANSMITTED),
    "take": (S.TRANSMITTED, S.IN_INSTRUCTION),
    "release": (S.IN_INSTRUCTION, S.TRANSMITTED),
    "request_complement": (S.IN_INSTRUCTION, S.COMPLEMENT_REQUESTED),
    "answer_complement": (S.COMPLEMENT_REQUESTED, S.TRANSMITTED),
    "decide": (S.IN_INSTRUCTION, None),
    "validate_decision": (S.AWAITING_VALIDATION, S.ACCEPTED),
    "send_back_decision": (S.AWAITING_VALIDATION, S.IN_INSTRUCTION),
    # Back to the agent who asked (the téléservice's default; the cast's agents stay agents).
    "expire_complement": (S.COMPLEMENT_REQUESTED, S.IN_INSTRUCTION),
    "assign": (S.TRANSMITTED, S.IN_INSTRUCTION),  # or, as a reassignment, IN_INSTRUCTION to itself
}
REFUSALS = (ActionError, PermissionDenied, Http404)
# How the usual actors bring a new draft to each status (step indexes in STEPS).
PATHS = {
    S.DRAFT: (),
    S.TRANSMITTED: (0,),
    S.IN_INSTRUCTION: (0, 1),
    S.COMPLEMENT_REQUESTED: (0, 1, 3),
    S.ACCEPTED: (0, 1, 6),
    S.REJECTED: (0, 1, 8),
    S.CLOSED: (0, 1, 9),
    S.AWAITING_VALIDATION: (0, 1, 10),
}


def actor_of(cast: Any, name: str) -> Any:
    return SYSTEM if name == "system" else getattr(cast, name)


@dataclass
class Tracked:
    pk: int
    tabs: list[Dossier]  # two copies of the dossier, as two browser tabs would hold
    changes: int = 0  # successful status-changing actions
    history: list[str] = field(default_factory=list)


class DossierLifecycle(RuleBasedStateMachine):
    def __init__(self, cast: Any) -> None:
        super().__init__()
        self.cast = cast
        self.dossiers: list[Tracked] = []
        # Each example runs in its own savepoint, rolled back at teardown.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _status(self, tracked: Tracked) -> str:
        return Dossier.objects.values_list("status", flat=True).get(pk=tracked.pk)

    def _usual_actor(self, tracked: Tracked, action: str, agent: str) -> str:
        """Who would normally do ``action``: the applicant, the agent taking it, the assignee."""
        if action in ("transmit", "answer_complement"):
            return "applicant"
        if action in ("assign", "validate_decision", "send_back_decision"):
            return "supervisor"
        if action == "expire_complement":
            return "system"
        assignee_id = Dossier.objects.values_list("assignee_id", flat=True).get(pk=tracked.pk)
        holder = next((name for name in ACTORS if actor_of(self.cast, name).pk == assignee_id), None)
        if action == "take" or holder is None:
            return agent
        return agent if action == "release" and agent == "supervisor" else holder

    def _attempt(self, tracked: Tracked, tab: int, actor: str, step: tuple[str, dict[str, Any], bool]) -> bool:
        name, kwargs, valid_input = step
        if "agent" in kwargs:
            kwargs = {**kwargs, "agent": getattr(self.cast, kwargs["agent"])}
        before = self._status(tracked)
        try:
            getattr(actions, name)(tracked.tabs[tab], acting_user=actor_of(self.cast, actor), **kwargs)
        except REFUSALS as refusal:
            event(f"refused: {type(refusal).__name__}")
            assert self._status(tracked) == before, f"{name} by {actor} refused but changed the status"
            if not valid_input:
                assert isinstance(refusal, InvalidInput), "input is checked before anything else"
            elif actor in OUTSIDERS:
                assert isinstance(refusal, NotVisible), f"{name} by {actor}: {refusal!r}"
            return False
        assert valid_input and actor not in OUTSIDERS, f"{name} by {actor} should have been refused"
        source, target = TRANSITIONS[name]
        target = target or kwargs["outcome"]
        if name == "decide" and kwargs.get("amount") == "900":
            target = S.AWAITING_VALIDATION
        if name == "assign" and before == S.IN_INSTRUCTION:
            source = target = S.IN_INSTRUCTION
        assert (before, self._status(tracked)) == (source, target)
        assert tracked.tabs[tab].status == target, "the caller's copy is refreshed"
        tracked.changes += 1
        tracked.history.append(f"{name} by {actor}")
        event(f"{name}: {source} -> {target}")
        return True

    @initialize(start=st.sampled_from(list(PATHS)), agent=st.sampled_from(["agent", "supervisor"]))
    def file_first_dossier(self, start: str, agent: str) -> None:
        """The first dossier starts in any status, reached by its usual actors."""
        self.file_draft()
        tracked = self.dossiers[0]
        for index in PATHS[start]:
            step = STEPS[index]
            assert self._attempt(tracked, 0, self._usual_actor(tracked, step[0], agent), step)
        tracked.tabs[1].refresh_from_db()

    @precondition(lambda self: len(self.dossiers) < MAX_DOSSIERS)
    @rule()
    def file_draft(self) -> None:
        dossier = filed_dossier(self.cast.teleservice, self.cast.applicant, transmit=False)
        tabs = [Dossier.objects.get(pk=dossier.pk), Dossier.objects.get(pk=dossier.pk)]
        self.dossiers.append(Tracked(pk=dossier.pk, tabs=tabs))

    @rule(
        index=st.integers(0, MAX_DOSSIERS - 1),
        tab=st.integers(0, 1),
        actor=st.sampled_from(ACTORS),
        valid=st.booleans(),
    )
    def edit(self, index: int, tab: int, actor: str, valid: bool) -> None:
        """Saving the form never changes the status (and makes later transmissions fail when invalid)."""
        tracked = self.dossiers[index % len(self.dossiers)]
        beneficiary = self.cast.applicant.foyer.members.exclude(link=FoyerMember.Link.APPLICANT).first()
        data = valid_form_data(beneficiary, **({} if valid else {"housing_postal_code": "700"}))
        before = self._status(tracked)
        try:
            actions.save_draft(tracked.tabs[tab], data, acting_user=actor_of(self.cast, actor))
        except REFUSALS as refusal:
            assert actor not in OUTSIDERS or isinstance(refusal, NotVisible)
        assert self._status(tracked) == before

    @rule(
        index=st.integers(0, MAX_DOSSIERS - 1),
        tab=st.integers(0, 1),
        actor=st.sampled_from(ACTORS),
        step=st.sampled_from(STEPS),
    )
    def anyone_acts(self, index: int, tab: int, actor: str, step: tuple[str, dict[str, Any], bool]) -> None:
        """Anyone tries anything, from either tab (possibly out of date)."""
        self._attempt(self.dossiers[index % len(self.dossiers)], tab, actor, step)

    @rule(data=st.data(), index=st.integers(0, MAX_DOSSIERS - 1), agent=st.sampled_from(["agent", "supervisor"]))
    def usual_actor_acts(self, data: st.DataObject, index: int, agent: str) -> None:
        """The usual actor reloads the first tab and tries one of the actions the status offers (valid input)."""
        tracked = self.dossiers[index % len(self.dossiers)]
        tracked.tabs[0].refresh_from_db()
        status = self._status(tracked)
        offered = [
            step
            for step in STEPS
            if step[2] and (TRANSITIONS[step[0]][0] == status or (step[0], status) == ("assign", S.IN_INSTRUCTION))
        ] or list(STEPS)
        name = data.draw(st.sampled_from(sorted({step[0] for step in offered})))
        step = data.draw(st.sampled_from([step for step in offered if step[0] == name]))
        self._attempt(tracked, 0, self._usual_actor(tracked, step[0], agent), step)

    @invariant()
    def status_tasks_and_events_agree(self) -> None:
        for tracked in self.dossiers:
            dossier = Dossier.objects.select_related("process").get(pk=tracked.pk)
            tasks = [(t.flow_task.name, t.status, t.owner_id) for t in engine.open_tasks(dossier)]
            where = f"{dossier.reference} after {tracked.history}: {dossier.status}, tasks {tasks}"
            if dossier.status == S.DRAFT:
                assert dossier.process_id is None, where
                assert dossier.assignee_id is None, where
            elif dossier.status == S.TRANSMITTED:
                assert dossier.assignee_id is None, where
                assert tasks == [("review", STATUS.NEW, None)], where
            elif dossier.status == S.IN_INSTRUCTION:
                assert dossier.assignee_id is not None, where
                assert tasks == [("review", STATUS.ASSIGNED, dossier.assignee_id)], where
            elif dossier.status == S.COMPLEMENT_REQUESTED:
                assert tasks == [("await_complement", STATUS.ASSIGNED, dossier.applicant_id)], where
            elif dossier.status == S.AWAITING_VALIDATION:
                assert dossier.assignee_id is not None, where
                assert tasks == [("validation", STATUS.NEW, None)], where
            else:
                assert tasks == [], where
                assert dossier.process.status == PROCESS.DONE, where
            # The complement's deadline is armed exactly while the applicant's task is open.
            timers = [t.flow_task.name for t in engine.scheduled_timers(dossier)]
            expected = ["await_complement__timeout"] if dossier.status == S.COMPLEMENT_REQUESTED else []
            assert timers == expected, where
            if dossier.process_id is not None and not dossier.is_decided:
                assert dossier.process.status == PROCESS.NEW, where

            events = list(Event.objects.filter(dossier=dossier).order_by("pk"))
            assert len(events) == 1 + tracked.changes, where
            assert (events[0].action, events[0].to_status) == ("create", S.DRAFT), where
            for previous, current in zip(events, events[1:], strict=False):
                assert current.from_status == previous.to_status, where
            assert events[-1].to_status == dossier.status, where


@pytest.mark.django_db
def test_lifecycle_random_actors_status_tasks_and_events_agree(cast):
    """Any sequence of actions by anyone keeps status, open tasks and audit trail in step."""
    cast.teleservice.validation_threshold = THRESHOLD
    cast.teleservice.save()
    run_state_machine_as_test(
        lambda: DossierLifecycle(cast),
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
