"""Experts invited on one dossier: « Inviter un expert » and « Retirer l'accès » (the agent in
charge or a supervisor), the hourly removal of expired accesses, and « Avis de l'expert ».

An access is two rows written together: the guardian object permission
``instruction.consult_dossier_as_expert`` on the dossier (direct foreign-key table) and an
``ExpertAccess`` holding the expiry, who granted it and when it ended. ``permissions.access``
requires both, and refuses from the expiry on even if the job has not run yet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from instruction.actions.base import ActionError, InvalidInput, locked_dossier, record, refusal
from instruction.models import Dossier, Event, ExpertAccess
from instruction.outbox import enqueue_template_email
from permissions import access

PERMISSION = f"instruction.{access.EXPERT_PERMISSION}"
OPINION_MAX_LENGTH = 5000


def expires_at_for(day: dt.date) -> dt.datetime:
    """An access « jusqu'au <day> inclus » ends at the following midnight, local time."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def default_expiry(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(days=settings.EXPERT_ACCESS_DEFAULT_DAYS)


def latest_expiry(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(days=settings.EXPERT_ACCESS_MAX_DAYS)


def _date_errors(expires_on: dt.date | None) -> list[str]:
    today = timezone.localdate()
    if expires_on is None:
        return [_("Indiquez jusqu'à quelle date l'expert pourra consulter le dossier.")]
    if expires_on < today:
        return [_("La date de fin d'accès est passée : choisissez aujourd'hui ou une date à venir.")]
    if expires_on > latest_expiry(today):
        latest = formats.date_format(latest_expiry(today), "SHORT_DATE_FORMAT")
        return [
            _("L'accès d'un expert dure au plus %(days)s jours : choisissez une date jusqu'au %(latest)s.")
            % {"days": settings.EXPERT_ACCESS_MAX_DAYS, "latest": latest}
        ]
    return []


def _forget_cached_access(user: Any) -> None:
    # permissions.access caches the user's expert dossiers on the object for the request.
    user.__dict__.pop("_expert_dossier_ids", None)


def _end(grant: ExpertAccess, *, ended_by: Any, now: dt.datetime) -> None:
    grant.ended_at = now
    grant.ended_by = ended_by if getattr(ended_by, "is_authenticated", False) else None
    grant.save(update_fields=["ended_at", "ended_by"])
    remove_perm(PERMISSION, grant.expert, grant.dossier)
    _forget_cached_access(grant.expert)


def grant_expert_access(
    dossier: Dossier, expert: Any, *, acting_user: Any, expires_on: dt.date | None, note: str = ""
) -> ExpertAccess:
    """« Inviter un expert »: ``expert`` (an existing, active account) may consult this one
    dossier read-only and give an opinion until ``expires_on`` included. The expert is e-mailed.
    Refused: a past date or one beyond EXPERT_ACCESS_MAX_DAYS, someone who already has access
    (the applicant's side, the service's agents, an expert already invited)."""
    note = (note or "").strip()
    with locked_dossier(dossier, acting_user=acting_user, action="grant_expert_access") as locked:
        if not access.status_allows(locked, "grant_expert_access"):
            raise refusal(locked)
        errors: dict[str, list[str]] = {}
        if date_errors := _date_errors(expires_on):
            errors["expires_on"] = date_errors
        now = timezone.now()
        previous = ExpertAccess.objects.select_for_update().filter(dossier=locked, expert=expert, ended_at=None).first()
        if expert is None or not expert.is_active:
            errors["email"] = [_("Ce compte est désactivé : il ne peut pas être invité comme expert.")]
        elif previous is not None and previous.is_live(now):
            until = formats.date_format(previous.last_day, "DATE_FORMAT")
            errors["email"] = [
                _("Cette personne consulte déjà ce dossier comme expert, jusqu'au %(date)s inclus.") % {"date": until}
            ]
        elif access.roles(expert, locked) - {access.EXPERT}:
            errors["email"] = [
                _(
                    "Cette personne a déjà accès au dossier (demandeur ou agent du service instructeur) : "
                    "elle ne peut pas y être invitée comme expert."
                )
            ]
        if errors or expires_on is None:
            raise InvalidInput(errors)
        if previous is not None:  # expired, not yet removed by the job
            _end_expired(previous, now=now)
        grant = ExpertAccess.objects.create(
            dossier=locked,
            expert=expert,
            granted_by=acting_user,
            granted_at=now,
            expires_at=expires_at_for(expires_on),
            note=note,
        )
        assign_perm(PERMISSION, expert, locked)
        _forget_cached_access(expert)
        record(
            locked,
            acting_user=acting_user,
            action="grant_expert_access",
            before=locked.status,
            access=grant.pk,
            expert=expert.email,
            expires_on=expires_on.isoformat(),
        )
        enqueue_template_email(
            key=f"expert-access:{grant.pk}",
            to=[expert.email],
            template="emails/expert_access.txt",
            context={
                "dossier": locked,
                "granted_by": acting_user,
                "expires_on": formats.date_format(expires_on, "DATE_FORMAT"),
                "note": note,
                "url": settings.SITE_URL + _expert_url(locked),
            },
            dossier=locked,
        )
    return grant


def _expert_url(dossier: Dossier) -> str:
    from django.urls import reverse

    return reverse("backoffice:expert_dossier", args=[dossier.reference])


def revoke_expert_access(grant: ExpertAccess, *, acting_user: Any) -> None:
    """« Retirer l'accès »: at once, the expert's next request is a 404."""
    with locked_dossier(grant.dossier, acting_user=acting_user, action="revoke_expert_access") as locked:
        fresh = ExpertAccess.objects.select_for_update().select_related("expert").get(pk=grant.pk)
        if fresh.ended_at is not None:
            raise ActionError(_("Cet accès a déjà pris fin."))
        fresh.dossier = locked
        _end(fresh, ended_by=acting_user, now=timezone.now())
        record(
            locked,
            acting_user=acting_user,
            action="revoke_expert_access",
            before=locked.status,
            access=fresh.pk,
            expert=fresh.expert.email,
        )
    grant.refresh_from_db()
    _forget_cached_access(grant.expert)


def _end_expired(grant: ExpertAccess, *, now: dt.datetime) -> None:
    _end(grant, ended_by=None, now=now)
    record(
        grant.dossier,
        acting_user=access.SYSTEM,
        action="expire_expert_access",
        before=grant.dossier.status,
        access=grant.pk,
        expert=grant.expert.email,
    )


def expire_expert_accesses(*, now: dt.datetime | None = None) -> int:
    """The hourly job: remove the permission of every access past its expiry (access was already
    refused from the expiry on); one transaction per dossier. Returns how many ended."""
    now = now or timezone.now()
    due = (
        ExpertAccess.objects.filter(ended_at=None, expires_at__lte=now)
        .select_related("dossier", "expert")
        .order_by("expires_at", "pk")
    )
    ended = 0
    for grant in due:
        with locked_dossier(grant.dossier, acting_user=access.SYSTEM, action="expire_expert_access") as locked:
            fresh = ExpertAccess.objects.select_for_update().select_related("expert").get(pk=grant.pk)
            if fresh.ended_at is not None:
                continue
            fresh.dossier = locked
            _end_expired(fresh, now=now)
            ended += 1
    return ended


def give_expert_opinion(dossier: Dossier, *, acting_user: Any, opinion: str) -> Event:
    """« Avis de l'expert »: an internal event of the dossier, read by the agents on the review
    page (never shown to the applicant)."""
    opinion = (opinion or "").strip()
    if not opinion:
        raise InvalidInput({"opinion": [_("Écrivez votre avis avant de l'envoyer.")]})
    if len(opinion) > OPINION_MAX_LENGTH:
        raise InvalidInput(
            {"opinion": [_("Votre avis dépasse %(max)s caractères : raccourcissez-le.") % {"max": OPINION_MAX_LENGTH}]}
        )
    with locked_dossier(dossier, acting_user=acting_user, action="give_expert_opinion") as locked:
        if not access.status_allows(locked, "give_expert_opinion"):
            raise refusal(locked)
        return record(locked, acting_user=acting_user, action="expert_opinion", before=locked.status, opinion=opinion)
