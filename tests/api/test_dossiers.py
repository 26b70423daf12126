"""Téléservices and dossiers: lists filtered like the agents' inbox, limited to what the caller
may see; a dossier with its documents, history and version (ETag). The access cast on each."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instruction import actions
from instruction.models import DossierStatus
from tests.api.helpers import assert_problem
from tests.factories import filed_dossier

S = DossierStatus
LIST = "/api/v1/dossiers/"


def detail(dossier):
    return f"/api/v1/dossiers/{dossier.reference}/"


def references(response):
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


# --- Téléservices -------------------------------------------------------------------------------
def test_teleservices_agent_sees_those_of_their_service(cast, api):
    """An agent lists the téléservices their service instructs, and only those."""
    response = api("agent").get("/api/v1/teleservices/")

    assert response.status_code == 200
    assert [t["code"] for t in response.json()["results"]] == ["PJL"]


def test_teleservice_detail_other_service_is_404(cast, api):
    """A téléservice of another service is not found."""
    assert api("agent").get(f"/api/v1/teleservices/{cast.teleservice.pk}/").json()["code"] == "PJL"
    assert_problem(api("other_agent").get(f"/api/v1/teleservices/{cast.teleservice.pk}/"), 404)


# --- The list -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("who", "sees"), [("agent", True), ("supervisor", True), ("other_agent", False)])
def test_dossier_list_access_cast(cast, api, who, sees):
    """Agents and supervisors of the service see its transmitted dossiers; another service's agent does not."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)

    assert references(api(who).get(LIST)) == ([dossier.reference] if sees else [])


@pytest.mark.parametrize("who", ["applicant", "other_citizen"])
def test_dossier_list_citizen_is_403(cast, api, who):
    """Citizens are not API users, even for their own dossiers."""
    filed_dossier(cast.teleservice, cast.applicant)

    assert_problem(api(who).get(LIST), 403)


def test_dossier_list_never_shows_drafts(cast, api):
    """A draft is the applicant's business: agents never see it."""
    filed_dossier(cast.teleservice, cast.applicant, transmit=False)

    assert references(api("agent").get(LIST)) == []


def test_dossier_list_tabs_and_filters_are_the_inbox_ones(cast, api):
    """tab=queue / tab=mine and the status and search filters select as the back office does."""
    queued = filed_dossier(cast.teleservice, cast.applicant)
    taken = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(taken, acting_user=cast.agent)
    agent = api("agent")

    assert references(agent.get(LIST, {"tab": "queue"})) == [queued.reference]
    assert references(agent.get(LIST, {"tab": "mine"})) == [taken.reference]
    assert references(agent.get(LIST, {"status": S.IN_INSTRUCTION})) == [taken.reference]
    assert references(agent.get(LIST, {"q": queued.reference})) == [queued.reference]
    assert references(agent.get(LIST, {"assignee": "none"})) == [queued.reference]
    assert references(agent.get(LIST, {"assignee": str(cast.agent.pk)})) == [taken.reference]
    assert sorted(references(agent.get(LIST, {"teleservice": str(cast.teleservice.pk)}))) == sorted(
        [queued.reference, taken.reference]
    )


def test_dossier_list_pages_by_keyset(cast, api):
    """page_size cuts the list; « next » and « previous » links walk it without overlap."""
    filed = [filed_dossier(cast.teleservice, cast.applicant).reference for _ in range(3)]
    agent = api("agent")

    first = agent.get(LIST, {"page_size": "2", "sort": "reference"}).json()
    assert [r["reference"] for r in first["results"]] == sorted(filed)[:2]
    assert first["previous"] is None
    second = agent.get(first["next"].removeprefix("http://testserver")).json()
    assert [r["reference"] for r in second["results"]] == sorted(filed)[2:]
    assert second["next"] is None and second["previous"] is not None


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"status": "nope"}, "status"),
        ({"teleservice": "abc"}, "teleservice"),
        ({"tab": "tout"}, "tab"),
        ({"sort": "montant"}, "sort"),
        ({"page_size": "0"}, "page_size"),
        ({"after": "pas-un-curseur"}, "after"),
        ({"couleur": "bleu"}, "couleur"),
    ],
)
def test_dossier_list_bad_parameter_is_400_naming_it(cast, api, params, parameter):
    """A wrong or unknown query parameter is a 400 problem whose errors name the parameter."""
    body = assert_problem(api("agent").get(LIST, params), 400)

    assert [e["parameter"] for e in body["errors"]] == [parameter]


def test_dossier_list_query_count_does_not_grow(cast, api):
    """The list runs the same number of queries for one dossier as for five."""
    agent = api("agent")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = agent.get(LIST)
        assert response.status_code == 200
        return len(captured)

    filed_dossier(cast.teleservice, cast.applicant)
    queries()  # the token's first use records it (one UPDATE, then not again within a minute)
    one = queries()
    for _ in range(4):
        filed_dossier(cast.teleservice, cast.applicant)
    assert queries() == one <= 10


# --- One dossier --------------------------------------------------------------------------------
@pytest.mark.parametrize(("who", "status"), [("agent", 200), ("supervisor", 200), ("other_agent", 404)])
def test_dossier_detail_access_cast(cast, api, who, status):
    """The service's agents read the dossier; another service's agent gets 404 (not even its existence)."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)

    response = api(who).get(detail(dossier))

    if status == 404:
        assert_problem(response, 404)
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("who", ["applicant", "other_citizen", None])
def test_dossier_detail_citizens_and_anonymous_refused(cast, api, who):
    """The applicant (403: not an API user) and the anonymous (401) cannot read it through the API."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)

    assert_problem(api(who).get(detail(dossier)), 401 if who is None else 403)


def test_dossier_detail_draft_is_404(cast, api):
    """A draft does not exist for agents."""
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)

    assert_problem(api("agent").get(detail(dossier)), 404)


def test_dossier_detail_has_documents_history_abilities_and_etag(cast, api):
    """The dossier carries its data, its documents' files, its history, what the caller may do,
    and its version, also sent as ETag."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)

    response = api("agent").get(detail(dossier))

    body = response.json()
    assert body["reference"] == dossier.reference
    assert body["status"] == S.TRANSMITTED and body["status_label"] == "Transmis"
    assert body["data"] == dossier.data
    assert body["documents"] and all(doc["files"] for doc in body["documents"])
    assert [e["action"] for e in body["history"]][-1] == "transmit"
    assert body["abilities"]["take"] is True and body["abilities"]["decide"] is False
    assert response["ETag"] == body["version"]
    assert body["decision"] is None
