"""« Mot de passe oublié »: the e-mail form and « Valider », always the same confirmation page, the
e-mail through the outbox, « Renseigner un nouveau mot de passe », and the link's failures."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.citizen_portal.test_accounts import CAST, SITE_URL, html_body, link_in, mailbox_for, page, without_csrf
from tests.factories import PASSWORD, UserFactory

PARIS = ZoneInfo("Europe/Paris")
NINE = dt.datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)
NEW_PASSWORD = "Nouveau-Lac-Vaivre-2026"


@pytest.fixture
def mailbox(settings, deliver_outbox):
    return mailbox_for(settings, deliver_outbox)


def ask_reset(client, email: str):
    return client.post(reverse("password_reset"), {"email": email})


def open_reset_form(client, link: str):
    """Follow the e-mail's link: Django moves the token into the session and shows the form."""
    response = client.get(link)
    assert response.status_code == 302, page(response)[:300]
    return response.url


# --- The happy path -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", CAST)
def test_password_reset_cast_end_to_end(client, cast, mailbox, who):
    """Everyone of the cast renews their password through the e-mail and logs in with the new one."""
    user = getattr(cast, who)
    login_page = page(client.get(reverse("login")))
    assert "Mot de passe oublié" in login_page
    form = page(client.get(reverse("password_reset")))
    assert "Adresse électronique" in form and ">Valider</button>" in form

    response = ask_reset(client, user.email.upper())
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert "Si un compte correspond à cette adresse" in page(client.get(response.url))

    [message] = mailbox()
    assert message.to == [user.email]
    assert message.subject == "Renouvellement de votre mot de passe Mes services publics"
    assert SITE_URL + "/mot-de-passe-oublie/" in message.body and "60 minutes" in message.body
    assert re.search(
        r"Cliquez sur « <a href=\"[^\"]+\">ici</a> » pour renseigner un nouveau mot de passe", html_body(message)
    )

    form_url = open_reset_form(client, link_in(message))
    form_page = page(client.get(form_url))
    assert "<h1>Renseigner un nouveau mot de passe</h1>" in form_page and ">Valider</button>" in form_page
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("login")
    assert "Votre mot de passe a été modifié." in page(client.get(response.url))

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert client.post(reverse("login"), {"username": user.email, "password": NEW_PASSWORD}).status_code == 302


# --- No account enumeration --------------------------------------------------------------------


def test_password_reset_anonymous_same_page_for_unknown_inactive_and_known(client, cast, mailbox):
    """Unknown, inactive and known addresses get the same page; only the known active one gets mail."""
    inactive = UserFactory(email="en-attente@exemple.test", is_active=False)
    pages = []
    for email in ["inconnu@exemple.test", inactive.email, cast.applicant.email]:
        response = ask_reset(client, email)
        assert response.url == reverse("password_reset_done")
        pages.append(without_csrf(client.get(response.url)))
    assert pages[0] == pages[1] == pages[2]
    assert [m.to for m in mailbox()] == [[cast.applicant.email]]


def test_password_reset_without_usable_password_gets_nothing(client, db, mailbox):
    """An account without a password (FranceConnect only) is not sent a reset link."""
    user = UserFactory(email="fc@exemple.test")
    user.set_unusable_password()
    user.save()
    assert ask_reset(client, user.email).url == reverse("password_reset_done")
    assert mailbox() == []


def test_password_reset_repeated_within_a_minute_sends_one_email(client, cast, mailbox):
    """Asking again and again within a minute sends one e-mail: the form cannot flood a mailbox."""
    with time_machine.travel(NINE, tick=False):
        for _ in range(5):
            ask_reset(client, cast.applicant.email)
        [message] = mailbox()
        assert open_reset_form(client, link_in(message))


# --- Bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "message"),
    [("", "Ce champ est obligatoire."), ("pas-une-adresse", "Saisissez une adresse de courriel valide.")],
)
def test_password_reset_anonymous_bad_email_refused_in_french(client, db, mailbox, email, message):
    """A missing or malformed address is named in French and kept."""
    response = ask_reset(client, email)
    assert response.status_code == 200
    text = page(response)
    assert message in text and "Le formulaire contient des erreurs" in text
    if email:
        assert f'value="{email}"' in text
    assert mailbox() == []


@pytest.mark.parametrize(
    ("password1", "password2", "field", "message"),
    [
        ("court1", "court1", "new_password1", "Ce mot de passe est trop court"),
        ("123456789123", "123456789123", "new_password1", "entièrement numérique"),
        ("motdepasse", "motdepasse", "new_password1", "trop courant"),
        (NEW_PASSWORD, "Autre-Chose-2026", "new_password2", "Les deux mots de passe ne correspondent pas."),
        ("", "", "new_password1", "Ce champ est obligatoire."),
    ],
)
def test_password_reset_new_password_bad_input_refused_in_french(
    client, cast, mailbox, password1, password2, field, message
):
    """A weak or mismatched new password is refused in French; the old one still works; the link still works."""
    ask_reset(client, cast.applicant.email)
    form_url = open_reset_form(client, link_in(mailbox()[0]))
    response = client.post(form_url, {"new_password1": password1, "new_password2": password2})
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    text = page(response)
    assert message in text and "Le formulaire contient des erreurs" in text
    if password1:
        assert f'value="{password1}"' not in text
    cast.applicant.refresh_from_db()
    assert cast.applicant.check_password(PASSWORD)
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.url == reverse("login")


# --- Reused, expired and forged links -------------------------------------------------------------


def test_password_reset_link_reused_is_refused(client, cast, mailbox):
    """Once the password is changed, the same link is refused with a clear page."""
    ask_reset(client, cast.applicant.email)
    link = link_in(mailbox()[0])
    form_url = open_reset_form(client, link)
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = client.get(link)
    assert response.status_code == 200
    text = page(response)
    assert "<h1>Ce lien n'est plus valable</h1>" in text and f'href="{reverse("password_reset")}"' in text
    response = client.post(link, {"new_password1": "Encore-Un-Autre-2026", "new_password2": "Encore-Un-Autre-2026"})
    assert response.status_code == 200 and "Ce lien n'est plus valable" in page(response)
    cast.applicant.refresh_from_db()
    assert cast.applicant.check_password(NEW_PASSWORD)


def test_password_reset_link_expired_after_an_hour(client, cast, mailbox):
    """The link works for an hour, then gives a clear page."""
    with time_machine.travel(NINE, tick=False):
        ask_reset(client, cast.applicant.email)
        link = link_in(mailbox()[0])
    with time_machine.travel(NINE + dt.timedelta(minutes=59), tick=False):
        assert client.get(link).status_code == 302
    with time_machine.travel(NINE + dt.timedelta(minutes=61), tick=False):
        response = client.get(link)
        assert response.status_code == 200 and "Ce lien n'est plus valable" in page(response)


def test_password_reset_link_of_another_account_is_refused(client, cast, mailbox):
    """A token for one account does not work with another account's id."""
    ask_reset(client, cast.applicant.email)
    link = link_in(mailbox()[0])
    uid, token = link.strip("/").split("/")[-2:]
    other_uid = urlsafe_base64_encode(force_bytes(cast.other_citizen.pk))
    response = client.get(reverse("password_reset_confirm", args=[other_uid, token]))
    assert response.status_code == 200 and "Ce lien n'est plus valable" in page(response)
    assert uid != other_uid


@pytest.mark.parametrize(("uid", "token"), [("MQ", "abc-123"), ("!!", "nouveau"), ("x" * 300, "y" * 300)])
def test_password_reset_link_forged_is_refused(client, cast, uid, token):
    """A made-up link gives the clear page, never an error."""
    response = client.get(reverse("password_reset_confirm", args=[uid, token]))
    assert response.status_code == 200 and "Ce lien n'est plus valable" in page(response)
