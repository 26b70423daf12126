"""Bad input and edge cases of the login, catalogue and filing pages."""

from __future__ import annotations

import datetime as dt
import html

from django.urls import reverse
from django.utils.formats import date_format

from instruction.models import Dossier
from tests.citizen_portal.test_journey_http import login
from tests.factories import UserFactory


def test_login_wrong_password_says_so_in_french(client, cast):
    """A wrong password is refused with a French message and the e-mail stays typed."""
    response = client.post(reverse("login"), {"username": cast.applicant.email, "password": "pas-le-bon"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in page
    assert f'value="{cast.applicant.email}"' in page


def test_catalogue_anonymous_hides_unpublished_and_closed(client, cast):
    """Only published téléservices open today are listed."""
    cast.other_teleservice.published = False
    cast.other_teleservice.save()
    cast.teleservice.closes_on = dt.date.today() - dt.timedelta(days=1)
    cast.teleservice.save()
    page = client.get(reverse("citizen:catalogue")).content.decode()
    assert cast.teleservice.title not in page and "Aucun téléservice" in page
    assert client.get(reverse("citizen:teleservice", args=[cast.other_teleservice.slug])).status_code == 404


def test_start_dossier_citizen_without_foyer_is_told_to_create_it(client, cast):
    """A foyer téléservice needs a foyer first; nothing is created."""
    user = UserFactory()
    login(client, user)
    response = client.post(reverse("citizen:start", args=[cast.teleservice.slug]), follow=True)
    assert "Créez d'abord votre foyer" in html.unescape(response.content.decode())
    assert not Dossier.objects.filter(applicant=user).exists()


def test_start_dossier_citizen_closed_teleservice_is_refused(client, cast):
    """Filing before the opening date is refused with the date shown."""
    cast.teleservice.opens_on = dt.date.today() + dt.timedelta(days=3)
    cast.teleservice.save()
    login(client, cast.applicant)
    response = client.post(reverse("citizen:start", args=[cast.teleservice.slug]), follow=True)
    opens = date_format(cast.teleservice.opens_on)
    assert f"Ce téléservice ouvre le {opens} : il ne reçoit pas encore de dossier." in html.unescape(
        response.content.decode()
    )
    assert not Dossier.objects.exists()


def test_start_dossier_get_is_not_allowed(client, cast):
    """Creating a dossier needs a POST (the « Déposer un dossier » button), never a link."""
    login(client, cast.applicant)
    assert client.get(reverse("citizen:start", args=[cast.teleservice.slug])).status_code == 405


def test_edit_citizen_after_transmission_redirects_with_message(client, cast):
    """The form of a transmitted dossier is not reachable any more."""
    from tests.factories import filed_dossier

    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.applicant)
    response = client.get(reverse("citizen:edit", args=[dossier.reference]), follow=True)
    assert "elle n'est plus modifiable" in html.unescape(response.content.decode())
    assert response.redirect_chain[-1][0] == reverse("citizen:dossier", args=[dossier.reference])


def test_backoffice_unknown_action_is_404(client, cast):
    """Only the four named actions exist."""
    from tests.factories import filed_dossier

    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.agent)
    assert client.post(reverse("backoffice:act", args=[dossier.reference, "supprimer"])).status_code == 404
