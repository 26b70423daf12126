"""A real OpenID Connect provider shaped like FranceConnect v2: the tests' provider on a random
loopback port, and the « FranceConnect de démonstration » of ``make demo`` (``python -m franceconnect_demo``).

Built with authlib's authorization server (authorization code grant with the OpenID extension,
signed userinfo endpoint, RP-initiated logout endpoint) in a small Flask app, served by werkzeug
(in a background thread for the tests, in the foreground for the demo). Endpoints are under /api/v2/
like FranceConnect's: authorize, token, userinfo (a signed JWT), session/end, jwks.

By default the authorize endpoint approves at once, for the identity in ``provider.behaviour.identity``
(what the tests need). With ``choose_identity=True`` (the demo) it shows a French page listing the
fictitious identities of :mod:`franceconnect_demo.identities`, one form per identity: the person's
choice is POSTed back to the authorize endpoint, which then redirects to the site with a code.

Each test can make it misbehave through ``provider.behaviour`` (see :class:`Behaviour`).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from authlib.common.urls import add_params_to_uri
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oidc.core import OpenIDCode, UserInfo, UserInfoEndpoint
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import Flask, abort, jsonify, render_template, request
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server

from franceconnect_demo import identities as demo_identities

ALG = "RS256"
KID = "cle-de-test"
# The client of `make demo`: fixed, public demonstration values.
DEMO_CLIENT_ID = "demo-mes-services-publics"
DEMO_CLIENT_SECRET = "demo-secret-non-confidentiel"  # noqa: S105  (a documented demo value, not a secret)
DEMO_CLIENT_NAME = "Mes services publics"
# The site's redirect URIs (citizen_portal/franceconnect/urls.py).
CALLBACK_PATH = "/franceconnect/retour/"
LOGOUT_CALLBACK_PATH = "/franceconnect/deconnexion/retour/"


def default_identity() -> dict[str, Any]:
    """An identity as FranceConnect's integration platform returns it (the first demo identity)."""
    return demo_identities.identities()[0]


def identity_rows(identity: dict[str, Any]) -> list[tuple[str, str]]:
    """What the choice page shows of an identity, in French."""
    rows = [("Prénoms", identity.get("given_name", "")), ("Nom de naissance", identity.get("family_name", ""))]
    if identity.get("preferred_username"):
        rows.append(("Nom d'usage", identity["preferred_username"]))
    gender = {"female": "Femme", "male": "Homme"}.get(identity.get("gender", ""), identity.get("gender", ""))
    country = identity.get("birthcountry", "")
    rows += [
        ("Sexe", gender),
        ("Date de naissance", demo_identities.french_date(identity.get("birthdate", ""))),
        ("Lieu de naissance (code INSEE)", identity.get("birthplace", "")),
        ("Pays de naissance", f"{demo_identities.COUNTRIES.get(country, country)} ({country})"),
        ("Adresse électronique", identity.get("email", "")),
    ]
    return [(label, str(value)) for label, value in rows]


class QuietHandler(WSGIRequestHandler):
    """No access log on the test output nor on the demo's terminal."""

    def log(self, type: str, message: str, *args: Any) -> None:
        pass


@dataclass
class Behaviour:
    """What the provider does for the next flows. The defaults are a well-behaved FranceConnect."""

    identity: dict[str, Any] = field(default_factory=default_identity)
    acr: str | None = None  # None: the acr_values asked for (as FranceConnect does)
    nonce: str | None = None  # set: put this nonce in the ID token instead of the one asked for
    authorize_error: str | None = None  # e.g. "access_denied": redirect back with this error
    bad_signature: bool = False  # sign ID token and userinfo with a key that is not the published one
    issuer: str | None = None  # set: a wrong iss in the ID token
    audience: str | None = None  # set: a wrong aud in the ID token
    id_token_lifetime: int = 60  # seconds; negative for an already expired ID token
    userinfo_sub: str | None = None  # set: userinfo about another sub than the ID token's
    userinfo_unsigned: bool = False  # answer userinfo with plain JSON instead of a signed JWT


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    id_token_signed_response_alg: str = ALG
    client_name: str = DEMO_CLIENT_NAME  # shown on the choice page

    @property
    def client_metadata(self) -> dict[str, Any]:
        return {"userinfo_signed_response_alg": ALG, "post_logout_redirect_uris": self.post_logout_redirect_uris}

    # authlib's ClientMixin
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_post" if endpoint == "token" else True

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


def demo_client(site: str) -> Client:
    """The demo client, registered with the redirect URIs of the site at ``site`` (e.g. http://127.0.0.1:8000)."""
    site = site.rstrip("/")
    return Client(
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        redirect_uris=[site + CALLBACK_PATH],
        post_logout_redirect_uris=[site + LOGOUT_CALLBACK_PATH],
        client_name=DEMO_CLIENT_NAME,
    )


@dataclass
class Person:
    sub: str
    claims: dict[str, Any]


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    acr: str | None
    user: Person
    auth_time: int

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return self.acr

    def get_amr(self) -> list[str] | None:
        return None


@dataclass
class Token:
    access_token: str
    scope: str
    user: Person
    client: Client
    issued_at: int
    expires_in: int

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return False

    def get_user(self) -> Person:
        return self.user

    def get_client(self) -> Client:
        return self.client

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client.client_id


class OIDCProvider:
    """``OIDCProvider().start()`` for the tests (random port, auto-approval, background thread);
    ``OIDCProvider(port=8001, choose_identity=True).serve_forever()`` for the demo. Binding happens in
    the constructor: a port already taken raises OSError there."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, choose_identity: bool = False) -> None:
        # Bound first, so that a port already taken fails at once with OSError (werkzeug's own bind would
        # print and exit); werkzeug then serves on its own duplicate of this socket.
        with socket.create_server((host, port)) as listening:
            self.choose_identity = choose_identity  # show the identity choice page instead of auto-approving
            self.identities = demo_identities.identities()  # the identities offered on that page
            self.key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": ALG})
            # Same kid as the published key, so only the signature check can tell them apart.
            self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": ALG})
            self.behaviour = Behaviour()
            self.clients: dict[str, Client] = {}
            self.codes: dict[str, AuthorizationCode] = {}
            self.tokens: dict[str, Token] = {}
            self.used_nonces: set[str] = set()
            self.requests: list[tuple[str, dict[str, str]]] = []  # (endpoint, parameters), for assertions
            self.ended_sessions: list[dict[str, Any]] = []
            self.app = self._build_app()
            port = listening.getsockname()[1]
            self._server = make_server(
                host, port, self.app, threaded=True, request_handler=QuietHandler, fd=listening.fileno()
            )
            self.base_url = f"http://{host}:{self._server.port}"
            self.issuer = f"{self.base_url}/api/v2"
            self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-provider", daemon=True)

    # --- lifecycle and configuration ------------------------------------------------------------

    def start(self) -> OIDCProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the demo)."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def reset(self) -> None:
        self.behaviour = Behaviour()
        self.clients.clear()
        self.codes.clear()
        self.tokens.clear()
        self.used_nonces.clear()
        self.requests.clear()
        self.ended_sessions.clear()

    def register_client(self, client: Client) -> None:
        self.clients[client.client_id] = client

    def sites(self) -> list[tuple[str, str]]:
        """(name, home page) of each registered client, from its first redirect URI: the links back."""
        found: dict[str, str] = {}
        for client in self.clients.values():
            parts = urlsplit(client.get_default_redirect_uri())
            found.setdefault(f"{parts.scheme}://{parts.netloc}/", client.client_name)
        return [(name, url) for url, name in found.items()]

    def endpoint(self, name: str) -> str:
        return f"{self.issuer}/{name}"

    def signing_keys(self) -> KeySet:
        return KeySet([self.rogue_key if self.behaviour.bad_signature else self.key])

    def published_keys(self) -> KeySet:
        return KeySet([self.key])

    # --- the Flask app ---------------------------------------------------------------------------

    def _build_app(self) -> Flask:
        provider = self
        app = Flask("franceconnect_demo")
        app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": 60}

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post"]

            def save_authorization_code(self, code: str, request: Any) -> None:
                data = request.payload.data
                provider.used_nonces.add(data["nonce"])
                provider.codes[code] = AuthorizationCode(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=request.payload.redirect_uri,
                    scope=request.scope,
                    nonce=data.get("nonce"),
                    acr=data.get("acr_values"),
                    user=request.user,
                    auth_time=int(time.time()),
                )

            def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: AuthorizationCode) -> Person:
                return authorization_code.user

        class FranceConnectOpenIDCode(OpenIDCode):
            def exists_nonce(self, nonce: str, request: Any) -> bool:
                return nonce in provider.used_nonces

            def resolve_client_private_key(self, client: Client) -> KeySet:
                return provider.signing_keys()

            def get_client_claims(self, client: Client) -> dict[str, Any]:
                now = int(time.time())
                return {
                    "iss": provider.behaviour.issuer or provider.issuer,
                    "aud": provider.behaviour.audience or client.client_id,
                    "iat": now,
                    "exp": now + provider.behaviour.id_token_lifetime,
                }

            def get_authorization_code_claims(self, authorization_code: AuthorizationCode) -> dict[str, Any]:
                claims: dict[str, Any] = super().get_authorization_code_claims(authorization_code)
                if provider.behaviour.nonce is not None:
                    claims["nonce"] = provider.behaviour.nonce
                if provider.behaviour.acr is not None:
                    claims["acr"] = provider.behaviour.acr
                return claims

            def generate_user_info(self, user: Person, scope: str) -> UserInfo:
                # Like FranceConnect, the ID token carries only sub; the identity comes from userinfo.
                return UserInfo(sub=user.sub)

        class TokenValidator(BearerTokenValidator):
            def authenticate_token(self, token_string: str) -> Token | None:
                return provider.tokens.get(token_string)

        class SignedUserInfo(UserInfoEndpoint):
            def get_issuer(self) -> str:
                return provider.issuer

            def resolve_private_key(self) -> KeySet:
                return provider.signing_keys()

            def get_supported_algorithms(self) -> list[str]:
                return [ALG]

            def generate_user_info(self, user: Person, scope: str) -> UserInfo:
                scopes = set(scope.split())
                claims = {name: value for name, value in user.claims.items() if name in scopes}
                claims["sub"] = provider.behaviour.userinfo_sub or user.sub
                return UserInfo(claims)

            def __call__(self, request: Any) -> tuple[int, Any, list[tuple[str, str]]]:
                if provider.behaviour.userinfo_unsigned:
                    token = self.resource_protector.acquire_token("openid")
                    claims = dict(self.generate_user_info(token.get_user(), token.scope))
                    return 200, claims, [("Content-Type", "application/json")]
                result: tuple[int, Any, list[tuple[str, str]]] = super().__call__(request)
                return result

        class EndSession(EndSessionEndpoint):
            def get_server_jwks(self) -> KeySet:
                return provider.published_keys()

            def end_session(self, end_session_request: Any) -> None:
                provider.ended_sessions.append(dict(end_session_request.id_token_claims or {}))

        def save_token(token: dict[str, Any], request: Any) -> None:
            provider.tokens[token["access_token"]] = Token(
                access_token=token["access_token"],
                scope=token["scope"],
                user=request.user,
                client=request.client,
                issued_at=int(time.time()),
                expires_in=int(token["expires_in"]),
            )

        server = AuthorizationServer(app, query_client=self.clients.get, save_token=save_token)
        server.register_grant(CodeGrant, [FranceConnectOpenIDCode(require_nonce=True)])
        protector = ResourceProtector()
        protector.register_token_validator(TokenValidator())
        server.register_endpoint(SignedUserInfo(resource_protector=protector))
        server.register_endpoint(EndSession)

        def page_error(error: OAuth2Error) -> Any:
            """An error on a page the browser shows: back to the site when authlib can redirect there; else,
            in the demo, a French page (the tests keep authlib's JSON answer)."""
            if error.redirect_uri or not provider.choose_identity:
                return server.handle_error_response(None, error)
            return refused(f"{error.error} — {error.description}" if error.description else str(error.error))

        def refused(detail: str, status: int = 400) -> Any:
            return render_template("erreur.html", detail=detail, sites=provider.sites()), status

        @app.get("/")
        def home() -> Any:
            return render_template("accueil.html", provider=provider, sites=provider.sites())

        @app.get("/api/v2/authorize")
        def authorize() -> Any:
            provider.requests.append(("authorize", request.args.to_dict()))
            if provider.choose_identity:
                try:
                    grant = server.get_consent_grant(end_user=None)
                except OAuth2Error as error:
                    return page_error(error)
                return render_template(
                    "choisir.html",
                    client_name=getattr(grant.client, "client_name", DEMO_CLIENT_NAME),
                    identities=[(identity, identity_rows(identity)) for identity in provider.identities],
                    action=request.full_path,
                )
            identity = dict(provider.behaviour.identity)
            person = Person(sub=identity["sub"], claims=identity)
            try:
                grant = server.get_consent_grant(end_user=person)
            except OAuth2Error as error:
                return server.handle_error_response(None, error)
            refusal = provider.behaviour.authorize_error
            if refusal == "access_denied":  # the person cancelled: authlib's own refusal
                return server.create_authorization_response(grant=grant, grant_user=None)
            if refusal:
                params = {
                    "error": refusal,
                    "error_description": "Erreur de test",
                    "state": request.args.get("state", ""),
                }
                return app.redirect(add_params_to_uri(grant.redirect_uri, params))
            return server.create_authorization_response(grant=grant, grant_user=person)

        @app.post("/api/v2/authorize")
        def choose() -> Any:
            """The choice page's forms: the authorization request in the query string (the page's own URL),
            the chosen identity (``identite``, its sub) or ``annuler`` in the body."""
            provider.requests.append(("authorize/choice", request.form.to_dict()))
            if not provider.choose_identity:
                abort(405)
            chosen = next((i for i in provider.identities if i["sub"] == request.form.get("identite")), None)
            person = Person(sub=chosen["sub"], claims=dict(chosen)) if chosen else None
            try:
                grant = server.get_consent_grant(end_user=person)
            except OAuth2Error as error:
                return page_error(error)
            if "annuler" in request.form:  # back to the site with error=access_denied
                return server.create_authorization_response(grant=grant, grant_user=None)
            if person is None:
                return refused("Identité inconnue : revenez en arrière et choisissez l'une des identités proposées.")
            return server.create_authorization_response(grant=grant, grant_user=person)

        @app.post("/api/v2/token")
        def token() -> Any:
            provider.requests.append(("token", request.form.to_dict()))
            return server.create_token_response()

        @app.get("/api/v2/userinfo")
        def userinfo() -> Any:
            provider.requests.append(("userinfo", {}))
            return server.create_endpoint_response("userinfo")

        @app.get("/api/v2/session/end")
        def session_end() -> Any:
            provider.requests.append(("session/end", request.args.to_dict()))
            try:
                end_request = server.validate_endpoint_request("end_session")
            except OAuth2Error as error:
                if not provider.choose_identity:
                    return server.handle_error_response(None, error)
                # e.g. an ID token signed before the demo provider restarted (a new key at each start)
                return render_template("deconnecte.html", confirmed=False, sites=provider.sites()), 400
            return server.create_endpoint_response("end_session", end_request) or render_template(
                "deconnecte.html", confirmed=True, sites=provider.sites()
            )

        @app.get("/api/v2/jwks")
        def jwks() -> Any:
            provider.requests.append(("jwks", {}))
            return jsonify(provider.published_keys().as_dict(private=False))

        @app.get("/api/v2/.well-known/openid-configuration")
        def configuration() -> Any:
            return jsonify(
                issuer=provider.issuer,
                authorization_endpoint=provider.endpoint("authorize"),
                token_endpoint=provider.endpoint("token"),
                userinfo_endpoint=provider.endpoint("userinfo"),
                end_session_endpoint=provider.endpoint("session/end"),
                jwks_uri=provider.endpoint("jwks"),
                id_token_signing_alg_values_supported=[ALG],
                userinfo_signing_alg_values_supported=[ALG],
                acr_values_supported=["eidas1"],
            )

        return app
