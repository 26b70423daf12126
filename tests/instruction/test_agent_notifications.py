"""« Un dossier vous a été attribué »: the agent a supervisor gives a dossier to is told by
e-mail through the outbox — one e-mail per dossier, one summary for a selection — and nobody is
told when they took the dossier themselves."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from instruction import actions
from instruction.agent_notifications import notify_assignment
from instruction.models import DossierStatus, Event, OutboxMessage
from tests.factories import UserFactory
from tests.instruction.test_transitions import bring_to

S = DossierStatus
REASON = "Congé de l'agent jusqu'à la fin du mois."
SUBJECT = "Un dossier vous a été attribué"


@pytest.fixture
def mailbox(settings: Any) -> list[Any]:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mail.outbox


@pytest.fixture
def colleague(cast: Any) -> Any:
    user = UserFactory(email="collegue@exemple.test", first_name="Camille", last_name="Roux")
    cast.service.add_agent(user)
    return user


def sent_to(mailbox: list[Any], user: Any) -> list[Any]:
    return [m for m in mailbox if m.to == [user.email]]


def assignment_messages() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(key__startswith="assigned").order_by("pk"))


def review_link(settings: Any, dossier: Any) -> str:
    return settings.SITE_URL + reverse("backoffice:review", args=[dossier.reference])


def test_assign_supervisor_queued_dossier_emails_the_agent(cast, deliver_outbox, mailbox, settings):
    """The agent gets the reference, the téléservice, the supervisor's reason and the review link."""
    dossier = bring_to(S.TRANSMITTED, cast)
    mailbox.clear()

    actions.assign(dossier, acting_user=cast.supervisor, agent=cast.agent, reason=REASON)
    deliver_outbox()

    (email,) = sent_to(mailbox, cast.agent)
    assert email.subject == f"{SUBJECT} : {dossier.reference}"
    assert f"Bonjour {cast.agent.first_name}," in email.body
    assert f"{cast.supervisor} vous a attribué le dossier {dossier.reference} (« {cast.teleservice.title} »)." in (
        email.body
    )
    assert f"Motif : {REASON}" in email.body  # not HTML-escaped in a text e-mail
    assert review_link(settings, dossier) in email.body
    assert "jusqu'ici suivi" not in email.body
    event = Event.objects.get(dossier=dossier, action="assign")
    (message,) = assignment_messages()
    assert (message.key, message.dossier_id) == (f"assigned:{dossier.reference}:{event.pk}", dossier.pk)


def test_assign_supervisor_reassign_names_previous_agent(cast, colleague, deliver_outbox, mailbox):
    """Reassigning a dossier in instruction tells the new agent who held it; the previous one gets nothing."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)
    mailbox.clear()

    actions.assign(dossier, acting_user=cast.supervisor, agent=colleague, reason=REASON)
    deliver_outbox()

    (email,) = sent_to(mailbox, colleague)
    assert email.subject == f"{SUBJECT} : {dossier.reference}"
    assert f"Il était jusqu'ici suivi par {cast.agent}." in email.body
    assert not sent_to(mailbox, cast.agent)


def test_take_agent_himself_no_email(cast, deliver_outbox, mailbox):
    """An agent who takes a dossier from the queue is not e-mailed about it."""
    dossier = bring_to(S.TRANSMITTED, cast)
    mailbox.clear()

    actions.take(dossier, acting_user=cast.agent)
    deliver_outbox()

    assert not assignment_messages() and not sent_to(mailbox, cast.agent)


def test_assign_supervisor_to_self_no_email(cast, deliver_outbox, mailbox):
    """A supervisor who is also an agent and gives a dossier to themselves is not e-mailed."""
    dossier = bring_to(S.TRANSMITTED, cast)

    actions.assign(dossier, acting_user=cast.supervisor, agent=cast.supervisor, reason=REASON)

    assert dossier.assignee_id == cast.supervisor.pk
    assert not assignment_messages()


def test_assign_refused_no_email(cast, deliver_outbox, mailbox):
    """A refused assignment (an agent of another service) writes nothing to the outbox."""
    dossier = bring_to(S.TRANSMITTED, cast)

    with pytest.raises(actions.InvalidInput):
        actions.assign(dossier, acting_user=cast.supervisor, agent=cast.other_agent, reason=REASON)

    assert not assignment_messages()


def test_assign_rolled_back_no_email(cast):
    """The e-mail is written in the action's transaction: rolled back with it."""
    dossier = bring_to(S.TRANSMITTED, cast)

    with pytest.raises(RuntimeError), transaction.atomic():
        actions.assign(dossier, acting_user=cast.supervisor, agent=cast.agent, reason=REASON)
        raise RuntimeError

    assert not assignment_messages()


def test_notify_assignment_same_event_written_once(cast):
    """Called again for the same assignment (a retried delivery of the side effect), one message."""
    dossier = bring_to(S.TRANSMITTED, cast)
    actions.assign(dossier, acting_user=cast.supervisor, agent=cast.agent, reason=REASON)
    event = Event.objects.get(dossier=dossier, action="assign")

    notify_assignment(dossier, event, agent=cast.agent, acting_user=cast.supervisor)

    assert len(assignment_messages()) == 1


def test_bulk_assign_supervisor_one_summary_email(cast, colleague, deliver_outbox, mailbox, settings):
    """A selection gives the agent one e-mail listing every dossier assigned (not the refused one)."""
    queued, held = bring_to(S.TRANSMITTED, cast), bring_to(S.IN_INSTRUCTION, cast)
    in_complement = bring_to(S.COMPLEMENT_REQUESTED, cast)
    mailbox.clear()

    outcomes = actions.bulk_assign(
        [queued.reference, held.reference, in_complement.reference],
        acting_user=cast.supervisor,
        agent=colleague,
        reason=REASON,
    )
    deliver_outbox()

    assert [o.assigned for o in outcomes] == [True, True, False]
    (email,) = sent_to(mailbox, colleague)
    assert email.subject == "2 dossiers vous ont été attribués"
    assert f"{cast.supervisor} vous a attribué 2 dossiers :" in email.body
    for dossier in (queued, held):
        assert f"- {dossier.reference} (« {cast.teleservice.title} ») : {review_link(settings, dossier)}" in email.body
    assert in_complement.reference not in email.body
    assert f"Motif : {REASON}" in email.body
    assert settings.SITE_URL + reverse("backoffice:my_tasks") in email.body
    (message,) = assignment_messages()
    first = Event.objects.filter(action__in=["assign", "reassign"]).order_by("pk").first()
    assert message.key == f"assigned-selection:{colleague.pk}:{first.pk}"


def test_bulk_assign_supervisor_single_dossier_gets_the_one_dossier_email(cast, deliver_outbox, mailbox):
    """A selection of which one dossier was assigned sends the ordinary one-dossier e-mail."""
    dossier = bring_to(S.TRANSMITTED, cast)
    mailbox.clear()

    actions.bulk_assign(
        [dossier.reference, "PJL-1999-000001"], acting_user=cast.supervisor, agent=cast.agent, reason=REASON
    )
    deliver_outbox()

    (email,) = sent_to(mailbox, cast.agent)
    assert email.subject == f"{SUBJECT} : {dossier.reference}"


def test_bulk_assign_nothing_assigned_no_email(cast, mailbox):
    """A selection entirely refused writes no e-mail."""
    dossier = bring_to(S.COMPLEMENT_REQUESTED, cast)

    outcomes = actions.bulk_assign([dossier.reference], acting_user=cast.supervisor, agent=cast.agent, reason=REASON)

    assert not outcomes[0].assigned and not assignment_messages()
