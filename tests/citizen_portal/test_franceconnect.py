"""FranceConnect login and logout, end to end against a real OpenID Connect provider on loopback.

The Django test client plays the site; urllib plays the browser at the provider (it only follows
the provider's redirect back to the site); mozilla-django-oidc's backend calls the provider's
token, userinfo and jwks endpoints over real HTTP."""

from __future__ import annotations

import html
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.messages import get_messages
from django.urls import reverse

from citizen_portal.franceconnect.config import ID_TOKEN_KEY, SESSION_FLAG
from franceconnect_demo.server import Client, OIDCProvider
from permissions.models import FranceConnectIdentity, User
from tests.factories import PASSWORD, UserFactory

CLIENT_ID = "fs-mes-services-publics-test"
CLIENT_SECRET = "secret-du-fournisseur-de-service"
SITE = "http://testserver"
FC_BACKEND = "citizen_portal.franceconnect.backend.FranceConnectBackend"


@pytest.fixture(scope="module")
def running_provider() -> Iterator[OIDCProvider]:
    provider = OIDCProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(running_provider: OIDCProvider, settings: Any, db: Any) -> OIDCProvider:
    """The loopback provider, reset to good behaviour, with the site registered as its client and
    the OIDC_* settings pointing at it."""
    running_provider.reset()
    running_provider.register_client(
        Client(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uris=[SITE + reverse("franceconnect:callback")],
            post_logout_redirect_uris=[SITE + reverse("franceconnect:logout_callback")],
        )
    )
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = running_provider.issuer
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = running_provider.endpoint("authorize")
    settings.OIDC_OP_TOKEN_ENDPOINT = running_provider.endpoint("token")
    settings.OIDC_OP_USER_ENDPOINT = running_provider.endpoint("userinfo")
    settings.OIDC_OP_JWKS_ENDPOINT = running_provider.endpoint("jwks")
    settings.OIDC_OP_LOGOUT_ENDPOINT = running_provider.endpoint("session/end")
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_TIMEOUT = 5
    return running_provider


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def at_provider(url: str) -> str:
    """What a browser does at the provider: GET the URL and return where the provider redirects."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=5) as response:  # noqa: S310  (loopback http URL built by the test)
            raise AssertionError(f"the provider answered {response.status} instead of redirecting")
    except urllib.error.HTTPError as redirect:
        assert redirect.code in (302, 303), redirect.read()[:500]
        return str(redirect.headers["Location"])


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def start(client: Any, **params: str) -> str:
    response = client.get(reverse("franceconnect:login"), params)
    assert response.status_code == 302
    return str(response.url)


def fc_login(client: Any) -> Any:
    """The whole login: site → provider → back to the site's callback. Returns the callback's response."""
    callback = at_provider(start(client))
    assert callback.startswith(SITE + reverse("franceconnect:callback") + "?")
    return client.get(callback)


def texts(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_refused(client: Any, response: Any, expected: str) -> None:
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert any(expected in text for text in texts(response)), texts(response)
    assert SESSION_KEY not in client.session


# --- the button and the switch ---------------------------------------------------------------


def test_login_page_shows_franceconnect_button_when_configured(client, provider):
    """The login page offers « S’identifier avec FranceConnect », a link to the login start, and the explanation."""
    page = client.get(reverse("login")).content.decode()
    assert "S’identifier avec" in page and "FranceConnect</span>" in page
    assert f'href="{reverse("franceconnect:login")}"' in page
    assert "Qu’est-ce que FranceConnect ?" in page and 'href="https://franceconnect.gouv.fr/"' in page


def test_login_page_button_keeps_next(client, provider):
    """The page asked for before logging in is carried to the FranceConnect start."""
    page = client.get(reverse("login"), {"next": "/catalogue/"}).content.decode()
    assert f'href="{reverse("franceconnect:login")}?next=/catalogue/"' in page


def test_franceconnect_off_without_client_id(client, settings, db):
    """Without FRANCECONNECT_CLIENT_ID: no button, every FranceConnect page answers 404, local login works."""
    settings.OIDC_RP_CLIENT_ID = ""
    page = client.get(reverse("login")).content.decode()
    assert "S’identifier avec" not in page and reverse("franceconnect:login") not in page
    assert client.get(reverse("franceconnect:login")).status_code == 404
    assert client.get(reverse("franceconnect:callback"), {"code": "x", "state": "y"}).status_code == 404
    assert client.post(reverse("franceconnect:logout")).status_code == 404
    assert client.get(reverse("franceconnect:logout_callback"), {"state": "y"}).status_code == 404
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(user.pk)


# --- login -------------------------------------------------------------------------------------


def test_login_start_redirects_to_authorize_with_franceconnect_parameters(client, provider):
    """The authorization request carries the scopes, acr_values=eidas1, prompt, a state and a nonce."""
    url = start(client)
    assert url.startswith(provider.endpoint("authorize") + "?")
    query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == SITE + reverse("franceconnect:callback")
    assert set(query["scope"].split()) == {
        "openid", "given_name", "family_name", "birthdate", "email",
        "preferred_username", "birthplace", "birthcountry", "gender",
    }  # fmt: skip
    assert query["acr_values"] == "eidas1"
    assert query["prompt"] == "login consent"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["nonce"] == client.session["oidc_states"][query["state"]]["nonce"]


def test_first_login_creates_active_account_with_certified_identity(client, provider):
    """First FranceConnect login: an active account, the certified identity stored, logged in on the home page."""
    response = fc_login(client)
    assert response.status_code == 302 and response.url == reverse("citizen:home")
    assert "Votre compte a été créé et activé avec votre identité FranceConnect." in texts(response)

    identity = FranceConnectIdentity.objects.select_related("user").get()
    user = identity.user
    claims = provider.behaviour.identity
    assert identity.sub == claims["sub"]
    assert (identity.given_name, identity.family_name) == ("Angela Claire Louise", "DUBOIS")
    assert identity.birthdate.isoformat() == "1962-08-24"
    assert identity.claims["birthplace"] == "75107" and identity.claims["gender"] == "female"
    assert user.is_active and user.email == "angela.dubois@exemple.test"
    assert (user.first_name, user.last_name) == ("Angela Claire Louise", "DUBOIS")
    assert not user.has_usable_password()

    session = client.session
    assert session[SESSION_KEY] == str(user.pk)
    assert session[BACKEND_SESSION_KEY] == FC_BACKEND
    assert session[SESSION_FLAG] is True and session[ID_TOKEN_KEY].count(".") == 2
    home = client.get(reverse("citizen:home")).content.decode()
    assert user.email in home
    assert f'action="{reverse("franceconnect:logout")}"' in home

    # the backend called the provider over HTTP: token, jwks, userinfo
    called = [endpoint for endpoint, _params in provider.requests]
    assert called[0] == "authorize" and {"token", "jwks", "userinfo"} <= set(called)


def test_second_login_reuses_account_matched_on_sub_even_if_email_changed(client, provider):
    """Matching is on sub: a new e-mail at FranceConnect changes nothing to the account; the identity is refreshed."""
    fc_login(client)
    user = User.objects.get()
    client.logout()

    provider.behaviour.identity = {
        **provider.behaviour.identity,
        "email": "nouvelle.adresse@exemple.test",
        "given_name": "Angela Claire",
    }
    response = fc_login(client)
    assert response.url == reverse("citizen:home")
    assert "Vous êtes connecté avec FranceConnect." in texts(response)
    assert User.objects.count() == 1 and FranceConnectIdentity.objects.count() == 1
    user.refresh_from_db()
    assert client.session[SESSION_KEY] == str(user.pk)
    assert user.email == "angela.dubois@exemple.test"  # the login of the account stays
    assert user.first_name == "Angela Claire" and user.franceconnect.given_name == "Angela Claire"
    assert user.franceconnect.claims["email"] == "nouvelle.adresse@exemple.test"


def test_login_never_matches_a_local_account_on_email(client, provider):
    """A local account with FranceConnect's e-mail is not merged: the person is told to use the password."""
    local = UserFactory(email="angela.dubois@exemple.test", first_name="Angèle", last_name="Local")
    response = fc_login(client)
    assert_refused(client, response, "Connectez-vous avec cette adresse et votre mot de passe")
    assert not FranceConnectIdentity.objects.exists()
    local.refresh_from_db()
    assert (local.first_name, local.last_name) == ("Angèle", "Local")
    assert User.objects.count() == 1


def test_login_refused_for_deactivated_account(client, provider):
    """An account deactivated by the authority stays closed, FranceConnect or not."""
    fc_login(client)
    User.objects.update(is_active=False)
    client.logout()
    response = fc_login(client)
    assert_refused(client, response, "Votre compte est désactivé")


def test_login_over_a_local_session_switches_account_and_keeps_the_id_token(client, provider):
    """Someone logged in with a password, then FranceConnect for another person: the session is the new
    person's, and still holds the ID token needed to log out of FranceConnect."""
    client.force_login(UserFactory())
    fc_login(client)
    fc_user = FranceConnectIdentity.objects.get().user
    session = client.session
    assert session[SESSION_KEY] == str(fc_user.pk)
    assert session[SESSION_FLAG] is True and session[ID_TOKEN_KEY].count(".") == 2


def test_login_returns_to_the_page_asked_for(client, provider):
    """?next= on the start (a local path only) is where the person lands after the login."""
    response = client.get(at_provider(start(client, next="/catalogue/")))
    assert response.url == "/catalogue/"
    client.logout()
    for unsafe in ("https://ailleurs.example/", "//ailleurs.example/", "javascript:alert(1)"):
        client.logout()
        response = client.get(at_provider(start(client, next=unsafe)))
        assert response.url == reverse("citizen:home")


def test_login_without_email_from_provider_refused(client, provider):
    """No e-mail shared: no account can be created, and the person is told why."""
    provider.behaviour.identity = {k: v for k, v in provider.behaviour.identity.items() if k != "email"}
    response = fc_login(client)
    assert_refused(client, response, "n'a pas transmis d'adresse électronique valide")
    assert not User.objects.exists()


# --- refusals: state, nonce, acr, provider errors, forged tokens --------------------------------


def test_callback_with_tampered_state_refused(client, provider):
    """A state that is not the one sent: refused before any call to the provider's token endpoint."""
    callback = at_provider(start(client))
    response = client.get(with_query(callback, state="etat-modifie-par-un-tiers"))
    assert_refused(client, response, "a expiré ou n'est pas valide")
    assert "token" not in [endpoint for endpoint, _params in provider.requests]
    assert not User.objects.exists()


def test_callback_replayed_refused(client, provider):
    """The same callback URL twice: the state is spent after the first use."""
    callback = at_provider(start(client))
    assert client.get(callback).url == reverse("citizen:home")
    client.logout()
    response = client.get(callback)
    assert_refused(client, response, "a expiré ou n'est pas valide")


def test_callback_with_wrong_nonce_refused(client, provider, caplog):
    """An ID token whose nonce is not the one sent (a replayed token) is refused."""
    provider.behaviour.nonce = "nonce-d-une-autre-connexion"
    response = fc_login(client)
    assert_refused(client, response, "La connexion avec FranceConnect n'a pas abouti")
    assert "nonce does not match" in caplog.text
    assert not User.objects.exists()


@pytest.mark.parametrize("acr", ["eidas0", "eidas2", ""])
def test_callback_with_other_acr_refused(client, provider, acr):
    """Only the guarantee level asked for, eidas1, is accepted."""
    provider.behaviour.acr = acr
    response = fc_login(client)
    assert_refused(client, response, "n'a pas garanti votre identité au niveau demandé")
    assert not User.objects.exists()


def test_callback_with_access_denied_refused(client, provider):
    """The person cancels at FranceConnect: back on the login page, told so; the state is spent."""
    provider.behaviour.authorize_error = "access_denied"
    callback = at_provider(start(client))
    assert parse_qs(urlsplit(callback).query)["error"] == ["access_denied"]
    response = client.get(callback)
    assert_refused(client, response, "Vous avez annulé la connexion avec FranceConnect.")
    assert client.session["oidc_states"] == {}


def test_callback_with_other_provider_error_refused(client, provider):
    """Any other error sent back by FranceConnect ends on the login page with the general message."""
    provider.behaviour.authorize_error = "server_error"
    response = client.get(at_provider(start(client)))
    assert_refused(client, response, "La connexion avec FranceConnect n'a pas abouti")


def test_provider_error_does_not_log_out_a_logged_in_person(client, provider):
    """A forged « error » link to the callback cannot end someone's session."""
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("franceconnect:callback"), {"error": "access_denied", "state": "x"})
    assert response.url == reverse("login")
    assert client.session[SESSION_KEY] == str(user.pk)


@pytest.mark.parametrize(
    ("misbehaviour", "reason"),
    [
        ({"bad_signature": True}, "ID token: Signature verification failed"),
        ({"issuer": "https://faux-fournisseur.example/api/v2"}, "ID token: Invalid issuer"),
        ({"audience": "un-autre-fournisseur-de-service"}, "ID token: Audience doesn't match"),
        ({"id_token_lifetime": -600}, "ID token: Signature has expired"),
        ({"userinfo_sub": "un-autre-usager"}, "userinfo: sub differs"),
        ({"userinfo_unsigned": True}, "userinfo: answer is 'application/json', not a signed JWT"),
    ],
    ids=["signature", "iss", "aud", "exp", "userinfo-sub", "userinfo-unsigned"],
)
def test_callback_with_untrustworthy_tokens_refused(client, provider, caplog, misbehaviour, reason):
    """Forged or foreign tokens (bad signature, iss, aud, expired, userinfo about someone else or unsigned)."""
    for name, value in misbehaviour.items():
        setattr(provider.behaviour, name, value)
    response = fc_login(client)
    assert_refused(client, response, "La connexion avec FranceConnect n'a pas abouti")
    assert reason in caplog.text
    assert not User.objects.exists() and not FranceConnectIdentity.objects.exists()


def test_callback_with_unreachable_provider_refused(client, provider, settings):
    """The token endpoint does not answer: a message, not a server error."""
    callback = at_provider(start(client))
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/api/v2/token"
    response = client.get(callback)
    assert_refused(client, response, "La connexion avec FranceConnect n'a pas abouti")


def test_password_login_never_reaches_the_provider(client, provider):
    """A password login on a URL carrying ?code=&state= is a password login: no token exchange."""
    user = UserFactory()
    url = reverse("login") + "?" + urlencode({"code": "x", "state": "y"})
    response = client.post(url, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session[BACKEND_SESSION_KEY] != FC_BACKEND
    assert provider.requests == []


# --- bad input: never a server error ---------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "code=abc",
        "state=abc",
        "code=&state=",
        "code=abc&state=abc",
        "state=a&state=b&code=c&code=d",
        "code=%ff%fe&state=%fe%ff",  # a NUL byte in the URL: a 400 before any view (tests/security)
        "code=" + "x" * 5000 + "&state=" + "y" * 5000,
        "code=%3Cscript%3E&state=..%2F..%2Fetc",
        "error=",
        "error=%3Cb%3Ex%3C%2Fb%3E&error_description=" + "z" * 3000,
        "error=access_denied",
    ],
)
def test_callback_with_bad_parameters_redirects_to_login_with_message(client, provider, query):
    """Missing, garbage or foreign parameters: back to the login page with a French message."""
    client.get(reverse("franceconnect:login"))  # a login in progress, whose state is not the one given
    response = client.get(reverse("franceconnect:callback") + "?" + query)
    assert response.status_code == 302 and response.url == reverse("login")
    message = " ".join(texts(response))
    assert "FranceConnect" in message
    assert SESSION_KEY not in client.session
    assert "token" not in [endpoint for endpoint, _params in provider.requests]
    page = client.get(response.url)
    assert page.status_code == 200


def test_callback_without_any_session_redirects_to_login(client, provider):
    """A callback URL opened in another browser (no session at all)."""
    response = client.get(reverse("franceconnect:callback"), {"code": "abc", "state": "abc"})
    assert_refused(client, response, "a expiré ou n'est pas valide")


def test_callback_with_right_state_and_garbage_code_refused(client, provider, caplog):
    """A right state but a code the provider does not know: the token endpoint refuses, so do we."""
    callback = at_provider(start(client))
    response = client.get(with_query(callback, code="code-invente"))
    assert_refused(client, response, "La connexion avec FranceConnect n'a pas abouti")
    assert "invalid_grant" in caplog.text


@pytest.mark.parametrize("query", ["", "state=", "state=%ff", "state=" + "s" * 5000])
def test_logout_callback_with_bad_parameters_warns(client, provider, query):
    """The logout return with garbage: home page, a warning, no error."""
    response = client.get(reverse("franceconnect:logout_callback") + "?" + query, follow=True)
    assert response.status_code == 200
    assert "pas pu être confirmée" in response.content.decode()


# --- logout ------------------------------------------------------------------------------------


def test_logout_of_franceconnect_user_goes_through_session_end(client, provider):
    """Logout: local session ended, then session/end with id_token_hint, state and the return address;
    back from FranceConnect with the right state, the home page says so."""
    fc_login(client)
    id_token = client.session[ID_TOKEN_KEY]

    response = client.post(reverse("franceconnect:logout"))
    assert response.status_code == 302
    assert response.url.startswith(provider.endpoint("session/end") + "?")
    query = {key: values[0] for key, values in parse_qs(urlsplit(response.url).query).items()}
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == SITE + reverse("franceconnect:logout_callback")
    assert len(query["state"]) >= 32
    assert SESSION_KEY not in client.session  # logged out locally before leaving

    back = at_provider(response.url)
    assert back == with_query(query["post_logout_redirect_uri"], state=query["state"])
    assert provider.ended_sessions[0]["sub"] == provider.behaviour.identity["sub"]

    home = client.get(back, follow=True)
    assert home.redirect_chain == [(reverse("citizen:home"), 302)]
    assert "Vous êtes déconnecté de ce site et de FranceConnect." in home.content.decode()
    assert not home.wsgi_request.user.is_authenticated


def test_logout_callback_with_wrong_state_warns_and_stays_logged_out(client, provider):
    """Back from session/end with a state that is not ours: a clear message; still logged out."""
    fc_login(client)
    client.post(reverse("franceconnect:logout"))
    response = client.get(reverse("franceconnect:logout_callback"), {"state": "pas-le-bon"}, follow=True)
    assert "La déconnexion de FranceConnect n'a pas pu être confirmée" in html.unescape(response.content.decode())
    assert not response.wsgi_request.user.is_authenticated
    assert SESSION_KEY not in client.session


def test_logout_callback_never_logs_out_a_logged_in_person(client, provider):
    """The logout return address is a link anyone can send: it ends no session."""
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("franceconnect:logout_callback"), {"state": "x"})
    assert client.session[SESSION_KEY] == str(user.pk)


def test_logout_of_local_user_stays_the_usual_one(client, provider):
    """A person logged in with a password logs out with the usual POST to « logout », no FranceConnect."""
    user = UserFactory()
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    home = client.get(reverse("citizen:home")).content.decode()
    assert f'action="{reverse("logout")}"' in home
    assert reverse("franceconnect:logout") not in home
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and SESSION_KEY not in client.session
    # and if the FranceConnect logout is posted anyway, it is a plain local logout
    client.force_login(user)
    response = client.post(reverse("franceconnect:logout"))
    assert response.url == reverse("citizen:home")
    assert SESSION_KEY not in client.session
    assert provider.requests == []


def test_logout_view_refuses_get(client, provider):
    """Logging out changes state: POST only (a link or an image cannot log someone out)."""
    fc_login(client)
    assert client.get(reverse("franceconnect:logout")).status_code == 405
    assert SESSION_KEY in client.session
