"""The thread of messages between an applicant and the instructing service, one per dossier."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    dossier = models.ForeignKey("instruction.Dossier", on_delete=models.PROTECT, related_name="messages")
    # Null once the dossier is anonymised and the author was the applicant's side.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    from_service = models.BooleanField(_("écrit par le service instructeur"))
    body = models.TextField(_("message"))
    created = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["dossier", "created"], name="message_dossier_created")]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.created:%Y-%m-%d %H:%M}"


class ThreadReadMark(models.Model):
    """Up to when a person has read a dossier's thread: unread counts come from it."""

    dossier = models.ForeignKey("instruction.Dossier", on_delete=models.CASCADE, related_name="read_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dossier", "user"], name="unique_thread_read_mark")]

    def __str__(self) -> str:
        return f"{self.user} ← {self.dossier}"
