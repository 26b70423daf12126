"""django-csp's middleware, with the FranceConnect provider added to form-action when FranceConnect
is on: the login and the logout go through the provider (a form posts here, the answer redirects
there, and form-action covers the redirect). Read at each response, as the other FranceConnect
settings are."""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from citizen_portal.franceconnect.config import franceconnect_enabled


def provider_origins() -> list[str]:
    """The origins of FranceConnect's authorize and session/end endpoints (FRANCECONNECT_BASE_URL)."""
    origins = []
    for url in (settings.OIDC_OP_AUTHORIZATION_ENDPOINT, settings.OIDC_OP_LOGOUT_ENDPOINT):
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in origins:
            origins.append(origin)
    return origins


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and franceconnect_enabled():
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", []), *provider_origins()]
            parts.update = update
        return parts
