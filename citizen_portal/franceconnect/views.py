"""FranceConnect pages: start the login, come back from it, log out through it.

Every page answers 404 while FranceConnect is not configured (no FRANCECONNECT_CLIENT_ID)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.crypto import constant_time_compare, get_random_string
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from citizen_portal.franceconnect.backend import GENERIC_FAILURE, FranceConnectError
from citizen_portal.franceconnect.config import ID_TOKEN_KEY, LOGOUT_STATE_KEY, SESSION_FLAG, franceconnect_enabled

logger = logging.getLogger(__name__)

EXPIRED_REQUEST = _(
    "Votre demande de connexion avec FranceConnect a expiré ou n'est pas valide. Veuillez cliquer à nouveau "
    "sur « S’identifier avec FranceConnect »."
)


class FranceConnectMixin:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not franceconnect_enabled():
            raise Http404
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return response


class LoginView(FranceConnectMixin, OIDCAuthenticationRequestView):
    """Redirects to FranceConnect's authorize endpoint with state, nonce, acr_values and prompt."""


class CallbackView(FranceConnectMixin, OIDCAuthenticationCallbackView):
    """Where FranceConnect sends the person back. Every failure ends on the login page with a French
    message: never mozilla-django-oidc's 400 on a bad state, nor a 500 when the provider misbehaves."""

    failure_message: str | Promise = GENERIC_FAILURE

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        states = request.session.get("oidc_states")
        known_state = isinstance(states, dict) and state in states
        if "error" in request.GET:
            # FranceConnect v2 sends the person back with an error (cancelled, refused consent…).
            # The state is spent so it cannot be replayed; a logged-in person stays logged in.
            if isinstance(states, dict) and states.pop(state, None) is not None:
                request.session.modified = True
            logger.info("FranceConnect returned error %r", request.GET.get("error"))
            if request.GET.get("error") == "access_denied":
                self.failure_message = _("Vous avez annulé la connexion avec FranceConnect.")
            return self.login_failure()
        if not request.GET.get("code") or not known_state:
            self.failure_message = EXPIRED_REQUEST
            return self.login_failure()
        try:
            response: HttpResponse = super().get(request)
        except FranceConnectError as exc:
            logger.warning("FranceConnect login refused: %s", exc)
            self.failure_message = exc.user_message
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError, ValueError) as exc:
            logger.warning("FranceConnect login failed: %r", exc)
        except Exception:
            # An answer of the provider shaped in a way nobody foresaw: the person gets the login page
            # and a message rather than a server error; the traceback goes to the logs.
            logger.exception("FranceConnect login failed unexpectedly")
        else:
            return response
        return self.login_failure()

    def login_failure(self) -> HttpResponse:
        messages.error(self.request, str(self.failure_message))
        return HttpResponseRedirect(resolve_url(self.failure_url))

    def login_success(self) -> HttpResponse:
        # auth.login() flushes the session when another account was logged in: keep the ID token,
        # which the logout at FranceConnect needs.
        id_token = self.request.session.get(ID_TOKEN_KEY)
        response: HttpResponse = super().login_success()
        if id_token:
            self.request.session[ID_TOKEN_KEY] = id_token
        self.request.session[SESSION_FLAG] = True
        if getattr(self.user, "franceconnect_account_created", False):
            messages.success(self.request, _("Votre compte a été créé et activé avec votre identité FranceConnect."))
        else:
            messages.success(self.request, _("Vous êtes connecté avec FranceConnect."))
        return response


class LogoutView(FranceConnectMixin, View):
    """Ends the local session, then FranceConnect's (session/end with id_token_hint, state and
    post_logout_redirect_uri). Without a FranceConnect ID token in the session it is the usual logout."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        id_token = request.session.get(ID_TOKEN_KEY)
        through_franceconnect = bool(request.session.get(SESSION_FLAG) and id_token)
        auth.logout(request)
        if not through_franceconnect:
            return redirect(settings.LOGOUT_REDIRECT_URL)
        state = get_random_string(32)
        request.session[LOGOUT_STATE_KEY] = state  # in the new, anonymous session that logout() started
        params = {
            "id_token_hint": id_token,
            "state": state,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("franceconnect:logout_callback")),
        }
        return HttpResponseRedirect(f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(params)}")


class LogoutCallbackView(FranceConnectMixin, View):
    """Where FranceConnect sends the person back after its logout. The local session ended before
    leaving; this page only confirms, and never logs anyone out (a link must not end a session)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        expected = request.session.pop(LOGOUT_STATE_KEY, None)
        state = request.GET.get("state", "")
        if request.user.is_authenticated:
            pass  # logged in again meanwhile, or a forged link: nothing to confirm
        elif isinstance(expected, str) and state and constant_time_compare(state, expected):
            messages.success(request, _("Vous êtes déconnecté de ce site et de FranceConnect."))
        else:
            logger.warning("FranceConnect logout callback with an unexpected state")
            messages.warning(
                request,
                _(
                    "La déconnexion de FranceConnect n'a pas pu être confirmée. Vous êtes bien déconnecté de ce "
                    "site ; pour vous déconnecter aussi de FranceConnect, fermez votre navigateur."
                ),
            )
        return redirect(settings.LOGOUT_REDIRECT_URL)
