"""Open redirects: every view that redirects to a parameter (``next`` on the login, the logout,
the FranceConnect login, the language switch, the space switch, the supervisor's « Attribuer »)
given an address off the site, in all the spellings browsers read as one, stays on the site."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.citizen_portal.test_franceconnect import at_provider, provider, running_provider  # noqa: F401
from tests.citizen_portal.test_franceconnect import start as fc_start
from tests.citizen_portal.test_spaces_organisme import make_organisme
from tests.factories import PASSWORD, filed_dossier

OFF_SITE = [
    "https://evil.test/",
    "http://evil.test",
    "//evil.test",
    "///evil.test",
    "/\\evil.test",
    "\\\\evil.test",
    "\\/evil.test",
    "https:evil.test",
    "https:/evil.test",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "/\t/evil.test",
    "\t//evil.test",
    "//evil.test%2F%2E%2E",
    "%2F%2Fevil.test",
    "https://testserver@evil.test/",
    "https://evil.test\\@testserver/",
    "https://evil.test#@testserver/",
    "//evil。test",
    "http://[::1]:8000/",
    "https://evil.test/?next=/",
]


def assert_on_site(location: str) -> None:
    """Where a browser would go, read as a browser reads it (tabs and newlines dropped, backslashes
    as slashes): this site only."""
    read = "".join(ch for ch in location if ch not in "\t\r\n").strip().replace("\\", "/")
    parts = urlsplit(read)
    assert parts.scheme in ("", "http", "https"), location
    assert parts.netloc in ("", "testserver"), location
    assert not read.startswith("//"), location  # a relative path ("a/b", "%2F…") stays on the site


def hidden_next(response: Any) -> str:
    """The value of the page's own ``next`` field (the footer's language form has its own)."""
    match = re.search(r'<input type="hidden" name="next" value="([^"]*)">', response.content.decode())
    assert match, "no next field"
    return html.unescape(match.group(1))


def test_open_redirect_login_next(client, cast):
    """The login form's ``next``: the person lands on the portal's home instead."""
    for target in OFF_SITE:
        kept = hidden_next(client.get(reverse("login"), {"next": target}))
        assert kept == "" or kept == target == "%2F%2Fevil.test", (target, kept)  # the latter: a relative path
        response = client.post(
            reverse("login"), {"username": cast.applicant.email, "password": PASSWORD, "next": target}
        )
        assert response.status_code == 302, target
        assert_on_site(response["Location"])
        client.logout()


def test_open_redirect_login_next_local_kept(client, cast):
    """The control: a path of the site is where the person lands."""
    credentials = {"username": cast.applicant.email, "password": PASSWORD}
    response = client.post(reverse("login"), {**credentials, "next": "/foyer/"})
    assert response["Location"] == "/foyer/"


def test_open_redirect_logout_next(client, cast):
    for target in OFF_SITE:
        client.force_login(cast.applicant)
        response = client.post(reverse("logout") + "?next=" + target.replace("#", "%23"), {"next": target})
        assert response.status_code == 302, target
        assert_on_site(response["Location"])


def test_open_redirect_set_language(client, cast):
    """« English » / « Français » with an off-site ``next`` or Referer: back to a page of the site."""
    for target in OFF_SITE:
        response = client.post(reverse("set_language"), {"language": "fr", "next": target}, headers={"referer": target})
        assert response.status_code == 302, target
        assert_on_site(response["Location"])


def test_open_redirect_switch_space(client, cast):
    make_organisme(cast.applicant)
    client.force_login(cast.applicant)
    for target in OFF_SITE:
        response = client.post(reverse("citizen:switch_space"), {"espace": "foyer", "next": target})
        assert response.status_code == 302, target
        assert_on_site(response["Location"])


def test_open_redirect_assign_next(client, cast):
    """« Attribuer »: after the assignment, the supervisor stays on the site, whatever ``next`` says."""
    client.force_login(cast.supervisor)
    for target in OFF_SITE:
        dossier = filed_dossier(cast.teleservice, cast.applicant)
        url = reverse("backoffice:assign", args=[dossier.reference])
        kept = hidden_next(client.get(url, {"next": target}))
        assert_on_site(kept)
        response = client.post(
            url, {"assign-agent": cast.agent.pk, "assign-reason": "Renfort", "next": target}, follow=False
        )
        assert response.status_code == 302, (target, response.content[:300])
        assert_on_site(response["Location"])
        dossier.refresh_from_db()
        assert dossier.assignee == cast.agent  # the assignment went through; only the address was dropped


def test_open_redirect_franceconnect_login_next(client, provider: Any):  # noqa: F811
    """FranceConnect: the ``next`` kept across the trip to the provider is dropped when off-site;
    back from the provider, the person lands on the site."""
    for target in OFF_SITE[:8]:
        client.logout()
        response = client.get(at_provider(fc_start(client, next=target)))
        assert response.status_code == 302, target
        assert_on_site(response.url)
        assert response.url == reverse("citizen:home")


@pytest.mark.parametrize("target", ["/catalogue/", "/foyer/?onglet=membres"])
def test_open_redirect_switch_space_local_kept(client, cast, target):
    client.force_login(cast.applicant)
    response = client.post(reverse("citizen:switch_space"), {"espace": "foyer", "next": target})
    assert response["Location"] == target


def test_open_redirect_bulk_assign_back_link(client, cast):
    """« Attribuer la sélection »: the result page's way back (``bulk-next``) stays on the site."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.supervisor)
    for target in OFF_SITE:
        data = {"dossiers": [dossier.reference], "bulk-agent": cast.agent.pk, "bulk-reason": "Renfort"}
        response = client.post(reverse("backoffice:bulk_assign"), {**data, "bulk-next": target})
        assert response.status_code in (200, 400), target
        links = re.findall(r'href="([^"]*)"', response.content.decode())
        assert links
        for link in links:
            assert_on_site(html.unescape(link))
