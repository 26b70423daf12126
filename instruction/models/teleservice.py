from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from permissions.models import InstructingService

INSTRUCT_PERMISSION = "instruction.instruct_teleservice"


class Audience(models.TextChoices):
    FOYER = "foyer", _("Foyer")
    ORGANISME = "organisme", _("Organisme")


FLOW_CHOICES = [
    ("workflows.pack_jeunes.flow.PackJeunesFlow", _("Pack Jeunes — premier logement et permis B")),
    ("workflows.afde.flow.AfdeFlow", _("AFDE — allocation familiale départementale étudiant")),
    ("workflows.bds.flow.BdsFlow", _("BDS — bourse départementale du secondaire")),
    ("workflows.mille_semaines_familles.flow.MilleSemainesFamillesFlow", _("1000 Semaines — familles")),
    ("workflows.mille_semaines_collectives.flow.MilleSemainesCollectivesFlow", _("1000 Semaines — collectives")),
    ("workflows.palmares.flow.PalmaresFlow", _("Palmarès des Villes et Villages fleuris")),
]


class ComplementExpiry(models.TextChoices):
    RETURN = "return", _("Le dossier revient à l'agent qui l'instruit")
    CLOSE = "close", _("Le dossier est classé sans suite")


class Teleservice(models.Model):
    slug = models.SlugField(_("identifiant"), unique=True)
    code = models.CharField(
        _("préfixe des références"), max_length=5, unique=True, help_text=_("Par exemple PJL pour PJL-2026-000123.")
    )
    title = models.CharField(_("titre"), max_length=200)
    fiche = models.TextField(_("fiche du téléservice"), blank=True)
    audience = models.CharField(_("public"), max_length=10, choices=Audience.choices)
    category = models.CharField(_("catégorie"), max_length=100, blank=True)
    opens_on = models.DateField(_("ouverture"), null=True, blank=True)
    closes_on = models.DateField(_("clôture"), null=True, blank=True)
    published = models.BooleanField(_("publié"), default=False)
    instructing_service = models.ForeignKey(
        InstructingService,
        on_delete=models.PROTECT,
        related_name="teleservices",
        verbose_name=_("service instructeur"),
    )
    flow_class_path = models.CharField(_("circuit d'instruction"), max_length=200, choices=FLOW_CHOICES)
    processing_days = models.PositiveIntegerField(_("délai d'instruction (jours)"), default=60)
    complement_days = models.PositiveSmallIntegerField(
        _("délai de réponse à un complément (jours)"),
        default=15,
        help_text=_("Échéance proposée à l'agent quand il demande un complément ; il peut la changer."),
    )
    complement_reminder_days = models.PositiveSmallIntegerField(
        _("relance avant l'échéance du complément (jours)"),
        default=3,
        help_text=_("Le demandeur reçoit un rappel ce nombre de jours avant l'échéance. 0 : pas de rappel."),
    )
    complement_expiry = models.CharField(
        _("à l'échéance d'un complément sans réponse"),
        max_length=10,
        choices=ComplementExpiry.choices,
        default=ComplementExpiry.RETURN,
    )
    validation_threshold = models.DecimalField(
        _("seuil de validation par un superviseur (€)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Une acceptation d'un montant supérieur attend la validation d'un superviseur avant d'être "
            "communiquée au demandeur. Vide : pas de validation."
        ),
    )
    letter_template = models.TextField(
        _("modèle de lettre de décision"),
        blank=True,
        help_text=_(
            "HTML du corps de la lettre, avec les variables {{ dossier }}, {{ decision }}, {{ montant }}. "
            "Vide : le modèle par défaut."
        ),
    )
    # RGPD: how long a decided dossier is kept whole before it is anonymised (instruction/retention.py).
    retention_years = models.PositiveSmallIntegerField(
        _("durée de conservation des dossiers décidés (années)"),
        default=5,
        db_default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_(
            "Après ce délai à compter de la décision, le dossier est anonymisé : données du formulaire, "
            "fichiers, messages et lien avec le demandeur sont effacés ; restent le statut, les dates, "
            "le montant et le service, pour les statistiques."
        ),
    )
    # The applicant's e-mails: blank keeps the default text (instruction/notifications.py).
    ack_email_subject = models.CharField(_("objet de l'accusé de réception"), max_length=200, blank=True)
    ack_email_body = models.TextField(_("texte de l'accusé de réception"), blank=True)
    decision_email_subject = models.CharField(_("objet de l'e-mail de décision"), max_length=200, blank=True)
    decision_email_body = models.TextField(_("texte de l'e-mail de décision"), blank=True)

    class Meta:
        verbose_name = _("téléservice")
        verbose_name_plural = _("téléservices")
        ordering = ["title"]
        permissions = [("instruct_teleservice", _("Instruire les dossiers du téléservice"))]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # The service's group holds the object permission; the foreign key is its denormalised mirror.
        from permissions.services import sync_instructing_permission

        sync_instructing_permission(self)
        # Its documents seeded from the form class, and a version for the dossiers to keep.
        from instruction.versions import ensure_current_version

        ensure_current_version(self)

    def clean(self) -> None:
        super().clean()
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("La date de clôture ne peut pas précéder la date d'ouverture.")})

    @property
    def flow_class(self) -> Any:
        return import_string(self.flow_class_path)

    def needs_validation(self, outcome: str, amount: Any) -> bool:
        """Whether this decision waits for a supervisor before it reaches the applicant."""
        return (
            self.validation_threshold is not None
            and outcome == "accepted"
            and amount is not None
            and amount > self.validation_threshold
        )

    def closed_message(self) -> str:
        """Why a new dossier is refused today, with the dates of the téléservice."""
        from django.utils.formats import date_format

        if not self.published:
            return str(_("Ce téléservice n'est pas ouvert au dépôt de dossiers."))
        shown = {"opens": date_format(self.opens_on) if self.opens_on else "", "closes": ""}
        shown["closes"] = date_format(self.closes_on) if self.closes_on else ""
        if self.opens_on and self.closes_on:
            message = _(
                "Ce téléservice est ouvert du %(opens)s au %(closes)s : il ne reçoit pas de dossier aujourd'hui."
            )
        elif self.opens_on:
            message = _("Ce téléservice ouvre le %(opens)s : il ne reçoit pas encore de dossier.")
        elif self.closes_on:
            message = _("Ce téléservice a fermé le %(closes)s : il ne reçoit plus de dossier.")
        else:
            message = _("Ce téléservice n'est pas ouvert au dépôt de dossiers.")
        return str(message % shown)

    def is_open(self, on: dt.date | None = None) -> bool:
        day = on or timezone.localdate()
        if not self.published:
            return False
        if self.opens_on and day < self.opens_on:
            return False
        return not (self.closes_on and day > self.closes_on)
