"""CSRF: every route of the site, sent a POST without this site's token, answers 403 with a French
page and changes nothing. The routes come from the URLconf, so a new one is covered at once; the
routes that do not check CSRF on purpose are listed below, each with its reason, and the test fails
if any other route turns out exempt."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from instruction import actions
from instruction.models import Message
from tests.citizen_portal.test_spaces_organisme import make_organisme
from tests.factories import UserFactory, filed_dossier
from tests.pages import text_of
from tests.security.routes import Route, all_routes, concrete_path
from tests.security.snapshot import assert_unchanged

# Exempt on purpose: the API authenticates each request with a bearer token in a header, which no
# other site can make a browser send; it sets and reads no cookie (Django REST framework's views
# are csrf_exempt and only its SessionAuthentication, not used here, would check CSRF).
EXEMPT_PREFIXES = {"api/": "API REST : authentification par jeton Bearer, sans cookie"}

ROUTES = all_routes()
CHECKED = [route for route in ROUTES if not any(route.pattern.startswith(p) for p in EXEMPT_PREFIXES)]


def test_csrf_exempt_routes_are_only_the_listed_ones():
    """No route outside the listed prefixes skips the CSRF check; the API's routes all do."""
    exempt = {route.name for route in ROUTES if route.csrf_exempt}
    assert {route.name for route in CHECKED} & exempt == set()
    api = [route for route in ROUTES if route.pattern.startswith("api/")]
    assert len(CHECKED) >= 150 and api


def csrf_client(user=None) -> Client:
    """A browser with this site's CSRF cookie (as a forged cross-site post would carry it) that
    does not know the token to put in the form."""
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    assert settings.CSRF_COOKIE_NAME in client.cookies
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def world(cast):
    """Real objects behind the routes' parameters, and a user with the rights to act on each area."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    organisme = make_organisme(cast.applicant)
    admin = UserFactory(email="admin@exemple.test", is_staff=True, is_superuser=True)
    file_id = dossier.files.values_list("pk", flat=True).first()
    values = {
        "reference": dossier.reference,
        "slug": cast.teleservice.slug,
        "file_id": file_id,
        "pk": organisme.pk,
        "action": "decider",
        "object_id": cast.applicant.pk,
        "id": cast.applicant.pk,
        "token": "jeton",
        "uidb64": "MQ",
    }
    return {"values": values, "admin": admin}


def actor(route: Route) -> str:
    if route.pattern.startswith("admin/"):
        return "admin"
    if route.pattern.startswith("instruction/"):
        return "supervisor"
    return "applicant"


def test_csrf_every_route_refuses_post_without_token(cast, world, snapshot):
    """Each checked route, POSTed without token by a user who may act there (the administrator for
    the admin, the supervisor for the back office, the applicant elsewhere): 403, the French page,
    nothing written."""
    clients = {
        "admin": csrf_client(world["admin"]),
        "supervisor": csrf_client(cast.supervisor),
        "applicant": csrf_client(cast.applicant),
    }
    before = snapshot()  # after the logins, which write last_login
    refused = []
    for route in CHECKED:
        path = concrete_path(route, world["values"])
        data = {"body": "Message forgé", "reason": "forgé", "email": "x@evil.test", "next": "/"}
        response = clients[actor(route)].post(path, data)
        assert response.status_code == 403, (route.name, path, response.status_code)
        assert "Formulaire refusé" in text_of(response), route.name
        refused.append(route.name)
    assert_unchanged(before)
    assert len(refused) == len(CHECKED)


@pytest.mark.parametrize("who", ["applicant", "agent"])
def test_csrf_control_with_token_the_same_post_goes_through(cast, who):
    """The control: the same client sending the token is not refused, and the message is sent;
    so the refusals above are the CSRF check's, not the view's."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    user = getattr(cast, who)
    url = (
        reverse("citizen:thread", args=[dossier.reference])
        if who == "applicant"
        else reverse("backoffice:send_message", args=[dossier.reference])
    )
    client = csrf_client(user)
    refused = client.post(url, {"body": "Bonjour"})
    assert refused.status_code == 403 and not Message.objects.filter(dossier=dossier, body="Bonjour").exists()
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(url, {"body": "Bonjour", "csrfmiddlewaretoken": token})
    assert response.status_code == 302, response.content
    assert Message.objects.filter(dossier=dossier, body="Bonjour", author=user).exists()


def test_csrf_without_cookie_refused_in_french(cast):
    """No CSRF cookie at all (a browser that never came to the site): the same French page."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.applicant)
    response = client.post(reverse("citizen:foyer_edit"), {"address": "1 rue forgée"})
    assert response.status_code == 403
    assert "Rien n'a été enregistré" in text_of(response)
    cast.applicant.foyer.refresh_from_db()
    assert cast.applicant.foyer.address != "1 rue forgée"
