"""FranceConnect (v2) login: mozilla-django-oidc's code flow with the checks FranceConnect needs.

mozilla-django-oidc on its own decodes the ID token without checking ``aud`` nor ``iss``, never
looks at ``acr``, accepts an unsigned userinfo answer and matches people on their e-mail. This
backend verifies both signed JWTs (ID token and userinfo) against the provider's JWKS, checks
``iss``, ``aud``, ``exp``, ``nonce`` and ``acr``, and matches people on the ``sub`` claim only,
through :class:`permissions.models.FranceConnectIdentity`.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import jwt
import requests
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.crypto import constant_time_compare
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from citizen_portal.franceconnect.config import accepted_acr_values, franceconnect_enabled
from permissions.models import FranceConnectIdentity, User

logger = logging.getLogger(__name__)

# Seconds of clock difference tolerated with FranceConnect on exp, iat and nbf.
CLOCK_LEEWAY = 60

GENERIC_FAILURE = gettext_lazy(
    "La connexion avec FranceConnect n'a pas abouti. Veuillez réessayer, ou vous connecter avec votre "
    "adresse électronique et votre mot de passe."
)


class FranceConnectError(Exception):
    """A refused FranceConnect login. ``args[0]`` is the technical reason, for the logs;
    ``user_message`` is what the person reads.

    Deliberately not a SuspiciousOperation: mozilla-django-oidc swallows those inside
    get_or_create_user, and the callback view needs the reason to tell the person what to do."""

    def __init__(self, reason: str, user_message: str | Promise = GENERIC_FAILURE) -> None:
        super().__init__(reason)
        self.user_message = user_message


class FranceConnectBackend(OIDCAuthenticationBackend):
    """Authenticates only; permissions stay with ModelBackend and guardian (see the has_perm family below)."""

    _jwks: dict[str, Any] | None = None

    def authenticate(self, request: Any, **kwargs: Any) -> User | None:
        # Only the OIDC callback calls authenticate() with exactly these keywords. Without this guard a
        # password login posted to a URL carrying ?code=…&state=… would start a token exchange.
        if request is None or not franceconnect_enabled() or set(kwargs) != {"nonce", "code_verifier"}:
            return None
        self._jwks = None  # fetched once per login, shared by the ID token and userinfo checks
        user: User | None = super().authenticate(request, **kwargs)
        return user

    # --- Signed JWTs: ID token and userinfo ------------------------------------------------------

    def verify_token(self, token: Any, **kwargs: Any) -> dict[str, Any]:
        """The ID token: signature, iss, aud, exp, iat, then nonce and the guarantee level."""
        claims = self._decode(token, what="ID token", require=["iss", "aud", "exp", "iat", "sub"])
        nonce = kwargs.get("nonce")
        token_nonce = claims.get("nonce")
        if not nonce or not isinstance(token_nonce, str) or not constant_time_compare(token_nonce, nonce):
            raise FranceConnectError("ID token: nonce does not match the one sent")
        acr = claims.get("acr")
        if acr not in accepted_acr_values():
            raise FranceConnectError(
                f"ID token: acr {acr!r} is not one of {accepted_acr_values()}",
                gettext_lazy(
                    "FranceConnect n'a pas garanti votre identité au niveau demandé par ce site. "
                    "Veuillez réessayer en choisissant un autre compte pour vous identifier."
                ),
            )
        return claims

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """FranceConnect v2 answers userinfo with a signed JWT (application/jwt): anything else is refused."""
        response = requests.get(
            self.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
            proxies=self.get_settings("OIDC_PROXY", None),
        )
        response.raise_for_status()
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/jwt":
            raise FranceConnectError(f"userinfo: answer is {content_type!r}, not a signed JWT")
        claims = self._decode(response.text.strip(), what="userinfo", require=["iss", "aud", "sub"])
        # OpenID Connect Core 5.3.2: the userinfo sub MUST be the ID token's, or the answer is about someone else.
        if claims.get("sub") != payload.get("sub"):
            raise FranceConnectError("userinfo: sub differs from the ID token's")
        return claims

    def retrieve_matching_jwk(self, token: str) -> Any:
        """The provider key that signed ``token``, chosen by kid and alg in the JWKS.

        Overridden because mozilla-django-oidc's version fails with a KeyError (a server error) when
        the token or a key has no kid."""
        header = jwt.get_unverified_header(token)
        keys = self._fetch_jwks().get("keys")
        candidates = [
            key
            for key in (keys if isinstance(keys, list) else [])
            if isinstance(key, dict)
            and (header.get("kid") is None or key.get("kid") == header.get("kid"))
            and key.get("alg", header["alg"]) == header["alg"]
            and key.get("use", "sig") == "sig"
        ]
        if len(candidates) != 1:
            raise FranceConnectError(f"JWKS: {len(candidates)} keys match kid {header.get('kid')!r}")
        try:
            return jwt.PyJWK(candidates[0], algorithm=header["alg"]).key
        except jwt.PyJWTError as exc:
            raise FranceConnectError(f"JWKS: unusable key ({exc})") from exc

    def _fetch_jwks(self) -> dict[str, Any]:
        if self._jwks is None:
            response = requests.get(
                self.OIDC_OP_JWKS_ENDPOINT,
                verify=self.get_settings("OIDC_VERIFY_SSL", True),
                timeout=self.get_settings("OIDC_TIMEOUT", None),
                proxies=self.get_settings("OIDC_PROXY", None),
            )
            response.raise_for_status()
            jwks = response.json()
            if not isinstance(jwks, dict):
                raise FranceConnectError("JWKS: not a JSON object")
            self._jwks = jwks
        return self._jwks

    def _decode(self, token: Any, *, what: str, require: list[str]) -> dict[str, Any]:
        if not isinstance(token, str) or not token:
            raise FranceConnectError(f"{what}: missing")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise FranceConnectError(f"{what}: malformed ({exc})") from exc
        # The algorithm is fixed by the registration, never taken from the token (no "none", no HS256
        # with the public key as secret).
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise FranceConnectError(f"{what}: alg {header.get('alg')!r} instead of {self.OIDC_RP_SIGN_ALGO}")
        key = self.retrieve_matching_jwk(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.get_settings("OIDC_OP_ISSUER"),
                leeway=CLOCK_LEEWAY,
                options={"require": require},
            )
        except jwt.PyJWTError as exc:
            raise FranceConnectError(f"{what}: {exc}") from exc
        return claims

    # --- People: matched on sub, never on e-mail --------------------------------------------------

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        sub = claims.get("sub")
        return isinstance(sub, str) and 0 < len(sub) <= (FranceConnectIdentity._meta.get_field("sub").max_length or 0)

    def describe_user_by_claims(self, claims: dict[str, Any]) -> str:
        return f"FranceConnect sub {claims.get('sub')}"

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        return User.objects.filter(franceconnect__sub=claims["sub"])

    def create_user(self, claims: dict[str, Any]) -> User:
        """First FranceConnect login: an active account with the e-mail FranceConnect gives, unless a
        local account already uses that e-mail. Merging the two silently would hand that account to
        whoever controls the FranceConnect identity, so the person is told to log in with the password."""
        email = self._email(claims)
        if User.objects.filter(email__iexact=email).exists():
            raise FranceConnectError(
                "e-mail already used by a local account",
                gettext(
                    "Un compte existe déjà sur ce site avec l'adresse électronique %(email)s. Connectez-vous "
                    "avec cette adresse et votre mot de passe (ou « Mot de passe oublié » si vous l'avez perdu)."
                )
                % {"email": email},
            )
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, password=None, is_active=True)
                self._store_identity(user, claims)
        except IntegrityError as exc:  # the same e-mail or sub created meanwhile by a parallel request
            raise FranceConnectError(f"account creation raced: {exc}") from exc
        user.franceconnect_account_created = True  # type: ignore[attr-defined]  # read by the callback's message
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        """Each login refreshes the certified identity. The local e-mail stays: it is the login of the
        account, and FranceConnect's may have changed or be used by another account."""
        if not user.is_active:
            raise FranceConnectError(
                "account deactivated",
                gettext_lazy("Votre compte est désactivé. Contactez le service qui gère ce site."),
            )
        with transaction.atomic():
            self._store_identity(user, claims)
        return user

    def _email(self, claims: dict[str, Any]) -> str:
        email = str(claims.get("email") or "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise FranceConnectError(
                "no valid e-mail in the claims",
                gettext_lazy(
                    "FranceConnect n'a pas transmis d'adresse électronique valide : votre compte ne peut pas être "
                    "créé. Veuillez accepter de partager votre adresse électronique lors de la connexion."
                ),
            ) from None
        return email

    def _store_identity(self, user: User, claims: dict[str, Any]) -> None:
        given_name = str(claims.get("given_name") or "")
        family_name = str(claims.get("family_name") or "")
        FranceConnectIdentity.objects.update_or_create(
            sub=claims["sub"],
            defaults={
                "user": user,
                "given_name": given_name[:255],
                "family_name": family_name[:255],
                "birthdate": _parse_birthdate(claims.get("birthdate")),
                "claims": claims,
            },
        )
        # The names shown on the site are the certified ones, refreshed at each login.
        user.first_name, user.last_name = given_name[:150], family_name[:150]
        user.save(update_fields=["first_name", "last_name"])

    # --- Sessions and permissions -----------------------------------------------------------------

    def get_user(self, user_id: Any) -> User | None:
        # mozilla-django-oidc's get_user forgets is_active: a deactivated account would stay logged in.
        user: User | None = ModelBackend.get_user(self, user_id)
        return user

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False

    def with_perm(self, *args: Any, **kwargs: Any) -> QuerySet[User]:
        return User.objects.none()


def _parse_birthdate(value: Any) -> dt.date | None:
    """FranceConnect sends YYYY-MM-DD; a partly unknown date (e.g. day 00 for some people born
    abroad) stays only in the raw claims."""
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
