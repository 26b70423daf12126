"""« Demander un complément » from the review screen: the message, the documents to send again
and the deadline; bad input is refused in French with what was typed kept."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from instruction import actions
from instruction.models import Dossier, DossierStatus
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier
from tests.pages import text_of

S = DossierStatus


@pytest.fixture
def taken(cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    return dossier


def act_url(dossier: Dossier) -> str:
    return reverse("backoffice:act", args=[dossier.reference, "complement"])


def test_form_offers_documents_and_default_deadline(client, cast, taken):
    login(client, cast.agent)
    page = client.get(reverse("backoffice:review", args=[taken.reference])).content.decode()

    default = (timezone.localdate() + dt.timedelta(days=cast.teleservice.complement_days)).isoformat()
    assert f'value="{default}"' in page
    assert 'name="documents" value="bail"' in page and 'name="documents" value="rib"' in page
    assert "Pièces à transmettre de nouveau" in page


def test_request_with_documents_and_deadline(client, cast, taken):
    login(client, cast.agent)
    due = timezone.localdate() + dt.timedelta(days=8)

    response = client.post(
        act_url(taken), {"message": "Le bail n'est pas signé.", "documents": ["bail"], "due": due.isoformat()}
    )

    assert response.status_code == 302
    fresh = Dossier.objects.get(pk=taken.pk)
    assert (fresh.status, fresh.complement_due) == (S.COMPLEMENT_REQUESTED, due)
    review = text_of(client.get(reverse("backoffice:review", args=[taken.reference])))
    assert f"Échéance : {due.strftime('%d/%m/%Y')} inclus." in review
    assert "Sans réponse, il reviendra à l'agent qui l'instruit." in review
    # The applicant's page says what to send and until when.
    client.logout()
    login(client, cast.applicant)
    detail = text_of(client.get(reverse("citizen:dossier", args=[taken.reference])))
    assert "Pièces à transmettre de nouveau" in detail and "Bail au nom du demandeur" in detail
    assert "inclus pour transmettre de nouveau votre demande" in detail


@pytest.mark.parametrize(
    ("due", "error"),
    [
        ("", "Ce champ est obligatoire."),
        ("31/02/2026", "Saisissez une date valide."),
        ("2020-01-01", "L'échéance doit être une date entre demain et le"),
    ],
)
def test_bad_deadline_refused_message_kept(client, cast, taken, due, error):
    login(client, cast.agent)

    response = client.post(act_url(taken), {"message": "Joignez le bail signé.", "documents": ["bail"], "due": due})

    assert response.status_code == 400
    page = text_of(response)
    assert error in page
    assert "Joignez le bail signé." in response.content.decode()
    assert re.search(r'<input type="checkbox" name="documents" value="bail"[^>]*checked', response.content.decode())
    assert Dossier.objects.get(pk=taken.pk).status == S.IN_INSTRUCTION


def test_applicant_page_reads_the_request_once(client, cast, taken):
    """The panel and the missing-documents check share one read of the request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    due = timezone.localdate() + dt.timedelta(days=8)
    actions.request_complement(taken, acting_user=cast.agent, message="Le bail.", documents=["bail"], due=due)
    login(client, cast.applicant)

    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("citizen:dossier", args=[taken.reference]))

    assert page.status_code == 200
    reads = [q for q in captured.captured_queries if "request_complement" in q["sql"]]
    assert len(reads) == 1
