from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from instruction.models.household import Foyer, FoyerMember, Organisme
from instruction.models.teleservice import Teleservice
from permissions.models import InstructingService


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    TRANSMITTED = "transmitted", _("Transmis")
    IN_INSTRUCTION = "in_instruction", _("En cours d'instruction")
    COMPLEMENT_REQUESTED = "complement_requested", _("Complément d'information")
    # Internal: a decision above the téléservice's threshold waits for a supervisor. The
    # applicant keeps seeing « En cours d'instruction » (PUBLIC_STATUS below).
    AWAITING_VALIDATION = "awaiting_validation", _("En attente de validation")
    # Palmarès: after instruction the jury visits the commune, then ranks it.
    VISIT_SCHEDULED = "visit_scheduled", _("Visite du jury programmée")
    AWAITING_RANKING = "awaiting_ranking", _("En attente du classement")
    ACCEPTED = "accepted", _("Accepté")
    REJECTED = "rejected", _("Refusé")
    CLOSED = "closed", _("Classé sans suite")


S = DossierStatus
DECIDED_STATUSES = (S.ACCEPTED, S.REJECTED, S.CLOSED)
# Statuses in which agents can act on the dossier (not during a complement, per the seed).
OPEN_STATUSES = (
    S.TRANSMITTED,
    S.IN_INSTRUCTION,
    S.COMPLEMENT_REQUESTED,
    S.AWAITING_VALIDATION,
    S.VISIT_SCHEDULED,
    S.AWAITING_RANKING,
)
# What the applicant is shown: internal steps of the service stay internal.
PUBLIC_STATUS = {S.AWAITING_VALIDATION: S.IN_INSTRUCTION}


def public_status(status: str) -> str:
    return PUBLIC_STATUS.get(status, status)  # type: ignore[call-overload]


def public_status_label(status: str) -> str:
    return str(DossierStatus(public_status(status)).label) if status else ""


def has_jury_visit(dossier: models.Model) -> bool:
    """Whether the dossier's flow has the jury's visit and ranking (Palmarès)."""
    return hasattr(cast("Dossier", dossier).teleservice.flow_class, "jury_visit")


class ReferenceCounter(models.Model):
    """One row per (prefix, year): the last number handed out."""

    code = models.CharField(max_length=5)
    year = models.PositiveIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "year"], name="unique_reference_counter")]

    def __str__(self) -> str:
        return f"{self.code}-{self.year}: {self.value}"

    @classmethod
    def next_reference(cls, code: str, year: int) -> str:
        # One statement, atomic under concurrency: no gap-free guarantee is needed, only uniqueness.
        table = cls._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (code, year, value) VALUES (%s, %s, 1) "  # noqa: S608 - table name is ours
                "ON CONFLICT (code, year) DO UPDATE SET value = "
                f"{table}.value + 1 RETURNING value",
                [code, year],
            )
            (value,) = cursor.fetchone()
        return f"{code}-{year}-{value:06d}"


class Dossier(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(_("référence"), max_length=20, unique=True)
    teleservice = models.ForeignKey(
        Teleservice, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("téléservice")
    )
    # Null only once the dossier is anonymised (instruction/retention.py).
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("demandeur"),
    )
    foyer = models.ForeignKey(Foyer, on_delete=models.PROTECT, null=True, blank=True, related_name="dossiers")
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, null=True, blank=True, related_name="dossiers")
    beneficiary = models.ForeignKey(
        FoyerMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("bénéficiaire"),
    )
    data = models.JSONField(_("données du formulaire"), default=dict, blank=True)
    status = FSMField(_("statut"), default=S.DRAFT, choices=DossierStatus.choices, protected=True, max_length=30)

    # Denormalised for the agents' lists (kept in step by the actions layer).
    service = models.ForeignKey(
        InstructingService, on_delete=models.PROTECT, null=True, blank=True, related_name="dossiers"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
        verbose_name=_("agent en charge"),
    )
    process = models.OneToOneField(
        "viewflow.Process", on_delete=models.PROTECT, null=True, blank=True, related_name="dossier"
    )

    created = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated = models.DateTimeField(_("modifié le"), auto_now=True)
    transmitted_at = models.DateTimeField(_("transmis le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    deadline = models.DateField(_("échéance"), null=True, blank=True)

    decision_amount = models.DecimalField(_("montant accordé"), max_digits=10, decimal_places=2, null=True, blank=True)
    decision_motivation = models.TextField(_("motivation de la décision"), blank=True)
    # While awaiting a supervisor's validation: the outcome the agent proposed.
    proposed_outcome = models.CharField(_("décision proposée"), max_length=30, blank=True)

    # The complement asked for: its deadline (end of that day, local time) and the day the
    # applicant was reminded of it, so that the reminder goes once.
    complement_due = models.DateField(_("échéance du complément"), null=True, blank=True)
    complement_reminded_on = models.DateField(_("relance du complément envoyée le"), null=True, blank=True)

    # Téléservices run as yearly campaigns (Palmarès): one deposit per organisme and campaign,
    # held by a unique constraint so that two tabs cannot both file.
    campaign = models.PositiveSmallIntegerField(_("campagne"), null=True, blank=True)
    # Palmarès: the jury's visit (day and report) and the prize category of the ranking.
    jury_visit_on = models.DateField(_("visite du jury le"), null=True, blank=True)
    jury_report = models.TextField(_("compte rendu de la visite"), blank=True)
    prize = models.CharField(_("catégorie de prix"), max_length=30, blank=True)

    # RGPD retention: when the draft's deletion was announced (a change after it restarts the
    # clock), and when the decided dossier was anonymised.
    retention_warned_at = models.DateTimeField(_("suppression du brouillon annoncée le"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)

    # Full-text search of the agents' lists (reference, applicant, beneficiary, communes), kept up
    # to date by instruction.search.refresh_search_vector, called by the actions that change them.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        # An expert invited on one dossier holds this as a guardian object permission
        # (instruction.models.expert), with the grant's expiry beside it.
        permissions = [("consult_dossier_as_expert", _("Consulter le dossier en tant qu'expert"))]
        indexes = [
            models.Index(fields=["service", "status", "deadline"], name="dossier_service_status"),
            # « Mes tâches »: its pages in deadline order and its count, index-only (an agent may
            # hold thousands: a bitmap scan and a sort of 3,248 rows cost 2.3 ms at 1,000,000).
            models.Index(
                fields=["assignee", "status", "deadline", "id"],
                include=["teleservice"],
                name="dossier_assignee_deadline",
            ),
            models.Index(fields=["applicant", "-created"], name="dossier_applicant_created"),
            GinIndex(fields=["search_vector"], name="dossier_search_vector"),
            # The queue (« À traiter »): keyset pages by deadline, measured 12 ms → 0.5 ms on 500,000 rows.
            models.Index(
                fields=["deadline", "id", "teleservice"],
                condition=models.Q(status="transmitted", assignee__isnull=True),
                name="dossier_queue_deadline",
            ),
            # The queue's count per téléservice (index-only), and its pages for one téléservice.
            models.Index(
                fields=["teleservice", "deadline", "id"],
                condition=models.Q(status="transmitted", assignee__isnull=True),
                name="dossier_queue_teleservice",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["teleservice", "organisme", "campaign"],
                condition=models.Q(campaign__isnull=False),
                name="one_deposit_per_campaign",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_editable_by_applicant(self) -> bool:
        return self.status in (S.DRAFT, S.COMPLEMENT_REQUESTED)

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES

    @property
    def public_status(self) -> str:
        return public_status(self.status)

    def get_public_status_display(self) -> str:
        return public_status_label(self.status)

    @property
    def prize_label(self) -> str:
        """Palmarès: the prize category of the ranking, as a person reads it."""
        from workflows.palmares.rules import PRIZES

        return str(PRIZES.get(self.prize, self.prize))

    # --- The transition table: every change of status is one of these -----------------
    @transition(field=status, source=S.DRAFT, target=S.TRANSMITTED)
    def transmit(self) -> None: ...

    @transition(field=status, source=S.TRANSMITTED, target=S.IN_INSTRUCTION)
    def take(self) -> None: ...

    @transition(field=status, source=S.IN_INSTRUCTION, target=S.TRANSMITTED)
    def release(self) -> None: ...

    # A supervisor gives a queued dossier to an agent, or moves one in instruction to another agent.
    @transition(field=status, source=S.TRANSMITTED, target=S.IN_INSTRUCTION)
    def assign(self) -> None: ...

    @transition(field=status, source=S.IN_INSTRUCTION, target=S.IN_INSTRUCTION)
    def reassign(self) -> None: ...

    @transition(field=status, source=S.IN_INSTRUCTION, target=S.COMPLEMENT_REQUESTED)
    def request_complement(self) -> None: ...

    @transition(field=status, source=S.COMPLEMENT_REQUESTED, target=S.TRANSMITTED)
    def answer_complement(self) -> None: ...

    # The deadline passed without an answer (a scheduled job): back to the agent who asked, to
    # the queue when that agent no longer instructs it, or closed, as the téléservice says.
    @transition(
        field=status, source=S.COMPLEMENT_REQUESTED, target=RETURN_VALUE(S.IN_INSTRUCTION, S.TRANSMITTED, S.CLOSED)
    )
    def expire_complement(self, outcome: Any) -> Any:
        return outcome

    @transition(field=status, source=S.IN_INSTRUCTION, target=RETURN_VALUE(*DECIDED_STATUSES))
    def decide(self, outcome: Any) -> Any:
        return outcome

    # A decision above the téléservice's threshold: proposed by the agent, then validated (it
    # becomes the decision) or sent back to the agent by a supervisor.
    @transition(field=status, source=S.IN_INSTRUCTION, target=S.AWAITING_VALIDATION)
    def propose_decision(self) -> None: ...

    @transition(field=status, source=S.AWAITING_VALIDATION, target=RETURN_VALUE(*DECIDED_STATUSES))
    def validate_decision(self) -> Any:
        return self.proposed_outcome

    @transition(field=status, source=S.AWAITING_VALIDATION, target=S.IN_INSTRUCTION)
    def send_back_decision(self) -> None: ...

    # Palmarès: the agent schedules the jury's visit, records its report, then the ranking
    # (a prize category) is the decision.
    @transition(field=status, source=S.IN_INSTRUCTION, target=S.VISIT_SCHEDULED, conditions=[has_jury_visit])
    def schedule_visit(self) -> None: ...

    @transition(field=status, source=S.VISIT_SCHEDULED, target=S.AWAITING_RANKING)
    def report_visit(self) -> None: ...

    @transition(field=status, source=S.AWAITING_RANKING, target=S.ACCEPTED)
    def rank(self) -> None: ...
