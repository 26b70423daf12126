"""What a dossier is filed with: the téléservice's documents list and form, as versions.

The administrators edit a téléservice's documents (``TeleserviceDocument``); each change, and
each new ``version`` declared by the form class in code, makes a new ``TeleserviceVersion``: a
frozen snapshot of the documents list and of the form's code version. A draft follows the
current version; at transmission the dossier is pinned to it (``FiledVersion``) and keeps it.
The logic lives in instruction/versions.py."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from instruction.models.dossier import Dossier
from instruction.models.teleservice import Teleservice


class TeleserviceDocument(models.Model):
    """One supporting document of a téléservice, as the administrators set it. Documents
    declared by the form class in code are seeded here; their condition stays in code."""

    teleservice = models.ForeignKey(
        Teleservice, on_delete=models.CASCADE, related_name="document_rows", verbose_name=_("téléservice")
    )
    # Files are stored under this code: it never changes once the row exists.
    code = models.SlugField(_("code"), max_length=50, editable=False)
    label = models.CharField(_("intitulé"), max_length=200)
    help = models.CharField(_("aide"), max_length=300, blank=True)
    required = models.BooleanField(_("obligatoire"), default=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0, help_text=_("0 : après les autres."))
    active = models.BooleanField(
        _("demandée"), default=True, help_text=_("Décochée : la pièce n'est plus demandée aux nouveaux dossiers.")
    )

    class Meta:
        verbose_name = _("pièce justificative")
        verbose_name_plural = _("pièces justificatives")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["teleservice", "code"], name="unique_teleservice_document")]

    def __str__(self) -> str:
        return self.label

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.code:
            self.code = self._new_code()
        if self._state.adding and not self.order:
            # A document added without a place goes after the others.
            last = TeleserviceDocument.objects.filter(teleservice=self.teleservice).aggregate(m=models.Max("order"))
            self.order = (last["m"] or 0) + 10
        super().save(*args, **kwargs)

    def _new_code(self) -> str:
        base = (slugify(self.label).replace("-", "_") or "piece")[:40]
        taken = set(TeleserviceDocument.objects.filter(teleservice=self.teleservice).values_list("code", flat=True))
        code, n = base, 2
        while code in taken:
            code, n = f"{base}_{n}", n + 1
        return code


class TeleserviceVersion(models.Model):
    """A frozen version of a téléservice: never changed once written."""

    teleservice = models.ForeignKey(
        Teleservice, on_delete=models.CASCADE, related_name="versions", verbose_name=_("téléservice")
    )
    number = models.PositiveIntegerField(_("version"))
    flow_class_path = models.CharField(_("circuit d'instruction"), max_length=200)
    form_version = models.PositiveIntegerField(_("version du formulaire"))
    # [{"code", "label", "help", "required"}], the active documents in their order.
    documents = models.JSONField(_("pièces justificatives"), default=list)
    created = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("version de téléservice")
        verbose_name_plural = _("versions de téléservice")
        ordering = ["teleservice", "-number"]
        constraints = [models.UniqueConstraint(fields=["teleservice", "number"], name="unique_teleservice_version")]

    def __str__(self) -> str:
        return f"{self.teleservice} — v{self.number}"


class FiledVersion(models.Model):
    """The version a dossier was transmitted with (a draft has none: it follows the current one)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, primary_key=True, related_name="filed_version")
    version = models.ForeignKey(TeleserviceVersion, on_delete=models.PROTECT, related_name="dossiers")

    class Meta:
        verbose_name = _("version du dossier")
        verbose_name_plural = _("versions des dossiers")

    def __str__(self) -> str:
        return f"{self.dossier_id} — v{self.version_id}"
