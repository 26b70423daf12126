"""API tokens: a key shown once, stored as its SHA-256 (a random 256-bit key needs no slow hash:
there is nothing to guess), belonging to an agent or a dedicated integration account."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "tsk_"  # recognisable in logs and by secret scanners
LOOKUP_LENGTH = 8  # characters of the key kept in clear, to tell tokens apart in the admin


class Scope(models.TextChoices):
    READ = "read", _("Lecture")
    INSTRUCT = "instruct", _("Instruction")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("compte")
    )
    name = models.CharField(_("nom"), max_length=100, help_text=_("Par exemple le logiciel qui l'utilise."))
    prefix = models.CharField(_("début de la clé"), max_length=LOOKUP_LENGTH + len(KEY_PREFIX), editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = ArrayField(models.CharField(max_length=20, choices=Scope.choices), verbose_name=_("portées"))
    created = models.DateTimeField(_("créé le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(
        cls, user: Any, *, name: str, scopes: list[str], expires_at: dt.datetime | None = None
    ) -> tuple[ApiToken, str]:
        """A new token and its key, which is never stored and cannot be shown again."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=key[: len(KEY_PREFIX) + LOOKUP_LENGTH],
            key_hash=hash_key(key),
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
        )
        return token, key

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
