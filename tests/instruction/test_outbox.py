"""The durable outbox: written in the action's transaction, delivered once, retried with backoff."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from instruction.models import OutboxMessage
from instruction.outbox import enqueue_email
from instruction.tasks import deliver_outbox, sweep_outbox
from tests.factories import filed_dossier


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_transmit_applicant_writes_one_acknowledgement(cast):
    """Transmission writes one pending acknowledgement addressed to the applicant."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    [message] = OutboxMessage.objects.filter(dossier=dossier)
    assert message.status == OutboxMessage.Status.PENDING
    assert message.payload["to"] == [cast.applicant.email]
    assert dossier.reference in message.payload["subject"]


def test_deliver_outbox_twice_sends_once(cast):
    """Delivering the same message twice (a redelivered Celery task) sends one e-mail."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    message = OutboxMessage.objects.get(dossier=dossier)
    assert deliver_outbox(message.pk) == "sent"
    assert deliver_outbox(message.pk) == "skipped"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["X-Idempotency-Key"] == message.key
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 1 and message.sent_at


def test_deliver_outbox_interrupted_attempt_is_counted_then_retried(db):
    """An attempt is counted before sending, in its own transaction: a worker killed while
    sending (simulated by claiming without sending) leaves the attempt counted, and the next
    delivery sends the message as its second attempt."""
    from instruction.tasks import _claim

    message = enqueue_email(key="k:cut", to=["a@exemple.test"], subject="S", body="B")
    assert _claim(message.pk) is True  # the worker died here, before sending
    message.refresh_from_db()
    assert (message.status, message.attempts, len(mail.outbox)) == (OutboxMessage.Status.PENDING, 1, 0)
    assert deliver_outbox(message.pk) == "sent"
    message.refresh_from_db()
    assert (message.status, message.attempts, len(mail.outbox)) == (OutboxMessage.Status.SENT, 2, 1)


def test_deliver_outbox_message_that_kills_every_worker_ends_failed(db, settings):
    """A message whose every attempt was cut (a poison message) is marked failed, with the
    reason, instead of being retried forever; nothing is sent."""
    from instruction.tasks import INTERRUPTED, _claim

    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = enqueue_email(key="k:poison", to=["a@exemple.test"], subject="S", body="B")
    for _ in range(3):
        assert _claim(message.pk) is True
    assert deliver_outbox(message.pk) == "skipped"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxMessage.Status.FAILED, 3, INTERRUPTED)
    assert mail.outbox == []


def test_enqueue_email_same_key_writes_once(db):
    """Writing the same key twice (a retried transaction) keeps one message."""
    first = enqueue_email(key="k:1", to=["a@exemple.test"], subject="S", body="B")
    second = enqueue_email(key="k:1", to=["a@exemple.test"], subject="S", body="B")
    assert first.pk == second.pk and OutboxMessage.objects.count() == 1


def test_deliver_outbox_failure_backs_off_then_fails(db, settings):
    """A failing delivery is kept pending with a growing delay, then marked failed."""
    settings.EMAIL_BACKEND = "tests.instruction.test_outbox.BrokenBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = enqueue_email(key="k:broken", to=["a@exemple.test"], subject="S", body="B")
    delays = []
    for _ in range(3):
        before = timezone.now()
        assert deliver_outbox(message.pk) == "failed"
        message.refresh_from_db()
        delays.append(message.next_attempt_at - before)
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == 3 and "SMTP indisponible" in message.last_error
    assert delays[0] < delays[1]
    assert deliver_outbox(message.pk) == "skipped"


def test_sweep_outbox_retries_only_due_messages(db):
    """The sweep hands due pending messages to Celery (run now when eager, queued on the broker
    otherwise) and leaves the others alone."""
    from config.celery import app

    due = enqueue_email(key="k:due", to=["a@exemple.test"], subject="S", body="B")
    later = enqueue_email(key="k:later", to=["b@exemple.test"], subject="S", body="B")
    OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + dt.timedelta(hours=1))
    if app.conf.task_always_eager:
        assert sweep_outbox.apply().get() == 1
    else:
        with app.connection_for_write() as conn:
            redis = conn.default_channel.client
            queued = redis.llen("celery")
            assert sweep_outbox.apply().get() == 1
            assert redis.llen("celery") == queued + 1
        assert deliver_outbox(due.pk) == "sent"
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == ("sent", "pending")


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP indisponible")
