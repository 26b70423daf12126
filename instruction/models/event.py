from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "create": _("Création du brouillon"),
    "transmit": _("Transmission au service instructeur"),
    "take": _("Prise en charge"),
    "release": _("Remise dans la file « À traiter »"),
    "assign": _("Attribution à un agent instructeur"),
    "reassign": _("Changement d'agent instructeur"),
    "request_complement": _("Demande de complément d'information"),
    "answer_complement": _("Nouvelle transmission après complément"),
    "expire_complement": _("Échéance du complément dépassée"),
    "remind_complement": _("Rappel de l'échéance du complément envoyé au demandeur"),
    "decide": _("Décision"),
    "propose_decision": _("Décision proposée, en attente de validation"),
    "send_back_decision": _("Décision non validée, renvoyée à l'agent instructeur"),
    "correct_field": _("Correction par le service instructeur"),
    "schedule_visit": _("Visite du jury programmée"),
    "report_visit": _("Visite du jury effectuée"),
    "detach_beneficiary": _("Bénéficiaire retiré du foyer (à choisir de nouveau)"),
    "message": _("Message dans le fil de discussion"),
    "purge_files": _("Fichiers supprimés à la fin de leur durée de conservation"),
    "consult": _("Consultation du dossier"),
    "grant_expert_access": _("Accès accordé à un expert"),
    "revoke_expert_access": _("Accès de l'expert retiré"),
    "expire_expert_access": _("Accès de l'expert arrivé à échéance"),
    "expert_opinion": _("Avis de l'expert"),
    "anonymise": _("Dossier anonymisé à la fin de sa durée de conservation"),
    "quarantine_file": _("Fichier bloqué par l'antivirus (virus détecté)"),
    "replace_blocked_file": _("Fichier bloqué remplacé par le demandeur"),
}

# Steps internal to the service, not shown in the applicant's history (the decision's validation,
# the agents' and experts' consultations, the experts' accesses and opinions).
INTERNAL_ACTIONS = frozenset(
    {
        "propose_decision",
        "send_back_decision",
        "consult",
        "grant_expert_access",
        "revoke_expert_access",
        "expire_expert_access",
        "expert_opinion",
    }
)


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces, after the field's encoder (so that what is hashed when
    writing is what PostgreSQL gives back when verifying)."""
    plain = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def personal_digest(*, actor_id: int | None, details: Any) -> str:
    """SHA-256 of the part of an event that may hold personal data: who acted and the details.
    Hashed apart so that the retention can erase it (keeping this digest in ``redacted``) while
    the chain stays verifiable."""
    return hashlib.sha256(canonical({"actor": actor_id, "details": details}).encode()).hexdigest()


def content_digest(
    *,
    dossier_id: int,
    actor_id: int | None,
    action: str,
    from_status: str,
    to_status: str,
    created: datetime,
    details: Any,
    redacted: str = "",
) -> str:
    """SHA-256 of an event's own fields in a canonical JSON (sorted keys, no spaces, UTC time).
    The actor and the details enter through their own digest (``personal_digest``); for a redacted
    event that digest is the one kept in ``redacted`` when they were erased."""
    payload = {
        "dossier": dossier_id,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "created": created.astimezone(UTC).isoformat(),
        "personal": redacted or personal_digest(actor_id=actor_id, details=details),
    }
    return hashlib.sha256(canonical(payload).encode()).hexdigest()


def chain_hash(prev_hash: str, digest: str) -> str:
    """An event's hash: its content digest chained to the previous event's hash. The database
    trigger ``instruction_event_chain`` computes the same (sha256 of ``prev_hash || digest``)."""
    return hashlib.sha256((prev_hash + digest).encode()).hexdigest()


class ChainHashField(models.CharField):
    """Filled by the database trigger on INSERT and read back in the INSERT's RETURNING clause
    (create and bulk_create), so the saved instance carries the stored value."""

    db_returning = True


class EventQuerySet(models.QuerySet["Event"]):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Event]:
        objs = list(objs)
        for event in objs:
            event.hash = event.content_digest()
        return super().bulk_create(objs, *args, **kwargs)


class Event(models.Model):
    """Append-only audit trail of a dossier. A database trigger refuses UPDATE and DELETE.

    Tamper-evident: each dossier's events form a hash chain in (created, pk) order. Python writes
    the content digest into ``hash``; the BEFORE INSERT trigger ``instruction_event_chain`` looks up
    the dossier's last event (the writer holds the dossier row lock), sets ``prev_hash`` to its hash
    and ``hash`` to sha256(prev_hash || digest). ``manage.py verify_audit_chain`` checks it."""

    dossier = models.ForeignKey("instruction.Dossier", on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=50)
    from_status = models.CharField(_("statut avant"), max_length=30, blank=True)
    to_status = models.CharField(_("statut après"), max_length=30, blank=True)
    # Set in Python at instantiation (not at save): the content digest covers it.
    created = models.DateTimeField(_("date"), default=timezone.now, editable=False, db_index=True)
    details = models.JSONField(_("détails"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    prev_hash = ChainHashField(_("empreinte précédente"), max_length=64, blank=True, default="", editable=False)
    hash = ChainHashField(_("empreinte"), max_length=64, blank=True, default="", editable=False)
    # Set once, by the retention's anonymisation: the personal digest of the actor and details it
    # erased (a trigger allows only this UPDATE: details to {}, a citizen actor to NULL).
    redacted = models.CharField(
        _("empreinte des données effacées"), max_length=64, blank=True, default="", db_default="", editable=False
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["created", "pk"]
        indexes = [
            models.Index(fields=["dossier", "created"], name="event_dossier_created"),
            # « Traités »: the dossiers an agent decided or sent back, index-only.
            models.Index(fields=["actor", "action", "dossier"], name="event_actor_action_dossier"),
        ]
        constraints = [
            # No fork: two events of a dossier cannot follow the same one (nor both be the first).
            models.UniqueConstraint(fields=["dossier", "prev_hash"], name="event_dossier_prev_hash_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.action} ({self.from_status} → {self.to_status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        self.hash = self.content_digest()
        super().save(*args, **kwargs)

    def content_digest(self) -> str:
        return content_digest(
            dossier_id=self.dossier_id,
            actor_id=self.actor_id,
            action=self.action,
            from_status=self.from_status,
            to_status=self.to_status,
            created=self.created,
            details=self.details,
            redacted=self.redacted,
        )

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Audit events are append-only")

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def is_internal(self) -> bool:
        return self.action in INTERNAL_ACTIONS

    @property
    def to_status_label(self) -> str:
        from instruction.models.dossier import DossierStatus

        return str(DossierStatus(self.to_status).label) if self.to_status else ""
