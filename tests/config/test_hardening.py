"""Hardening: the Content-Security-Policy of every page (django-csp) and the preview's own,
sessions that end after inactivity, Django's admin for administrators only behind the site's
login, and the login throttling on the admin path."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.citizen_portal.test_journey_http import login
from tests.factories import PASSWORD, UserFactory, filed_dossier

PARIS = ZoneInfo("Europe/Paris")
NINE = dt.datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'; frame-src 'self'; form-action 'self'"
)


def directives(header: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip() for part in header.split(";") if part.strip()}


def assert_site_policy(response) -> None:
    assert directives(response["Content-Security-Policy"]) == directives(POLICY)


# --- Content-Security-Policy ----------------------------------------------------------------------


def test_csp_on_login_catalogue_and_back_office_pages(client, cast):
    """The login page, a citizen page and a back-office review carry the site's policy: no inline
    script or style, no plugin, no framing, forms to this site only."""
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_site_policy(response)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    login(client, cast.applicant)
    assert_site_policy(client.get(reverse("citizen:catalogue")))
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    client.logout()
    login(client, cast.agent)
    response = client.get(reverse("backoffice:review", args=[dossier.reference]))
    assert response.status_code == 200
    assert_site_policy(response)


def test_csp_preview_keeps_its_own_sandbox_policy(client, cast):
    """The preview of a supporting document keeps its stricter sandbox policy: the site's is not
    added on top nor put in its place."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    rib = dossier.files.get(document="rib")
    login(client, cast.agent)
    response = client.get(reverse("backoffice:preview", args=[dossier.reference, rib.pk]))
    assert response["Content-Security-Policy"] == (
        "sandbox; default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"
    )
    response.close()


def test_csp_form_action_allows_franceconnect_when_on(client, db, settings):
    """With FranceConnect on, the forms may also go to its provider (login and logout go through it)."""
    settings.FRANCECONNECT_CLIENT_ID = settings.OIDC_RP_CLIENT_ID = "client"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://fc.example.test/api/v2/authorize"
    settings.OIDC_OP_LOGOUT_ENDPOINT = "https://fc.example.test/api/v2/session/end"
    header = client.get(reverse("login"))["Content-Security-Policy"]
    assert directives(header)["form-action"] == "form-action 'self' https://fc.example.test"


# --- Sessions that expire after inactivity --------------------------------------------------------


def test_session_ends_after_idle_limit(client, cast, settings):
    """Thirty minutes without a request and the session is over: the next page sends to the login."""
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    target = reverse("citizen:dossiers")
    with time_machine.travel(NINE, tick=False) as clock:
        login(client, cast.applicant)
        assert client.get(target).status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(target)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={target}"


def test_session_activity_keeps_it_alive(client, cast):
    """A request every 20 minutes keeps the session for two hours and more."""
    target = reverse("citizen:dossiers")
    with time_machine.travel(NINE, tick=False) as clock:
        login(client, cast.applicant)
        for _ in range(7):
            clock.shift(dt.timedelta(minutes=20))
            assert client.get(target).status_code == 200


# --- Django's admin -------------------------------------------------------------------------------


@pytest.fixture
def administrator(db):
    return UserFactory(email="admin@exemple.test", is_staff=True, is_superuser=True)


def test_admin_anonymous_is_sent_to_the_site_login(client, db):
    """Not logged in: the admin sends to the site's login page, not to its own."""
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url == "/admin/login/?next=/admin/"
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/admin/"


@pytest.mark.parametrize("who", ["applicant", "agent", "supervisor"])
def test_admin_hidden_from_citizens_and_agents(client, cast, who):
    """A citizen or an agent (even one marked staff) gets a 404 on every admin page."""
    user = getattr(cast, who)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    login(client, user)
    for path in ("/admin/", "/admin/login/", "/admin/permissions/user/"):
        assert client.get(path).status_code == 404


def test_admin_administrator_logs_in_through_the_site_login(client, administrator):
    """An administrator logs in on the site's login page and gets the admin."""
    response = client.post(reverse("login"), {"username": administrator.email, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and response.url == "/admin/"
    response = client.get("/admin/")
    assert response.status_code == 200
    assert_site_policy(response)


def test_admin_login_post_does_not_authenticate(client, administrator):
    """The admin's own login form is gone: posting to it logs nobody in."""
    client.post("/admin/login/", {"username": administrator.email, "password": PASSWORD})
    assert client.get("/admin/").status_code == 302


def test_admin_path_login_is_throttled(client, administrator):
    """An administrator's e-mail is locked after five failures like anyone's, on the admin path too."""
    url = f"{reverse('login')}?next=/admin/"
    with time_machine.travel(NINE, tick=False):
        statuses = [
            client.post(url, {"username": administrator.email, "password": "mauvais", "next": "/admin/"}).status_code
            for _ in range(5)
        ]
        assert statuses == [200, 200, 200, 200, 429]
        response = client.post(url, {"username": administrator.email, "password": PASSWORD, "next": "/admin/"})
        assert response.status_code == 429
        assert client.get("/admin/").status_code == 302
