"""Forged, expired, revoked, replayed or borrowed tokens: API keys, account activation and password
reset links, organisme invitations, FranceConnect's state and nonce, the session cookie. Each is
refused with a French answer and changes nothing. (tests/api, tests/citizen_portal hold the
finer cases of each; here every kind of token meets the same forger, on a request that writes.)

The product signs no download URL of its own: files are served by views that check access on
every request (tests/security/test_path_traversal.py). With S3_DOWNLOAD=redirect the presigned
URLs are S3's (SigV4), whose signature S3 checks; the local S3 server of the tests does not check
signatures, so no test here pretends to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from api.models import ApiToken, hash_key
from citizen_portal.accounts import tokens
from instruction import actions
from instruction.actions import spaces as space_actions
from instruction.models import OrganismeInvitation
from permissions import organismes
from permissions.models import User
from tests.api.helpers import ApiClient, assert_problem, token_for
from tests.citizen_portal.test_franceconnect import (  # noqa: F401
    assert_refused,
    at_provider,
    fc_login,
    provider,
    running_provider,
    with_query,
)
from tests.citizen_portal.test_franceconnect import start as fc_start
from tests.citizen_portal.test_spaces_organisme import make_organisme
from tests.factories import PASSWORD, UserFactory, filed_dossier
from tests.pages import text_of
from tests.security.snapshot import assert_unchanged

NEW_PASSWORD = "Un-nouveau-mot-de-passe-2026"


# --- API bearer tokens --------------------------------------------------------------------------
def _api_key(cast, kind: str) -> str | None:
    if kind == "none":
        return None
    if kind == "forged":
        return "ts_" + "A" * 40
    if kind == "other_scope":
        return token_for(cast.agent, "read")
    if kind == "citizen":
        return token_for(cast.applicant, "read", "instruct")
    if kind == "other_service":
        return token_for(cast.other_agent, "read", "instruct")
    key = token_for(cast.agent, "read", "instruct")
    token = ApiToken.objects.get(key_hash=hash_key(key))
    if kind == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif kind == "revoked":
        token.revoke()
    elif kind == "truncated":
        key = key[:-1]
    return key


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("none", 401),
        ("forged", 401),
        ("expired", 401),
        ("revoked", 401),
        ("truncated", 401),
        ("other_scope", 403),
        ("citizen", 403),
        ("other_service", 404),
    ],
)
def test_forged_api_token_cannot_act(cast, snapshot, kind, status):
    """« take » through the API with an unusable or borrowed key: refused, the dossier untouched."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    key = _api_key(cast, kind)
    before = snapshot()
    response = ApiClient(key).post(f"/api/v1/dossiers/{dossier.reference}/take/", {})
    assert_problem(response, status)
    # A valid key's last use is recorded (api_apitoken.last_used_at), even when its request is refused.
    assert_unchanged(before, ignore=frozenset({"api_apitoken"}))


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer  ", "Bearer a b", "Basic dXNlcjpwYXNz", "Token abc", "Bearer \x00", "bearer"]
)
def test_forged_api_authorization_header_malformed_gets_401(cast, header):
    response = ApiClient(None).get("/api/v1/moi/", Authorization=header)
    assert_problem(response, 401)


# --- Account activation -------------------------------------------------------------------------
def pending_account(email: str = "nouvelle@exemple.test") -> User:
    return User.objects.create_user(email, PASSWORD, is_active=False, first_name="Léa", last_name="Martin")


def test_forged_activation_links_refused(client, db, snapshot):
    """A made-up token, another salt's signature, a signature of another account's id, a tampered
    payload: « Ce lien d'activation n'est pas valable », the account stays inactive."""
    user = pending_account()
    real = tokens.make_activation_token(user)
    other_salt = signing.dumps({"u": user.pk, "e": user.email, "p": tokens.password_fingerprint(user)}, salt="x")
    payload, _sep, signature = real.rpartition(":")
    forged = [
        "jeton-invente",
        other_salt,
        signing.dumps({"u": user.pk}, salt=tokens.SALT, key="une-autre-cle-secrete"),
        real[:-2] + ("AA" if real[-2:] != "AA" else "BB"),
        payload + "x:" + signature,
        "%2e%2e%2f",
    ]
    before = snapshot()
    for token in forged:
        response = client.get(reverse("account_activate", args=[token]))
        assert response.status_code == 400, token
        assert "Ce lien d'activation n'est pas valable" in text_of(response)
    assert_unchanged(before)
    user.refresh_from_db()
    assert not user.is_active


def test_forged_activation_link_replayed_does_nothing_more(client, db):
    """Used once, the same link says the account is already active and logs nobody in."""
    user = pending_account()
    url = reverse("account_activate", args=[tokens.make_activation_token(user)])
    assert client.get(url).status_code == 302
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    client.logout()
    response = client.get(url)
    assert response.status_code == 200 and "Ce compte est déjà activé" in text_of(response)
    assert SESSION_KEY not in client.session


# --- Password reset ------------------------------------------------------------------------------
def reset_url(user: User, token: str | None = None, uid: str | None = None) -> str:
    uid = uid or urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_reset_confirm", args=[uid, token or default_token_generator.make_token(user)])


def test_forged_password_reset_links_refused(client, cast, snapshot):
    """A made-up token, a token of another account on this account's id, a damaged uid: « Ce lien
    n'est plus valable », and posting a new password through it changes nothing."""
    user, other = cast.applicant, cast.other_citizen
    forged = [
        reset_url(user, token="cr1a2b-0123456789abcdef0123"),
        reset_url(user, token=default_token_generator.make_token(other)),
        reset_url(user, uid="MTIzNDU2Nzg5"),
        reset_url(user, uid="%2e%2e"),
    ]
    before = snapshot()
    for url in forged:
        response = client.get(url, follow=True)
        assert "Ce lien n'est plus valable" in text_of(response), url
        client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert_unchanged(before)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_forged_password_reset_link_replayed_refused(client, cast):
    """Used once, the link is spent (the token signs the password hash it changed)."""
    user = cast.applicant
    url = reset_url(user)
    form_url = client.get(url).url
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    client.logout()
    replay = client.get(url, follow=True)
    assert "Ce lien n'est plus valable" in text_of(replay)
    client.post(form_url, {"new_password1": "Encore-un-autre-2026", "new_password2": "Encore-un-autre-2026"})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


# --- Organisme invitations -----------------------------------------------------------------------
@pytest.fixture
def invitation(cast):
    organisme = make_organisme(cast.applicant)
    invited = actions.invite_to_organisme(
        organisme, acting_user=cast.applicant, email="invitee@exemple.test", role="member"
    )
    return invited, space_actions.invitation_token(invited)


def test_forged_invitation_links_get_404(client, cast, invitation, snapshot):
    """Made-up, re-signed with another key, another salt, an id that is not an invitation: 404."""
    invited, token = invitation
    forged = [
        "jeton-invente",
        token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
        signing.dumps({"invitation": invited.pk}, salt=space_actions.INVITATION_SALT, key="autre-cle"),
        signing.dumps({"invitation": invited.pk}, salt="citizen_portal.accounts.activation"),
        signing.dumps({"invitation": invited.pk + 999}, salt=space_actions.INVITATION_SALT),
        signing.dumps({"invitation": str(invited.pk)}, salt=space_actions.INVITATION_SALT),
    ]
    invitee = UserFactory(email="invitee@exemple.test")
    client.force_login(invitee)
    before = snapshot()
    for token_ in forged:
        assert client.get(reverse("citizen:invitation", args=[token_])).status_code == 404, token_
        assert client.post(reverse("citizen:invitation", args=[token_])).status_code == 404, token_
    assert_unchanged(before)


def test_forged_invitation_used_by_someone_else_refused(client, cast, invitation, snapshot):
    """The real link, in the hands of another account: told it is not theirs, not let in."""
    invited, token = invitation
    client.force_login(cast.other_citizen)
    url = reverse("citizen:invitation", args=[token])
    assert "n'est pas celle de votre compte" in text_of(client.get(url))
    before = snapshot()
    client.post(url)
    assert_unchanged(before)
    assert not organismes.role_of(cast.other_citizen, invited.organisme)


def test_forged_invitation_replayed_refused(client, cast, invitation):
    """Accepted once, the link says so and does not let a second account in."""
    invited, token = invitation
    invitee = UserFactory(email="invitee@exemple.test")
    url = reverse("citizen:invitation", args=[token])
    client.force_login(invitee)
    assert client.post(url).status_code == 302
    client.force_login(cast.other_citizen)
    assert "Cette invitation a déjà été utilisée" in text_of(client.get(url))
    client.post(url)
    assert not organismes.role_of(cast.other_citizen, invited.organisme)
    assert OrganismeInvitation.objects.get(pk=invited.pk).accepted_at is not None


# --- FranceConnect -------------------------------------------------------------------------------
def test_forged_franceconnect_state_refused(client, provider):  # noqa: F811
    """A callback carrying a state this browser was not given (a login started elsewhere, e.g. by
    an attacker): refused before the code is spent, nobody logged in."""
    callback = at_provider(fc_start(client))
    other_browser = client.__class__()
    response = other_browser.get(callback)
    assert_refused(other_browser, response, "a expiré ou n'est pas valide")
    response = client.get(with_query(callback, state="etat-forge"))
    assert_refused(client, response, "a expiré ou n'est pas valide")
    assert "token" not in [endpoint for endpoint, _params in provider.requests]
    assert not User.objects.exists()


def test_forged_franceconnect_nonce_refused(client, provider):  # noqa: F811
    """An ID token minted for another login (its nonce is not this session's): refused."""
    provider.behaviour.nonce = "nonce-forge"
    response = fc_login(client)
    assert_refused(client, response, "La connexion avec FranceConnect n'a pas abouti")
    assert not User.objects.exists()


# --- Session cookie ------------------------------------------------------------------------------
def test_forged_session_cookie_is_anonymous(client, cast):
    """A made-up session key, or a real one with one character changed: the person is anonymous
    (sent to the login page), never someone else."""
    client.force_login(cast.applicant)
    real = client.cookies[settings.SESSION_COOKIE_NAME].value
    for forged in ["0" * 32, real[:-1] + ("a" if real[-1] != "a" else "b"), "../" + real, real + "\x00", ""]:
        client.cookies[settings.SESSION_COOKIE_NAME] = forged
        response = client.get(reverse("citizen:foyer"))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), forged
        assert client.post(reverse("citizen:foyer_edit"), {"address": "1 rue forgée"}).status_code in (302, 403)
    cast.applicant.foyer.refresh_from_db()
    assert cast.applicant.foyer.address != "1 rue forgée"
