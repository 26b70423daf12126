"""Refuse an oversized request body from its Content-Length, before anything reads it.

Django keeps a form's fields in memory up to DATA_UPLOAD_MAX_MEMORY_SIZE but streams files to
disk whatever their total, and Django REST framework reads a JSON body without that limit. This
middleware answers 413 at once when the announced length is over the limit: REQUEST_MAX_BODY_MB
for a multipart form (files included), DATA_UPLOAD_MAX_MEMORY_SIZE for any other body. Under
WSGI a body without Content-Length (chunked) is never read by Django (it counts as empty), so
the announced length is the whole of what can be read.

It sits after the authentication middleware so that the 413 page has its usual header, and acts
in ``__call__``, before any view or ``process_view`` (CSRF's reads the form) runs."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from config.errors import payload_too_large


def body_limit(request: HttpRequest) -> int:
    if request.content_type == "multipart/form-data":
        return int(settings.REQUEST_MAX_BODY_MB) * 1024 * 1024
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def announced_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # what Django's WSGIRequest reads then: nothing


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if announced_length(request) > body_limit(request):
            return payload_too_large(request)
        return self.get_response(request)
