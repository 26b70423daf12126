"""The applicant's spaces: a foyer (household) or an organisme."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Foyer(models.Model):
    responsible = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="foyer", verbose_name=_("responsable")
    )
    address = models.CharField(_("adresse"), max_length=250)
    postal_code = models.CharField(_("code postal"), max_length=5)
    commune = models.CharField(_("commune"), max_length=100)
    quotient_familial = models.PositiveIntegerField(_("quotient familial déclaré"), null=True, blank=True)

    class Meta:
        verbose_name = _("foyer")
        verbose_name_plural = _("foyers")

    def __str__(self) -> str:
        return _("Foyer de %(name)s") % {"name": self.responsible}


class CurrentMemberManager(models.Manager["FoyerMember"]):
    """Members still in the foyer. A removed member's row stays (``removed_at``) because decided
    dossiers keep naming them; forms and lists only ever see the current members."""

    def get_queryset(self) -> models.QuerySet[FoyerMember]:
        return super().get_queryset().filter(removed_at__isnull=True)


class AllMembersManager(models.Manager["FoyerMember"]):
    """Every member ever in the foyer, removed ones included (history, administration)."""


class FoyerMember(models.Model):
    class Civility(models.TextChoices):
        MADAME = "mme", _("Madame")
        MONSIEUR = "m", _("Monsieur")

    class Link(models.TextChoices):
        APPLICANT = "demandeur", _("Demandeur")
        SPOUSE = "conjoint", _("Conjoint")
        CHILD = "enfant", _("Enfant")
        DEPENDANT = "ayant_droit", _("Ayant droit")
        OTHER = "autre", _("Autre")

    foyer = models.ForeignKey(Foyer, on_delete=models.CASCADE, related_name="members")
    civility = models.CharField(_("civilité"), max_length=3, choices=Civility.choices)
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    birth_date = models.DateField(_("date de naissance"))
    link = models.CharField(_("lien avec le demandeur"), max_length=12, choices=Link.choices)
    removed_at = models.DateTimeField(_("retiré du foyer le"), null=True, blank=True)

    objects = CurrentMemberManager()
    all_objects = AllMembersManager()

    class Meta:
        verbose_name = _("membre du foyer")
        verbose_name_plural = _("membres du foyer")
        ordering = ["birth_date", "pk"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: dt.date | None = None) -> int:
        day = day or timezone.localdate()
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class Organisme(models.Model):
    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("Association")
        HOLIDAY_CENTRE = "centre_vacances", _("Centre de vacances")
        COMMUNE = "commune", _("Commune")
        PUBLIC = "public", _("Autre organisme public")
        PRIVATE = "prive", _("Autre organisme privé")

    kind = models.CharField(_("type d'organisme"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("nom"), max_length=250)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True)
    address = models.CharField(_("adresse"), max_length=250)
    postal_code = models.CharField(_("code postal"), max_length=5)
    commune = models.CharField(_("commune"), max_length=100)

    class Meta:
        verbose_name = _("organisme")
        verbose_name_plural = _("organismes")
        # Roles are object permissions (see permissions/organismes.py): a member may file and
        # follow the organisme's dossiers; an administrator also manages its members.
        permissions = [
            ("act_for_organisme", _("Déposer et suivre les dossiers de l'organisme")),
            ("administer_organisme", _("Administrer l'organisme et ses membres")),
        ]

    def __str__(self) -> str:
        return self.name


class OrganismeUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key permission rows for organismes (guardian), instead of generic ones."""

    content_object = models.ForeignKey(Organisme, on_delete=models.CASCADE)


class OrganismeGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organisme, on_delete=models.CASCADE)


class OrganismeInvitation(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Membre")
        ADMINISTRATOR = "administrator", _("Administrateur")

    organisme = models.ForeignKey(Organisme, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse électronique"))
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(_("envoyée le"), default=timezone.now)
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisme}"


class SpaceEvent(models.Model):
    """Append-only audit trail of a foyer or an organisme (members, roles, invitations): the
    dossier ``Event`` needs a dossier, these changes have none."""

    foyer = models.ForeignKey(Foyer, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=50)
    created = models.DateTimeField(_("date"), auto_now_add=True)
    details = models.JSONField(_("détails"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("événement d'espace")
        verbose_name_plural = _("événements d'espace")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.action

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Space events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Space events are append-only")
