"""Webhooks: written to the outbox in the action's transaction, POSTed by the outbox's worker.

Signed with the Standard Webhooks scheme (https://www.standardwebhooks.com): headers
``webhook-id`` (the idempotency key, the same on every retry), ``webhook-timestamp`` (Unix
seconds of this attempt) and ``webhook-signature: v1,<base64 HMAC-SHA256>`` of
``f"{id}.{timestamp}.{body}"``, keyed with the base64-decoded secret after ``whsec_``.

The body carries the reference and status of the dossier, never the applicant's data: the
receiver reads more through an authenticated interface, where access is checked and logged."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from instruction.models import (
    Dossier,
    DossierStatus,
    Event,
    OutboxMessage,
    Teleservice,
    WebhookDelivery,
    WebhookSubscription,
)
from instruction.models.webhook import EVENT_FOR_ACTION, SECRET_PREFIX, TEST_EVENT, is_loopback_host

EXCERPT_CHARS = 500
USER_AGENT = "teleservices-instruction-webhooks/1"


class WebhookFailed(Exception):
    """An attempt that did not get a 2xx answer; the outbox retries it with backoff."""


# --- Writing (in the action's transaction) -----------------------------------------------


def emit(events: Iterable[Event]) -> list[OutboxMessage]:
    """One outbox message per (event, subscription) for the active subscriptions of the
    dossiers' téléservices that chose the event. No query for actions that make no webhook
    event; one (indexed) query otherwise, whether anyone subscribes or not."""
    wanted = [(event, EVENT_FOR_ACTION[event.action]) for event in events if event.action in EVENT_FOR_ACTION]
    if not wanted:
        return []
    teleservice_ids = {event.dossier.teleservice_id for event, _type in wanted}
    subscriptions = list(
        WebhookSubscription.objects.filter(
            teleservice_id__in=teleservice_ids, active=True, events__overlap=sorted({t for _e, t in wanted})
        ).order_by("pk")
    )
    if not subscriptions:
        return []
    messages = [
        _message(subscription, event_type, event=event)
        for event, event_type in wanted
        for subscription in subscriptions
        if subscription.teleservice_id == event.dossier.teleservice_id and event_type in subscription.events
    ]
    return _enqueue(messages)


def send_test_event(subscription: WebhookSubscription) -> OutboxMessage:
    """« Envoyer un événement de test »: a ``webhook.test`` message, delivered as any other."""
    [message] = _enqueue([_message(subscription, TEST_EVENT)])
    return message


def _message(subscription: WebhookSubscription, event_type: str, *, event: Event | None = None) -> OutboxMessage:
    webhook_id = f"msg_{uuid.uuid4().hex}"
    # The actions' dossier comes with its téléservice: no query per message.
    teleservice = event.dossier.teleservice if event is not None else subscription.teleservice
    body = build_body(webhook_id, event_type, teleservice, event)
    suffix = str(event.pk) if event is not None else f"test:{webhook_id}"
    return OutboxMessage(
        key=f"webhook:{subscription.pk}:{suffix}",
        kind=OutboxMessage.Kind.WEBHOOK,
        dossier=event.dossier if event is not None else None,
        # The body is kept as the exact text to send, so that every retry signs the same bytes.
        payload={
            "subscription": subscription.pk,
            "webhook_id": webhook_id,
            "event": event_type,
            "reference": event.dossier.reference if event is not None else "",
            "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        },
    )


def _enqueue(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    # Keys name a fresh event (or a random test id): no conflict to expect, one INSERT.
    created = OutboxMessage.objects.bulk_create(messages)
    pks = [m.pk for m in created]

    def dispatch() -> None:
        from instruction.tasks import deliver_outbox

        for pk in pks:
            deliver_outbox.delay(pk)

    transaction.on_commit(dispatch)
    return created


def build_body(webhook_id: str, event_type: str, teleservice: Teleservice, event: Event | None) -> dict[str, Any]:
    """What the receiver gets: the event, the téléservice, and a summary of the dossier by its
    reference and status (labels in French, whatever the language of whoever acted)."""
    with translation.override(settings.LANGUAGE_CODE):
        body: dict[str, Any] = {
            "id": webhook_id,
            "type": event_type,
            "occurred_at": (event.created if event is not None else timezone.now()).isoformat(),
            "teleservice": {"code": teleservice.code, "slug": teleservice.slug, "title": teleservice.title},
            "dossier": _dossier_summary(event) if event is not None else None,
        }
    return body


def _dossier_summary(event: Event) -> dict[str, Any]:
    dossier: Dossier = event.dossier
    status = event.to_status or dossier.status
    return {
        "reference": dossier.reference,
        "status": status,
        "status_label": str(DossierStatus(status).label),
        "previous_status": event.from_status,
        "transmitted_at": _iso(dossier.transmitted_at),
        "deadline": _iso(dossier.deadline),
        "complement_due": _iso(dossier.complement_due),
        "decided_at": _iso(dossier.decided_at),
        "url": settings.SITE_URL + reverse("backoffice:review", args=[dossier.reference]),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


# --- Signing ---------------------------------------------------------------------------------


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header's value (Standard Webhooks, version 1)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(secret: str, webhook_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, webhook_id, timestamp, body),
    }


# --- Delivering (called by instruction.tasks._send, in the outbox's transaction) ---------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx is an answer we do not follow (the signed body would go where nobody subscribed)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener(url: str) -> urllib.request.OpenerDirector:
    handlers: list[Any] = [_NoRedirect()]
    if is_loopback_host(urlsplit(url).hostname):
        handlers.append(urllib.request.ProxyHandler({}))  # never through a proxy to this machine
    return urllib.request.build_opener(*handlers)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    """(HTTP status or None, excerpt of the answer, error or "")."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (checked URL)
    timeout = float(settings.WEBHOOK_TIMEOUT)
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            status, raw = response.status, response.read(EXCERPT_CHARS)
    except urllib.error.HTTPError as exc:
        try:
            raw = exc.read(EXCERPT_CHARS)
        except OSError:
            raw = b""
        finally:
            exc.close()
        return exc.code, raw.decode("utf-8", "replace"), _("Réponse HTTP %(status)s") % {"status": exc.code}
    except (TimeoutError, urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            return None, "", _("Pas de réponse dans le délai de %(seconds)s s") % {"seconds": settings.WEBHOOK_TIMEOUT}
        return None, "", _("Envoi impossible : %(error)s") % {"error": f"{type(reason).__name__}: {reason}"}
    text = raw.decode("utf-8", "replace")
    if 200 <= status < 300:
        return status, text, ""
    return status, text, _("Réponse HTTP %(status)s") % {"status": status}


def deliver(message: OutboxMessage) -> None:
    """POST one webhook message, log the attempt, and raise WebhookFailed unless a 2xx came
    back: the outbox then retries with its backoff, and marks it failed after its last attempt."""
    payload = message.payload
    subscription = WebhookSubscription.objects.filter(pk=payload["subscription"]).first()
    body = payload["body"].encode()
    status: int | None = None
    excerpt = error = ""
    started = time.monotonic()
    with translation.override(settings.LANGUAGE_CODE):
        if subscription is None:
            error = _("Abonnement supprimé : rien n'est envoyé.")
        elif not subscription.active:
            error = _("Abonnement désactivé : rien n'est envoyé (réactivez-le avant la dernière tentative).")
        else:
            headers = signed_headers(subscription.secret, payload["webhook_id"], body)
            status, excerpt, error = _post(subscription.url, body, headers)
        if error:
            final = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
            outcome = WebhookDelivery.Outcome.FAILED if final else WebhookDelivery.Outcome.RETRY
        else:
            outcome = WebhookDelivery.Outcome.DELIVERED
    WebhookDelivery.objects.create(
        subscription=subscription,
        message=message,
        webhook_id=payload["webhook_id"],
        event=payload["event"],
        dossier_reference=payload.get("reference", ""),
        url=subscription.url if subscription is not None else "",
        attempt=message.attempts,
        outcome=outcome,
        status_code=status,
        response_excerpt=excerpt[:EXCERPT_CHARS],
        error=error,
        duration_ms=round((time.monotonic() - started) * 1000),
    )
    if error:
        raise WebhookFailed(error)
