"""The expert's pages and « Inviter un expert » / « Retirer l'accès » on the review page: only the
agent in charge or a supervisor invites; the expert sees that one dossier, read-only, until the
expiry or the revocation, and nothing else; what a refused form had is kept."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from instruction import actions
from instruction.models import DossierUserObjectPermission, Event, ExpertAccess
from tests.citizen_portal.test_journey_http import login
from tests.factories import UserFactory, expert_on, filed_dossier
from tests.pages import text_of


@pytest.fixture
def dossier(cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    return dossier


@pytest.fixture
def expert(db):
    return UserFactory(email="expert@exemple.test")


def invite_url(dossier):
    return reverse("backoffice:invite_expert", args=[dossier.reference])


def expert_url(dossier):
    return reverse("backoffice:expert_dossier", args=[dossier.reference])


def invitation(email="expert@exemple.test", days=15, note="Le loyer est-il cohérent ?"):
    day = timezone.localdate() + dt.timedelta(days=days)
    return {"expert-email": email, "expert-expires_on": day.isoformat(), "expert-note": note}


def test_invite_expert_agent_in_charge_from_review_page(client, cast, dossier, expert):
    """The form is on the review page; once sent, the expert is listed with « Retirer l'accès »."""
    login(client, cast.agent)
    page = client.get(reverse("backoffice:review", args=[dossier.reference]))
    assert "Inviter un expert" in text_of(page)
    response = client.post(invite_url(dossier), invitation(email="EXPERT@exemple.test"))
    assert response.status_code == 302 and response.url.endswith("#experts")
    grant = ExpertAccess.objects.get()
    assert grant.expert == expert and grant.granted_by == cast.agent and grant.note == "Le loyer est-il cohérent ?"
    page = text_of(client.get(response.url))
    assert "expert@exemple.test peut consulter le dossier jusqu'au" in page
    assert f"{expert} (expert@exemple.test)" in page and "Retirer l'accès" in page
    assert "Accès accordé à un expert" in page  # the history


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (invitation(days=-3), "La date de fin d'accès est passée"),
        (invitation(days=120), "L'accès d'un expert dure au plus 90 jours"),
        ({**invitation(), "expert-expires_on": "31/02/2026"}, "Saisissez une date valide"),
        (invitation(email="inconnu@exemple.test"), "Aucun compte n'existe avec cette adresse"),
        (invitation(email="pas-une-adresse"), "Saisissez une adresse électronique valide"),
    ],
)
def test_invite_expert_bad_input_refused_in_french_and_kept(client, cast, dossier, expert, form, message):
    """A bad date or an unknown address: 400, the French message, what was typed kept, nothing written."""
    login(client, cast.agent)
    response = client.post(invite_url(dossier), form)
    assert response.status_code == 400
    assert message in text_of(response)
    body = response.content.decode()
    assert f'value="{form["expert-email"]}"' in body and "Le loyer est-il cohérent ?" in body
    assert not ExpertAccess.objects.exists() and not DossierUserObjectPermission.objects.exists()
    assert not Event.objects.filter(action="grant_expert_access").exists()


@pytest.mark.parametrize(("who", "status"), [("other_agent", 404), ("applicant", 404), ("other_citizen", 404)])
def test_invite_expert_outsiders_get_404(client, cast, dossier, expert, who, status):
    """An agent of another service (or a citizen) trying to invite: 404, nothing written."""
    login(client, getattr(cast, who))
    assert client.post(invite_url(dossier), invitation()).status_code == status
    assert not ExpertAccess.objects.exists()


def test_invite_expert_agent_not_in_charge_gets_403_and_no_form(client, cast, dossier, expert):
    """A colleague of the service sees the dossier but may not invite: no form, a 403 on POST."""
    colleague = UserFactory(email="collegue@exemple.test")
    cast.service.add_agent(colleague)
    login(client, colleague)
    assert "Inviter un expert" not in text_of(client.get(reverse("backoffice:review", args=[dossier.reference])))
    assert client.post(invite_url(dossier), invitation()).status_code == 403
    assert not ExpertAccess.objects.exists()


def test_expert_sees_only_the_dossier_read_only_and_is_logged(client, cast, dossier, expert):
    """The list and the dossier with its data and documents; each consultation is in the audit trail."""
    expert_on(dossier, expert, granted_by=cast.agent)
    elsewhere = filed_dossier(cast.teleservice, cast.other_citizen)
    login(client, expert)
    listing = text_of(client.get(reverse("backoffice:expert_dossiers")))
    assert dossier.reference in listing and elsewhere.reference not in listing
    page = client.get(expert_url(dossier))
    assert page.status_code == 200
    text = text_of(page)
    assert f"Expertise du dossier {dossier.reference}" in text and "Adresse du logement 8 rue Paul Morel" in text
    assert "Prendre en charge" not in text and "Décider" not in text
    consult = dossier.events.get(action="consult", actor=expert)
    assert consult.is_internal
    stored = dossier.files.first()
    download = client.get(reverse("backoffice:expert_file", args=[dossier.reference, stored.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    other_file = elsewhere.files.first()
    assert client.get(reverse("backoffice:expert_file", args=[dossier.reference, other_file.pk])).status_code == 404


def test_expert_everything_else_is_404(client, cast, dossier, expert):
    """Another dossier, the review page, the citizen's page, the agents' file URL: all 404."""
    expert_on(dossier, expert, granted_by=cast.agent)
    elsewhere = filed_dossier(cast.teleservice, cast.other_citizen)
    stored = dossier.files.first()
    login(client, expert)
    for url in (
        expert_url(elsewhere),
        reverse("backoffice:expert_file", args=[elsewhere.reference, elsewhere.files.first().pk]),
        reverse("backoffice:review", args=[dossier.reference]),
        reverse("backoffice:file", args=[dossier.reference, stored.pk]),
        reverse("citizen:dossier", args=[dossier.reference]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(invite_url(dossier), invitation(email="x@exemple.test")).status_code == 404


def test_expert_after_expiry_gets_404_before_any_job(client, cast, dossier, expert):
    """At the expiry, the dossier, its files and the opinion form are 404, and the list is empty."""
    grant = expert_on(dossier, expert, granted_by=cast.agent, days=2)
    stored = dossier.files.first()
    with time_machine.travel(grant.expires_at, tick=False):
        login(client, expert)  # two days later: a new session
        assert client.get(expert_url(dossier)).status_code == 404
        assert client.get(reverse("backoffice:expert_file", args=[dossier.reference, stored.pk])).status_code == 404
        opinion = client.post(reverse("backoffice:expert_opinion", args=[dossier.reference]), {"opinion": "Avis"})
        assert opinion.status_code == 404
        assert dossier.reference not in text_of(client.get(reverse("backoffice:expert_dossiers")))
    assert DossierUserObjectPermission.objects.filter(user=expert).exists()  # the job has not run


def test_revoke_expert_from_review_page_then_expert_404(client, cast, dossier, expert):
    """« Retirer l'accès » by the agent in charge: the expert's next request is a 404."""
    grant = expert_on(dossier, expert, granted_by=cast.supervisor)
    login(client, cast.agent)
    response = client.post(reverse("backoffice:revoke_expert", args=[dossier.reference, grant.pk]))
    assert response.status_code == 302
    page = text_of(client.get(response.url))
    assert "L'accès de expert@exemple.test au dossier est retiré." in page
    assert "Accès terminés" in page and "Accès de l'expert retiré" in page
    login(client, expert)
    assert client.get(expert_url(dossier)).status_code == 404


def test_revoke_expert_other_service_agent_404(client, cast, dossier, expert):
    """An agent of another service cannot revoke (404); the access stays."""
    grant = expert_on(dossier, expert, granted_by=cast.agent)
    login(client, cast.other_agent)
    assert client.post(reverse("backoffice:revoke_expert", args=[dossier.reference, grant.pk])).status_code == 404
    grant.refresh_from_db()
    assert grant.ended_at is None


def test_expert_opinion_reaches_the_agents(client, cast, dossier, expert):
    """« Avis de l'expert »: sent, listed on the expert's page and in the agents' history."""
    expert_on(dossier, expert, granted_by=cast.agent)
    login(client, expert)
    url = reverse("backoffice:expert_opinion", args=[dossier.reference])
    refused = client.post(url, {"opinion": "x" * 5001})
    assert refused.status_code == 400 and "x" * 5001 in refused.content.decode()
    assert client.post(url, {"opinion": "Le loyer est cohérent avec le marché local."}).status_code == 302
    assert "Le loyer est cohérent avec le marché local." in text_of(client.get(expert_url(dossier)))
    login(client, cast.agent)
    page = text_of(client.get(reverse("backoffice:review", args=[dossier.reference])))
    assert "Avis de l'expert Le loyer est cohérent avec le marché local." in page


def test_review_query_count_does_not_grow_with_grants(client, cast, dossier):
    """The « Experts » section costs one query, with 1 or 6 grants (live and ended)."""
    expert_on(dossier, granted_by=cast.agent)
    login(client, cast.agent)
    url = reverse("backoffice:review", args=[dossier.reference])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(5):
        grant = expert_on(dossier, UserFactory(email=f"expert{i}@exemple.test"), granted_by=cast.supervisor)
        if i % 2:
            actions.revoke_expert_access(grant, acting_user=cast.agent)
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_expert_list_query_count_does_not_grow(client, cast, expert, django_assert_max_num_queries):
    """« Dossiers en expertise »: the same queries with 1 or 5 dossiers."""
    dossiers = [filed_dossier(cast.teleservice, cast.applicant) for _ in range(5)]
    expert_on(dossiers[0], expert, granted_by=cast.supervisor)
    login(client, expert)
    url = reverse("backoffice:expert_dossiers")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for other in dossiers[1:]:
        expert_on(other, expert, granted_by=cast.supervisor)
    with CaptureQueriesContext(connection) as many:
        page = text_of(client.get(url))
    assert all(d.reference in page for d in dossiers)
    assert len(many) == len(few)
