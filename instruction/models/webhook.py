"""Webhooks: an administrator subscribes a URL to a téléservice's events; each delivery attempt
is kept in a log (the sending itself is in instruction/webhooks.py, through the outbox)."""

from __future__ import annotations

import base64
import ipaddress
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    """The events a subscription can choose (a fixed list: receivers code against these names)."""

    TRANSMITTED = "dossier.transmitted", _("Dossier transmis")
    ASSIGNED = "dossier.assigned", _("Dossier pris en charge ou attribué à un agent")
    COMPLEMENT_REQUESTED = "dossier.complement_requested", _("Complément d'information demandé")
    COMPLEMENT_ANSWERED = "dossier.complement_answered", _("Complément transmis par le demandeur")
    COMPLEMENT_EXPIRED = "dossier.complement_expired", _("Échéance du complément dépassée")
    DECISION_PROPOSED = "dossier.decision_proposed", _("Décision proposée, en attente de validation")
    DECIDED = "dossier.decided", _("Décision prise")
    JURY_VISIT_SCHEDULED = "dossier.jury_visit_scheduled", _("Visite du jury programmée")


# The audit event actions (instruction/models/event.py) that make each webhook event.
EVENT_FOR_ACTION: dict[str, str] = {
    "transmit": WebhookEvent.TRANSMITTED,
    "take": WebhookEvent.ASSIGNED,
    "assign": WebhookEvent.ASSIGNED,
    "reassign": WebhookEvent.ASSIGNED,
    "request_complement": WebhookEvent.COMPLEMENT_REQUESTED,
    "answer_complement": WebhookEvent.COMPLEMENT_ANSWERED,
    "expire_complement": WebhookEvent.COMPLEMENT_EXPIRED,
    "propose_decision": WebhookEvent.DECISION_PROPOSED,
    "decide": WebhookEvent.DECIDED,
    "schedule_visit": WebhookEvent.JURY_VISIT_SCHEDULED,
}

# Sent by « Envoyer un événement de test »; not subscribable.
TEST_EVENT = "webhook.test"
LOGGED_EVENTS = [*WebhookEvent.choices, (TEST_EVENT, _("Événement de test"))]
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def generate_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_webhook_url(url: str) -> None:
    """HTTPS only (the payload and its signature travel in clear otherwise), except to this
    machine (tests, a local relay) or when WEBHOOK_ALLOW_HTTP says so."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and (is_loopback_host(parts.hostname) or settings.WEBHOOK_ALLOW_HTTP):
        return
    raise ValidationError(_("L'adresse doit commencer par https:// (http:// n'est accepté que vers cette machine)."))


class WebhookSubscription(models.Model):
    teleservice = models.ForeignKey(
        "instruction.Teleservice",
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        verbose_name=_("téléservice"),
    )
    url = models.URLField(_("adresse de réception"), max_length=500)
    events = ArrayField(
        models.CharField(max_length=50, choices=WebhookEvent.choices),
        verbose_name=_("événements"),
        help_text=_("Les événements envoyés à cette adresse."),
    )
    secret = models.CharField(_("secret de signature"), max_length=100, default=generate_secret, editable=False)
    active = models.BooleanField(
        _("actif"), default=True, help_text=_("Désactivé : aucun événement n'est plus écrit pour cette adresse.")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    created = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("abonnement webhook")
        verbose_name_plural = _("abonnements webhook")
        ordering = ["teleservice", "url"]
        indexes = [
            # The actions' one query: the active subscriptions of a téléservice.
            models.Index(fields=["teleservice"], name="webhook_sub_active", condition=models.Q(active=True))
        ]

    def __str__(self) -> str:
        return f"{self.teleservice} → {self.url}"

    def clean(self) -> None:
        super().clean()
        if self.url:
            try:
                check_webhook_url(self.url)
            except ValidationError as error:
                raise ValidationError({"url": error}) from None

    def regenerate_secret(self) -> None:
        self.secret = generate_secret()
        self.save(update_fields=["secret"])


class WebhookDelivery(models.Model):
    """One attempt to deliver one webhook message: the log shown in the administration."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("Livré")
        RETRY = "retry", _("Échec, nouvelle tentative prévue")
        FAILED = "failed", _("Échec définitif")

    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("abonnement"),
    )
    message = models.ForeignKey(
        "instruction.OutboxMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webhook_deliveries",
        verbose_name=_("message sortant"),
    )
    webhook_id = models.CharField(_("identifiant du message"), max_length=100, db_index=True)
    event = models.CharField(_("événement"), max_length=50, choices=LOGGED_EVENTS)
    dossier_reference = models.CharField(_("dossier"), max_length=20, blank=True)
    url = models.URLField(_("adresse"), max_length=500, blank=True)
    attempt = models.PositiveIntegerField(_("tentative"))
    outcome = models.CharField(_("résultat"), max_length=10, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField(_("code HTTP"), null=True, blank=True)
    response_excerpt = models.TextField(_("début de la réponse"), blank=True)
    error = models.TextField(_("erreur"), blank=True)
    duration_ms = models.PositiveIntegerField(_("durée (ms)"), default=0)
    created = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("envoi de webhook")
        verbose_name_plural = _("journal des webhooks")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.event} #{self.attempt} ({self.get_outcome_display()})"
