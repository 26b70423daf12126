"""The home page, the active space and its switcher, the catalogue and filing from the right space."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from citizen_portal.spaces.active import SESSION_KEY
from instruction.forms import form_for
from instruction.models import Audience, Dossier
from permissions import organismes
from tests.citizen_portal.test_journey_http import login
from tests.citizen_portal.test_spaces_organisme import add_member, make_organisme, organisme_teleservice, page
from tests.factories import TeleserviceFactory, UserFactory

# --- Home ------------------------------------------------------------------------------------


def test_home_citizen_without_space_offers_both_creations(client, db):
    """A new account is offered « Créer mon foyer » and « Créer un Organisme Public ou Privé »."""
    login(client, UserFactory())
    text = page(client.get(reverse("citizen:home")))
    assert "Créer mon foyer" in text and "Créer un Organisme Public ou Privé" in text
    assert reverse("citizen:foyer_create") in text and reverse("citizen:organisme_create") in text


def test_home_citizen_lists_foyer_and_organismes(client, cast):
    """The home page lists the person's spaces with links to them."""
    organisme = make_organisme(cast.applicant, name="Association Les Cigales", kind="association")
    login(client, cast.applicant)
    text = page(client.get(reverse("citizen:home")))
    assert "Mes espaces" in text and "Mon foyer" in text and "Association Les Cigales" in text
    assert reverse("citizen:foyer") in text and reverse("citizen:organisme", args=[organisme.pk]) in text
    assert "Créer mon foyer" not in text  # one foyer per person
    assert "Créer un Organisme Public ou Privé" in text


@pytest.mark.parametrize("who", ["agent", "supervisor"])
def test_home_agent_redirected_to_backoffice(client, cast, who):
    """Agents keep landing in the back office."""
    login(client, getattr(cast, who))
    assert client.get(reverse("citizen:home")).url == reverse("backoffice:queue")


def test_home_anonymous_shows_login_and_catalogue(client, db):
    """Anonymous visitors see the login link and the catalogue, no space."""
    text = page(client.get(reverse("citizen:home")))
    assert "Se connecter" in text and reverse("citizen:catalogue") in text
    assert "Créer mon foyer" not in text


# --- The active space and the switcher -------------------------------------------------------


def test_header_citizen_with_one_space_shows_it(client, cast):
    """With one space, the header names it."""
    login(client, cast.applicant)
    assert "Espace : Mon foyer" in page(client.get(reverse("citizen:catalogue")))


def test_switch_space_citizen_switches_and_goes_to_space(client, cast):
    """The header's switcher changes the active space and opens its home."""
    organisme = make_organisme(cast.applicant)
    login(client, cast.applicant)
    client.get(reverse("citizen:foyer"))
    header = page(client.get(reverse("citizen:catalogue")))
    assert "Changer d'espace" in header and f'value="organisme:{organisme.pk}"' in header

    response = client.post(reverse("citizen:switch_space"), {"espace": f"organisme:{organisme.pk}"})

    assert response.url == reverse("citizen:organisme", args=[organisme.pk])
    assert client.session[SESSION_KEY] == f"organisme:{organisme.pk}"
    header = page(client.get(reverse("citizen:catalogue")))
    assert f'<option value="organisme:{organisme.pk}" selected>' in header


def test_switch_space_citizen_other_persons_organisme_refused(client, cast):
    """Nobody switches into an organisme they are not a member of."""
    foreign = make_organisme(cast.other_citizen)
    login(client, cast.applicant)
    response = client.post(reverse("citizen:switch_space"), {"espace": f"organisme:{foreign.pk}"}, follow=True)
    assert "Choisissez l'un de vos espaces." in page(response)
    assert client.session.get(SESSION_KEY) != f"organisme:{foreign.pk}"


def test_switch_space_citizen_external_next_ignored(client, cast):
    """The ``next`` of the switcher never leads off the site."""
    login(client, cast.applicant)
    response = client.post(reverse("citizen:switch_space"), {"espace": "foyer", "next": "https://exemple.com/"})
    assert response.url == reverse("citizen:foyer")


def test_switch_space_anonymous_redirected_to_login(client, db):
    """Switching needs an account."""
    response = client.post(reverse("citizen:switch_space"), {"espace": "foyer"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_active_space_citizen_stale_membership_falls_back(client, cast):
    """A session still naming an organisme the person left falls back to their foyer."""
    organisme = make_organisme(cast.other_citizen)
    add_member(organisme, cast.applicant)
    login(client, cast.applicant)
    client.get(reverse("citizen:organisme", args=[organisme.pk]))
    organismes.revoke_membership(cast.applicant, organisme)
    header = page(client.get(reverse("citizen:catalogue")))
    assert "Espace : Mon foyer" in header and organisme.name not in header


# --- Catalogue and fiche ---------------------------------------------------------------------


def test_catalogue_anonymous_grouped_by_audience_and_category(client, cast):
    """Téléservices are grouped by audience then category, with headings, each linking to its fiche."""
    palmares = organisme_teleservice(cast)
    text = page(client.get(reverse("citizen:catalogue")))
    assert "<h2" in text and "Pour les familles" in text and "Pour les organismes" in text
    assert "<h3>Jeunesse</h3>" in text and "<h3>Palmarès</h3>" in text
    assert text.index("Pour les familles") < text.index("Jeunesse") < text.index("Pour les organismes")
    assert text.index("Pour les organismes") < text.index("Palmarès")
    assert reverse("citizen:teleservice", args=[palmares.slug]) in text


def test_catalogue_citizen_filtered_on_space(client, cast):
    """« Déposer un dossier » from a space lists that audience's téléservices only."""
    palmares = organisme_teleservice(cast)
    login(client, cast.applicant)
    foyer_side = page(client.get(reverse("citizen:catalogue"), {"espace": "foyer"}))
    assert cast.teleservice.title in foyer_side and palmares.title not in foyer_side
    organisme_side = page(client.get(reverse("citizen:catalogue"), {"espace": "organisme"}))
    assert palmares.title in organisme_side and cast.teleservice.title not in organisme_side
    assert "Voir tout le catalogue" in organisme_side


def test_catalogue_anonymous_unknown_filter_shows_everything(client, cast):
    """An unknown filter value is ignored rather than an error."""
    palmares = organisme_teleservice(cast)
    response = client.get(reverse("citizen:catalogue"), {"espace": "<script>"})
    text = page(response)
    assert response.status_code == 200 and cast.teleservice.title in text and palmares.title in text


def test_fiche_anonymous_shows_audience_dates_and_documents(client, cast):
    """The fiche tells who files, the dates and the documents the form asks for."""
    cast.teleservice.opens_on = dt.date(2026, 1, 15)
    cast.teleservice.closes_on = dt.date(2099, 6, 30)
    cast.teleservice.save()
    text = page(client.get(reverse("citizen:teleservice", args=[cast.teleservice.slug])))
    assert cast.teleservice.fiche in text
    assert "à déposer depuis l'espace Foyer" in text and "Qui peut déposer une demande ?" in text
    assert "15 janvier 2026" in text and "30 juin 2099" in text
    for document in getattr(form_for(cast.teleservice), "documents", []):
        assert str(document.label) in text
    assert "Se connecter pour déposer un dossier" in text


def test_fiche_citizen_closed_teleservice_has_no_button(client, cast):
    """A closed téléservice's fiche explains it and offers no « Déposer un dossier » button."""
    cast.teleservice.closes_on = dt.date.today() - dt.timedelta(days=1)
    cast.teleservice.save()
    login(client, cast.applicant)
    text = page(client.get(reverse("citizen:teleservice", args=[cast.teleservice.slug])))
    closed = date_format(cast.teleservice.closes_on)
    assert (
        f"Ce téléservice a fermé le {closed} : il ne reçoit plus de dossier." in text
        and 'type="submit" class="button">Déposer un dossier' not in text
    )


def test_fiche_unpublished_gets_404(client, cast):
    """An unpublished téléservice has no fiche, and cannot be filed."""
    cast.teleservice.published = False
    cast.teleservice.save()
    login(client, cast.applicant)
    assert client.get(reverse("citizen:teleservice", args=[cast.teleservice.slug])).status_code == 404
    assert client.post(reverse("citizen:start", args=[cast.teleservice.slug])).status_code == 404
    assert not Dossier.objects.exists()


# --- Filing from the right space -------------------------------------------------------------


def test_start_dossier_citizen_files_from_active_organisme(client, cast):
    """An organisme téléservice is filed for the active organisme, not another one."""
    first = make_organisme(cast.applicant, name="Association A")
    second = make_organisme(cast.applicant, name="Association B")
    palmares = organisme_teleservice(cast)
    login(client, cast.applicant)
    client.post(reverse("citizen:switch_space"), {"espace": f"organisme:{second.pk}"})
    fiche = page(client.get(reverse("citizen:teleservice", args=[palmares.slug])))
    assert "Le dossier sera déposé pour l'organisme « Association B »" in fiche

    response = client.post(reverse("citizen:start", args=[palmares.slug]))

    dossier = Dossier.objects.get()
    assert response.url == reverse("citizen:edit", args=[dossier.reference])
    assert dossier.organisme_id == second.pk != first.pk and dossier.foyer_id is None


def test_start_dossier_citizen_organisme_teleservice_from_foyer_space_refused(client, cast):
    """From the foyer space, an organisme téléservice asks to pick the organisme first."""
    organisme = make_organisme(cast.applicant)
    palmares = organisme_teleservice(cast)
    login(client, cast.applicant)
    client.post(reverse("citizen:switch_space"), {"espace": "foyer"})
    response = client.post(reverse("citizen:start", args=[palmares.slug]), follow=True)
    text = page(response)
    assert "choisissez d'abord l'organisme concerné" in text
    assert f"Passer dans l'espace « {organisme.name} »" in text
    assert not Dossier.objects.exists()

    # The fiche's button switches and comes back to the fiche, ready to file.
    fiche_url = reverse("citizen:teleservice", args=[palmares.slug])
    back = client.post(reverse("citizen:switch_space"), {"espace": f"organisme:{organisme.pk}", "next": fiche_url})
    assert back.url == fiche_url
    client.post(reverse("citizen:start", args=[palmares.slug]))
    assert Dossier.objects.get().organisme_id == organisme.pk


def test_start_dossier_citizen_without_organisme_told_to_create_it(client, cast):
    """Without any organisme, the person is told to create one, with the link."""
    palmares = organisme_teleservice(cast)
    login(client, cast.applicant)
    text = page(client.post(reverse("citizen:start", args=[palmares.slug]), follow=True))
    assert "Créez d'abord votre organisme" in text
    assert reverse("citizen:organisme_create") in text and "Créer un Organisme Public ou Privé" in text
    assert not Dossier.objects.exists()


def test_start_dossier_citizen_without_foyer_gets_link_to_create_it(client, db):
    """Without a foyer, a foyer téléservice's fiche links to « Créer mon foyer »."""
    teleservice = TeleserviceFactory()
    organisme_admin = UserFactory()
    make_organisme(organisme_admin)
    login(client, organisme_admin)
    text = page(client.post(reverse("citizen:start", args=[teleservice.slug]), follow=True))
    assert "Créez d'abord votre foyer" in text and reverse("citizen:foyer_create") in text
    assert not Dossier.objects.exists()


def test_start_dossier_citizen_foyer_teleservice_from_organisme_space_uses_foyer(client, cast):
    """A foyer téléservice is filed from the person's foyer, and the foyer becomes active."""
    organisme = make_organisme(cast.applicant)
    login(client, cast.applicant)
    client.post(reverse("citizen:switch_space"), {"espace": f"organisme:{organisme.pk}"})
    client.post(reverse("citizen:start", args=[cast.teleservice.slug]))
    dossier = Dossier.objects.get()
    assert dossier.foyer_id == cast.applicant.foyer.pk and dossier.organisme_id is None
    assert client.session[SESSION_KEY] == "foyer"


def test_start_dossier_citizen_removed_from_organisme_cannot_file_for_it(client, cast):
    """A person taken out of an organisme can no longer file for it, even with a stale session."""
    organisme = make_organisme(cast.other_citizen)
    add_member(organisme, cast.applicant)
    palmares = organisme_teleservice(cast)
    login(client, cast.applicant)
    client.get(reverse("citizen:organisme", args=[organisme.pk]))
    organismes.revoke_membership(cast.applicant, organisme)
    client.post(reverse("citizen:start", args=[palmares.slug]))
    assert not Dossier.objects.exists()


def test_create_draft_action_non_member_organisme_refused(cast):
    """The action refuses filing for an organisme the person does not act for."""
    from instruction import actions

    organisme = make_organisme(cast.other_citizen)
    palmares = organisme_teleservice(cast)
    with pytest.raises(actions.ActionError, match="pour cet organisme"):
        actions.create_draft(palmares, acting_user=cast.applicant, organisme=organisme)
    with pytest.raises(actions.ActionError, match="espace foyer"):
        actions.create_draft(cast.teleservice, acting_user=cast.other_citizen, organisme=organisme)
    assert not Dossier.objects.exists()


def test_start_dossier_citizen_closed_organisme_teleservice_refused(client, cast):
    """A closed organisme téléservice cannot be filed, even from the right space."""
    organisme = make_organisme(cast.applicant)
    palmares = organisme_teleservice(cast, closes_on=dt.date.today() - dt.timedelta(days=1))
    login(client, cast.applicant)
    client.post(reverse("citizen:switch_space"), {"espace": f"organisme:{organisme.pk}"})
    text = page(client.post(reverse("citizen:start", args=[palmares.slug]), follow=True))
    assert f"Ce téléservice a fermé le {date_format(palmares.closes_on)}" in text
    assert not Dossier.objects.exists()


def test_organisme_teleservice_audience_shown_on_fiche(client, cast):
    """The fiche of an organisme téléservice says it is filed from the organisme space."""
    palmares = organisme_teleservice(cast)
    assert palmares.audience == Audience.ORGANISME
    text = page(client.get(reverse("citizen:teleservice", args=[palmares.slug])))
    assert "à déposer depuis l'espace Organisme" in text and "depuis son espace organisme" in text
