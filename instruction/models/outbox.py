from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A side effect written in the same transaction as the change that causes it,
    delivered afterwards by a Celery task. ``key`` makes writing and delivery idempotent."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Courrier électronique")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec définitif")

    key = models.CharField(_("clé d'idempotence"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    payload = models.JSONField(_("contenu"), encoder=DjangoJSONEncoder)
    dossier = models.ForeignKey(
        "instruction.Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="outbox_messages"
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created = models.DateTimeField(_("créé le"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message sortant")
        verbose_name_plural = _("messages sortants")
        indexes = [
            models.Index(fields=["next_attempt_at"], name="outbox_pending", condition=models.Q(status="pending"))
        ]

    def __str__(self) -> str:
        return self.key
