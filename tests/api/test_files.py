"""Downloads through the API: a dossier's files and message attachments, after the same access check."""

from __future__ import annotations

import pytest

from instruction import actions
from instruction.models import DossierFile
from tests.api.helpers import assert_problem
from tests.factories import filed_dossier, pdf_upload


@pytest.fixture
def dossier(cast):
    return filed_dossier(cast.teleservice, cast.applicant)


def test_dossier_file_agent_downloads_listed_file(cast, api, dossier):
    """The « url » of a file in the dossier downloads it, as an attachment with its recorded type."""
    agent = api("agent")
    listed = agent.get(f"/api/v1/dossiers/{dossier.reference}/").json()["documents"][0]["files"][0]

    response = agent.get(listed["url"].removeprefix("http://testserver"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # read to the end: the file is closed


@pytest.mark.parametrize(("who", "status"), [("other_agent", 404), ("applicant", 403), (None, 401)])
def test_dossier_file_outsiders_refused(cast, api, dossier, who, status):
    stored = DossierFile.objects.filter(dossier=dossier).first()

    assert_problem(api(who).get(f"/api/v1/dossiers/{dossier.reference}/files/{stored.pk}/"), status)


def test_dossier_file_of_another_dossier_is_404(cast, api, dossier):
    """A file id of another dossier is not found through this one."""
    other = filed_dossier(cast.teleservice, cast.applicant)
    stored = DossierFile.objects.filter(dossier=other).first()

    assert_problem(api("agent").get(f"/api/v1/dossiers/{dossier.reference}/files/{stored.pk}/"), 404)


def test_message_attachment_agent_downloads(cast, api, dossier):
    actions.send_message(dossier, acting_user=cast.applicant, body="Voici le bail.", files=[pdf_upload("bail.pdf")])
    agent = api("agent")
    [message] = agent.get(f"/api/v1/dossiers/{dossier.reference}/messages/").json()["results"]

    response = agent.get(message["attachments"][0]["url"].removeprefix("http://testserver"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # read to the end: the file is closed
    assert_problem(api("other_agent").get(message["attachments"][0]["url"].removeprefix("http://testserver")), 404)
