"""The « FranceConnect de démonstration » of `make demo` (franceconnect_demo): the provider in its
« choose identity » mode, the site configured as config/settings.py does from FRANCECONNECT_BASE_URL,
a person choosing an identity on the provider's page (an HTML form, no JavaScript) and coming back
logged in; the command line that runs it; the demo banner.

The Django test client plays the site; urllib plays the browser at the provider."""

from __future__ import annotations

import html
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from citizen_portal.franceconnect.config import SESSION_FLAG
from franceconnect_demo.identities import IDENTITIES
from franceconnect_demo.server import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, OIDCProvider, demo_client
from permissions.models import FranceConnectIdentity, User

SITE = "http://testserver"
ROOT = Path(__file__).resolve().parents[2]
ANGELA, PIERRE, MELISSANDRE = IDENTITIES


@pytest.fixture(scope="module")
def running_demo_provider() -> Iterator[OIDCProvider]:
    provider = OIDCProvider(choose_identity=True).start()
    yield provider
    provider.stop()


@pytest.fixture
def demo_provider(running_demo_provider: OIDCProvider, settings: Any, db: Any) -> OIDCProvider:
    """The provider as `make demo` runs it (choice page, the demo client registered for the site), and the
    OIDC_* settings as config/settings.py derives them from FRANCECONNECT_BASE_URL and the demo client."""
    running_demo_provider.reset()
    running_demo_provider.register_client(demo_client(SITE))
    api = f"{running_demo_provider.base_url}/api/v2"  # settings: FRANCECONNECT_BASE_URL + /api/v2
    settings.OIDC_RP_CLIENT_ID = DEMO_CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = DEMO_CLIENT_SECRET
    settings.OIDC_OP_ISSUER = api
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{api}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{api}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{api}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{api}/jwks"
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{api}/session/end"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_TIMEOUT = 5
    return running_demo_provider


class Forms(HTMLParser):
    """The forms of a page: action, method, fields (name → value) and the submit button's text."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._button: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"action": values.get("action", ""), "method": values.get("method", ""), "fields": {}})
        elif tag == "input" and self.forms:
            self.forms[-1]["fields"][values.get("name", "")] = values.get("value", "")
        elif tag == "button" and self.forms:
            self._button = []

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None:
            self.forms[-1]["button"] = " ".join("".join(self._button).split())
            self._button = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def browse(url: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
    """A browser at the provider, not following redirects: (status, body, Location)."""
    body = urlencode(data).encode() if data is not None else None
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, data=body, timeout=5) as response:  # noqa: S310  (loopback URL built by the test)
            return response.status, response.read().decode(), ""
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode(), str(answer.headers.get("Location", ""))


def choice_page(client: Any, provider: OIDCProvider) -> tuple[str, list[dict[str, Any]]]:
    """« S'identifier avec FranceConnect » on the site, then the provider's page: (page, its forms)."""
    response = client.get(reverse("franceconnect:login"))
    assert response.status_code == 302 and response.url.startswith(provider.endpoint("authorize") + "?")
    status, page, location = browse(response.url)
    assert status == 200 and not location, page[:500]
    return page, Forms(page).forms


def choose(provider: OIDCProvider, form: dict[str, Any]) -> str:
    """POST one of the page's forms, as a browser does; returns where the provider sends the person."""
    assert form["method"] == "post"
    action = html.unescape(form["action"])
    assert action.startswith("/api/v2/authorize?")
    status, body, location = browse(provider.base_url + action, form["fields"])
    assert status in (302, 303), body[:500]
    return location


def texts(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_demo_provider_shows_a_french_choice_page(client, demo_provider):
    """The authorize endpoint answers with a page, in French, listing the fictitious identities, each with a form
    whose button is « Continuer sur Mes services publics », and the demonstration warning; no script."""
    page, forms = choice_page(client, demo_provider)
    assert '<html lang="fr">' in page
    assert "<h1>Choisissez une identité</h1>" in page
    assert "Fournisseur d'identité de démonstration — aucune donnée réelle" in page
    assert "<script" not in page
    for identity in IDENTITIES:
        assert f"{identity['given_name']} {identity['family_name']}</h2>" in page
        assert html.escape(identity["email"]) in page
    assert "24 août 1962" in page and "Femme" in page and "France (99100)" in page
    assert "Nom d&#39;usage" in page  # Pierre MERCIER's preferred_username
    choices = [form for form in forms if "identite" in form["fields"]]
    assert [form["fields"]["identite"] for form in choices] == [identity["sub"] for identity in IDENTITIES]
    assert {form["button"] for form in choices} == {"Continuer sur Mes services publics"}
    assert any(form["button"] == "Annuler et revenir sur Mes services publics" for form in forms)
    assert not User.objects.exists()  # nothing happened on the site yet


def test_demo_login_with_the_chosen_identity_then_logout_through_the_provider(client, demo_provider):
    """Choosing Pierre MERCIER (not the first identity) creates his account, logged in with his certified identity;
    the logout then goes through the provider's session/end and comes back to the site."""
    _page, forms = choice_page(client, demo_provider)
    pierre = next(form for form in forms if form["fields"].get("identite") == PIERRE["sub"])
    callback = choose(demo_provider, pierre)
    assert callback.startswith(SITE + reverse("franceconnect:callback") + "?")

    response = client.get(callback)
    assert response.status_code == 302 and response.url == reverse("citizen:home")
    assert "Votre compte a été créé et activé avec votre identité FranceConnect." in texts(response)
    identity = FranceConnectIdentity.objects.select_related("user").get()
    assert identity.sub == PIERRE["sub"]
    assert (identity.given_name, identity.family_name) == ("Pierre", "MERCIER")
    assert identity.birthdate.isoformat() == "1969-03-17"
    assert identity.claims["preferred_username"] == "DUBOIS" and identity.claims["gender"] == "male"
    assert identity.user.email == "pierre.mercier@exemple.test" and identity.user.is_active
    assert client.session[SESSION_KEY] == str(identity.user.pk) and client.session[SESSION_FLAG] is True
    assert client.get(reverse("citizen:dossiers")).status_code == 200

    logout = client.post(reverse("franceconnect:logout"))
    assert logout.url.startswith(demo_provider.endpoint("session/end") + "?")
    status, _body, back = browse(logout.url)
    assert status == 302 and back.startswith(SITE + reverse("franceconnect:logout_callback") + "?state=")
    assert demo_provider.ended_sessions[0]["sub"] == PIERRE["sub"]
    home = client.get(back, follow=True)
    assert "Vous êtes déconnecté de ce site et de FranceConnect." in home.content.decode()
    assert not home.wsgi_request.user.is_authenticated

    # the next login with the same identity finds the same account
    _page, forms = choice_page(client, demo_provider)
    again = client.get(choose(demo_provider, next(f for f in forms if f["fields"].get("identite") == PIERRE["sub"])))
    assert "Vous êtes connecté avec FranceConnect." in texts(again)
    assert User.objects.count() == 1


def test_demo_cancel_comes_back_without_login(client, demo_provider):
    """« Annuler » on the provider's page: back on the site's login page, told so; nobody logged in."""
    _page, forms = choice_page(client, demo_provider)
    cancel = next(form for form in forms if "annuler" in form["fields"])
    callback = choose(demo_provider, cancel)
    assert parse_qs(urlsplit(callback).query)["error"] == ["access_denied"]
    response = client.get(callback)
    assert response.url == reverse("login")
    assert "Vous avez annulé la connexion avec FranceConnect." in texts(response)
    assert SESSION_KEY not in client.session and not User.objects.exists()


def test_demo_provider_refuses_an_unknown_identity_and_foreign_requests(client, demo_provider):
    """A forged choice (an identity not offered) is refused with a French page; so is a client the provider
    does not know; neither creates anything on the site."""
    _page, forms = choice_page(client, demo_provider)
    forged = next(form for form in forms if "identite" in form["fields"])
    forged = {**forged, "fields": {"identite": "quelqu-un-d-autre"}}
    status, body, location = browse(demo_provider.base_url + html.unescape(forged["action"]), forged["fields"])
    assert status == 400 and not location and "Identité inconnue" in body
    status, body, _location = browse(demo_provider.endpoint("authorize") + "?client_id=inconnu&response_type=code")
    assert status == 400 and '<html lang="fr">' in body and "Demande refusée" in body
    assert not User.objects.exists()


def test_auto_approving_provider_refuses_the_choice_form():
    """The tests' provider (default mode) approves at once and has no choice form to post to."""
    provider = OIDCProvider().start()
    try:
        status, _body, _location = browse(provider.endpoint("authorize"), {"identite": ANGELA["sub"]})
        assert status == 405
    finally:
        provider.stop()


# --- the command line and the banner -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_command_line_serves_the_demo_provider_in_the_foreground():
    """`python -m franceconnect_demo --port P --site S` prints where it listens, publishes its configuration
    (the issuer is FRANCECONNECT_BASE_URL + /api/v2, what the settings expect), and serves the choice page
    for the demo client with the site's redirect URI."""
    port = free_port()
    command = [sys.executable, "-m", "franceconnect_demo", "--port", str(port), "--site", "http://127.0.0.1:8000"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        assert line.startswith(f"FranceConnect de démonstration : {base}/"), line
        status, body, _location = browse(f"{base}/api/v2/.well-known/openid-configuration")
        assert status == 200 and f'"issuer":"{base}/api/v2"' in body.replace(" ", "")
        status, body, _location = browse(f"{base}/")
        assert status == 200 and "FranceConnect de démonstration" in body
        authorize = f"{base}/api/v2/authorize?" + urlencode(
            {
                "response_type": "code",
                "client_id": DEMO_CLIENT_ID,
                "redirect_uri": "http://127.0.0.1:8000/franceconnect/retour/",
                "scope": "openid given_name family_name email",
                "state": "etat-de-test",
                "nonce": "nonce-de-test",
                "acr_values": "eidas1",
            }
        )
        status, body, _location = browse(authorize)
        assert status == 200 and "Continuer sur Mes services publics" in body
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_command_line_says_so_when_the_port_is_taken():
    """Port taken: a French message and status 1 at once (`make demo` then runs the site without FranceConnect)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "franceconnect_demo", "--port", str(port)]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30)  # noqa: S603
    assert result.returncode == 1 and result.stdout == ""
    assert re.match(rf"FranceConnect de démonstration : impossible d'écouter sur 127\.0\.0\.1:{port}", result.stderr)


REAL = "https://oidc.franceconnect.gouv.fr"


@pytest.mark.parametrize(
    ("base_url", "client_id", "expected", "unexpected"),
    [
        ("http://127.0.0.1:8001", DEMO_CLIENT_ID, "FranceConnect de démonstration : http://127.0.0.1:8001/", ""),
        (REAL, "fs-reel", f"FranceConnect : {REAL}", "DUBOIS"),
        ("http://127.0.0.1:8001", "", "FranceConnect : désactivé", "DUBOIS"),
    ],
    ids=["demo", "real", "off"],
)
def test_demo_banner_mentions_the_demo_identities(settings, base_url, client_id, expected, unexpected):
    """The banner of `make demo` names the fictitious identities when FranceConnect is the local demo one."""
    settings.FRANCECONNECT_BASE_URL = base_url
    settings.FRANCECONNECT_CLIENT_ID = client_id
    out = StringIO()
    call_command("demo_banner", stdout=out)
    banner = out.getvalue()
    assert expected in banner
    if unexpected:
        assert unexpected not in banner
    else:
        assert "Angela Claire Louise DUBOIS, née le 24 août 1962" in banner
        assert "Pierre MERCIER, né le 17 mars 1969" in banner
