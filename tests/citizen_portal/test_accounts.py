"""« Comment créer son compte »: « Pas encore de compte », the sign-up form, « Valider », the
activation e-mail (« ici »), the activation link and its failures, end to end."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from instruction.models import OutboxMessage
from permissions.models import User
from tests.factories import PASSWORD, UserFactory

SITE_URL = "https://portail.exemple.test"
STRONG_PASSWORD = "Chamois-Vesoul-2026!"


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "civility": "mme",
        "first_name": "Camille",
        "last_name": "Durand",
        "email": "camille.durand@exemple.test",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
    }
    data.update(overrides)
    return data


def page(response) -> str:
    return html.unescape(response.content.decode())


def without_csrf(response) -> str:
    """The page without its CSRF tokens, which differ on every request."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def link_in(message: mail.EmailMessage) -> str:
    """The path of the only link to this site in the e-mail's text body (absolute with SITE_URL)."""
    links = re.findall(re.escape(SITE_URL) + r"\S+", message.body)
    assert len(set(links)) >= 1, message.body
    return urlsplit(links[0]).path


def html_body(message: mail.EmailMultiAlternatives) -> str:
    alternatives = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    assert len(alternatives) == 1
    return alternatives[0]


def delivered(deliver_outbox) -> list[mail.EmailMessage]:
    """Deliver the outbox and return (and forget) what was sent."""
    deliver_outbox()
    sent = list(mail.outbox)
    mail.outbox.clear()
    return sent


PARIS = ZoneInfo("Europe/Paris")
CAST = ["applicant", "other_citizen", "agent", "other_agent", "supervisor"]


def mailbox_for(settings, deliver_outbox):
    """E-mails really delivered through the outbox to Django's in-memory backend."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = SITE_URL
    mail.outbox.clear()
    return lambda: delivered(deliver_outbox)


@pytest.fixture
def mailbox(settings, deliver_outbox):
    """Call it to deliver the outbox and get the e-mails sent since the last call."""
    return mailbox_for(settings, deliver_outbox)


def sign_up(client, **overrides: str):
    return client.post(reverse("signup"), signup_data(**overrides))


# --- The happy path -----------------------------------------------------------------------


def test_signup_anonymous_creates_inactive_account_and_sends_activation(client, db, mailbox):
    """« Pas encore de compte » → form → « Valider »: an inactive account and the activation e-mail."""
    login_page = page(client.get(reverse("login")))
    assert "Pas encore de compte" in login_page and f'href="{reverse("signup")}"' in login_page
    form_page = page(client.get(reverse("signup")))
    for label in ["Civilité", "Madame", "Monsieur", "Prénom", "Nom", "Adresse électronique", "Mot de passe"]:
        assert label in form_page
    assert "Confirmation du mot de passe" in form_page and ">Valider</button>" in form_page

    response = sign_up(client)
    assert response.status_code == 302 and response.url == reverse("signup_done")
    done = page(client.get(response.url))
    assert "Un mail d'activation a été envoyé sur votre messagerie." in done
    assert "48 heures" in done

    user = User.objects.get(email="camille.durand@exemple.test")
    assert not user.is_active and user.last_login is None
    assert (user.civility, user.first_name, user.last_name) == ("mme", "Camille", "Durand")
    assert user.check_password(STRONG_PASSWORD)

    [message] = mailbox()
    assert message.to == ["camille.durand@exemple.test"]
    assert message.subject == "Activez votre compte Mes services publics"
    assert "Bonjour Camille" in message.body and "48 heures" in message.body
    assert "Vous allez être redirigé(e) vers la page de connexion." in message.body
    body = html_body(message)
    assert re.search(
        r"Cliquez sur « <a href=\"" + re.escape(SITE_URL) + r"/compte/activer/[^\"]+/\">ici</a> » "
        r"pour activer votre compte et vous connecter à la plateforme\.",
        html.unescape(body),
    ), body


def test_activation_link_anonymous_activates_and_redirects_to_login(client, db, mailbox):
    """The link activates the account and leads to the login page, where « connecter » works."""
    sign_up(client)
    [message] = mailbox()
    response = client.get(link_in(message))
    assert response.status_code == 302 and response.url == reverse("login")
    assert User.objects.get(email="camille.durand@exemple.test").is_active
    login_page = page(client.get(response.url))
    assert "Votre compte est activé." in login_page and "cliquez sur le bouton « connecter »" in login_page

    response = client.post(reverse("login"), {"username": "camille.durand@exemple.test", "password": STRONG_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("citizen:home")).context["user"].email == "camille.durand@exemple.test"


def test_activation_html_link_is_the_text_link(client, db, mailbox):
    """The « ici » of the HTML body and the link of the text body are the same link."""
    sign_up(client)
    [message] = mailbox()
    href = re.search(r'<a href="([^"]+)">ici</a>', html_body(message)).group(1)
    assert urlsplit(html.unescape(href)).path == link_in(message)


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password1": "court1", "password2": "court1"}, "password1", "Ce mot de passe est trop court"),
        ({"password1": "123456789123", "password2": "123456789123"}, "password1", "entièrement numérique"),
        ({"password1": "motdepasse", "password2": "motdepasse"}, "password1", "trop courant"),
        ({"password1": "camille.durand@exemple", "password2": "camille.durand@exemple"}, "password1", "trop semblable"),
        ({"password2": "Autre-Chose-2026!"}, "password2", "Les deux mots de passe ne correspondent pas."),
        ({"email": "camille.durand@"}, "email", "Saisissez une adresse de courriel valide."),
        ({"civility": "docteur"}, "civility", "Sélectionnez un choix valide."),
        ({"first_name": ""}, "first_name", "Ce champ est obligatoire."),
        ({"last_name": ""}, "last_name", "Ce champ est obligatoire."),
        ({"civility": ""}, "civility", "Ce champ est obligatoire."),
        ({"email": ""}, "email", "Ce champ est obligatoire."),
        ({"password1": "", "password2": ""}, "password1", "Ce champ est obligatoire."),
    ],
)
def test_signup_anonymous_bad_input_is_refused_in_french(client, db, mailbox, overrides, field, message):
    """Each mistake is named in French next to its field; nothing is created, nothing is sent."""
    response = sign_up(client, **overrides)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    text = page(response)
    assert "Le formulaire contient des erreurs" in text and message in text
    assert not User.objects.filter(last_name="Durand").exists()
    assert OutboxMessage.objects.count() == 0 and mailbox() == []


def test_signup_anonymous_bad_input_keeps_typed_values_but_not_passwords(client, db):
    """What was typed comes back, except the passwords."""
    response = sign_up(client, password2="Autre-Chose-2026!")
    text = response.content.decode()
    assert 'value="Camille"' in text and 'value="Durand"' in text
    assert 'value="camille.durand@exemple.test"' in text
    assert re.search(r'value="mme"[^>]*checked', text)
    assert STRONG_PASSWORD not in text and "Autre-Chose-2026!" not in text


def test_signup_anonymous_missing_fields_all_named(client, db):
    """An empty form names every missing field in the error summary, with a link to it."""
    response = client.post(reverse("signup"), {})
    text = page(response)
    assert response.status_code == 200
    for field in ["civility", "first_name", "last_name", "email", "password1", "password2"]:
        assert f'href="#id_{field}"' in text
        assert f'id="id_{field}' in text
    assert User.objects.count() == 0


# --- Existing addresses: no enumeration, no second account ---------------------------------


def test_signup_existing_active_address_same_page_and_owner_is_told(client, cast, mailbox):
    """An address with an account gets the same page; no account is created or changed; its owner is told."""
    before = User.objects.count()
    password_hash, first_name = cast.applicant.password, cast.applicant.first_name
    response = sign_up(client, email="Demandeur@Exemple.test")
    assert response.status_code == 302 and response.url == reverse("signup_done")
    assert User.objects.count() == before
    cast.applicant.refresh_from_db()
    # Unchanged, whatever first name the factory drew (it may be the form's « Camille » too).
    assert (cast.applicant.password, cast.applicant.first_name) == (password_hash, first_name)
    [message] = mailbox()
    assert message.to == ["demandeur@exemple.test"]
    assert message.subject == "Vous avez déjà un compte Mes services publics"
    assert "aucun nouveau compte n'a été créé" in message.body
    assert SITE_URL + reverse("password_reset") in message.body
    assert "/compte/activer/" not in message.body


def test_signup_existing_address_page_is_identical_to_new_address(client, cast, mailbox):
    """The page after « Valider » is the same (but for its CSRF tokens) for a new and an existing address."""
    new = without_csrf(client.get(sign_up(client).url))
    existing = without_csrf(client.get(sign_up(client, email=cast.applicant.email).url))
    assert new == existing


def test_signup_pending_address_twice_replaces_pending_and_voids_old_link(client, db, mailbox):
    """Signing up again before activating replaces the pending sign-up: the first link dies, the last works."""
    sign_up(client, password1="Premier-Essai-2026!", password2="Premier-Essai-2026!")
    [first] = mailbox()
    sign_up(client, first_name="Camille-Anne")
    [second] = mailbox()
    assert User.objects.filter(email="camille.durand@exemple.test").count() == 1

    response = client.get(link_in(first))
    assert response.status_code == 400 and "Ce lien d'activation n'est pas valable" in page(response)
    assert not User.objects.get(email="camille.durand@exemple.test").is_active

    assert client.get(link_in(second)).status_code == 302
    user = User.objects.get(email="camille.durand@exemple.test")
    assert user.is_active and user.first_name == "Camille-Anne" and user.check_password(STRONG_PASSWORD)


def test_signup_deactivated_address_same_page_no_email(client, db, mailbox):
    """An account an administrator deactivated is neither reactivated nor told anything."""
    user = UserFactory(email="ferme@exemple.test", is_active=False, last_login=dt.datetime(2025, 1, 1, tzinfo=PARIS))
    response = sign_up(client, email="ferme@exemple.test")
    assert response.url == reverse("signup_done")
    assert mailbox() == []
    user.refresh_from_db()
    assert not user.is_active and user.check_password(PASSWORD)


@pytest.mark.parametrize("who", CAST)
def test_signup_logged_in_cast_is_sent_home(client, cast, who):
    """Someone already logged in has an account: the sign-up page sends them to the home page."""
    client.force_login(getattr(cast, who))
    response = client.get(reverse("signup"))
    assert response.status_code == 302 and response.url == reverse("citizen:home")
    assert client.post(reverse("signup"), signup_data()).status_code == 302
    assert not User.objects.filter(email="camille.durand@exemple.test").exists()


# --- Expired, reused and forged links --------------------------------------------------------


def test_activation_link_reused_says_already_active(client, db, mailbox):
    """A second click says the account is already active (no error), and changes nothing."""
    sign_up(client)
    link = link_in(mailbox()[0])
    client.get(link)
    response = client.get(link)
    assert response.status_code == 200
    text = page(response)
    assert "Ce compte est déjà activé" in text and f'href="{reverse("login")}"' in text


def test_activation_link_after_deactivation_does_not_reactivate(client, db, mailbox):
    """An account used then deactivated by an administrator stays deactivated, even within 48 h."""
    sign_up(client)
    link = link_in(mailbox()[0])
    client.get(link)
    client.post(reverse("login"), {"username": "camille.durand@exemple.test", "password": STRONG_PASSWORD})
    User.objects.filter(email="camille.durand@exemple.test").update(is_active=False)
    client.logout()
    assert client.get(link).status_code == 200
    assert not User.objects.get(email="camille.durand@exemple.test").is_active


def test_activation_link_expired_offers_new_email(client, db, mailbox):
    """After 48 h the link is refused with a French page offering a new e-mail, whose link works."""
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)
    with time_machine.travel(start, tick=False):
        sign_up(client)
        link = link_in(mailbox()[0])
    with time_machine.travel(start + dt.timedelta(hours=47, minutes=59), tick=False):
        assert client.get(link).status_code == 302
    User.objects.filter(email="camille.durand@exemple.test").update(is_active=False)

    with time_machine.travel(start + dt.timedelta(hours=48, seconds=1), tick=False):
        response = client.get(link)
        assert response.status_code == 400
        text = page(response)
        assert "Ce lien d'activation a expiré" in text and "48 heures" in text
        assert 'value="camille.durand@exemple.test"' in text
        assert f'action="{reverse("activation_resend")}"' in text
        response = client.post(reverse("activation_resend"), {"email": "camille.durand@exemple.test"})
        assert response.status_code == 302 and response.url == reverse("activation_resend_done")
        [message] = mailbox()
        assert client.get(link_in(message)).status_code == 302
    assert User.objects.get(email="camille.durand@exemple.test").is_active


@pytest.mark.parametrize(
    "token",
    [
        "nimportequoi",
        "a:b:c",
        "eyJ1IjoxfQ:1tXYZ:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ".eJyrVirNU7IyNNJRSlWyUkrNTcxRqgUAN9cFcw:1tXYZ:" + "A" * 43,
        "x" * 2000,
    ],
)
def test_activation_link_forged_is_refused_without_error(client, db, token):
    """A made-up or damaged link gives a clear French page, never a 500."""
    response = client.get(reverse("account_activate", args=[token]))
    assert response.status_code == 400
    assert "Ce lien d'activation n'est pas valable" in page(response)


def test_activation_link_tampered_is_refused(client, db, mailbox):
    """Changing one character of a real link (another account id, a cut signature) is refused."""
    sign_up(client)
    link = link_in(mailbox()[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(reverse("account_activate", args=[tampered])).status_code == 400
    assert client.get(reverse("account_activate", args=[token[: len(token) // 2]])).status_code == 400
    assert not User.objects.get(email="camille.durand@exemple.test").is_active


def test_activation_token_of_another_kind_is_refused(client, db, mailbox):
    """A value signed for something else (another salt) does not activate anything."""
    from django.core import signing

    sign_up(client)
    user = User.objects.get(email="camille.durand@exemple.test")
    token = signing.dumps({"u": user.pk, "e": user.email}, salt="autre.chose")
    assert client.get(reverse("account_activate", args=[token])).status_code == 400
    user.refresh_from_db()
    assert not user.is_active


# --- New activation e-mail --------------------------------------------------------------------


def test_activation_resend_anonymous_same_page_whatever_the_address(client, cast, mailbox):
    """The new-e-mail page is the same for an unknown, an active and a pending address; only the pending gets mail."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=PARIS), tick=False):
        sign_up(client)
        mailbox()
    form = page(client.get(reverse("activation_resend")))
    assert "Recevoir un nouveau mail d'activation" in form and ">Valider</button>" in form
    pages = []
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 5, tzinfo=PARIS), tick=False):
        for email in ["inconnu@exemple.test", cast.applicant.email, "CAMILLE.durand@exemple.test"]:
            response = client.post(reverse("activation_resend"), {"email": email})
            assert response.url == reverse("activation_resend_done")
            pages.append(without_csrf(client.get(response.url)))
        [message] = mailbox()
    assert pages[0] == pages[1] == pages[2]
    assert message.to == ["camille.durand@exemple.test"]


def test_activation_resend_anonymous_bad_email_is_refused_in_french(client, db):
    """A malformed or missing address is named in French and kept."""
    response = client.post(reverse("activation_resend"), {"email": "pas-une-adresse"})
    assert response.status_code == 200
    text = page(response)
    assert "Saisissez une adresse de courriel valide." in text and 'value="pas-une-adresse"' in text
    assert "Ce champ est obligatoire." in page(client.post(reverse("activation_resend"), {}))


def test_activation_resend_repeated_within_a_minute_sends_one_email(client, db, mailbox):
    """Asking ten times in a minute sends one e-mail: the form cannot flood a mailbox."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=PARIS), tick=False):
        sign_up(client)
        for _ in range(10):
            client.post(reverse("activation_resend"), {"email": "camille.durand@exemple.test"})
        assert len(mailbox()) == 1


# --- Nothing 500s ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["login", "signup", "signup_done", "activation_resend", "activation_resend_done", "password_reset"]
)
def test_account_pages_anonymous_are_public(client, db, name):
    """The account pages open without an account (LoginRequiredMiddleware lets them through)."""
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "<h1>" in response.content.decode()


def test_account_pages_odd_requests_never_500(client, db):
    """Odd methods and bodies get a 4xx or a page, never a server error."""
    for url in [
        reverse("signup"),
        reverse("activation_resend"),
        reverse("password_reset"),
        reverse("login"),
        reverse("account_activate", args=["%00"]),
        reverse("password_reset_confirm", args=["%00", "x"]),
        reverse("password_reset_confirm", args=["MTIzNDU2Nzg5MDEyMzQ1Njc4OTA", "nouveau"]),
    ]:
        for method in ("get", "post", "put"):
            response = getattr(client, method)(url, {"email": "\x00", "username": "\x00"} if method == "post" else None)
            assert response.status_code < 500, (method, url, response.status_code)
