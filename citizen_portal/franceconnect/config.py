"""What the FranceConnect pages share: whether the feature is on, and the session keys."""

from __future__ import annotations

from django.conf import settings

# Set at a FranceConnect login: the site's logout button then goes through FranceConnect's session/end.
SESSION_FLAG = "franceconnect_login"
# The ``state`` sent to session/end, checked when FranceConnect sends the person back.
LOGOUT_STATE_KEY = "franceconnect_logout_state"
# Where OIDC_STORE_ID_TOKEN keeps the ID token (mozilla-django-oidc's key), used as id_token_hint.
ID_TOKEN_KEY = "oidc_id_token"  # noqa: S105  (a session key name, not a secret)


def franceconnect_enabled() -> bool:
    """FranceConnect is offered only once the authority has a client id for it; without one the
    product works with local accounts alone."""
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def accepted_acr_values() -> list[str]:
    """The guarantee levels asked for in the authorization request are the only ones accepted back."""
    params = getattr(settings, "OIDC_AUTH_REQUEST_EXTRA_PARAMS", {}) or {}
    return str(params.get("acr_values", "eidas1")).split()
