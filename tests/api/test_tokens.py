"""Tokens: « manage.py api_token » creates them (key shown once), the administration lists and revokes them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from api.models import ApiToken, hash_key
from permissions.models import User
from tests.api.helpers import ApiClient


def run(*args):
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue()


def test_api_token_command_creates_token_for_agent(cast):
    """The key is printed once, in French output; only its hash is stored; it works at once."""
    out = run("--email", cast.agent.email, "--scope", "read", "--scope", "instruct", "--expires-in-days", "30")

    key = out.strip().splitlines()[-1]
    token = ApiToken.objects.get(user=cast.agent)
    assert token.key_hash == hash_key(key) and token.scopes == ["instruct", "read"]
    assert "ne sera plus affichée" in out and "expire le" in out
    assert ApiClient(key).get("/api/v1/moi/").status_code == 200


def test_api_token_command_refuses_citizen(cast):
    with pytest.raises(CommandError, match="n'instruit aucun téléservice"):
        run("--email", cast.applicant.email)
    assert not ApiToken.objects.exists()


def test_api_token_command_unknown_email(cast):
    with pytest.raises(CommandError, match="Aucun compte"):
        run("--email", "personne@exemple.test")


def test_api_token_command_creates_integration_account(cast):
    """--integration creates an account without password, member of the named service."""
    out = run("--email", "ged@exemple.test", "--integration", "--service", cast.service.name)

    account = User.objects.get(email="ged@exemple.test")
    assert not account.has_usable_password()
    assert account.groups.filter(pk=cast.service.group_id).exists()
    assert "Compte d'intégration ged@exemple.test créé." in out
    assert ApiToken.objects.get(user=account).scopes == ["read"]


def test_admin_lists_and_revokes_tokens(cast, admin_client):
    """The administration lists tokens (no key) and « Révoquer » makes them unusable."""
    token, key = ApiToken.issue(cast.agent, name="GED du département", scopes=["read"])

    listing = admin_client.get("/admin/api/apitoken/")
    assert listing.status_code == 200
    assert "GED du département" in listing.content.decode() and key not in listing.content.decode()
    response = admin_client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiClient(key).get("/api/v1/moi/").status_code == 401
    assert admin_client.get("/admin/api/apitoken/add/").status_code == 403
