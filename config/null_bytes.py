"""Refuse a URL holding a NUL byte (raw or %00) with a French 400 page.

No address of the site and no query parameter can contain one, and PostgreSQL refuses NUL in a
text parameter: a reference or a filter read from the URL reached the database and the person
got a 500. Forms are not checked here: their fields refuse NUL themselves (Django's CharField),
next to the field, keeping what was typed."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse

from config.errors import refused_url


def has_null_byte(request: HttpRequest) -> bool:
    query = request.META.get("QUERY_STRING", "")
    return "\x00" in request.path_info or "\x00" in unquote(query)


class NullByteMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_null_byte(request):
            return refused_url(request)
        return self.get_response(request)
