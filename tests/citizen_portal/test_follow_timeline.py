"""The citizen's dossier page: the history (« vous » or « le service instructeur », never an agent's
name) and, during « Complément d'information », the agent's request and what to do."""

from __future__ import annotations

from django.urls import reverse

from instruction import actions
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier


def history(page: str) -> str:
    return page.split('id="timeline-title"', 1)[1]


def test_timeline_applicant_sees_who_did_what_without_agent_names(client, cast):
    """Each step says « par vous » or « par le service instructeur », in French, with its date."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    actions.send_message(dossier, acting_user=cast.agent, body="Une question", files=[])
    login(client, cast.applicant)
    page = client.get(reverse("citizen:dossier", args=[dossier.reference])).content.decode()
    timeline = history(page)
    assert "Création du brouillon" in timeline and "Transmission au service instructeur" in timeline
    assert "Prise en charge" in timeline and "Message dans le fil de discussion" in timeline
    assert "par vous" in timeline and "par le service instructeur" in timeline
    assert "statut : <span" in timeline and "En cours d&#x27;instruction" in timeline
    assert cast.agent.email not in page and cast.agent.last_name not in page
    assert "<time datetime=" in timeline
    assert reverse("citizen:thread", args=[dossier.reference]) in timeline


def test_timeline_draft_has_no_thread_link(client, cast):
    """A draft has no conversation with the service yet."""
    draft = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    login(client, cast.applicant)
    page = client.get(reverse("citizen:dossier", args=[draft.reference])).content.decode()
    assert reverse("citizen:thread", args=[draft.reference]) not in page


def test_complement_block_applicant_sees_last_request_and_what_to_do(client, cast):
    """The latest request_complement message is shown, with the steps, even after messages."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    actions.request_complement(dossier, acting_user=cast.agent, message="Premier envoi : il manque le bail.")
    actions.answer_complement(dossier, acting_user=cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    actions.request_complement(dossier, acting_user=cast.agent, message="Second envoi : joignez la quittance.")
    actions.send_message(dossier, acting_user=cast.agent, body="Un message après la demande", files=[])
    login(client, cast.applicant)
    page = client.get(reverse("citizen:dossier", args=[dossier.reference])).content.decode()
    block = page.split('id="complement-title"', 1)[1].split("</section>", 1)[0]
    assert "Second envoi : joignez la quittance." in block and "Premier envoi" not in block
    assert "Complément d'information demandé" in page
    assert "apportez les modifications demandées par le service instructeur" in block
    assert "« Transmettre »" in block and "« Modifier »" in block
    assert reverse("citizen:thread", args=[dossier.reference]) in block


def test_complement_block_absent_outside_complement(client, cast):
    """No complement block for a dossier that is not waiting for a complement."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.applicant)
    page = client.get(reverse("citizen:dossier", args=[dossier.reference])).content.decode()
    assert 'id="complement-title"' not in page
