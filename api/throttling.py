"""Rate limit per token (DRF throttling), read from API_RATE_LIMIT at each request."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_rate(self) -> str | None:
        return str(settings.API_RATE_LIMIT)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            return None  # refused before: authentication or permission
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
