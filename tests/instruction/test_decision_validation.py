"""A decision above the téléservice's threshold waits for a supervisor: proposed by the agent,
then validated (it becomes the decision and reaches the applicant) or sent back to the agent.
Meanwhile the applicant sees « En cours d'instruction » and nothing of the proposal."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from viewflow.workflow.status import STATUS

from instruction import actions
from instruction.actions import InvalidInput, TransitionRefused
from instruction.models import Dossier, DossierStatus, Event, OutboxMessage
from permissions.access import NotVisible
from tests.citizen_portal.test_journey_http import login
from tests.factories import UserFactory, filed_dossier
from tests.pages import text_of
from workflows import engine

S = DossierStatus


@pytest.fixture
def validating(cast: Any) -> Any:
    cast.teleservice.validation_threshold = 300
    cast.teleservice.save()
    return cast


def taken(cast: Any) -> Dossier:
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    return dossier


def proposed(cast: Any, amount: str = "450") -> Dossier:
    dossier = taken(cast)
    actions.decide(dossier, acting_user=cast.agent, outcome=S.ACCEPTED, amount=amount, motivation="Éligible.")
    return dossier


def decision_emails(dossier: Dossier) -> int:
    return OutboxMessage.objects.filter(dossier=dossier, key__startswith="decision:").count()


def test_accept_above_threshold_waits_for_supervisor(validating):
    dossier = proposed(validating)

    assert dossier.status == S.AWAITING_VALIDATION
    assert (dossier.proposed_outcome, str(dossier.decision_amount)) == (S.ACCEPTED, "450.00")
    assert dossier.decided_at is None
    assert [(t.flow_task.name, t.status, t.owner_id) for t in engine.open_tasks(dossier)] == [
        ("validation", STATUS.NEW, None)
    ]
    event = Event.objects.filter(dossier=dossier).last()
    assert (event.action, event.to_status, event.details["threshold"]) == (
        "propose_decision",
        S.AWAITING_VALIDATION,
        "300.00",
    )
    assert decision_emails(dossier) == 0  # nothing reaches the applicant yet


@pytest.mark.parametrize(
    ("outcome", "amount"), [(S.ACCEPTED, "300"), (S.ACCEPTED, "120"), (S.REJECTED, ""), (S.CLOSED, "")]
)
def test_decision_at_or_below_threshold_or_not_accepting_is_direct(validating, outcome, amount):
    dossier = taken(validating)

    actions.decide(dossier, acting_user=validating.agent, outcome=outcome, amount=amount, motivation="Motif.")

    assert dossier.status == outcome
    assert decision_emails(dossier) == 1


def test_no_threshold_never_waits(cast):
    dossier = taken(cast)
    actions.decide(
        dossier, acting_user=cast.agent, outcome=S.ACCEPTED, amount="99999", motivation="Situation exceptionnelle."
    )
    assert dossier.status == S.ACCEPTED


def test_supervisor_validates_decision_reaches_applicant(validating):
    dossier = proposed(validating)

    actions.validate_decision(dossier, acting_user=validating.supervisor)

    assert dossier.status == S.ACCEPTED
    assert str(dossier.decision_amount) == "450.00" and dossier.decided_at is not None
    assert dossier.proposed_outcome == ""
    assert engine.open_tasks(dossier) == []
    assert dossier.process.status == "DONE"
    event = Event.objects.filter(dossier=dossier).last()
    assert (event.action, event.actor_id, event.from_status, event.to_status) == (
        "decide",
        validating.supervisor.pk,
        S.AWAITING_VALIDATION,
        S.ACCEPTED,
    )
    assert (event.details["validated"], event.details["proposed_by"], event.details["amount"]) == (
        True,
        validating.agent.pk,
        "450.00",
    )
    assert decision_emails(dossier) == 1


def test_supervisor_sends_back_agent_gets_it_again(validating):
    dossier = proposed(validating)

    actions.send_back_decision(dossier, acting_user=validating.supervisor, reason="La majoration ne s'applique pas.")

    assert (dossier.status, dossier.assignee_id) == (S.IN_INSTRUCTION, validating.agent.pk)
    assert (dossier.proposed_outcome, dossier.decision_amount) == ("", None)
    assert [(t.flow_task.name, t.status, t.owner_id) for t in engine.open_tasks(dossier)] == [
        ("review", STATUS.ASSIGNED, validating.agent.pk)
    ]
    event = Event.objects.filter(dossier=dossier).last()
    assert (event.action, event.details["reason"], event.details["proposed"]["amount"]) == (
        "send_back_decision",
        "La majoration ne s'applique pas.",
        "450.00",
    )
    # The agent decides again, lower this time: direct.
    actions.decide(dossier, acting_user=validating.agent, outcome=S.ACCEPTED, amount="250")
    assert dossier.status == S.ACCEPTED


def test_send_back_without_reason_changes_nothing(validating):
    dossier = proposed(validating)
    events = Event.objects.filter(dossier=dossier).count()

    with pytest.raises(InvalidInput) as caught:
        actions.send_back_decision(dossier, acting_user=validating.supervisor, reason="  ")

    assert list(caught.value.errors) == ["reason"]
    assert Dossier.objects.get(pk=dossier.pk).status == S.AWAITING_VALIDATION
    assert Event.objects.filter(dossier=dossier).count() == events


@pytest.mark.parametrize("action", ["validate_decision", "send_back_decision"])
def test_validation_refused_to_agents_and_outsiders(validating, action):
    dossier = proposed(validating)
    colleague = UserFactory(email="collegue@exemple.test")
    validating.service.add_agent(colleague)
    kwargs = {"reason": "Non."} if action == "send_back_decision" else {}
    for actor, refusal in (
        (validating.agent, PermissionDenied),  # the proposer may not validate their own decision
        (colleague, PermissionDenied),
        (validating.applicant, PermissionDenied),
        (validating.other_agent, NotVisible),
        (validating.other_citizen, NotVisible),
    ):
        with pytest.raises(refusal):
            getattr(actions, action)(dossier, acting_user=actor, **kwargs)
    assert Dossier.objects.get(pk=dossier.pk).status == S.AWAITING_VALIDATION


def test_agent_cannot_decide_again_while_waiting(validating):
    dossier = proposed(validating)
    with pytest.raises(TransitionRefused):
        actions.decide(dossier, acting_user=validating.agent, outcome=S.REJECTED, motivation="Autre avis.")


# --- Pages ------------------------------------------------------------------------------
def test_applicant_sees_in_instruction_and_nothing_of_the_proposal(client, validating):
    dossier = proposed(validating, amount="475")
    login(client, validating.applicant)

    detail = text_of(client.get(reverse("citizen:dossier", args=[dossier.reference])))
    listing = text_of(client.get(reverse("citizen:dossiers")))
    filtered = text_of(client.get(reverse("citizen:dossiers") + "?status=in_instruction"))

    assert "En cours d'instruction" in detail
    for page in (detail, listing):
        assert "validation" not in page.lower()
        assert "475" not in page
    assert dossier.reference in filtered
    assert "awaiting_validation" not in client.get(reverse("citizen:dossiers")).content.decode()


def test_supervisor_validation_tab_and_review_buttons(client, validating):
    dossier = proposed(validating)
    login(client, validating.supervisor)

    tab = client.get(reverse("backoffice:to_validate"))
    assert tab.status_code == 200
    assert dossier.reference in tab.content.decode()
    assert "À valider (1)" in text_of(tab)
    review = text_of(client.get(reverse("backoffice:review", args=[dossier.reference])))
    assert "Décision en attente de validation" in review and "Montant proposé 450,00 €" in review
    assert "Valider la décision" in review and "Renvoyer à l'agent" in review

    response = client.post(reverse("backoffice:act", args=[dossier.reference, "renvoyer"]), {"reason": ""})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in text_of(response)

    response = client.post(reverse("backoffice:act", args=[dossier.reference, "valider"]))
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == S.ACCEPTED


def test_agent_has_no_validation_tab_and_no_buttons(client, validating):
    dossier = proposed(validating)
    login(client, validating.agent)

    queue = text_of(client.get(reverse("backoffice:queue")))
    review = text_of(client.get(reverse("backoffice:review", args=[dossier.reference])))

    assert "À valider" not in queue
    assert "Un superviseur du service doit la valider." in review
    assert "Valider la décision" not in review
    response = client.post(reverse("backoffice:act", args=[dossier.reference, "valider"]))
    assert response.status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).status == S.AWAITING_VALIDATION


def test_agent_proposal_message_says_it_waits(client, validating):
    dossier = taken(validating)
    login(client, validating.agent)

    response = client.post(
        reverse("backoffice:act", args=[dossier.reference, "decider"]),
        {"outcome": S.ACCEPTED, "amount": "450", "motivation": "Majoration : jeune sapeur-pompier."},
        follow=True,
    )

    assert "elle attend la validation d'un superviseur" in text_of(response)
    assert Dossier.objects.get(pk=dossier.pk).status == S.AWAITING_VALIDATION
