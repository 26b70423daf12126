"""Administration of webhooks: the subscriptions, and the log of every delivery attempt
(read-only). Registered from instruction/admin.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from instruction.models import WebhookDelivery, WebhookSubscription
from instruction.models.webhook import WebhookEvent
from instruction.webhooks import send_test_event


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(
        label=_("adresse de réception"),
        max_length=500,
        assume_scheme="https",
        help_text=_("En https://. Chaque envoi est signé avec le secret ci-dessous (voir la documentation)."),
    )
    events = forms.MultipleChoiceField(
        label=_("événements"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les événements envoyés à cette adresse."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["teleservice", "url", "events", "description", "active"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["teleservice", "url", "active", "event_list", "description", "created"]
    list_filter = ["active", "teleservice"]
    list_select_related = ["teleservice"]
    search_fields = ["url", "description"]
    fields = ["teleservice", "url", "events", "description", "active", "secret", "created"]
    readonly_fields = ["secret", "created"]
    actions = ["send_test", "regenerate_secret", "activate", "deactivate"]

    @admin.display(description=_("événements"))
    def event_list(self, subscription: WebhookSubscription) -> str:
        return ", ".join(str(WebhookEvent(e).label) for e in subscription.events if e in WebhookEvent.values)

    @admin.action(description=_("Envoyer un événement de test"), permissions=["change"])
    def send_test(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        subscriptions = list(queryset.select_related("teleservice"))
        for subscription in subscriptions:
            send_test_event(subscription)
        self.message_user(
            request,
            ngettext(
                "%(count)d événement de test envoyé : voyez le journal des webhooks.",
                "%(count)d événements de test envoyés : voyez le journal des webhooks.",
                len(subscriptions),
            )
            % {"count": len(subscriptions)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Régénérer le secret de signature"), permissions=["change"])
    def regenerate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        subscriptions = list(queryset)
        for subscription in subscriptions:
            subscription.regenerate_secret()
        self.message_user(
            request,
            ngettext(
                "Secret régénéré pour %(count)d abonnement : transmettez-le au destinataire.",
                "Secret régénéré pour %(count)d abonnements : transmettez-les aux destinataires.",
                len(subscriptions),
            )
            % {"count": len(subscriptions)},
            messages.WARNING,
        )

    @admin.action(description=_("Activer"), permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        count = queryset.filter(active=False).update(active=True)
        message = ngettext("%(count)d abonnement activé.", "%(count)d abonnements activés.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Désactiver"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        count = queryset.filter(active=True).update(active=False)
        message = ngettext("%(count)d abonnement désactivé.", "%(count)d abonnements désactivés.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The log is written by the outbox's worker only."""

    list_display = [
        "created",
        "event",
        "dossier_reference",
        "subscription",
        "attempt",
        "outcome",
        "status_code",
        "duration_ms",
        "error",
    ]
    list_filter = ["outcome", "subscription", "event"]
    # The read-only detail page still builds the model's form: without this, Django 5.2 warns that
    # URLField's default scheme changes in 6.0 (and the page fails where warnings are errors).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_select_related = ["subscription__teleservice"]
    search_fields = ["dossier_reference", "webhook_id", "url"]
    date_hierarchy = "created"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
