"""Forms of the follow-up pages: the filters of « Demandes » and the message form.

The message form is also used by the agents' side of the thread (backoffice/messaging.py), so
that both sides validate files the same way."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from instruction.actions.base import InvalidInput
from instruction.actions.messages import MAX_ATTACHMENTS, MAX_BODY_LENGTH, check_attachments
from instruction.models import Dossier, DossierStatus
from instruction.models.dossier import PUBLIC_STATUS, public_status
from instruction.uploads import ALLOWED_TYPES

PUBLIC_STATUS_CHOICES = [(s.value, s.label) for s in DossierStatus if s not in PUBLIC_STATUS]

FOYER_SPACE = "foyer"
ORGANISME_SPACE = "organisme-"


class DossierFilterForm(forms.Form):
    """GET filters of « Demandes »; the choices come from the person's own dossiers."""

    status = forms.ChoiceField(label=_("Statut"), required=False)
    teleservice = forms.ChoiceField(label=_("Téléservice"), required=False)
    space = forms.ChoiceField(label=_("Espace"), required=False)

    def __init__(self, *args: Any, dossiers: QuerySet[Dossier], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("Tous les statuts")), *PUBLIC_STATUS_CHOICES]
        # One query for both lists of choices: the téléservices and the spaces of the person's dossiers.
        rows = (
            dossiers.order_by()
            .values_list("teleservice_id", "teleservice__title", "organisme_id", "organisme__name")
            .distinct()
        )
        teleservices: dict[str, str] = {}
        organismes: dict[str, str] = {}
        has_foyer = False
        for teleservice_id, title, organisme_id, name in rows:
            teleservices[str(teleservice_id)] = title
            if organisme_id is None:
                has_foyer = True
            else:
                organismes[f"{ORGANISME_SPACE}{organisme_id}"] = name
        cast(forms.ChoiceField, self.fields["teleservice"]).choices = [
            ("", _("Tous les téléservices")),
            *sorted(teleservices.items(), key=lambda item: item[1].lower()),
        ]
        spaces: list[tuple[str, Any]] = [("", _("Tous mes espaces"))]
        if has_foyer:
            spaces.append((FOYER_SPACE, _("Mon foyer")))
        spaces.extend(sorted(organismes.items(), key=lambda item: item[1].lower()))
        cast(forms.ChoiceField, self.fields["space"]).choices = spaces

    def filter(self, dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
        """Apply the valid filters; an invalid one is reported next to its field and ignored."""
        if not self.is_bound:
            return dossiers
        self.is_valid()
        data = self.cleaned_data
        if data.get("status"):
            # « En cours d'instruction » includes the service's internal steps shown that way.
            shown_as = [status for status in DossierStatus if public_status(status) == data["status"]]
            dossiers = dossiers.filter(status__in=shown_as)
        if data.get("teleservice"):
            dossiers = dossiers.filter(teleservice_id=int(data["teleservice"]))
        space = data.get("space") or ""
        if space == FOYER_SPACE:
            dossiers = dossiers.filter(organisme__isnull=True)
        elif space.startswith(ORGANISME_SPACE):
            dossiers = dossiers.filter(organisme_id=int(space.removeprefix(ORGANISME_SPACE)))
        return dossiers

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.cleaned_data.get(name) for name in self.fields)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (the browser's « Parcourir » with ``multiple``)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [single(upload, initial) for upload in uploads if upload]


class MessageForm(forms.Form):
    body_label = _("Votre message")

    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_BODY_LENGTH,
        error_messages={"required": _("Saisissez votre message.")},
    )
    attachments = MultipleFileField(label=_("Fichiers joints"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = self.body_label
        # Read at each use: the limit is a setting.
        self.fields["attachments"].help_text = _(
            "Facultatif. Formats acceptés : %(formats)s ; %(max_mb)s Mo au plus par fichier, %(max_files)s fichiers "
            "au plus."
        ) % {
            "formats": ", ".join(ALLOWED_TYPES.values()),
            "max_mb": settings.UPLOAD_MAX_FILE_MB,
            "max_files": MAX_ATTACHMENTS,
        }

    # Limits given to follow.js, which warns before sending (the server decides).
    max_files = MAX_ATTACHMENTS

    @property
    def max_mb(self) -> int:
        return int(settings.UPLOAD_MAX_FILE_MB)

    @property
    def max_bytes(self) -> int:
        return self.max_mb * 1024 * 1024

    def clean_attachments(self) -> list[Any]:
        files = self.cleaned_data["attachments"]
        try:
            check_attachments(files)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return files

    def add_action_errors(self, error: InvalidInput) -> None:
        """Put the action's refusals next to the fields they are about (its ``files`` are our
        ``attachments``), so that the page shows them like its own."""
        for key, messages in error.errors.items():
            name = "attachments" if key == "files" else key
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
