"""Every route of the URLconf, requested with hostile path parameters and query strings (NUL bytes,
encoded slashes, huge numbers and strings, unicode controls, SQL and template syntax): never a 5xx,
whoever asks; a NUL byte anywhere in the URL gets the French 400 page."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client

from instruction import actions
from tests.factories import UserFactory, filed_dossier
from tests.pages import text_of
from tests.security.routes import Route, all_routes

HOSTILE = ["..%2F..%2Fetc%2Fpasswd", "9" * 30, "x" * 3000, "é\u202ecod.exe' OR 1=1 --", "{{ settings.SECRET_KEY }}%"]
QUERY_KEYS = ["page", "q", "tri", "ordre", "statut", "after", "before", "next", "erreurs", "service", "agent", "espace"]
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
ROUTES = [route for route in all_routes() if not route.pattern.startswith("api/^")]


def paths(route: Route, value: str) -> list[str]:
    """The route with each of its parameters in turn set to ``value`` (the others to 1)."""
    names = PARAM.findall(route.pattern)
    if not names:
        return ["/" + route.pattern]
    out = []
    for name in names:
        values = {other: "1" for other in names} | {name: quote(value, safe="")}
        out.append("/" + PARAM.sub(lambda match, v=values: v[match.group(1)], route.pattern))
    return out


@pytest.fixture
def clients(cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    admin = UserFactory(email="admin@exemple.test", is_staff=True, is_superuser=True)
    made = {}
    cast_of = {"anonymous": None, "applicant": cast.applicant, "agent": cast.supervisor, "admin": admin}
    for name, user in cast_of.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        made[name] = client
    return made


def routes_for(who: str) -> list[Route]:
    admin = [route for route in ROUTES if route.pattern.startswith("admin/")]
    return admin if who == "admin" else [route for route in ROUTES if route not in admin]


@pytest.mark.parametrize("who", ["anonymous", "applicant", "agent", "admin"])
def test_fuzz_urls_hostile_parameters_never_5xx(clients, who):
    """Each route × each hostile value, in each path parameter and in every usual query key."""
    client = clients[who]
    failures, sent = [], 0
    for route in routes_for(who):
        for value in HOSTILE:
            query = "&".join(f"{key}={quote(value, safe='')}" for key in QUERY_KEYS)
            for path in paths(route, value):
                response = client.get(f"{path}?{query}")
                sent += 1
                if response.status_code >= 500:
                    failures.append((route.name, path[:80], value[:20], response.status_code))
    assert not failures, failures[:30]
    assert sent >= 5 * len(routes_for(who))


@pytest.mark.parametrize("who", ["anonymous", "applicant", "agent"])
def test_fuzz_urls_null_byte_refused_in_french(clients, who):
    """A NUL byte, in a path parameter or the query string: the French 400 page, on every route."""
    client = clients[who]
    for route in routes_for(who):
        in_path = paths(route, "a\x00b") if PARAM.search(route.pattern) else []
        for path in [*in_path, "/" + PARAM.sub("1", route.pattern) + "?page=%00&q=a%00"]:
            response = client.get(path)
            assert response.status_code in (400, 404), (route.name, path, response.status_code)
            if response.status_code == 400 and not route.pattern.startswith("api/"):
                assert "contient un caractère interdit" in text_of(response), path


def test_fuzz_urls_null_byte_refused_without_a_query(client, db, django_assert_num_queries):
    """The NUL byte is refused before any lookup: no query at all for an anonymous request."""
    with django_assert_num_queries(0):
        response = client.get("/demandes/PJL%00/?page=1")
    assert response.status_code == 400
