"""Who is who: user accounts (e-mail as login) and instructing services."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    class Civility(models.TextChoices):
        MADAME = "mme", _("Madame")
        MONSIEUR = "m", _("Monsieur")

    email = models.EmailField(_("adresse électronique"), unique=True)
    # Asked at sign-up (the seed's form); blank for agents and FranceConnect accounts.
    civility = models.CharField(_("civilité"), max_length=3, choices=Civility.choices, blank=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("date d'inscription"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class InstructingService(models.Model):
    """A team of instructing agents. Its agents are the members of ``group``, which holds
    the object permission ``instruction.instruct_teleservice`` on each téléservice it instructs."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="instructing_service")
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="supervised_services", verbose_name=_("superviseurs")
    )

    class Meta:
        verbose_name = _("service instructeur")
        verbose_name_plural = _("services instructeurs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.group_id is None:
            self.group, _created = Group.objects.get_or_create(name=f"Service instructeur : {self.name}")
        super().save(*args, **kwargs)

    def add_agent(self, user: User) -> None:
        user.groups.add(self.group)


class FranceConnectIdentity(models.Model):
    """The certified identity a person brought from FranceConnect. Matched on ``sub``, never on
    e-mail; the person cannot edit these fields (they are refreshed at each FranceConnect login)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="franceconnect")
    sub = models.CharField(_("identifiant FranceConnect"), max_length=255, unique=True)
    given_name = models.CharField(_("prénoms"), max_length=255, blank=True)
    family_name = models.CharField(_("nom de naissance"), max_length=255, blank=True)
    birthdate = models.DateField(_("date de naissance"), null=True, blank=True)
    claims = models.JSONField(_("données d'identité certifiées"), default=dict)
    created = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated = models.DateTimeField(_("mise à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("identité FranceConnect")
        verbose_name_plural = _("identités FranceConnect")

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or self.sub
