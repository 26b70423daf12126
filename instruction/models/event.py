from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
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
}

# Steps internal to the service, not shown in the applicant's history (the decision's validation).
INTERNAL_ACTIONS = frozenset({"propose_decision", "send_back_decision"})


class Event(models.Model):
    """Append-only audit trail of a dossier. A database trigger refuses UPDATE and DELETE."""

    dossier = models.ForeignKey("instruction.Dossier", on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=50)
    from_status = models.CharField(_("statut avant"), max_length=30, blank=True)
    to_status = models.CharField(_("statut après"), max_length=30, blank=True)
    created = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    details = models.JSONField(_("détails"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["created", "pk"]
        indexes = [
            models.Index(fields=["dossier", "created"], name="event_dossier_created"),
            # « Traités »: the dossiers an agent decided or sent back, index-only.
            models.Index(fields=["actor", "action", "dossier"], name="event_actor_action_dossier"),
        ]

    def __str__(self) -> str:
        return f"{self.action} ({self.from_status} → {self.to_status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

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
