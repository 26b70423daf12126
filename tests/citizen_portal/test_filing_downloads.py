"""Downloading a dossier's files: the applicant (and their organisme's members) on the portal,
the agents of the service in the back office; 404 for outsiders, drafts never in the back office."""

from __future__ import annotations

import pytest
from django.urls import reverse

from instruction import actions
from instruction.models import Audience, Organisme
from permissions.organismes import MEMBER, grant_role
from tests.citizen_portal.test_journey_http import login
from tests.factories import TeleserviceFactory, UserFactory, filed_dossier, pdf_bytes, pdf_upload


def citizen_url(dossier, stored) -> str:
    return reverse("citizen:file", args=[dossier.reference, stored.pk])


def agent_url(dossier, stored) -> str:
    return reverse("backoffice:file", args=[dossier.reference, stored.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_file_download_applicant_gets_an_attachment(client, cast):
    """The applicant downloads the file as sent, with its name and the type found on upload."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    rib = dossier.files.get(document="rib")
    login(client, cast.applicant)
    response = client.get(citizen_url(dossier, rib))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="rib.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert body(response) == pdf_bytes()


@pytest.mark.parametrize("who", ["other_citizen", "agent", "other_agent", "supervisor"])
def test_file_download_citizen_route_outsider_gets_404(client, cast, who):
    """The portal's download is the applicant's only; agents use the back office's."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, getattr(cast, who))
    assert client.get(citizen_url(dossier, dossier.files.first())).status_code == 404


def test_file_download_applicant_file_of_another_dossier_gets_404(client, cast):
    """A file is only reachable through its own dossier's reference."""
    first = filed_dossier(cast.teleservice, cast.applicant)
    second = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.applicant)
    assert client.get(citizen_url(first, second.files.first())).status_code == 404
    assert client.get(agent_url(first, second.files.first())).status_code == 404  # not an agent


def test_file_download_anonymous_redirected_to_login(client, cast):
    """Both download routes are behind the login."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    stored = dossier.files.first()
    for url in (citizen_url(dossier, stored), agent_url(dossier, stored)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("who", ["agent", "supervisor"])
def test_file_download_agents_of_the_service_get_it(client, cast, who):
    """Agents and supervisors of the instructing service download a transmitted dossier's files."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    bail = dossier.files.get(document="bail")
    login(client, getattr(cast, who))
    response = client.get(agent_url(dossier, bail))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bail.pdf"'
    assert body(response) == pdf_bytes()


@pytest.mark.parametrize(("who", "status"), [("other_agent", 404), ("applicant", 404), ("other_citizen", 404)])
def test_file_download_backoffice_route_outsider_refused(client, cast, who, status):
    """Another service's agent gets 404; citizens are refused the back office as on the review page."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, getattr(cast, who))
    assert client.get(agent_url(dossier, dossier.files.first())).status_code == status


@pytest.mark.parametrize("who", ["agent", "supervisor"])
def test_file_download_agent_draft_gets_404(client, cast, who):
    """A draft's files never reach the back office."""
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    login(client, getattr(cast, who))
    assert client.get(agent_url(dossier, dossier.files.first())).status_code == 404


def test_review_agent_lists_documents_with_download_links(client, cast):
    """The review screen lists each document and links each file to the back office's download."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    rib = dossier.files.get(document="rib")
    login(client, cast.agent)
    page = client.get(reverse("backoffice:review", args=[dossier.reference])).content.decode()
    assert "Pièces justificatives" in page and "RIB" in page
    assert f'href="{agent_url(dossier, rib)}">rib.pdf</a>' in page


def test_file_download_organisme_member_gets_the_file(client, cast):
    """A fellow member of the organisme that files the dossier downloads its files; others do not."""
    organisme = Organisme.objects.create(
        kind=Organisme.Kind.ASSOCIATION,
        name="Les Colos de Haute-Saône",
        siret="12345678900011",
        address="1 rue des Tilleuls",
        postal_code="70000",
        commune="Vesoul",
    )
    filer, colleague, stranger = UserFactory(), UserFactory(), UserFactory()
    grant_role(filer, organisme, MEMBER)
    grant_role(colleague, organisme, MEMBER)
    teleservice = TeleserviceFactory(instructing_service=cast.service, audience=Audience.ORGANISME, code="MSC")
    dossier = actions.create_draft(teleservice, acting_user=filer, organisme=organisme)
    (stored,) = actions.attach_files(dossier, {"rib": [pdf_upload("rib-asso.pdf")]}, acting_user=filer)

    login(client, colleague)
    response = client.get(citizen_url(dossier, stored))
    assert response.status_code == 200 and body(response) == pdf_bytes()
    client.logout()
    login(client, stranger)
    assert client.get(citizen_url(dossier, stored)).status_code == 404
