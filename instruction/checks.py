"""Deployment checks of the domain (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def antivirus_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.CLAMD_SOCKET or settings.CLAMD_URL:
        return []
    return [
        Warning(
            "No antivirus: uploaded files are served to agents without being scanned.",
            hint="Set CLAMD_SOCKET (clamd's unix socket) or CLAMD_URL (tcp://host:port).",
            id="instruction.W001",
        )
    ]
