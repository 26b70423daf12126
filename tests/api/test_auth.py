"""Authentication, scopes, rate limit and the pages around the API (schema, documentation, errors)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from api.models import ApiToken, hash_key
from tests.api.helpers import ApiClient, assert_problem, token_for

ME = "/api/v1/moi/"


def test_me_agent_token_answers_account_and_scopes(cast, api):
    """An agent's token reads who it is, its scopes and the téléservices it instructs."""
    response = api("agent", "read").get(ME)

    assert response.status_code == 200
    body = response.json()
    assert (body["email"], body["scopes"], body["teleservices"]) == (cast.agent.email, ["read"], [cast.teleservice.pk])


def test_me_anonymous_gets_401_problem_with_bearer_challenge(cast, api):
    """No token: 401 problem details, with the challenge to use a bearer token."""
    response = api(None).get(ME)

    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert body["instance"] == ME
    assert body["title"] == "Authentification requise"


@pytest.mark.parametrize("state", ["unknown", "expired", "revoked", "inactive_user"])
def test_me_unusable_token_gets_401(cast, state):
    """An unknown, expired or revoked key, or a deactivated account, is refused (401)."""
    key = token_for(cast.agent, "read")
    token = ApiToken.objects.get(key_hash=hash_key(key))
    if state == "unknown":
        key += "x"
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif state == "revoked":
        token.revoke()
    else:
        cast.agent.is_active = False
        cast.agent.save()

    assert_problem(ApiClient(key).get(ME), 401)


def test_me_session_login_is_not_api_authentication(cast, client):
    """A logged-in browser session does not open the API: tokens only (no CSRF to worry about)."""
    client.force_login(cast.agent)

    assert_problem(client.get(ME), 401)


@pytest.mark.parametrize("who", ["applicant", "other_citizen"])
def test_me_citizen_token_gets_403(cast, who):
    """Citizens are not API users: their token (were one made by hand) is refused with 403."""
    response = ApiClient(token_for(getattr(cast, who))).get(ME)

    body = assert_problem(response, 403)
    assert "réservée aux agents" in body["detail"]


def test_read_scope_cannot_act(cast, api):
    """A read-only token gets 403 on an action."""
    response = api("agent", "read").post("/api/v1/dossiers/PJL-2026-000001/take/", {})

    body = assert_problem(response, 403)
    assert "instruct" in body["detail"]


def test_instruct_scope_alone_cannot_read(cast, api):
    """Scopes are separate: an instruct-only token cannot read."""
    assert_problem(api("agent", "instruct").get(ME), 403)


def test_last_used_at_is_recorded(cast):
    """The token's last use is recorded (at most once a minute)."""
    key = token_for(cast.agent, "read")

    ApiClient(key).get(ME)

    assert ApiToken.objects.get(key_hash=hash_key(key)).last_used_at is not None


def test_rate_limit_per_token_answers_429_with_retry_after(cast, api, settings):
    """Beyond API_RATE_LIMIT a token gets 429 problem details with Retry-After; another token is not affected."""
    settings.API_RATE_LIMIT = "2/minute"
    agent = api("agent", "read")
    assert [agent.get(ME).status_code for _ in range(2)] == [200, 200]

    response = agent.get(ME)

    assert_problem(response, 429)
    assert 0 < int(response["Retry-After"]) <= 60
    assert api("supervisor", "read").get(ME).status_code == 200


def test_key_is_stored_hashed(cast):
    """Only the SHA-256 of the key and its first characters are stored."""
    token, key = ApiToken.issue(cast.agent, name="GED", scopes=["read"])

    assert key.startswith("tsk_") and len(key) > 40
    assert token.key_hash == hash_key(key) and key not in {token.key_hash, token.prefix}
    assert key.startswith(token.prefix)


def test_schema_and_documentation_are_public(db, client):
    """The OpenAPI schema, its documentation page and the problem types page need no login."""
    schema = client.get("/api/schema/", headers={"Accept": "application/json"})
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Rendered on the server from the schema: every operation, no script, no CDN.
    page = docs.content.decode()
    paths = schema.json()["paths"]
    operations = sum(1 for item in paths.values() for method in item if method in ("get", "post"))
    assert page.count('<section aria-labelledby="') == operations >= 14
    assert "<code>POST /api/v1/dossiers/{reference}/decide/</code>" in page
    assert "<script" not in page.split("<main", 1)[1] and "//cdn" not in page
    problems = client.get("/api/problemes/")
    assert problems.status_code == 200
    assert 'id="version-perimee"' in problems.content.decode()


def test_unknown_api_address_is_a_problem_404(db, client):
    """An address under /api/ that does not exist answers problem details, not the site's page."""
    assert_problem(client.get("/api/v1/nimporte-quoi/"), 404)
