"""« Demandes »: the person's dossiers and their organismes', filters, the « modifier » icon, and a
fixed number of SQL queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruction import actions
from instruction.models import Audience, Dossier, DossierStatus, Organisme
from permissions.organismes import MEMBER, grant_role
from tests.citizen_portal.test_journey_http import login
from tests.factories import TeleserviceFactory, UserFactory, filed_dossier


def make_organisme(*members, name="Centre de vacances Les Mélèzes", siret="12345678900011") -> Organisme:
    organisme = Organisme.objects.create(
        kind=Organisme.Kind.HOLIDAY_CENTRE,
        name=name,
        siret=siret,
        address="1 route du Lac",
        postal_code="70200",
        commune="Lure",
    )
    for member in members:
        grant_role(member, organisme, MEMBER)
    return organisme


def organisme_dossier(cast, organisme, author, *, transmitted=False) -> Dossier:
    """A dossier of an organisme, filed by ``author``. The Pack Jeunes form only knows foyers, so a
    transmitted one is obtained by setting the status directly: these tests are about who sees it."""
    teleservice = TeleserviceFactory(
        instructing_service=cast.service, audience=Audience.ORGANISME, title="1000 Semaines collectives"
    )
    dossier = actions.create_draft(teleservice, acting_user=author, organisme=organisme)
    if transmitted:
        Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.TRANSMITTED, service=cast.service)
        dossier.refresh_from_db()
    return dossier


def test_dossier_list_applicant_sees_own_dossiers_with_details(client, cast):
    """Reference, téléservice, beneficiary, status and dates of each of the person's dossiers."""
    sent = filed_dossier(cast.teleservice, cast.applicant)
    draft = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    other = filed_dossier(cast.teleservice, cast.other_citizen)
    login(client, cast.applicant)
    page = client.get(reverse("citizen:dossiers")).content.decode()
    assert sent.reference in page and draft.reference in page and other.reference not in page
    assert cast.teleservice.title in page and str(sent.beneficiary) in page
    assert "Transmis" in page and "Brouillon" in page
    assert "Créée le" in page and "Transmise le" in page and 'datetime="' in page


def test_dossier_list_applicant_modify_icon_only_where_editable(client, cast):
    """The « modifier » icon shows for a draft and a complement, with an accessible name."""
    draft = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    sent = filed_dossier(cast.teleservice, cast.applicant)
    returned = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(returned, acting_user=cast.agent)
    actions.request_complement(returned, acting_user=cast.agent, message="Il manque le bail.")
    login(client, cast.applicant)
    page = client.get(reverse("citizen:dossiers")).content.decode()
    assert f"Modifier la demande {draft.reference}" in page
    assert f"Modifier la demande {returned.reference}" in page
    assert f"Modifier la demande {sent.reference}" not in page
    assert reverse("citizen:edit", args=[returned.reference]) in page
    assert reverse("citizen:edit", args=[sent.reference]) not in page
    assert 'aria-hidden="true" focusable="false"' in page


def test_dossier_list_organisme_member_sees_co_members_dossiers(client, cast):
    """A member of an organisme follows the dossiers filed for it by any member."""
    colleague = UserFactory()
    outsider = UserFactory()
    organisme = make_organisme(cast.applicant, colleague)
    dossier = organisme_dossier(cast, organisme, colleague)
    login(client, cast.applicant)
    page = client.get(reverse("citizen:dossiers")).content.decode()
    assert dossier.reference in page and organisme.name in page
    client.logout()
    login(client, outsider)
    assert dossier.reference not in client.get(reverse("citizen:dossiers")).content.decode()


def test_dossier_list_agent_does_not_see_instructed_dossiers(client, cast):
    """The citizen list is the applicant role only: an agent does not find the service's dossiers."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.agent)
    page = client.get(reverse("citizen:dossiers")).content.decode()
    assert dossier.reference not in page and "Vous n'avez encore déposé aucune demande." in page


def test_dossier_list_applicant_filters_by_status_teleservice_and_space(client, cast):
    """Status, téléservice and space filters, by GET, keep their values in the form."""
    draft = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    sent = filed_dossier(cast.teleservice, cast.applicant)
    organisme = make_organisme(cast.applicant)
    for_organisme = organisme_dossier(cast, organisme, cast.applicant)
    login(client, cast.applicant)
    url = reverse("citizen:dossiers")

    page = client.get(url, {"status": "transmitted"}).content.decode()
    assert sent.reference in page and draft.reference not in page and for_organisme.reference not in page
    assert '<option value="transmitted" selected>' in page

    page = client.get(url, {"teleservice": for_organisme.teleservice_id}).content.decode()
    assert for_organisme.reference in page and sent.reference not in page

    page = client.get(url, {"space": f"organisme-{organisme.pk}"}).content.decode()
    assert for_organisme.reference in page and draft.reference not in page
    page = client.get(url, {"space": "foyer"}).content.decode()
    assert for_organisme.reference not in page and draft.reference in page and sent.reference in page
    assert "Afficher toutes les demandes" in page

    page = client.get(url, {"status": "accepted"}).content.decode()
    assert "Aucune demande ne correspond à ces filtres." in page


def test_dossier_list_applicant_invalid_filter_is_reported_in_french(client, cast):
    """A forged filter value gets a French error next to the field; the list stays usable."""
    sent = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.applicant)
    response = client.get(reverse("citizen:dossiers"), {"status": "n-importe-quoi", "teleservice": "999999"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in page and "Le formulaire contient des erreurs" in page
    assert sent.reference in page


def test_dossier_list_other_citizen_cannot_filter_into_others_teleservice(client, cast):
    """Filter choices come from the person's own dossiers: another téléservice's id is refused."""
    filed_dossier(cast.other_teleservice, cast.applicant)
    login(client, cast.other_citizen)
    page = client.get(reverse("citizen:dossiers"), {"teleservice": cast.other_teleservice.pk}).content.decode()
    assert "Sélectionnez un choix valide" in page and cast.other_teleservice.title not in page


def test_dossier_list_anonymous_redirected_to_login(client, cast):
    """« Demandes » needs an account."""
    response = client.get(reverse("citizen:dossiers"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("params", [{}, {"status": "transmitted", "space": "foyer"}])
def test_dossier_list_applicant_query_count_does_not_grow(client, cast, django_assert_num_queries, params):
    """The same number of SQL queries for 1 dossier as for 20, filtered or not."""
    filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.applicant)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("citizen:dossiers"), params).status_code == 200
    for _ in range(19):
        filed_dossier(cast.teleservice, cast.applicant)
    with django_assert_num_queries(len(few)):
        page = client.get(reverse("citizen:dossiers"), params).content.decode()
    assert page.count(reverse("citizen:dossier", args=["PJL-"]).rstrip("/")) >= 20
    assert len(few) <= 9
