"""Signed activation links: valid ACCOUNT_ACTIVATION_MAX_AGE seconds, usable once.

The token signs the account's id, its e-mail and a fingerprint of its password hash with a
salt of its own (an activation token can never pass for another kind of signed value). It is
usable once because activation requires an account that is still inactive and has never
logged in: after the first use, or if an administrator deactivated an account that was used,
the same link is refused. The password fingerprint makes a link activate the account only with
the password chosen by the sign-up that sent it: a later sign-up with the same address (which
replaces the pending account's password) voids the earlier links."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

from permissions.models import User

SALT = "citizen_portal.accounts.activation"


class InvalidToken(Exception):
    """Forged, damaged, or for an account that no longer exists."""


class UsedToken(Exception):
    """Authentic, but the account is already active: the link was used."""


class ExpiredToken(Exception):
    """Authentic but too old; ``email`` lets the page offer a new e-mail for that address."""

    def __init__(self, email: str) -> None:
        super().__init__(email)
        self.email = email


def password_fingerprint(user: User) -> str:
    # An HMAC, not a piece of the hash: the payload of a signed value is readable by anyone.
    return salted_hmac(SALT, user.password, algorithm="sha256").hexdigest()[:20]


def make_activation_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email, "p": password_fingerprint(user)}, salt=SALT, compress=True)


def _account_for(payload: object) -> User:
    if not isinstance(payload, dict):
        raise InvalidToken
    pk = payload.get("u")
    user = User.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if user is None or user.email != payload.get("e") or password_fingerprint(user) != payload.get("p"):
        raise InvalidToken
    return user


def check_activation_token(token: str) -> User:
    """The inactive account the link activates, or one of the exceptions above."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.ACCOUNT_ACTIVATION_MAX_AGE)
    except signing.SignatureExpired:
        # Authentic (the signature matched) but old: still tell whose link it was.
        user = _account_for(signing.loads(token, salt=SALT))
        if user.is_active or user.last_login is not None:
            raise UsedToken from None
        raise ExpiredToken(user.email) from None
    except signing.BadSignature:
        raise InvalidToken from None
    user = _account_for(payload)
    if user.is_active or user.last_login is not None:
        raise UsedToken
    return user
