"""Webhooks: written with the action, only for subscribed téléservices and events, signed,
delivered through the outbox to a real receiver on loopback, retried, logged, never lost."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from instruction import actions, webhooks
from instruction.models import DossierStatus, OutboxMessage, WebhookDelivery, WebhookSubscription
from instruction.models.webhook import WebhookEvent
from instruction.tasks import deliver_outbox as deliver_task
from tests.factories import filed_dossier
from tests.instruction.webhook_receiver import InvalidSignature, receiver, verify

__all__ = ["receiver"]  # the fixture, imported for its side effect

S = DossierStatus
Outcome = WebhookDelivery.Outcome


@pytest.fixture(autouse=True)
def _locmem_mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def subscribe(teleservice: Any, url: str, *events: str, **kwargs: Any) -> WebhookSubscription:
    subscription = WebhookSubscription(teleservice=teleservice, url=url, events=list(events), **kwargs)
    subscription.full_clean()
    subscription.save()
    return subscription


def webhook_messages() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=OutboxMessage.Kind.WEBHOOK).order_by("pk"))


def decide(dossier: Any, cast: Any) -> None:
    actions.take(dossier, acting_user=cast.agent)
    actions.decide(dossier, acting_user=cast.agent, outcome=S.REJECTED, motivation="Quotient familial trop élevé.")


# --- Delivery to a subscribed receiver ---------------------------------------------------------


def test_webhook_transmit_subscribed_receiver_gets_signed_payload_once(cast, receiver, deliver_outbox):
    """A transmission on a subscribed téléservice reaches the receiver once, signed with the
    subscription's secret, with the reference and the status but no personal data."""
    subscription = subscribe(cast.teleservice, receiver.url, WebhookEvent.TRANSMITTED)
    dossier = filed_dossier(cast.teleservice, cast.applicant)

    [message] = webhook_messages()
    assert message.dossier_id == dossier.pk and message.status == OutboxMessage.Status.PENDING
    deliver_outbox()
    assert deliver_task(message.pk) == "skipped"  # a redelivered Celery task sends nothing more

    [hit] = receiver.received
    verify(subscription.secret, hit.headers, hit.body)
    assert hit.headers["content-type"].startswith("application/json")
    body = json.loads(hit.body)
    assert body["id"] == hit.headers["webhook-id"] == message.payload["webhook_id"]
    assert body["type"] == "dossier.transmitted"
    assert body["teleservice"]["code"] == "PJL"
    assert body["dossier"]["reference"] == dossier.reference
    assert (body["dossier"]["status"], body["dossier"]["status_label"]) == ("transmitted", "Transmis")
    assert body["dossier"]["previous_status"] == "draft"
    assert body["dossier"]["url"].endswith(f"/instruction/dossiers/{dossier.reference}/")
    assert timezone.datetime.fromisoformat(body["occurred_at"])
    text = hit.body.decode()
    assert cast.applicant.email not in text and cast.applicant.last_name not in text
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    [logged] = WebhookDelivery.objects.all()
    assert (logged.outcome, logged.status_code, logged.attempt) == (Outcome.DELIVERED, 200, 1)
    assert (logged.event, logged.dossier_reference, logged.subscription) == (
        "dossier.transmitted",
        dossier.reference,
        subscription,
    )
    assert logged.response_excerpt == "ok" and logged.error == ""


def test_webhook_decide_subscribed_to_decisions_only(cast, receiver, deliver_outbox):
    """A subscription to decisions gets nothing at transmission or when taken, one message
    at the decision, with the outcome as status."""
    subscription = subscribe(cast.teleservice, receiver.url, WebhookEvent.DECIDED)
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    assert webhook_messages() == []

    actions.decide(dossier, acting_user=cast.agent, outcome=S.REJECTED, motivation="Quotient familial trop élevé.")
    deliver_outbox()

    [hit] = receiver.received
    verify(subscription.secret, hit.headers, hit.body)
    body = json.loads(hit.body)
    assert body["type"] == "dossier.decided"
    assert (body["dossier"]["status"], body["dossier"]["status_label"]) == ("rejected", "Refusé")
    assert body["dossier"]["decided_at"]
    assert "Quotient" not in hit.body.decode()  # the motivation stays with the applicant's letter


def test_webhook_two_subscriptions_each_get_their_own_signature(cast, receiver, deliver_outbox):
    """Two subscriptions of the téléservice each get the event, signed with their own secret."""
    first = subscribe(cast.teleservice, receiver.url, WebhookEvent.TRANSMITTED)
    second = subscribe(cast.teleservice, receiver.url + "/bis", WebhookEvent.TRANSMITTED, WebhookEvent.DECIDED)
    filed_dossier(cast.teleservice, cast.applicant)
    deliver_outbox()

    by_path = {json.loads(hit.body)["id"]: hit for hit in receiver.received}
    assert len(by_path) == 2
    secrets = {m.payload["webhook_id"]: m.payload["subscription"] for m in webhook_messages()}
    for webhook_id, hit in by_path.items():
        subscription = first if secrets[webhook_id] == first.pk else second
        verify(subscription.secret, hit.headers, hit.body)
        other = second if subscription is first else first
        with pytest.raises(InvalidSignature):
            verify(other.secret, hit.headers, hit.body)


def test_webhook_bulk_assign_writes_one_message_per_dossier(cast, receiver):
    """« Attribuer la sélection » writes one webhook per dossier, from one subscription query."""
    subscribe(cast.teleservice, receiver.url, WebhookEvent.ASSIGNED)
    dossiers = [filed_dossier(cast.teleservice, cast.applicant) for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        actions.bulk_assign(
            [d.reference for d in dossiers], acting_user=cast.supervisor, agent=cast.agent, reason="Charge."
        )
    assert sorted(m.payload["reference"] for m in webhook_messages()) == sorted(d.reference for d in dossiers)
    assert all(json.loads(m.payload["body"])["dossier"]["status"] == "in_instruction" for m in webhook_messages())
    assert len([q for q in queries.captured_queries if "webhooksubscription" in q["sql"]]) == 1


# --- Receivers that fail: retried, logged, then failed — never lost silently --------------------


def test_webhook_receiver_500_then_200_retried_and_delivered(cast, receiver, deliver_outbox):
    """A 500 is a failed attempt, logged, retried later with the outbox's backoff; the retry
    carries the same id and body, freshly signed, and is delivered."""
    subscription = subscribe(cast.teleservice, receiver.url, WebhookEvent.TRANSMITTED)
    receiver.script = [500]
    filed_dossier(cast.teleservice, cast.applicant)
    [message] = webhook_messages()

    before = timezone.now()
    assert deliver_task(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING and message.attempts == 1
    assert message.next_attempt_at > before
    assert "HTTP 500" in message.last_error

    assert deliver_task(message.pk) == "sent"  # what sweep_outbox does once the delay is over
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 2

    first, second = receiver.received
    assert first.body == second.body and first.headers["webhook-id"] == second.headers["webhook-id"]
    for hit in (first, second):
        verify(subscription.secret, hit.headers, hit.body)
    log = list(WebhookDelivery.objects.order_by("attempt"))
    assert [(d.attempt, d.outcome, d.status_code) for d in log] == [
        (1, Outcome.RETRY, 500),
        (2, Outcome.DELIVERED, 200),
    ]
    assert log[0].response_excerpt == "boom: receiver error" and "HTTP 500" in log[0].error
    assert all(d.message_id == message.pk for d in log)


def test_webhook_receiver_timeout_retried_then_failed_and_logged(cast, receiver, settings):
    """A receiver slower than WEBHOOK_TIMEOUT fails each attempt; after OUTBOX_MAX_ATTEMPTS the
    message is failed, and every attempt is in the log, the last one « Échec définitif »."""
    settings.WEBHOOK_TIMEOUT = 0.3
    settings.OUTBOX_MAX_ATTEMPTS = 3
    subscribe(cast.teleservice, receiver.url, WebhookEvent.TRANSMITTED)
    receiver.script = ["sleep"] * 3
    filed_dossier(cast.teleservice, cast.applicant)
    [message] = webhook_messages()

    started = time.monotonic()
    assert [deliver_task(message.pk) for _ in range(3)] == ["failed"] * 3
    assert time.monotonic() - started < 5  # the timeout cut each attempt short
    assert deliver_task(message.pk) == "skipped"

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED and message.attempts == 3
    assert "délai" in message.last_error
    log = list(WebhookDelivery.objects.order_by("attempt"))
    assert [(d.attempt, d.outcome, d.status_code) for d in log] == [
        (1, Outcome.RETRY, None),
        (2, Outcome.RETRY, None),
        (3, Outcome.FAILED, None),
    ]
    assert all("Pas de réponse dans le délai" in d.error for d in log)
    assert len(receiver.received) == 3


def test_webhook_receiver_unreachable_is_a_logged_failure(cast, settings):
    """Nobody listening (connection refused) is a failed attempt with its error in the log."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subscribe(cast.teleservice, f"http://127.0.0.1:{port}/", WebhookEvent.TRANSMITTED)
    filed_dossier(cast.teleservice, cast.applicant)
    [message] = webhook_messages()

    assert deliver_task(message.pk) == "failed"
    [logged] = WebhookDelivery.objects.all()
    assert logged.outcome == Outcome.RETRY and logged.status_code is None
    assert logged.error.startswith("Envoi impossible") and "Connection" in logged.error


def test_webhook_receiver_answering_garbage_is_a_logged_failure(cast, receiver):
    """An answer that is not HTTP is a failed attempt, logged like the others."""
    receiver.script = ["garbage"]
    subscribe(cast.teleservice, receiver.url, WebhookEvent.TRANSMITTED)
    filed_dossier(cast.teleservice, cast.applicant)
    [message] = webhook_messages()
    assert deliver_task(message.pk) == "failed"
    [logged] = WebhookDelivery.objects.all()
    assert logged.outcome == Outcome.RETRY and logged.error.startswith("Envoi impossible")
    assert deliver_task(message.pk) == "sent"


def test_webhook_redirect_is_not_followed(cast, receiver):
    """A 3xx answer is a failure: the signed body does not follow a redirect."""
    receiver.script = [302]
    subscribe(cast.teleservice, receiver.url, WebhookEvent.TRANSMITTED)
    filed_dossier(cast.teleservice, cast.applicant)
    [message] = webhook_messages()
    assert deliver_task(message.pk) == "failed"
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().status_code == 302


def test_webhook_subscription_deactivated_after_writing_is_retried_not_sent(cast, receiver):
    """A message written before its subscription was deactivated is not sent; the attempt is
    logged and retried, so that reactivating the subscription delivers it."""
    subscription = subscribe(cast.teleservice, receiver.url, WebhookEvent.TRANSMITTED)
    filed_dossier(cast.teleservice, cast.applicant)
    [message] = webhook_messages()
    WebhookSubscription.objects.filter(pk=subscription.pk).update(active=False)

    assert deliver_task(message.pk) == "failed"
    assert receiver.received == []
    assert "désactivé" in WebhookDelivery.objects.get().error

    WebhookSubscription.objects.filter(pk=subscription.pk).update(active=True)
    assert deliver_task(message.pk) == "sent"
    assert len(receiver.received) == 1


# --- Nothing written when nobody subscribed ------------------------------------------------------


@pytest.mark.parametrize(
    "setup",
    ["other_teleservice", "other_event", "inactive"],
)
def test_webhook_not_subscribed_nothing_written(cast, receiver, setup):
    """Another téléservice's subscription, a subscription to other events, or an inactive one:
    no outbox message, nothing sent."""
    if setup == "other_teleservice":
        subscribe(cast.other_teleservice, receiver.url, *WebhookEvent.values)
    elif setup == "other_event":
        subscribe(cast.teleservice, receiver.url, WebhookEvent.DECIDED)
    else:
        subscribe(cast.teleservice, receiver.url, *WebhookEvent.values, active=False)
    filed_dossier(cast.teleservice, cast.applicant)
    assert webhook_messages() == []


def test_webhook_nobody_subscribed_costs_one_query(cast, monkeypatch):
    """Without subscriptions, an action that makes a webhook event costs one more query than
    without the feature (the indexed look-up), and writes nothing; other actions cost none."""
    dossiers = [filed_dossier(cast.teleservice, cast.applicant) for _ in range(3)]
    actions.take(dossiers[0], acting_user=cast.agent)  # warm the caches

    with CaptureQueriesContext(connection) as with_feature:
        actions.take(dossiers[1], acting_user=cast.agent)
    monkeypatch.setattr(webhooks, "emit", lambda events: [])
    with CaptureQueriesContext(connection) as without_feature:
        actions.take(dossiers[2], acting_user=cast.agent)

    assert len(with_feature) == len(without_feature) + 1
    [lookup] = [q["sql"] for q in with_feature.captured_queries if "webhook" in q["sql"]]
    assert lookup.startswith("SELECT")
    assert webhook_messages() == []


def test_webhook_action_without_webhook_event_makes_no_query(cast):
    """An action that makes no webhook event (a released dossier) does not look subscriptions up."""
    subscribe(cast.teleservice, "https://recepteur.exemple.test/", *WebhookEvent.values)
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    with CaptureQueriesContext(connection) as queries:
        actions.release(dossier, acting_user=cast.agent)
    assert not [q for q in queries.captured_queries if "webhook" in q["sql"]]


# --- Signature ---------------------------------------------------------------------------------


def test_webhook_signature_verifies_only_the_right_secret_and_body():
    """The receiver's check passes with the secret and the exact body; it fails with another
    secret, a modified body, another id, or an old timestamp (a replay)."""
    from instruction.models.webhook import generate_secret

    secret, other = generate_secret(), generate_secret()
    body = b'{"id":"msg_1","type":"dossier.decided"}'
    headers = webhooks.signed_headers(secret, "msg_1", body)
    verify(secret, headers, body)

    with pytest.raises(InvalidSignature):
        verify(other, headers, body)
    with pytest.raises(InvalidSignature):
        verify(secret, headers, body.replace(b"decided", b"transmitted"))
    with pytest.raises(InvalidSignature):
        verify(secret, {**headers, "webhook-id": "msg_2"}, body)
    old = webhooks.signed_headers(secret, "msg_1", body, timestamp=int(time.time()) - 3600)
    with pytest.raises(InvalidSignature):
        verify(secret, old, body)
    forged_time = {**headers, "webhook-timestamp": str(int(headers["webhook-timestamp"]) + 1)}
    with pytest.raises(InvalidSignature):
        verify(secret, forged_time, body)


def test_webhook_signature_matches_the_standard_webhooks_example():
    """The scheme is Standard Webhooks': its published test vector gives the same signature."""
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert (
        webhooks.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


# --- Subscriptions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allow_http", "valid"),
    [
        ("https://recepteur.exemple.test/hooks", False, True),
        ("http://127.0.0.1:8080/hooks", False, True),
        ("http://localhost/hooks", False, True),
        ("http://recepteur.exemple.test/hooks", False, False),
        ("http://recepteur.exemple.test/hooks", True, True),
        ("ftp://recepteur.exemple.test/hooks", True, False),
    ],
)
def test_webhook_subscription_url_https_required(cast, settings, url, allow_http, valid):
    """https:// is required, except to this machine or when WEBHOOK_ALLOW_HTTP is on."""
    settings.WEBHOOK_ALLOW_HTTP = allow_http
    subscription = WebhookSubscription(teleservice=cast.teleservice, url=url, events=[WebhookEvent.DECIDED])
    if valid:
        subscription.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            subscription.full_clean()
        assert "url" in error.value.message_dict


def test_webhook_subscription_unknown_event_refused(cast):
    """Events are chosen from the fixed list."""
    subscription = WebhookSubscription(
        teleservice=cast.teleservice, url="https://recepteur.exemple.test/", events=["dossier.deleted"]
    )
    with pytest.raises(ValidationError) as error:
        subscription.full_clean()
    assert "events" in error.value.message_dict


def test_webhook_subscription_secret_generated_and_regenerated(cast):
    """Each subscription gets its own Standard Webhooks secret; regenerating replaces it."""
    first = subscribe(cast.teleservice, "https://a.exemple.test/", WebhookEvent.DECIDED)
    second = subscribe(cast.teleservice, "https://b.exemple.test/", WebhookEvent.DECIDED)
    assert first.secret.startswith("whsec_") and len(first.secret) > 40 and first.secret != second.secret
    old = first.secret
    first.regenerate_secret()
    first.refresh_from_db()
    assert first.secret != old
