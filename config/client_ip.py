"""The client's IP address behind a known number of reverse proxies.

With TRUSTED_PROXY_COUNT=0 (default) it is REMOTE_ADDR. Behind N proxies that each append to
X-Forwarded-For, the client is the N-th address from the right: addresses further left were
written by the client itself and cannot be trusted (so they cannot be used to dodge throttling)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote  # not coming through the expected proxies
    return forwarded[-count]
