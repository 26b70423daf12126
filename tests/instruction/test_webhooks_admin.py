"""Webhooks in the administration: subscribing, the secret, « Envoyer un événement de test »,
activation, and the read-only delivery log with its filters."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from instruction.models import OutboxMessage, WebhookDelivery, WebhookSubscription
from instruction.models.webhook import WebhookEvent
from tests.factories import UserFactory
from tests.instruction.webhook_receiver import receiver, verify

__all__ = ["receiver"]  # the fixture

CHANGELIST = "admin:instruction_webhooksubscription_changelist"


@pytest.fixture
def superuser_client(client: Any, db: Any) -> Any:
    client.force_login(UserFactory(email="admin@exemple.test", is_staff=True, is_superuser=True))
    return client


def make_subscription(cast: Any, url: str, **kwargs: Any) -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        teleservice=cast.teleservice, url=url, events=[WebhookEvent.DECIDED], **kwargs
    )


def run_action(client: Any, action: str, *subscriptions: WebhookSubscription) -> Any:
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [s.pk for s in subscriptions], "index": 0},
        follow=True,
    )


def test_webhook_admin_superuser_subscribes_a_url(superuser_client, cast):
    """The add form takes the téléservice, the URL and the events (checkboxes); the secret is
    generated and shown on the change page."""
    response = superuser_client.post(
        reverse("admin:instruction_webhooksubscription_add"),
        {
            "teleservice": cast.teleservice.pk,
            "url": "https://recepteur.exemple.test/hooks",
            "events": [WebhookEvent.TRANSMITTED, WebhookEvent.DECIDED],
            "description": "Logiciel financier",
            "active": "on",
        },
    )
    assert response.status_code == 302
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == [WebhookEvent.TRANSMITTED, WebhookEvent.DECIDED]
    page = superuser_client.get(reverse("admin:instruction_webhooksubscription_change", args=[subscription.pk]))
    content = page.content.decode()
    assert subscription.secret in content
    assert "Complément d&#x27;information demandé" in content  # the events' French labels


def test_webhook_admin_http_url_refused_in_french(superuser_client, cast):
    """A plain http:// URL to another machine is refused on its field."""
    response = superuser_client.post(
        reverse("admin:instruction_webhooksubscription_add"),
        {"teleservice": cast.teleservice.pk, "url": "http://recepteur.exemple.test/", "events": ["dossier.decided"]},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["url"] and "https://" in errors["url"][0]
    assert not WebhookSubscription.objects.exists()


def test_webhook_admin_send_test_event_reaches_receiver(superuser_client, cast, receiver, deliver_outbox):
    """« Envoyer un événement de test » writes a signed ``webhook.test`` message, delivered and logged."""
    subscription = make_subscription(cast, receiver.url)
    response = run_action(superuser_client, "send_test", subscription)
    assert "1 événement de test envoyé" in response.content.decode()
    [message] = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.WEBHOOK)
    deliver_outbox()

    [hit] = receiver.received
    verify(subscription.secret, hit.headers, hit.body)
    body = json.loads(hit.body)
    assert body["type"] == "webhook.test" and body["dossier"] is None
    assert body["teleservice"]["code"] == cast.teleservice.code
    logged = WebhookDelivery.objects.get()
    assert (logged.event, logged.outcome, logged.message_id) == ("webhook.test", "delivered", message.pk)


def test_webhook_admin_regenerate_secret_and_deactivate(superuser_client, cast):
    """« Régénérer le secret de signature » replaces the secret; « Désactiver » and « Activer » switch the flag."""
    subscription = make_subscription(cast, "https://recepteur.exemple.test/")
    old = subscription.secret
    run_action(superuser_client, "regenerate_secret", subscription)
    subscription.refresh_from_db()
    assert subscription.secret != old and subscription.secret.startswith("whsec_")

    response = run_action(superuser_client, "deactivate", subscription)
    assert "1 abonnement désactivé" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.active is False
    run_action(superuser_client, "activate", subscription)
    subscription.refresh_from_db()
    assert subscription.active is True


def test_webhook_admin_delivery_log_read_only_with_filters(superuser_client, cast):
    """The log lists the attempts, filters on outcome, subscription and event, and cannot be edited."""
    subscription = make_subscription(cast, "https://recepteur.exemple.test/")
    for attempt, outcome, status in [(1, "retry", 500), (2, "delivered", 200)]:
        WebhookDelivery.objects.create(
            subscription=subscription,
            webhook_id="msg_1",
            event="dossier.decided",
            dossier_reference="PJL-2026-000001",
            url=subscription.url,
            attempt=attempt,
            outcome=outcome,
            status_code=status,
            error="Réponse HTTP 500" if status == 500 else "",
        )
    url = reverse("admin:instruction_webhookdelivery_changelist")
    page = superuser_client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Échec, nouvelle tentative prévue" in content and "Livré" in content and "Décision prise" in content
    filtered = superuser_client.get(url, {"outcome": "retry", "event": "dossier.decided"})
    assert list(filtered.context["cl"].result_list) == [WebhookDelivery.objects.get(attempt=1)]
    assert superuser_client.get(reverse("admin:instruction_webhookdelivery_add")).status_code == 403
    delivery = WebhookDelivery.objects.get(attempt=1)
    change = superuser_client.post(reverse("admin:instruction_webhookdelivery_change", args=[delivery.pk]), {})
    assert change.status_code == 403


def test_webhook_admin_delivery_detail_opens_read_only(superuser_client, cast):
    """One attempt's page opens (read-only) with its address; found by the access matrix (it answered 500)."""
    subscription = make_subscription(cast, "https://recepteur.exemple.test/")
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        webhook_id="msg_1",
        event="dossier.decided",
        url=subscription.url,
        attempt=1,
        outcome="delivered",
        status_code=200,
    )
    page = superuser_client.get(reverse("admin:instruction_webhookdelivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert "https://recepteur.exemple.test/" in page.content.decode()
