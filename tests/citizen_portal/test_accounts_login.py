"""« Se connecter »: e-mail and password, « connecter », an account not activated yet, logout,
the throttling of failed logins (django-axes) and Argon2 in production."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

from permissions.models import User
from tests.citizen_portal.test_accounts import CAST, STRONG_PASSWORD, link_in, mailbox_for, page, sign_up
from tests.factories import PASSWORD, UserFactory

PARIS = ZoneInfo("Europe/Paris")
NINE = dt.datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)


@pytest.fixture
def mailbox(settings, deliver_outbox):
    return mailbox_for(settings, deliver_outbox)


def post_login(client, email: str, password: str, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def fail(client, email: str, times: int, **extra):
    return [post_login(client, email, "pas-le-bon-mot-de-passe", **extra) for _ in range(times)]


# --- Login and logout ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", CAST)
def test_login_cast_with_email_and_password(client, cast, who):
    """Everyone of the cast logs in with their e-mail and password and « connecter »."""
    user = getattr(cast, who)
    assert ">connecter</button>" in page(client.get(reverse("login")))
    response = post_login(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("citizen:catalogue")).context["user"] == user


def test_login_anonymous_next_is_followed(client, cast):
    """The page asked before logging in is the one shown after."""
    target = reverse("citizen:dossiers")
    response = client.get(target)
    assert response.url.startswith(reverse("login"))
    response = client.post(response.url, {"username": cast.applicant.email, "password": PASSWORD, "next": target})
    assert response.url == target


def test_login_page_links_to_signup_and_password_reset(client, db):
    """The login page has « Pas encore de compte » and « Mot de passe oublié »."""
    text = page(client.get(reverse("login")))
    assert f'<a href="{reverse("signup")}">Pas encore de compte</a>' in text
    assert f'<a href="{reverse("password_reset")}">Mot de passe oublié</a>' in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "", "password": ""}, "Ce champ est obligatoire."),
        ({"username": "pas-une-adresse", "password": "x"}, "Saisissez une adresse de courriel valide."),
        ({"username": "inconnu@exemple.test", "password": "x"}, "Adresse électronique ou mot de passe incorrect."),
    ],
)
def test_login_anonymous_bad_input_is_refused_in_french(client, db, data, message):
    """Bad input is refused in French, with the address kept and the password not."""
    response = client.post(reverse("login"), data)
    assert response.status_code == 200
    text = page(response)
    assert message in text and "Le formulaire contient des erreurs" in text
    if data["username"]:
        assert f'value="{data["username"]}"' in text
    assert 'type="password" name="password" value' not in text


@pytest.mark.parametrize("who", CAST)
def test_logout_cast_post_ends_the_session(client, cast, who):
    """« Se déconnecter » (a POST) ends the session; a GET does not log anyone out."""
    client.force_login(getattr(cast, who))
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("citizen:dossiers")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("citizen:home")
    assert client.get(reverse("citizen:dossiers")).url.startswith(reverse("login"))


# --- An account not activated yet ------------------------------------------------------------------


def test_login_inactive_account_right_password_is_told_to_activate(client, db, mailbox):
    """The right password on an account not activated says so and offers a new activation e-mail that works."""
    with time_machine.travel(NINE, tick=False):
        sign_up(client)
        mailbox()
    with time_machine.travel(NINE + dt.timedelta(hours=50), tick=False):
        response = post_login(client, "camille.durand@exemple.test", STRONG_PASSWORD)
        assert response.status_code == 200
        text = page(response)
        assert "Ce compte n'est pas encore activé." in text
        assert f'action="{reverse("activation_resend")}"' in text
        assert 'name="email" value="camille.durand@exemple.test"' in text
        assert "Recevoir un nouveau mail d'activation" in text
        response = client.post(reverse("activation_resend"), {"email": "camille.durand@exemple.test"})
        assert response.url == reverse("activation_resend_done")
        [message] = mailbox()
        assert client.get(link_in(message)).url == reverse("login")
        assert post_login(client, "camille.durand@exemple.test", STRONG_PASSWORD).status_code == 302


def test_login_inactive_account_wrong_password_reveals_nothing(client, db, mailbox):
    """Without the right password, an account not activated looks like an unknown address."""
    sign_up(client)
    response = post_login(client, "camille.durand@exemple.test", "pas-le-bon-mot-de-passe")
    text = page(response)
    assert "Adresse électronique ou mot de passe incorrect." in text
    assert "pas encore activé" not in text and "Recevoir un nouveau mail d'activation" not in text


def test_login_deactivated_account_is_refused_like_a_wrong_password(client, db):
    """An account deactivated after use is not offered an activation: the generic message only."""
    user = UserFactory(is_active=False, last_login=NINE)
    text = page(post_login(client, user.email, PASSWORD))
    assert "Adresse électronique ou mot de passe incorrect." in text and "pas encore activé" not in text


# --- Throttling (django-axes) ---------------------------------------------------------------------


def test_login_five_failures_lock_out_with_time_then_unlock_after_cool_off(client, cast):
    """Five failures lock this e-mail from this address for 15 minutes, saying until when; then it works again."""
    with time_machine.travel(NINE, tick=False):
        responses = fail(client, cast.applicant.email, 5)
        assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
        text = page(responses[-1])
        assert "Connexion temporairement bloquée" in text
        assert "la connexion est bloquée pendant 15 minutes : vous pourrez réessayer à partir de 09:15." in text
        assert f'value="{cast.applicant.email}"' in text and f'href="{reverse("password_reset")}"' in text

    with time_machine.travel(NINE + dt.timedelta(minutes=10), tick=False):
        # Even the right password is refused during the lockout, and trying does not push it back.
        response = post_login(client, cast.applicant.email, PASSWORD)
        assert response.status_code == 429 and "à partir de 09:15." in page(response)
        assert "_auth_user_id" not in client.session

    with time_machine.travel(NINE + dt.timedelta(minutes=15, seconds=1), tick=False):
        response = post_login(client, cast.applicant.email, PASSWORD)
        assert response.status_code == 302
        assert int(client.session["_auth_user_id"]) == cast.applicant.pk


def test_login_four_failures_then_success_resets_the_count(client, cast):
    """A successful login forgets the earlier failures."""
    with time_machine.travel(NINE, tick=False):
        fail(client, cast.applicant.email, 4)
        assert post_login(client, cast.applicant.email, PASSWORD).status_code == 302
        client.post(reverse("logout"))
        assert [r.status_code for r in fail(client, cast.applicant.email, 4)] == [200] * 4
        assert not AccessAttempt.objects.filter(failures_since_start__gte=5).exists()


def test_login_lockout_is_per_email_and_address(client, cast):
    """The lockout holds for that e-mail (whatever its case) from that address, not for others."""
    with time_machine.travel(NINE, tick=False):
        fail(client, cast.applicant.email.upper(), 3)
        assert fail(client, cast.applicant.email, 2)[-1].status_code == 429
        assert post_login(client, cast.other_citizen.email, PASSWORD).status_code == 302
        client.post(reverse("logout"))
        other_address = post_login(client, cast.applicant.email, PASSWORD, REMOTE_ADDR="192.0.2.7")
        assert other_address.status_code == 302


def test_login_lockout_unknown_address_same_page(client, db):
    """An address without an account is locked out the same way (the lockout reveals nothing)."""
    with time_machine.travel(NINE, tick=False):
        response = fail(client, "personne@exemple.test", 5)[-1]
    assert response.status_code == 429 and "Connexion temporairement bloquée" in page(response)


@pytest.mark.parametrize("who", ["agent", "supervisor"])
def test_login_lockout_agents_too(client, cast, who):
    """Agents' accounts are protected the same way."""
    user = getattr(cast, who)
    with time_machine.travel(NINE, tick=False):
        assert fail(client, user.email, 5)[-1].status_code == 429
        assert post_login(client, user.email, PASSWORD).status_code == 429


def test_login_lockout_next_is_kept_when_safe(client, cast):
    """The lockout page keeps a safe « next » and drops an outside one."""
    with time_machine.travel(NINE, tick=False):
        fail(client, cast.applicant.email, 4)
        data = {"username": cast.applicant.email, "password": "non", "next": reverse("citizen:dossiers")}
        assert f'name="next" value="{reverse("citizen:dossiers")}"' in page(client.post(reverse("login"), data))
        data["next"] = "https://ailleurs.example/"
        assert 'name="next" value=""' in page(client.post(reverse("login"), data))


# --- Password hashing ---------------------------------------------------------------------------


def test_password_hashers_production_argon2_first():
    """The settings module (outside the tests' fast-hashing fixture) hashes with Argon2 first."""
    config = importlib.import_module("config.settings")
    assert config.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_signup_production_hasher_stores_argon2(client, db, settings):
    """With the production hashers, a new account's password is stored as Argon2id."""
    settings.PASSWORD_HASHERS = importlib.import_module("config.settings").PASSWORD_HASHERS
    sign_up(client)
    stored = User.objects.get(email="camille.durand@exemple.test").password
    assert re.match(r"argon2\$argon2id\$", stored)
