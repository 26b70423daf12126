"""Actions through the API: the same actions layer as the pages, and bad input (malformed JSON,
unknown fields, wrong types, forbidden objects, stale versions) refused with the right status
and a problem-details body, changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from instruction import actions
from instruction.models import Dossier, DossierStatus, Event
from tests.api.helpers import assert_problem
from tests.factories import filed_dossier

S = DossierStatus


def url(dossier, action):
    return f"/api/v1/dossiers/{dossier.reference}/{action}/"


def state(dossier):
    """What must not move when a request is refused."""
    fresh = Dossier.objects.get(pk=dossier.pk)
    return fresh.status, fresh.assignee_id, fresh.updated, Event.objects.filter(dossier=dossier).count()


@pytest.fixture
def queued(cast):
    return filed_dossier(cast.teleservice, cast.applicant)


@pytest.fixture
def taken(cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    return dossier


# --- take -------------------------------------------------------------------------------------
def test_take_agent_takes_queued_dossier(cast, api, queued):
    """« Prendre en charge »: in instruction, held by the agent, recorded, with a new ETag."""
    before = api("agent").get(f"/api/v1/dossiers/{queued.reference}/").json()["version"]

    response = api("agent").post(url(queued, "take"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["assignee"]["id"]) == (S.IN_INSTRUCTION, cast.agent.pk)
    assert response["ETag"] == body["version"] != before
    event = Event.objects.filter(dossier=queued).last()
    assert (event.action, event.actor_id) == ("take", cast.agent.pk)


@pytest.mark.parametrize(("who", "status"), [("other_agent", 404), ("applicant", 403), ("other_citizen", 403)])
def test_take_outsiders_refused_and_nothing_changes(cast, api, queued, who, status):
    """Another service's agent gets 404, citizens 403; the dossier does not move."""
    before = state(queued)

    assert_problem(api(who).post(url(queued, "take"), {}), status)

    assert state(queued) == before


def test_take_twice_is_409_naming_the_status(cast, api, taken):
    """The status refuses a second take: 409, and the message names the status in French."""
    before = state(taken)

    body = assert_problem(api("supervisor").post(url(taken, "take")), 409)

    assert "« En cours d'instruction »" in body["detail"]
    assert state(taken) == before


# --- stale versions -----------------------------------------------------------------------------
def test_action_with_current_if_match_succeeds(cast, api, queued):
    """If-Match with the ETag just read: the action runs."""
    agent = api("agent")
    etag = agent.get(f"/api/v1/dossiers/{queued.reference}/")["ETag"]

    assert agent.post(url(queued, "take"), **{"If-Match": etag}).status_code == 200


def test_action_with_stale_if_match_is_412_and_changes_nothing(cast, api, queued):
    """The dossier changed since it was read (a colleague took and released it): 412, nothing done."""
    agent = api("agent")
    etag = agent.get(f"/api/v1/dossiers/{queued.reference}/")["ETag"]
    actions.take(queued, acting_user=cast.supervisor)
    actions.release(queued, acting_user=cast.supervisor)
    before = state(queued)

    body = assert_problem(agent.post(url(queued, "take"), **{"If-Match": etag}), 412)

    assert body["title"] == "Version périmée"
    assert state(queued) == before


def test_if_match_star_matches_any_version(cast, api, queued):
    """If-Match: * only asks that the dossier exists."""
    assert api("agent").post(url(queued, "take"), **{"If-Match": "*"}).status_code == 200


# --- bad input ----------------------------------------------------------------------------------
def test_malformed_json_is_400_and_changes_nothing(cast, api, taken):
    before = state(taken)

    body = assert_problem(api("agent").post(url(taken, "decide"), raw='{"outcome": "rejected",'), 400)

    assert body["title"] == "Requête invalide"
    assert state(taken) == before


def test_unknown_field_is_400_with_its_pointer(cast, api, taken):
    before = state(taken)

    body = assert_problem(
        api("agent").post(url(taken, "decide"), {"outcome": "rejected", "motivation": "x", "montant": 3}), 400
    )

    assert body["errors"] == [{"detail": "Champ inconnu.", "pointer": "#/montant"}]
    assert state(taken) == before


@pytest.mark.parametrize(
    ("payload", "pointer"),
    [
        ({"outcome": "accepted", "amount": "beaucoup"}, "#/amount"),
        ({"outcome": 12}, "#/outcome"),
        ({"outcome": "rejected", "motivation": ["liste"]}, "#/motivation"),
        ([], "#"),
        ("texte", "#"),
    ],
)
def test_wrong_types_are_400_and_change_nothing(cast, api, taken, payload, pointer):
    before = state(taken)

    body = assert_problem(api("agent").post(url(taken, "decide"), payload), 400)

    assert pointer in [e["pointer"] for e in body["errors"]]
    assert state(taken) == before


def test_wrong_content_type_is_415(cast, api, taken):
    before = state(taken)

    assert_problem(api("agent").post(url(taken, "decide"), raw="outcome=rejected", content_type="text/plain"), 415)

    assert state(taken) == before


def test_business_refusal_is_400_data_refused_with_field_errors(cast, api, taken):
    """Well-formed input the action refuses (a refusal without motivation): 400 « Données refusées »."""
    before = state(taken)

    body = assert_problem(api("agent").post(url(taken, "decide"), {"outcome": "rejected"}), 400)

    assert body["title"] == "Données refusées"
    assert [e["pointer"] for e in body["errors"]] == ["#/motivation"]
    assert "motivation est obligatoire" in body["errors"][0]["detail"]
    assert state(taken) == before


# --- decide, request_complement, assign, release -----------------------------------------------
def test_decide_assignee_rejects(cast, api, taken):
    """The agent in charge refuses with a motivation: the dossier is « Refusé », its decision shown."""
    response = api("agent").post(url(taken, "decide"), {"outcome": "rejected", "motivation": "Hors critères."})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == S.REJECTED
    assert body["decision"]["motivation"] == "Hors critères."


def test_decide_agent_not_in_charge_is_403(cast, api, taken):
    """Only the agent in charge decides: the supervisor (not in charge) gets 403 before any input check."""
    before = state(taken)

    assert_problem(api("supervisor").post(url(taken, "decide"), {"outcome": "nope"}), 403)

    assert state(taken) == before


def test_request_complement_assignee(cast, api, taken):
    """« Demander un complément » with a message and a deadline: the dossier goes back to the applicant."""
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()

    response = api("agent").post(url(taken, "request-complement"), {"message": "Le bail signé.", "due": due})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == S.COMPLEMENT_REQUESTED
    assert response.json()["complement_due"] == due


def test_request_complement_past_due_is_data_refused(cast, api, taken):
    before = state(taken)

    body = assert_problem(
        api("agent").post(url(taken, "request-complement"), {"message": "x", "due": "2000-01-01"}), 400
    )

    assert [e["pointer"] for e in body["errors"]] == ["#/due"]
    assert state(taken) == before


def test_assign_supervisor_gives_queued_dossier_to_agent(cast, api, queued):
    response = api("supervisor").post(url(queued, "assign"), {"agent": cast.agent.pk, "reason": "Renfort."})

    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["id"] == cast.agent.pk


def test_assign_agent_of_another_service_is_refused(cast, api, queued):
    """An agent outside the dossier's service cannot be given it (400, on the field agent)."""
    before = state(queued)

    body = assert_problem(
        api("supervisor").post(url(queued, "assign"), {"agent": cast.other_agent.pk, "reason": "Renfort."}), 400
    )

    assert [e["pointer"] for e in body["errors"]] == ["#/agent"]
    assert state(queued) == before


def test_assign_by_plain_agent_is_403(cast, api, queued):
    before = state(queued)

    assert_problem(api("agent").post(url(queued, "assign"), {"agent": cast.agent.pk, "reason": "Moi."}), 403)

    assert state(queued) == before


def test_release_assignee_puts_back_in_queue(cast, api, taken):
    response = api("agent").post(url(taken, "release"))

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["assignee"]) == (S.TRANSMITTED, None)
