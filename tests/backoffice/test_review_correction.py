"""« Corriger une donnée » on the review screen: choose the field, type the new value in that
field's own widget with a reason; French errors keep what was typed; the agent in charge only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from instruction import actions
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier
from tests.pages import text_of


def review_url(dossier, field: str = "") -> str:
    url = reverse("backoffice:review", args=[dossier.reference])
    return f"{url}?champ={field}" if field else url


def correct_url(dossier) -> str:
    return reverse("backoffice:act", args=[dossier.reference, "corriger"])


def post(field: str, value: str, reason: str = "Pièce justificative reçue") -> dict[str, str]:
    return {"correction-field": field, "correction-value": value, "correction-reason": reason}


@pytest.fixture
def dossier(cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    return dossier


def test_correction_assignee_chooser_lists_the_correctable_fields(client, cast, dossier):
    """First step: a list of the form's fields, without the beneficiary nor the sworn statement."""
    login(client, cast.agent)
    page = client.get(review_url(dossier)).content.decode()
    assert "Corriger une donnée" in page and 'name="champ"' in page
    assert '<option value="quotient_familial">Quotient familial (€)</option>' in page
    assert '<option value="housing_commune">Commune du logement</option>' in page
    assert 'value="beneficiary"' not in page and 'value="certify"' not in page


def test_correction_assignee_chosen_field_shows_its_own_widget(client, cast, dossier):
    """Second step: the field's widget (a list for a choice) with the current value, and the reason."""
    login(client, cast.agent)
    response = client.get(review_url(dossier, "engagement"))
    page = response.content.decode()
    text = text_of(response)
    assert "Valeur actuelle de « Engagement citoyen (majoration de 50 %) » : Aucun" in text
    assert "Nouvelle valeur : Engagement citoyen (majoration de 50 %)" in text
    assert '<select name="correction-value"' in page and '<option value="jsp">' in page
    assert 'name="correction-field" value="engagement"' in page and "Motif de la correction" in page
    date_page = client.get(review_url(dossier, "move_in_date")).content.decode()
    assert 'type="date" name="correction-value" value="2026-09-01"' in date_page


def test_correction_assignee_unknown_field_in_url_shows_the_chooser(client, cast, dossier):
    """?champ= naming the beneficiary or nothing known falls back to the first step."""
    login(client, cast.agent)
    for field in ("beneficiary", "certify", "nope"):
        page = client.get(review_url(dossier, field)).content.decode()
        assert 'name="champ"' in page and 'name="correction-value"' not in page


def test_correction_assignee_corrects_and_returns_to_the_dossier(client, cast, dossier):
    """A valid correction is stored, said, recorded in the history, and the agent stays on the dossier."""
    login(client, cast.agent)
    response = client.post(correct_url(dossier), post("quotient_familial", "250", "Attestation CAF du 2 mars"))
    assert response.status_code == 302 and response.url == review_url(dossier)
    dossier.refresh_from_db()
    assert dossier.data["quotient_familial"] == "250"
    text = text_of(client.get(review_url(dossier)))
    assert "La donnée est corrigée et le demandeur en est informé." in text
    assert "Correction par le service instructeur" in text
    assert "« Quotient familial (€) » : 450 → 250 — motif : Attestation CAF du 2 mars" in text
    assert "Montant proposé : 400 €" in text  # the amount follows the corrected quotient


@pytest.mark.parametrize(
    ("field", "value", "reason", "error"),
    [
        ("quotient_familial", "beaucoup", "Motif", "Saisissez un nombre entier."),
        ("quotient_familial", "1500", "Motif", "Le Pack Jeunes est réservé aux foyers"),
        ("housing_postal_code", "7000", "Motif", "Le code postal comporte 5 chiffres."),
        ("housing_postal_code", "70100", "", "Indiquez le motif de la correction."),
        ("quotient_familial", "450", "Motif", "La nouvelle valeur est identique à la valeur actuelle."),
    ],
)
def test_correction_assignee_bad_input_keeps_what_was_typed(client, cast, dossier, field, value, reason, error):
    """Errors are in French, next to the field and in the summary; the value and reason typed stay."""
    login(client, cast.agent)
    response = client.post(correct_url(dossier), post(field, value, reason))
    assert response.status_code == 400
    text = text_of(response)
    assert error in text and "Le formulaire contient des erreurs" in text
    page = response.content.decode()
    assert f'name="correction-value" value="{value}"' in page
    if reason:
        assert f">\n{reason}</textarea>" in page
    dossier.refresh_from_db()
    assert dossier.data[field] == {"quotient_familial": "450", "housing_postal_code": "70000"}[field]
    assert not dossier.events.filter(action="correct_field").exists()


def test_correction_assignee_field_not_correctable_goes_back_to_the_chooser(client, cast, dossier):
    """A forged field name is refused with a message, nothing written."""
    login(client, cast.agent)
    response = client.post(correct_url(dossier), post("certify", ""))
    assert response.status_code == 302 and response.url == review_url(dossier) + "#correction"
    assert "Choisissez une donnée du formulaire à corriger." in text_of(client.get(review_url(dossier)))
    assert not dossier.events.filter(action="correct_field").exists()


def test_correction_supervisor_not_in_charge_has_no_panel_and_gets_403(client, cast, dossier):
    """Another agent of the service (here the supervisor) sees the dossier but may not correct it."""
    login(client, cast.supervisor)
    page = client.get(review_url(dossier, "quotient_familial")).content.decode()
    assert "Corriger une donnée" not in page
    assert client.post(correct_url(dossier), post("quotient_familial", "300")).status_code == 403


@pytest.mark.parametrize("who", ["applicant", "other_citizen", "other_agent"])
def test_correction_outsiders_get_404(client, cast, dossier, who):
    """Whoever is not an agent of the service does not learn the dossier exists."""
    login(client, getattr(cast, who))
    assert client.post(correct_url(dossier), post("quotient_familial", "300")).status_code == 404
    dossier.refresh_from_db()
    assert dossier.data["quotient_familial"] == "450"


def test_correction_anonymous_goes_to_login(client, cast, dossier):
    """Behind the login."""
    response = client.post(correct_url(dossier), post("quotient_familial", "300"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_correction_assignee_during_complement_is_refused_naming_the_status(client, cast, dossier):
    """While the applicant completes the dossier: no panel, and a forged post is refused in French."""
    actions.request_complement(dossier, acting_user=cast.agent, message="Le bail signé.")
    login(client, cast.agent)
    assert "Corriger une donnée" not in client.get(review_url(dossier)).content.decode()
    response = client.post(correct_url(dossier), post("quotient_familial", "300"))
    assert response.status_code == 302
    text = text_of(client.get(review_url(dossier)))
    assert "Cette action n'est pas possible pour un dossier « Complément d'information »." in text
    dossier.refresh_from_db()
    assert dossier.data["quotient_familial"] == "450"
