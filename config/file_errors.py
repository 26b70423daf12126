"""A file the antivirus has not cleared (``instruction.files.FileNotReady``), asked for from a
page: a French page saying why, with 409 Conflict, instead of a 500. The API answers the same
as problem details (api/problems.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from instruction.files import FileNotReady


class FileNotReadyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, FileNotReady):
            return None
        response = render(request, "files/not_ready.html", {"message": exception.message}, status=409)
        response["Cache-Control"] = "private, no-store"
        return response
