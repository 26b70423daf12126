"""An expert invited on one dossier: a guardian object permission on the dossier (direct
foreign-key rows) and the grant that says until when, by whom, and whether it was ended."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase


class DossierUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key permission rows for dossiers (guardian), instead of generic ones: there
    may be as many as dossiers, and a join on an integer key beats a cast of ``object_pk``."""

    content_object = models.ForeignKey("instruction.Dossier", on_delete=models.CASCADE)


class ExpertAccess(models.Model):
    """One expert's access to one dossier. Live while ``ended_at`` is empty and ``expires_at`` is
    in the future: access is refused from ``expires_at`` on, whether or not the hourly job has
    removed the permission yet (``permissions.access.expert_dossier_ids``)."""

    dossier = models.ForeignKey("instruction.Dossier", on_delete=models.PROTECT, related_name="expert_accesses")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_accesses")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("accordé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    note = models.TextField(_("note pour l'expert"), blank=True)
    # Set when an agent revokes the access (ended_by is the agent) or when the job removes an
    # expired one (ended_by is empty).
    ended_at = models.DateTimeField(_("fin de l'accès"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("accès d'un expert")
        verbose_name_plural = _("accès des experts")
        ordering = ["granted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "expert"], condition=models.Q(ended_at__isnull=True), name="one_live_expert_access"
            ),
        ]
        indexes = [
            # The expiry job: grants not ended yet, by expiry.
            models.Index(fields=["expires_at"], condition=models.Q(ended_at__isnull=True), name="expert_access_due"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} → {self.dossier}"

    def is_live(self, now: dt.datetime | None = None) -> bool:
        return self.ended_at is None and self.expires_at > (now or timezone.now())

    @property
    def last_day(self) -> dt.date:
        """The last day of access, as the agent chose it (« jusqu'au … inclus »)."""
        return timezone.localtime(self.expires_at - dt.timedelta(microseconds=1)).date()

    @property
    def was_revoked(self) -> bool:
        return self.ended_at is not None and self.ended_by_id is not None
