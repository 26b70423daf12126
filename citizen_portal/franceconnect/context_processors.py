"""Template flags: whether to offer the FranceConnect button, and whether the logout button must go
through FranceConnect's end of session."""

from __future__ import annotations

from django.http import HttpRequest

from citizen_portal.franceconnect.config import SESSION_FLAG, franceconnect_enabled


def franceconnect(request: HttpRequest) -> dict[str, bool]:
    enabled = franceconnect_enabled()
    return {
        "franceconnect_enabled": enabled,
        "franceconnect_session": enabled and bool(getattr(request, "session", {}).get(SESSION_FLAG)),
    }
