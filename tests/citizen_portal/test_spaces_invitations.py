"""Inviting a colleague into an organisme: the e-mail, the signed link (7 days, once), accounts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from instruction import actions
from instruction.actions import spaces as space_actions
from instruction.models import OrganismeInvitation, SpaceEvent
from permissions import organismes
from tests.citizen_portal.test_journey_http import login
from tests.citizen_portal.test_spaces_organisme import add_member, make_organisme, page
from tests.factories import PASSWORD, UserFactory

INVITEE = "collegue@mairie-vesoul.test"


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def invite(organisme, admin, email=INVITEE, role="member") -> tuple[OrganismeInvitation, str]:
    invitation = actions.invite_to_organisme(organisme, acting_user=admin, email=email, role=role)
    return invitation, reverse("citizen:invitation", args=[space_actions.invitation_token(invitation)])


def test_invite_admin_sends_email_with_link(client, cast, deliver_outbox, django_capture_on_commit_callbacks):
    """« Inviter »: an e-mail in French with a signed link; the invitation is listed as pending."""
    organisme = make_organisme(cast.applicant)
    login(client, cast.applicant)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("citizen:organisme_invite", args=[organisme.pk]),
            {"email": " Collegue@Mairie-Vesoul.test ", "role": "administrator"},
            follow=True,
        )
    text = page(response)
    assert f"Une invitation a été envoyée à {INVITEE}" in text
    assert INVITEE in text and "Invitations en attente" in text
    deliver_outbox()
    (message,) = mail.outbox
    assert message.to == [INVITEE] and "Mairie de Vesoul" in message.subject
    assert "Administrateur" in message.body and "Pas encore de compte" in message.body
    link = re.search(r"https?://\S+/invitation/(\S+)/", message.body)
    assert link is not None
    invitation = OrganismeInvitation.objects.get()
    assert space_actions.read_invitation(link.group(1)).pk == invitation.pk
    assert invitation.role == "administrator" and invitation.email == INVITEE
    assert SpaceEvent.objects.filter(organisme=organisme, action="invite").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "pas-une-adresse", "role": "member"}, "Saisissez une adresse électronique valide"),
        ({"email": "", "role": "member"}, "Indiquez l'adresse électronique"),
        ({"email": INVITEE, "role": "chef"}, "Sélectionnez un choix valide"),
    ],
)
def test_invite_admin_bad_input_refused_and_kept(client, cast, data, message):
    """Bad input is refused next to the field; nothing is sent."""
    organisme = make_organisme(cast.applicant)
    login(client, cast.applicant)
    response = client.post(reverse("citizen:organisme_invite", args=[organisme.pk]), data)
    text = page(response)
    assert response.status_code == 200 and message in text
    if data["email"]:
        assert f'value="{data["email"]}"' in text
    assert not OrganismeInvitation.objects.exists()


def test_invite_admin_existing_member_refused(client, cast):
    """Someone already in the organisme is not invited again."""
    organisme = make_organisme(cast.applicant)
    add_member(organisme, cast.other_citizen)
    login(client, cast.applicant)
    response = client.post(
        reverse("citizen:organisme_invite", args=[organisme.pk]), {"email": cast.other_citizen.email, "role": "member"}
    )
    assert "déjà membre de l'organisme" in page(response)
    assert not OrganismeInvitation.objects.exists()


def test_invite_member_gets_403(client, cast):
    """Only administrators invite."""
    organisme = make_organisme(cast.other_citizen)
    add_member(organisme, cast.applicant)
    login(client, cast.applicant)
    response = client.post(reverse("citizen:organisme_invite", args=[organisme.pk]), {"email": INVITEE})
    assert response.status_code == 403
    assert not OrganismeInvitation.objects.exists()


def test_invitation_accept_invitee_joins_with_role(client, cast):
    """The invitee, logged in with the invited address, accepts and lands in the organisme."""
    organisme = make_organisme(cast.applicant)
    _invitation, url = invite(organisme, cast.applicant, role="administrator")
    invitee = UserFactory(email=INVITEE)
    login(client, invitee)
    assert "Accepter l'invitation" in page(client.get(url))

    response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse("citizen:organisme", args=[organisme.pk])
    assert "Vous avez rejoint l'organisme « Mairie de Vesoul »" in page(response)
    assert organismes.role_of(invitee, organisme) == organismes.ADMINISTRATOR
    invitation = OrganismeInvitation.objects.get()
    assert invitation.accepted_by == invitee and invitation.accepted_at is not None


def test_invitation_reused_refused(client, cast):
    """A link works once: a second acceptance is refused."""
    organisme = make_organisme(cast.applicant)
    _invitation, url = invite(organisme, cast.applicant)
    invitee = UserFactory(email=INVITEE)
    login(client, invitee)
    client.post(url)
    actions.remove_organisme_member(organisme, invitee, acting_user=cast.applicant)

    response = client.post(url, follow=True)

    assert "Cette invitation a déjà été utilisée." in page(response)
    assert organismes.role_of(invitee, organisme) is None


def test_invitation_expired_refused(client, cast):
    """After 7 days the link no longer works."""
    organisme = make_organisme(cast.applicant)
    _invitation, url = invite(organisme, cast.applicant)
    invitee = UserFactory(email=INVITEE)
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        login(client, invitee)
        text = page(client.get(url))
        assert "Cette invitation a expiré" in text and "Accepter l'invitation" not in text
        response = client.post(url, follow=True)
        assert "Cette invitation a expiré" in page(response)
    assert organismes.role_of(invitee, organisme) is None


def test_invitation_six_days_old_still_works(client, cast):
    """Within the 7 days the link works."""
    organisme = make_organisme(cast.applicant)
    _invitation, url = invite(organisme, cast.applicant)
    invitee = UserFactory(email=INVITEE)
    with time_machine.travel(timezone.now() + dt.timedelta(days=6, hours=23)):
        login(client, invitee)
        client.post(url)
    assert organismes.role_of(invitee, organisme) == organismes.MEMBER


@pytest.mark.parametrize("kind", ["tampered", "garbage", "other_salt"])
def test_invitation_forged_link_gets_404(client, cast, kind):
    """A forged or altered link shows nothing and grants nothing."""
    organisme = make_organisme(cast.applicant)
    invitation, _url = invite(organisme, cast.applicant)
    token = space_actions.invitation_token(invitation)
    forged = {
        "tampered": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "garbage": "nimportequoi",
        "other_salt": signing.dumps({"invitation": invitation.pk}, salt="autre-chose"),
    }[kind]
    invitee = UserFactory(email=INVITEE)
    login(client, invitee)
    url = reverse("citizen:invitation", args=[forged])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert organismes.role_of(invitee, organisme) is None


def test_invitation_wrong_account_refused(client, cast):
    """Another account than the invited address cannot accept it."""
    organisme = make_organisme(cast.applicant)
    _invitation, url = invite(organisme, cast.applicant)
    login(client, cast.other_citizen)
    text = page(client.get(url))
    assert "n'est pas celle de votre compte" in text and "Accepter l'invitation" not in text
    response = client.post(url, follow=True)
    assert "une autre adresse électronique" in page(response)
    assert organismes.role_of(cast.other_citizen, organisme) is None
    assert OrganismeInvitation.objects.get().accepted_at is None


def test_invitation_anonymous_creates_account_then_accepts(client, cast):
    """Without an account: the page offers login and sign-up; after logging in the link works,
    and the home page reminds the pending invitation."""
    organisme = make_organisme(cast.applicant)
    _invitation, url = invite(organisme, cast.applicant)
    text = page(client.get(url))
    assert "Mairie de Vesoul" in text and INVITEE in text
    assert f"{reverse('login')}?next=" in text
    assert client.post(url).status_code == 200  # accepting needs an account
    assert not OrganismeInvitation.objects.filter(accepted_at__isnull=False).exists()

    invitee = UserFactory(email=INVITEE)  # what the sign-up and its activation lead to
    response = client.post(reverse("login"), {"username": INVITEE, "password": PASSWORD})
    assert response.status_code == 302
    home = page(client.get(reverse("citizen:home")))
    assert "Voir l'invitation" in home and url in home
    client.post(url)
    assert organismes.role_of(invitee, organisme) == organismes.MEMBER
    assert "Voir l'invitation" not in page(client.get(reverse("citizen:home")))


def test_invitation_cancelled_link_gets_404(client, cast):
    """An administrator cancels a pending invitation: its link stops working."""
    organisme = make_organisme(cast.applicant)
    invitation, url = invite(organisme, cast.applicant)
    login(client, cast.applicant)
    response = client.post(
        reverse("citizen:organisme_invitation_cancel", args=[organisme.pk, invitation.pk]), follow=True
    )
    assert f"L'invitation envoyée à {INVITEE} est annulée." in page(response)
    client.logout()
    login(client, UserFactory(email=INVITEE))
    assert client.get(url).status_code == 404


def test_invitation_cancel_member_gets_403(client, cast):
    """A member cannot cancel invitations."""
    organisme = make_organisme(cast.other_citizen)
    add_member(organisme, cast.applicant)
    invitation, _url = invite(organisme, cast.other_citizen)
    login(client, cast.applicant)
    url = reverse("citizen:organisme_invitation_cancel", args=[organisme.pk, invitation.pk])
    assert client.post(url).status_code == 403
    assert OrganismeInvitation.objects.filter(pk=invitation.pk).exists()


def test_invitation_new_one_replaces_pending_one(cast):
    """Inviting the same address again makes the previous link stop working."""
    organisme = make_organisme(cast.applicant)
    first, _url = invite(organisme, cast.applicant)
    first_token = space_actions.invitation_token(first)
    second, _url = invite(organisme, cast.applicant, role="administrator")
    with pytest.raises(space_actions.InvitationInvalid):
        space_actions.read_invitation(first_token)
    assert space_actions.read_invitation(space_actions.invitation_token(second)).role == "administrator"


def test_invitation_accept_never_demotes_an_administrator(cast):
    """An administrator accepting a « Membre » invitation stays administrator."""
    organisme = make_organisme(cast.applicant)
    colleague = UserFactory(email=INVITEE)
    invitation, _url = invite(organisme, cast.applicant)
    add_member(organisme, colleague, organismes.ADMINISTRATOR)
    actions.accept_invitation(space_actions.invitation_token(invitation), acting_user=colleague)
    assert organismes.role_of(colleague, organisme) == organismes.ADMINISTRATOR


def test_invitation_agent_gets_404(client, cast):
    """Instructing agents do not join citizen organismes."""
    organisme = make_organisme(cast.applicant)
    _invitation, url = invite(organisme, cast.applicant, email=cast.agent.email)
    login(client, cast.agent)
    assert client.get(url).status_code == 404
    assert organismes.role_of(cast.agent, organisme) is None
