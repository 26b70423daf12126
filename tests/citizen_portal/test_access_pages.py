"""Every object page answers 404 to whoever may not see the dossier."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier

CITIZEN_PAGES = ["citizen:dossier", "citizen:edit", "citizen:transmit"]
AGENT_PAGES = ["backoffice:review"]


@pytest.mark.parametrize("page", CITIZEN_PAGES)
@pytest.mark.parametrize("who", ["other_citizen", "agent", "other_agent", "supervisor"])
def test_citizen_pages_outsider_gets_404(client, cast, page, who):
    """Only the applicant reaches the citizen pages of a dossier, transmitted or not."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, getattr(cast, who))
    assert client.get(reverse(page, args=[dossier.reference])).status_code == 404


@pytest.mark.parametrize("who", ["applicant", "other_citizen", "other_agent"])
def test_review_page_outsider_gets_404(client, cast, who):
    """The review screen is for agents of the instructing service only; others get a 404."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, getattr(cast, who))
    status = client.get(reverse("backoffice:review", args=[dossier.reference])).status_code
    assert status == 404


@pytest.mark.parametrize("action", ["prendre", "liberer", "complement", "decider", "corriger", "valider", "renvoyer"])
def test_agent_actions_other_service_gets_404(client, cast, action):
    """An agent of another service cannot act on the dossier, whatever URL they try."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.other_agent)
    response = client.post(reverse("backoffice:act", args=[dossier.reference, action]), {"outcome": "accepted"})
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == "transmitted"


def test_review_agent_draft_is_invisible(client, cast):
    """Drafts never reach the back office."""
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    login(client, cast.agent)
    assert client.get(reverse("backoffice:review", args=[dossier.reference])).status_code == 404


def test_pages_anonymous_redirected_to_login(client, cast):
    """Every non-public page sends an anonymous visitor to the login page."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    for url in [
        reverse("citizen:dossiers"),
        reverse("citizen:dossier", args=[dossier.reference]),
        reverse("backoffice:queue"),
        reverse("backoffice:review", args=[dossier.reference]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_public_pages_anonymous_ok(client, cast):
    """Home, catalogue, fiche and login are public."""
    for url in [
        reverse("citizen:home"),
        reverse("citizen:catalogue"),
        reverse("citizen:teleservice", args=[cast.teleservice.slug]),
        reverse("login"),
    ]:
        assert client.get(url).status_code == 200, url


def test_queue_agent_sees_only_own_services(client, cast):
    """The queue lists the service's dossiers only."""
    mine = [filed_dossier(cast.teleservice, cast.applicant) for _ in range(3)]
    other = filed_dossier(cast.other_teleservice, cast.other_citizen)
    login(client, cast.agent)
    page = client.get(reverse("backoffice:queue")).content.decode()
    assert all(d.reference in page for d in mine) and other.reference not in page


@pytest.mark.parametrize("url_name", ["backoffice:queue", "backoffice:my_tasks", "citizen:dossiers"])
def test_list_pages_query_count_does_not_grow_with_rows(client, cast, url_name, django_assert_num_queries):
    """List pages run a fixed number of SQL queries, whatever the number of rows shown."""
    from instruction import actions

    user = cast.applicant if url_name.startswith("citizen") else cast.agent
    login(client, user)

    def add(n):
        for _ in range(n):
            dossier = filed_dossier(cast.teleservice, cast.applicant)
            if url_name == "backoffice:my_tasks":
                actions.take(dossier, acting_user=cast.agent)

    add(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(url_name)).status_code == 200
    add(20)
    with django_assert_num_queries(len(few)):
        assert client.get(reverse(url_name)).status_code == 200
    assert len(few) <= 8


@pytest.mark.parametrize("who", ["applicant", "other_citizen", "other_agent"])
@pytest.mark.parametrize("action", ["valider", "renvoyer"])
def test_validation_actions_outsider_gets_404(client, cast, who, action):
    """A decision waiting for validation: outsiders get a 404 on the supervisor's actions too."""
    from instruction import actions

    cast.teleservice.validation_threshold = 100
    cast.teleservice.save()
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    actions.decide(dossier, acting_user=cast.agent, outcome="accepted", amount="250")
    login(client, getattr(cast, who))
    response = client.post(reverse("backoffice:act", args=[dossier.reference, action]), {"reason": "Non."})
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == "awaiting_validation"
