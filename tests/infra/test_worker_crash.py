"""The outbox holds when a worker is SIGKILLed in the middle of a delivery.

Real `celery -A config worker` processes on Redis, against the test database (committed rows:
``transactional_db``), deliver e-mails to a real SMTP server and webhooks to a real HTTP server
on loopback. Each receiver holds the first message it gets until the test has killed the worker
that sent it, so that the kill lands, deterministically, after the receiver got the message and
before the worker heard back or committed "sent".

"Received exactly once", as observed by the receiver: the receiver keeps one message per
idempotency key — an e-mail's ``X-Idempotency-Key`` (its ``Message-ID`` is derived from the same
key, so a mail store's Message-ID deduplication does the same), a webhook's ``webhook-id`` (what
Standard Webhooks asks receivers to deduplicate on). That is the only "exactly once" an
at-least-once sender can give: the message in flight when its worker died was received, and is
sent again (the worker never learnt it got there), with the same key. The test also reports the
raw receipts and pins them: the two killed deliveries arrive twice, every other message once.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from instruction.models import OutboxMessage, WebhookDelivery, WebhookSubscription
from instruction.models.webhook import WebhookEvent
from instruction.outbox import enqueue_email
from instruction.webhooks import send_test_event
from tests.factories import TeleserviceFactory
from tests.infra.celery_processes import HttpReceiver, SmtpReceiver, Workers, redis_broker_url, wait_until

EMAILS = 4
WEBHOOKS = 2
DELIVERY_LIMIT = 30.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver()
    receiver.start(_free_port())
    yield receiver
    receiver.stop()


@pytest.fixture
def hooks() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def workers(transactional_db: Any, tmp_path: Path, smtp: SmtpReceiver) -> Iterator[Workers]:
    """Workers on a queue of this test's own; this process sends its tasks there too."""
    from config.celery import app

    pool = Workers(
        redis_broker_url(),
        tmp_path,
        {
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            # The restarted worker's beat sweeps the outbox every second instead of every minute.
            "OUTBOX_SWEEP_SECONDS": "1",
        },
    )
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = pool.queue
    try:
        yield pool
    finally:
        app.conf.task_default_queue = default_queue
        pool.stop_all()
        pool.forget_queue()


def _all_sent() -> bool:
    return not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()


def test_outbox_worker_killed_mid_delivery_each_message_received_once(
    workers: Workers, smtp: SmtpReceiver, hooks: HttpReceiver
) -> None:
    """A worker SIGKILLed while the SMTP server holds its DATA, a second one SIGKILLed while
    the webhook receiver holds its POST, a third (with beat) restarted: every e-mail and every
    webhook is received, each under one idempotency key; only the two killed deliveries were
    received twice, and the outbox ends with every message sent, the interrupted attempts counted."""
    subscription = WebhookSubscription.objects.create(
        teleservice=TeleserviceFactory(), url=hooks.url, events=[WebhookEvent.TRANSMITTED]
    )
    workers.start("a")
    # Committed at once (no transaction around them): each one's task goes to the queue now.
    emails = [
        enqueue_email(key=f"infra:email:{i}", to=[f"usager{i}@exemple.test"], subject=f"Accusé {i}", body="Bonjour")
        for i in range(EMAILS)
    ]
    webhooks = [send_test_event(subscription) for _ in range(WEBHOOKS)]
    email_keys = {message.key for message in emails}
    webhook_ids = {message.payload["webhook_id"] for message in webhooks}

    # 1. Worker a takes the first e-mail; the SMTP server has its DATA and holds the answer.
    wait_until(smtp.gate.reached.is_set, limit=DELIVERY_LIMIT, what="first DATA", log=workers.log_tail)
    workers.kill("a")
    smtp.gate.opened.set()

    # 2. Worker b takes the rest of the queue: three e-mails, then the first webhook, held.
    workers.start("b")
    wait_until(hooks.gate.reached.is_set, limit=DELIVERY_LIMIT, what="first webhook POST", log=workers.log_tail)
    workers.kill("b")
    hooks.gate.opened.set()

    # 3. Worker c, with beat: the last webhook from the queue; the two killed deliveries are
    # still pending in the database (their transactions died with their workers) and their
    # tasks unacknowledged on Redis: sweep_outbox hands them out again.
    workers.start("c", beat=True, concurrency=2)
    wait_until(_all_sent, limit=DELIVERY_LIMIT, what="every outbox message sent", log=workers.log_tail)

    # Observed by the receivers, deduplicated on the idempotency key: each message once.
    assert smtp.observed() == email_keys
    assert hooks.observed() == webhook_ids
    # Raw receipts: the killed deliveries twice (received, never acknowledged), the others once.
    assert smtp.gate.held_key in email_keys and hooks.gate.held_key in webhook_ids
    assert smtp.raw_counts() == {key: 2 if key == smtp.gate.held_key else 1 for key in email_keys}
    assert hooks.raw_counts() == {key: 2 if key == hooks.gate.held_key else 1 for key in webhook_ids}
    assert (len(smtp.raw), len(hooks.raw)) == (EMAILS + 1, WEBHOOKS + 1)
    # The same key always came with the same Message-ID.
    assert all(len(ids) == 1 for ids in smtp.message_ids.values())
    # The database: every message sent; a killed attempt is counted (claimed in its own
    # transaction before sending), so the two interrupted messages took two attempts.
    held = {smtp.gate.held_key} | {m.key for m in webhooks if m.payload["webhook_id"] == hooks.gate.held_key}
    attempts = dict(OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).values_list("key", "attempts"))
    assert attempts == {m.key: 2 if m.key in held else 1 for m in [*emails, *webhooks]}
    assert sorted(WebhookDelivery.objects.values_list("webhook_id", "outcome")) == sorted(
        (webhook_id, WebhookDelivery.Outcome.DELIVERED) for webhook_id in webhook_ids
    )
