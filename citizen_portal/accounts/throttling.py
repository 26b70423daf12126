"""django-axes glue: which e-mail a login attempt is for, and until when it is locked out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone


def client_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The e-mail typed, normalised like accounts are (case, spaces): « A@x.fr » and « a@x.fr »
    are the same account, so they must share one failure counter."""
    if credentials:
        value = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        value = getattr(request, "POST", {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if not value:
        return None
    return str(value).strip().lower()


def cool_off() -> dt.timedelta:
    return get_cool_off() or dt.timedelta(0)


def locked_until(request: HttpRequest, credentials: dict[str, Any] | None = None) -> dt.datetime:
    """When the person may try again: the last recorded failure plus the cool-off (failures
    during a lockout are not recorded, see AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT)."""
    handler: Any = AxesProxyHandler.get_implementation()
    last = None
    for attempts in handler.get_user_attempts(request, credentials):
        found = attempts.aggregate(last=Max("attempt_time"))["last"]
        if found and (last is None or found > last):
            last = found
    return (last or timezone.now()) + cool_off()
