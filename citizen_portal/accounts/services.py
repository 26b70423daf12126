"""Account operations of the citizen portal: sign-up, activation and the e-mails they send.

E-mails go through the outbox (written in the same transaction, delivered after commit) and
are always in French, like every e-mail to applicants. Their outbox key holds the minute:
asking again and again within one minute sends one e-mail, so these public forms cannot be
used to flood someone's mailbox; the e-mail already sent holds a link that is still valid."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from citizen_portal.accounts.tokens import make_activation_token, password_fingerprint
from instruction.outbox import enqueue_email
from permissions.models import User

logger = logging.getLogger(__name__)


def _minute() -> int:
    return int(time.time() // 60)


def send_account_email(user: User, kind: str, template: str, *, variant: str = "", **context: Any) -> None:
    """Render ``emails/<template>.txt`` (first line: subject) and ``.html`` and queue them.

    ``variant`` tells apart two e-mails of one minute that must both go (a new link)."""
    context.update(user=user, site_url=settings.SITE_URL, login_url=settings.SITE_URL + reverse("login"))
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(f"emails/{template}.txt", context).strip()
        html = render_to_string(f"emails/{template}.html", context).strip()
    subject, _sep, body = text.partition("\n")
    enqueue_email(
        key=f"{kind}:{user.pk}:{_minute()}:{variant}",
        to=[user.email],
        subject=subject.strip(),
        body=body.strip() + "\n",
        html=html + "\n",
    )


def can_be_activated(user: User) -> bool:
    """Never activated: inactive and never logged in (a deactivated account stays deactivated)."""
    return not user.is_active and user.last_login is None


def send_activation_email(user: User) -> None:
    url = settings.SITE_URL + reverse("account_activate", args=[make_activation_token(user)])
    hours = settings.ACCOUNT_ACTIVATION_MAX_AGE // 3600
    # A new password (a new sign-up) voids the earlier links, so its e-mail must go even within the minute.
    send_account_email(
        user,
        "account-activation",
        "account_activation",
        variant=password_fingerprint(user),
        activation_url=url,
        hours=hours,
    )


def _tell_existing_account(user: User, *, password: str, **identity: str) -> None:
    if can_be_activated(user):
        # Never activated: the latest sign-up replaces the pending one and voids its links, so
        # whoever signs up first with someone else's address cannot choose the password its
        # owner would then activate.
        for field, value in identity.items():
            setattr(user, field, value)
        user.set_password(password)
        user.save(update_fields=[*identity, "password"])
        send_activation_email(user)
    elif user.is_active:
        url = settings.SITE_URL + reverse("password_reset")
        send_account_email(user, "account-exists", "account_exists", password_reset_url=url)
    else:
        # Deactivated on purpose by an administrator: no e-mail, but the same hashing time.
        make_password(password)


def register(*, email: str, password: str, civility: str, first_name: str, last_name: str) -> None:
    """Create an inactive account and send its activation e-mail.

    For an address that already has an account, no second account is created and its owner is
    told by e-mail; the caller shows the same page either way, so the form reveals nothing, and
    a password is hashed in every case so that the response time does not tell them apart."""
    email = User.objects.normalize_email(email).strip().lower()
    identity = {"civility": civility, "first_name": first_name, "last_name": last_name}
    with transaction.atomic():
        existing = User.objects.select_for_update().filter(email__iexact=email).first()
        if existing is None:
            try:
                with transaction.atomic():
                    user = User.objects.create_user(email, password, is_active=False, **identity)
            except IntegrityError:
                # The same address signed up at the same moment in another request.
                existing = User.objects.select_for_update().get(email__iexact=email)
            else:
                logger.info("account %s created, awaiting activation", user.pk)
                send_activation_email(user)
                return
        _tell_existing_account(existing, password=password, **identity)


def resend_activation(email: str) -> None:
    """A new activation e-mail for an account never activated; nothing otherwise (same page)."""
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is not None and can_be_activated(user):
            send_activation_email(user)


def activate(user: User) -> bool:
    """Activate the account; False when it was activated in the meantime (a double click)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not can_be_activated(locked):
            return False
        locked.is_active = True
        locked.save(update_fields=["is_active"])
    logger.info("account %s activated", user.pk)
    user.is_active = True
    return True
