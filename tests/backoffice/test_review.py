"""The review screen: everything on one page (data, beneficiary, documents with their preview, the
computed amount, the history, the thread, the decision and its letter), for the service's agents
only, with a number of queries that does not grow with the dossier."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruction import actions
from instruction.models import DecisionLetter, Dossier, DossierStatus
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier, pdf_upload, png_upload
from tests.pages import text_of


def review_url(dossier: Dossier) -> str:
    return reverse("backoffice:review", args=[dossier.reference])


@pytest.fixture
def dossier(cast):
    return filed_dossier(cast.teleservice, cast.applicant)


def test_review_agent_sees_data_beneficiary_amount_and_history(client, cast, dossier):
    """The dossier's data, the beneficiary with their details and foyer, the amount's reasoning, the history."""
    beneficiary = dossier.beneficiary
    login(client, cast.agent)
    response = client.get(review_url(dossier))
    assert response.status_code == 200
    page = text_of(response)
    assert f"Dossier {dossier.reference}" in page and "Transmis" in page
    assert "Adresse du logement 8 rue Paul Morel" in page and "Quotient familial (€) 450" in page
    assert "Bénéficiaire" in page and f"Prénom {beneficiary.first_name}" in page
    assert f"({beneficiary.age_on()} ans)" in page and "Lien avec le demandeur Enfant" in page
    assert "Adresse du foyer 3 place du Marché, 70000 Vesoul" in page
    assert "Montant calculé" in page and "Montant proposé : 250 €" in page
    assert "Historique" in page and "Transmission au service instructeur" in page
    assert 'id="messages"' in response.content.decode()


def test_review_agent_documents_have_download_and_preview(client, cast, dossier):
    """Each PDF has its download link and an « Aperçu » frame titled with its name; images an <img alt>."""
    actions.take(dossier, acting_user=cast.agent)
    actions.request_complement(dossier, acting_user=cast.agent, message="Le RIB en image, svp.")
    actions.attach_files(dossier, {"rib": [png_upload("rib.png")]}, acting_user=cast.applicant)
    rib_pdf = dossier.files.get(document="rib", original_name="rib.pdf")
    rib_png = dossier.files.get(original_name="rib.png")
    login(client, cast.agent)
    page = client.get(review_url(dossier)).content.decode()
    download = reverse("backoffice:file", args=[dossier.reference, rib_pdf.pk])
    preview = reverse("backoffice:preview", args=[dossier.reference, rib_pdf.pk])
    assert f'<a href="{download}">rib.pdf</a>' in page
    assert f'<iframe src="{preview}" title="Aperçu de rib.pdf" loading="lazy"></iframe>' in page
    assert "<summary>Aperçu de rib.pdf</summary>" in page
    image = reverse("backoffice:preview", args=[dossier.reference, rib_png.pk])
    assert f'<img src="{image}" alt="Aperçu de rib.png" loading="lazy">' in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("applicant", 404), ("other_citizen", 404), ("agent", 200), ("other_agent", 404), ("supervisor", 200)],
)
def test_review_cast(client, cast, dossier, who, status):
    """Only the agents of the dossier's service (the supervisor is one) see the review screen."""
    login(client, getattr(cast, who))
    assert client.get(review_url(dossier)).status_code == status


def test_review_anonymous_goes_to_login(client, cast, dossier):
    """Without a session: the login page."""
    response = client.get(review_url(dossier))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_review_agent_draft_and_unknown_reference_are_404(client, cast):
    """A draft is not in the back office; an unknown reference neither."""
    draft = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    login(client, cast.agent)
    assert client.get(review_url(draft)).status_code == 404
    assert client.get(reverse("backoffice:review", args=["PJL-2026-999999"])).status_code == 404


def test_review_agent_decided_shows_decision_and_letter(client, cast, dossier, deliver_outbox, settings):
    """Once decided: the decision with its amount, then the « Lettre de décision » once rendered."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    actions.take(dossier, acting_user=cast.agent)
    actions.decide(dossier, acting_user=cast.agent, outcome=DossierStatus.ACCEPTED, amount="250")
    login(client, cast.agent)
    page = text_of(client.get(review_url(dossier)))
    assert "Décision Accepté" in page and "montant accordé : 250,00 €" in page
    assert "La lettre de décision est en cours de préparation" in page
    deliver_outbox()
    letter = DecisionLetter.objects.get(dossier=dossier)
    url = reverse("backoffice:letter", args=[dossier.reference, letter.pk])
    assert f'<a href="{url}">Lettre de décision</a>' in client.get(review_url(dossier)).content.decode()


def _grow(cast, dossier, n: int) -> None:
    """n more documents' files, messages with attachments, and events."""
    for i in range(n):
        actions.send_message(dossier, acting_user=cast.applicant, body=f"Question {i}", files=[pdf_upload(f"q{i}.pdf")])
        actions.send_message(dossier, acting_user=cast.agent, body=f"Réponse {i}", files=[])
        actions.release(dossier, acting_user=cast.agent)
        actions.take(dossier, acting_user=cast.agent)


def test_review_agent_query_count_does_not_grow(client, cast, dossier, django_assert_num_queries):
    """The same number of queries with 1 and 10 documents' files, messages and events."""
    actions.take(dossier, acting_user=cast.agent)
    login(client, cast.agent)
    _grow(cast, dossier, 1)
    client.get(review_url(dossier))  # the thread is marked read once: same state for both counts
    with CaptureQueriesContext(connection) as few:
        assert client.get(review_url(dossier)).status_code == 200
    expected = len(few)  # now: the next request empties the connection's query log
    # 16 before the audit chain, + 2: the consultation's dossier row lock and its conditional
    # INSERT (instruction/audit.py log_consultation), the same two whether it writes or not. The
    # session's save on every request (SAVEPOINT, UPDATE, RELEASE) when the settings ask for it
    # is counted apart.
    session_save = 3 if django_settings.SESSION_SAVE_EVERY_REQUEST else 0
    assert expected <= 18 + session_save
    _grow(cast, dossier, 9)
    actions.request_complement(dossier, acting_user=cast.agent, message="Joignez d'autres pièces.")
    actions.attach_files(dossier, {"bail": [pdf_upload(f"bail{i}.pdf") for i in range(4)]}, acting_user=cast.applicant)
    actions.answer_complement(dossier, acting_user=cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    client.get(review_url(dossier))
    assert dossier.files.count() >= 8 and dossier.messages.count() == 20 and dossier.events.count() > 40
    with django_assert_num_queries(expected):
        assert client.get(review_url(dossier)).status_code == 200


@pytest.mark.parametrize("action", ["decider", "complement"])
def test_act_supervisor_not_in_charge_gets_403_before_the_form(client, cast, dossier, action):
    """A role that may not act is refused (403) whatever it posts, as in the API, not shown a form error;
    found by the access matrix (it answered 400 to an empty form)."""
    actions.take(dossier, acting_user=cast.agent)
    login(client, cast.supervisor)
    response = client.post(reverse("backoffice:act", args=[dossier.reference, action]), {})
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_INSTRUCTION and dossier.assignee == cast.agent
