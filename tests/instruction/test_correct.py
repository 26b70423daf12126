"""« Corriger une donnée »: instruction.actions.correct.correct_field, allowed to the agent in charge
while the dossier is in instruction; validated by the téléservice's form class; recorded, searchable,
shown to the applicant and e-mailed to them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from instruction import actions
from instruction.actions.correct import correct_field
from instruction.models import Dossier, DossierStatus, Event, OutboxMessage
from instruction.search import search_query
from permissions import access
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier


@pytest.fixture
def dossier(cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    return dossier


def test_correct_field_assignee_in_instruction_writes_value_and_event(cast, dossier):
    """The new value is stored as the form stores it; one event keeps label, old, new and reason."""
    correct_field(dossier, acting_user=cast.agent, field="quotient_familial", value="300", reason="Attestation CAF")
    dossier.refresh_from_db()
    assert dossier.data["quotient_familial"] == "300"
    assert dossier.status == DossierStatus.IN_INSTRUCTION and dossier.assignee == cast.agent
    event = dossier.events.get(action="correct_field")
    assert event.actor == cast.agent
    assert event.from_status == event.to_status == DossierStatus.IN_INSTRUCTION
    assert event.details == {
        "field": "quotient_familial",
        "label": "Quotient familial (€)",
        "old": "450",
        "new": "300",
        "old_display": "450",
        "new_display": "300",
        "reason": "Attestation CAF",
    }
    assert event.action_label == "Correction par le service instructeur"


def test_correct_field_assignee_choice_and_date_are_shown_as_read(cast, dossier):
    """A choice is recorded with its label, a date in ISO form (as the form stores it)."""
    correct_field(dossier, acting_user=cast.agent, field="engagement", value="jsp", reason="Attestation jointe")
    correct_field(dossier, acting_user=cast.agent, field="move_in_date", value="2026-10-15", reason="Bail")
    first, second = dossier.events.filter(action="correct_field").order_by("pk")
    assert (first.details["old_display"], first.details["new_display"]) == ("Aucun", "Jeune sapeur-pompier volontaire")
    assert second.details["new"] == "2026-10-15"
    dossier.refresh_from_db()
    assert dossier.data["engagement"] == "jsp" and dossier.data["move_in_date"] == "2026-10-15"


def test_correct_field_assignee_applicant_is_emailed_in_french(cast, dossier, deliver_outbox, settings):
    """The applicant is told what changed, from what to what, and why (through the outbox)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deliver_outbox()
    mail.outbox.clear()
    correct_field(dossier, acting_user=cast.agent, field="housing_commune", value="Gray", reason="Erreur de saisie")
    assert OutboxMessage.objects.filter(key__startswith=f"correction:{dossier.reference}:").count() == 1
    assert deliver_outbox() == ["sent"]
    (email,) = mail.outbox
    assert email.to == [cast.applicant.email]
    assert email.subject == f"Correction de votre demande {dossier.reference} par le service instructeur"
    assert "« Commune du logement »" in email.body
    assert "Ancienne valeur : Vesoul" in email.body and "Nouvelle valeur : Gray" in email.body
    assert "Motif : Erreur de saisie" in email.body
    assert reverse("citizen:dossier", args=[dossier.reference]) in email.body


def test_correct_field_assignee_refreshes_search_vector(cast, dossier):
    """The housing commune is searched by agents: the corrected one is found, the old one no more."""
    correct_field(dossier, acting_user=cast.agent, field="housing_commune", value="Luxeuil-les-Bains", reason="Bail")
    found = Dossier.objects.filter(search_vector=search_query("luxeuil"))
    assert list(found) == [dossier]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quotient_familial", "beaucoup", "Saisissez un nombre entier."),
        ("quotient_familial", "1500", "Le Pack Jeunes est réservé aux foyers dont le quotient familial"),
        ("housing_postal_code", "7000", "Le code postal comporte 5 chiffres."),
        ("housing_commune", "", "Indiquez la commune du logement."),
        ("move_in_date", "31/02/2026", "Saisissez une date valide."),
        ("engagement", "astronaute", "Sélectionnez un choix valide."),
        ("monthly_rent", "-3", "supérieure ou égale à 1"),
    ],
)
def test_correct_field_assignee_bad_value_refused_in_french(cast, dossier, field, value, message):
    """The téléservice form's own field and rules refuse the value; nothing is written."""
    before = dict(dossier.data)
    with pytest.raises(actions.InvalidInput) as refused:
        correct_field(dossier, acting_user=cast.agent, field=field, value=value, reason="Motif")
    assert message in " ".join(refused.value.errors["value"])
    dossier.refresh_from_db()
    assert dossier.data == before and not dossier.events.filter(action="correct_field").exists()


@pytest.mark.parametrize("field", ["beneficiary", "certify", "unknown", ""])
def test_correct_field_assignee_field_not_correctable(cast, dossier, field):
    """Only the form's fields, and neither the beneficiary nor the sworn statement."""
    with pytest.raises(actions.InvalidInput) as refused:
        correct_field(dossier, acting_user=cast.agent, field=field, value="x", reason="Motif")
    assert refused.value.errors["field"] == ["Choisissez une donnée du formulaire à corriger."]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_correct_field_assignee_reason_required_and_bounded(cast, dossier, reason):
    """A correction always says why, in at most 1,000 characters."""
    with pytest.raises(actions.InvalidInput) as refused:
        correct_field(dossier, acting_user=cast.agent, field="quotient_familial", value="300", reason=reason)
    assert "reason" in refused.value.errors


@pytest.mark.parametrize(("field", "value"), [("quotient_familial", "450"), ("monthly_rent", "390.00")])
def test_correct_field_assignee_same_value_refused(cast, dossier, field, value):
    """Writing the current value again, even spelt differently, is not a correction."""
    with pytest.raises(actions.InvalidInput) as refused:
        correct_field(dossier, acting_user=cast.agent, field=field, value=value, reason="Motif")
    assert refused.value.errors["value"] == ["La nouvelle valeur est identique à la valeur actuelle."]


def test_correct_field_cast_only_the_assignee(cast, dossier):
    """Another agent of the service and the supervisor may not (403); outsiders do not see it (404)."""
    for user in (cast.supervisor,):
        with pytest.raises(PermissionDenied):
            correct_field(dossier, acting_user=user, field="quotient_familial", value="300", reason="Motif")
    for user in (cast.applicant, cast.other_citizen, cast.other_agent):
        with pytest.raises(access.NotVisible if user != cast.applicant else PermissionDenied):
            correct_field(dossier, acting_user=user, field="quotient_familial", value="300", reason="Motif")
    assert not Event.objects.filter(action="correct_field").exists()


def test_correct_field_agent_refused_when_not_in_instruction(cast):
    """Not in the queue (nobody in charge), not during a complement, not once decided: the refusal names the status."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    with pytest.raises(PermissionDenied):  # transmitted: no assignee yet
        correct_field(dossier, acting_user=cast.agent, field="quotient_familial", value="300", reason="Motif")
    actions.take(dossier, acting_user=cast.agent)
    actions.request_complement(dossier, acting_user=cast.agent, message="Le bail, svp.")
    assert access.abilities(cast.agent, dossier)["correct_field"] is False
    with pytest.raises(actions.TransitionRefused, match="« Complément d'information »"):
        correct_field(dossier, acting_user=cast.agent, field="quotient_familial", value="300", reason="Motif")
    actions.answer_complement(dossier, acting_user=cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    actions.decide(dossier, acting_user=cast.agent, outcome=DossierStatus.ACCEPTED, amount="250")
    assert access.abilities(cast.agent, dossier)["correct_field"] is False
    with pytest.raises(actions.TransitionRefused, match="« Accepté »"):
        correct_field(dossier, acting_user=cast.agent, field="quotient_familial", value="300", reason="Motif")
    assert not Event.objects.filter(action="correct_field").exists()


def test_correct_field_agent_stale_status_is_a_conflict(cast, dossier):
    """A page read before a complement was requested cannot correct after it."""
    stale = Dossier.objects.get(pk=dossier.pk)
    actions.request_complement(dossier, acting_user=cast.agent, message="Le bail, svp.")
    with pytest.raises(actions.Conflict):
        correct_field(stale, acting_user=cast.agent, field="quotient_familial", value="300", reason="Motif")


def test_correct_field_applicant_sees_it_in_history(client, cast, dossier):
    """The applicant's history says « Correction par le service instructeur : <champ> », never the agent's name."""
    correct_field(dossier, acting_user=cast.agent, field="quotient_familial", value="300", reason="Attestation CAF")
    login(client, cast.applicant)
    page = client.get(reverse("citizen:dossier", args=[dossier.reference])).content.decode()
    text = " ".join(page.split())
    assert "Correction par le service instructeur : Quotient familial (€) (450 → 300)" in text
    assert "par un autre membre de votre organisme" not in text
    assert cast.agent.email not in page and cast.agent.last_name not in page
