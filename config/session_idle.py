"""Sessions that end after SESSION_IDLE_MINUTES without a request.

The session's expiry (SESSION_COOKIE_AGE after its last save) is pushed back by saving it again,
at most once a minute: one UPDATE of django_session a minute per active person, rather than one
per request (SESSION_SAVE_EVERY_REQUEST). The idle limit is thus met to within a minute."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REFRESHED = "_idle_refreshed"
REFRESH_SECONDS = 60


class SessionIdleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if session.modified or now - int(session.get(REFRESHED, 0)) >= REFRESH_SECONDS:
                session[REFRESHED] = now
        return response


def mark_refreshed_at_login(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """A login saves the session anyway: the next minute needs no other save."""
    request.session[REFRESHED] = int(time.time())
