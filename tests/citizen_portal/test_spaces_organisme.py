"""« Créer un Organisme Public ou Privé », its home, its members and their roles, for the cast."""

from __future__ import annotations

import html
import itertools

import pytest
from django.urls import reverse

from instruction import actions
from instruction.models import Audience, Dossier, Organisme, SpaceEvent
from instruction.siret import luhn_is_valid
from permissions import organismes
from tests.citizen_portal.test_journey_http import login
from tests.factories import TeleserviceFactory, UserFactory

_serial = itertools.count(1)


def make_siret() -> str:
    """A fresh SIRET with a correct Luhn key."""
    prefix = f"4{next(_serial):012d}"
    return next(prefix + d for d in "0123456789" if luhn_is_valid(prefix + d))


def make_organisme(admin, name: str = "Mairie de Vesoul", kind: str = "commune") -> Organisme:
    return actions.create_organisme(
        acting_user=admin,
        kind=kind,
        name=name,
        siret=make_siret(),
        address="58 rue du Commandant Girardot",
        postal_code="70000",
        commune="Vesoul",
    )


def add_member(organisme: Organisme, user, role: str = organismes.MEMBER) -> None:
    organismes.grant_role(user, organisme, role)


def organisme_teleservice(cast, **kwargs):
    return TeleserviceFactory(
        instructing_service=cast.service,
        audience=Audience.ORGANISME,
        title="Palmarès des Villes et Villages fleuris",
        category="Palmarès",
        **kwargs,
    )


def page(response) -> str:
    return html.unescape(response.content.decode())


def organisme_form(**overrides) -> dict[str, str]:
    data = {
        "kind": "commune",
        "name": "Mairie de Lure",
        "siret": make_siret(),
        "address": "1 place de la Libération",
        "postal_code": "70200",
        "commune": "Lure",
    }
    data.update(overrides)
    return data


# --- Creating --------------------------------------------------------------------------------


def test_organisme_create_citizen_becomes_administrator(client, cast):
    """« Valider » creates the organisme; its creator is its administrator and lands on its home."""
    login(client, cast.applicant)
    form_page = page(client.get(reverse("citizen:organisme_create")))
    assert "Créer un Organisme Public ou Privé" in form_page and "Valider" in form_page
    for kind in ("Association", "Centre de vacances", "Commune", "Autre organisme public", "Autre organisme privé"):
        assert kind in form_page
    data = organisme_form(siret=" 732 829 320 00074 ")

    response = client.post(reverse("citizen:organisme_create"), data, follow=True)

    organisme = Organisme.objects.get(siret="73282932000074")
    assert response.redirect_chain[-1][0] == reverse("citizen:organisme", args=[organisme.pk])
    text = page(response)
    assert "Votre organisme est maintenant créé, vous pouvez déposer votre dossier." in text
    for tile in ("Déposer un dossier", "Demandes", "Membres"):
        assert tile in text
    assert f'href="{reverse("citizen:catalogue")}?espace=organisme"' in text
    assert organismes.role_of(cast.applicant, organisme) == organismes.ADMINISTRATOR
    assert SpaceEvent.objects.filter(organisme=organisme, action="create_organisme", actor=cast.applicant).exists()


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("73282932000075", "Ce numéro SIRET n'est pas valide"),
        ("7328293200007", "Le SIRET comporte 14 chiffres."),
        ("7328293200007A", "Le SIRET comporte 14 chiffres."),
        ("35600000049839", "Ce numéro SIRET n'est pas valide"),
        ("", "Indiquez le numéro SIRET"),
    ],
)
def test_organisme_create_citizen_invalid_siret_refused(client, cast, siret, message):
    """A wrong SIRET is refused next to the field; what was typed stays; nothing is created."""
    login(client, cast.applicant)
    response = client.post(reverse("citizen:organisme_create"), organisme_form(siret=siret))
    text = page(response)
    assert response.status_code == 200 and message in text and 'value="Mairie de Lure"' in text
    assert not Organisme.objects.exists()


def test_organisme_create_citizen_la_poste_siret_accepted(client, cast):
    """La Poste's establishments pass on their digit sum."""
    login(client, cast.applicant)
    client.post(reverse("citizen:organisme_create"), organisme_form(siret="35600000049837", kind="public"))
    assert Organisme.objects.filter(siret="35600000049837").exists()


def test_organisme_create_citizen_duplicate_siret_suggests_invitation(client, cast):
    """A SIRET already registered is refused with the way to join: ask its administrator."""
    existing = make_organisme(cast.other_citizen)
    login(client, cast.applicant)
    response = client.post(reverse("citizen:organisme_create"), organisme_form(siret=existing.siret))
    text = page(response)
    assert "Un organisme est déjà enregistré avec ce SIRET" in text and "administrateur de vous inviter" in text
    assert Organisme.objects.count() == 1
    assert organismes.role_of(cast.applicant, existing) is None


def test_create_organisme_action_duplicate_siret_raises_invalid_input(cast):
    """The action itself refuses a duplicate SIRET (the form's check may be raced)."""
    existing = make_organisme(cast.other_citizen)
    with pytest.raises(actions.InvalidInput) as refused:
        actions.create_organisme(
            acting_user=cast.applicant,
            kind="commune",
            name="Autre",
            siret=existing.siret,
            address="1 rue",
            postal_code="70000",
            commune="Vesoul",
        )
    assert "siret" in refused.value.errors


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postal_code", "700", "Le code postal comporte 5 chiffres."),
        ("kind", "", "Choisissez le type d'organisme."),
        ("kind", "entreprise", "Sélectionnez un choix valide"),
        ("name", "", "Indiquez le nom de l'organisme."),
    ],
)
def test_organisme_create_citizen_bad_input_refused(client, cast, field, value, message):
    """Every field is checked on the server, in French."""
    login(client, cast.applicant)
    response = client.post(reverse("citizen:organisme_create"), organisme_form(**{field: value}))
    assert response.status_code == 200 and message in page(response)
    assert not Organisme.objects.exists()


# --- Access ----------------------------------------------------------------------------------


def _organisme_urls(organisme, member) -> list[str]:
    return [
        reverse("citizen:organisme", args=[organisme.pk]),
        reverse("citizen:organisme_members", args=[organisme.pk]),
        reverse("citizen:organisme_member_remove", args=[organisme.pk, member.pk]),
    ]


@pytest.mark.parametrize("who", ["other_citizen", "agent", "other_agent", "supervisor"])
def test_organisme_pages_outsider_gets_404(client, cast, who):
    """Only members reach an organisme's pages; everyone else gets 404."""
    organisme = make_organisme(cast.applicant)
    login(client, getattr(cast, who))
    for url in _organisme_urls(organisme, cast.applicant):
        assert client.get(url).status_code == 404, url
    for name in ("citizen:organisme_member_role", "citizen:organisme_member_remove"):
        url = reverse(name, args=[organisme.pk, cast.applicant.pk])
        assert client.post(url, {f"membre-{cast.applicant.pk}-role": "member", "confirme": "oui"}).status_code == 404
    assert client.post(reverse("citizen:organisme_invite", args=[organisme.pk]), {"email": "x@y.fr"}).status_code == 404
    assert organismes.role_of(cast.applicant, organisme) == organismes.ADMINISTRATOR


def test_organisme_pages_anonymous_redirected_to_login(client, cast):
    """Organisme pages need an account."""
    organisme = make_organisme(cast.applicant)
    for url in [*_organisme_urls(organisme, cast.applicant), reverse("citizen:organisme_create")]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_organisme_create_agent_gets_404(client, cast):
    """Agents have no citizen spaces."""
    login(client, cast.agent)
    assert client.get(reverse("citizen:organisme_create")).status_code == 404


def test_organisme_home_member_sees_colleagues_dossiers(client, cast):
    """A member sees and opens the dossiers a colleague filed for the organisme."""
    organisme = make_organisme(cast.other_citizen)
    add_member(organisme, cast.applicant)
    teleservice = organisme_teleservice(cast)
    dossier = actions.create_draft(teleservice, acting_user=cast.other_citizen, organisme=organisme)
    login(client, cast.applicant)
    assert dossier.reference in page(client.get(reverse("citizen:organisme", args=[organisme.pk])))
    assert client.get(reverse("citizen:dossier", args=[dossier.reference])).status_code == 200


# --- Members and roles -----------------------------------------------------------------------


def test_members_page_member_sees_list_without_admin_controls(client, cast):
    """A member sees who is in the organisme and their roles, but cannot manage them."""
    organisme = make_organisme(cast.other_citizen)
    add_member(organisme, cast.applicant)
    login(client, cast.applicant)
    text = page(client.get(reverse("citizen:organisme_members", args=[organisme.pk])))
    assert cast.other_citizen.email in text and "Administrateur" in text and "Membre" in text
    assert "Inviter un collègue" not in text and "Modifier le rôle" not in text
    assert "Quitter l'organisme" in text


def test_members_page_admin_sees_controls(client, cast):
    """An administrator gets the invitation form and the role and removal buttons."""
    organisme = make_organisme(cast.applicant)
    add_member(organisme, cast.other_citizen)
    login(client, cast.applicant)
    text = page(client.get(reverse("citizen:organisme_members", args=[organisme.pk])))
    assert "Inviter un collègue" in text and "Modifier le rôle" in text and "Retirer" in text
    assert "Dernier administrateur" in text


def test_role_change_admin_promotes_member(client, cast):
    """An administrator makes a member an administrator."""
    organisme = make_organisme(cast.applicant)
    add_member(organisme, cast.other_citizen)
    login(client, cast.applicant)
    url = reverse("citizen:organisme_member_role", args=[organisme.pk, cast.other_citizen.pk])
    response = client.post(url, {f"membre-{cast.other_citizen.pk}-role": "administrator"}, follow=True)
    assert "est maintenant « Administrateur »" in page(response)
    assert organismes.role_of(cast.other_citizen, organisme) == organismes.ADMINISTRATOR
    assert SpaceEvent.objects.filter(organisme=organisme, action="change_role").exists()


def test_role_change_admin_bad_role_refused(client, cast):
    """An unknown role is refused."""
    organisme = make_organisme(cast.applicant)
    add_member(organisme, cast.other_citizen)
    login(client, cast.applicant)
    url = reverse("citizen:organisme_member_role", args=[organisme.pk, cast.other_citizen.pk])
    response = client.post(url, {f"membre-{cast.other_citizen.pk}-role": "dieu"}, follow=True)
    assert "Choisissez un rôle." in page(response)
    assert organismes.role_of(cast.other_citizen, organisme) == organismes.MEMBER


def test_role_change_member_gets_403(client, cast):
    """A simple member cannot change roles."""
    organisme = make_organisme(cast.other_citizen)
    add_member(organisme, cast.applicant)
    login(client, cast.applicant)
    url = reverse("citizen:organisme_member_role", args=[organisme.pk, cast.applicant.pk])
    assert client.post(url, {f"membre-{cast.applicant.pk}-role": "administrator"}).status_code == 403
    assert organismes.role_of(cast.applicant, organisme) == organismes.MEMBER


def test_role_change_admin_last_administrator_cannot_be_demoted(client, cast):
    """The last administrator stays one: nobody would manage the organisme otherwise."""
    organisme = make_organisme(cast.applicant)
    login(client, cast.applicant)
    url = reverse("citizen:organisme_member_role", args=[organisme.pk, cast.applicant.pk])
    response = client.post(url, {f"membre-{cast.applicant.pk}-role": "member"}, follow=True)
    assert "doit garder au moins un administrateur" in page(response)
    assert organismes.role_of(cast.applicant, organisme) == organismes.ADMINISTRATOR


def test_role_change_admin_can_step_down_when_another_admin_exists(client, cast):
    """With a second administrator, the first one may become a member."""
    organisme = make_organisme(cast.applicant)
    add_member(organisme, cast.other_citizen, organismes.ADMINISTRATOR)
    login(client, cast.applicant)
    url = reverse("citizen:organisme_member_role", args=[organisme.pk, cast.applicant.pk])
    client.post(url, {f"membre-{cast.applicant.pk}-role": "member"})
    assert organismes.role_of(cast.applicant, organisme) == organismes.MEMBER


def test_remove_member_admin_confirms_then_removes(client, cast):
    """An administrator removes a member (after confirming); the member loses access."""
    organisme = make_organisme(cast.applicant)
    add_member(organisme, cast.other_citizen)
    teleservice = organisme_teleservice(cast)
    dossier = actions.create_draft(teleservice, acting_user=cast.applicant, organisme=organisme)
    login(client, cast.applicant)
    url = reverse("citizen:organisme_member_remove", args=[organisme.pk, cast.other_citizen.pk])
    assert "Voulez-vous retirer" in page(client.post(url))
    assert organismes.role_of(cast.other_citizen, organisme) == organismes.MEMBER

    response = client.post(url, {"confirme": "oui"}, follow=True)

    assert "ne fait plus partie de l'organisme" in page(response)
    assert organismes.role_of(cast.other_citizen, organisme) is None
    client.logout()
    login(client, cast.other_citizen)
    assert client.get(reverse("citizen:organisme", args=[organisme.pk])).status_code == 404
    assert client.get(reverse("citizen:dossier", args=[dossier.reference])).status_code == 404


def test_remove_member_admin_last_administrator_refused(cast):
    """The last administrator cannot be removed, not even by themself."""
    organisme = make_organisme(cast.applicant)
    with pytest.raises(actions.ActionError, match="au moins un administrateur"):
        actions.remove_organisme_member(organisme, cast.applicant, acting_user=cast.applicant)
    assert organismes.role_of(cast.applicant, organisme) == organismes.ADMINISTRATOR


def test_remove_member_member_cannot_remove_others(client, cast):
    """A member may leave but not remove a colleague."""
    organisme = make_organisme(cast.other_citizen)
    add_member(organisme, cast.applicant)
    colleague = UserFactory()
    add_member(organisme, colleague)
    login(client, cast.applicant)
    url = reverse("citizen:organisme_member_remove", args=[organisme.pk, colleague.pk])
    assert client.post(url, {"confirme": "oui"}).status_code == 403
    assert organismes.role_of(colleague, organisme) == organismes.MEMBER


def test_remove_member_member_leaves(client, cast):
    """« Quitter l'organisme »: the member is out and back on the home page."""
    organisme = make_organisme(cast.other_citizen)
    add_member(organisme, cast.applicant)
    login(client, cast.applicant)
    url = reverse("citizen:organisme_member_remove", args=[organisme.pk, cast.applicant.pk])
    response = client.post(url, {"confirme": "oui"})
    assert response.url == reverse("citizen:home")
    assert organismes.role_of(cast.applicant, organisme) is None


def test_dossiers_of_organisme_stay_after_member_removed(cast):
    """The organisme's dossiers stay the organisme's when the member who filed them leaves."""
    organisme = make_organisme(cast.applicant)
    add_member(organisme, cast.other_citizen)
    teleservice = organisme_teleservice(cast)
    dossier = actions.create_draft(teleservice, acting_user=cast.other_citizen, organisme=organisme)
    actions.remove_organisme_member(organisme, cast.other_citizen, acting_user=cast.applicant)
    assert Dossier.objects.get(pk=dossier.pk).organisme_id == organisme.pk
