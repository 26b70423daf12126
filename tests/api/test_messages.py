"""A dossier's message thread through the API: read (without marking it read) and « Envoyer »."""

from __future__ import annotations

import pytest

from instruction import actions
from instruction.models import Message, ThreadReadMark
from tests.api.helpers import assert_problem
from tests.factories import filed_dossier


def url(dossier):
    return f"/api/v1/dossiers/{dossier.reference}/messages/"


@pytest.fixture
def dossier(cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.send_message(dossier, acting_user=cast.applicant, body="Bonjour, une question.")
    return dossier


def test_messages_agent_reads_thread_without_marking_it_read(cast, api, dossier):
    """The thread, oldest first; reading it through the API does not mark it read for the agent."""
    response = api("agent").get(url(dossier))

    assert response.status_code == 200
    [message] = response.json()["results"]
    assert (message["body"], message["from_service"]) == ("Bonjour, une question.", False)
    assert not ThreadReadMark.objects.filter(dossier=dossier, user=cast.agent).exists()


@pytest.mark.parametrize(("who", "status"), [("other_agent", 404), ("applicant", 403), (None, 401)])
def test_messages_outsiders_refused(cast, api, dossier, who, status):
    assert_problem(api(who).get(url(dossier)), status)


def test_send_message_agent_writes_to_applicant(cast, api, dossier):
    """« Envoyer »: the message is in the thread, from the service (201)."""
    response = api("agent").post(url(dossier), {"body": "Merci d'envoyer votre bail."})

    assert response.status_code == 201, response.content
    assert response.json()["from_service"] is True
    assert Message.objects.filter(dossier=dossier, from_service=True, author=cast.agent).count() == 1


@pytest.mark.parametrize(
    ("payload", "pointer"), [({"body": "   "}, "#/body"), ({}, "#/body"), ({"body": "x", "pj": 1}, "#/pj")]
)
def test_send_message_bad_input_is_400_and_writes_nothing(cast, api, dossier, payload, pointer):
    body = assert_problem(api("agent").post(url(dossier), payload), 400)

    assert pointer in [e["pointer"] for e in body["errors"]]
    assert Message.objects.filter(dossier=dossier).count() == 1


@pytest.mark.parametrize(("who", "scope", "status"), [("other_agent", "instruct", 404), ("agent", "read", 403)])
def test_send_message_forbidden_writes_nothing(cast, api, dossier, who, scope, status):
    assert_problem(api(who, scope).post(url(dossier), {"body": "Bonjour"}), status)

    assert Message.objects.filter(dossier=dossier).count() == 1
