from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from instruction.email_templates import VARIABLES as EMAIL_VARIABLES
from instruction.email_templates import check_email_template
from instruction.letters import check_letter_template
from instruction.models import (
    Dossier,
    Event,
    Foyer,
    FoyerMember,
    Organisme,
    OutboxMessage,
    Teleservice,
    TeleserviceDocument,
)
from instruction.versions import declared_documents, ensure_current_version

EMAIL_FIELDS = ("ack_email_subject", "ack_email_body", "decision_email_subject", "decision_email_body")


class TeleserviceAdminForm(forms.ModelForm):
    """The admin builds the form's fields from this base (``ModelAdmin.get_form``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        variables = _("Variables : %(names)s. Vide : le texte par défaut.") % {"names": ", ".join(EMAIL_VARIABLES)}
        for name in EMAIL_FIELDS:
            if name in self.fields:
                self.fields[name].help_text = variables

    def clean_letter_template(self) -> str:
        """A template that would not render is refused here, not when a decision is e-mailed."""
        source: str = self.cleaned_data.get("letter_template") or ""
        check_letter_template(source)
        return source

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        for name in EMAIL_FIELDS:
            if cleaned.get(name):
                try:
                    check_email_template(cleaned[name])
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned


class DocumentInlineForm(forms.ModelForm):
    class Meta:
        model = TeleserviceDocument
        fields = ["label", "help", "required", "order", "active"]


class TeleserviceDocumentInline(admin.TabularInline):
    """The documents asked for. Those declared by the form in code keep their condition (shown,
    not editable); new ones are unconditional. Deactivated rather than deleted: files of
    dossiers already filed are stored under their code."""

    model = TeleserviceDocument
    form = DocumentInlineForm
    fields = ["code", "label", "help", "required", "order", "active", "condition"]
    readonly_fields = ["code", "condition"]
    extra = 1
    can_delete = False

    @admin.display(description=_("condition"))
    def condition(self, row: TeleserviceDocument) -> str:
        if not row.pk:
            return ""
        spec = next((s for s in declared_documents(row.teleservice) if s.code == row.code), None)
        if spec is None or not spec.is_conditional:
            return str(_("Toujours demandée"))
        note = str(spec.condition_note) or str(_("selon les réponses"))
        return str(_("Demandée %(note)s (règle du formulaire)")) % {"note": note}


FIELDSETS: list[tuple[Any, list[str]]] = [
    (_("Présentation"), ["title", "slug", "code", "audience", "category", "fiche", "flow_class_path"]),
    (_("Ouverture"), ["published", "opens_on", "closes_on"]),
    (
        _("Instruction"),
        [
            "instructing_service",
            "processing_days",
            "complement_days",
            "complement_reminder_days",
            "complement_expiry",
            "validation_threshold",
        ],
    ),
    (_("Conservation des données (RGPD)"), ["retention_years"]),
    (_("Modèles"), ["ack_email_subject", "ack_email_body", *EMAIL_FIELDS[2:], "letter_template"]),
]


@admin.register(Teleservice)
class TeleserviceAdmin(admin.ModelAdmin):
    form = TeleserviceAdminForm
    list_display = [
        "title",
        "code",
        "audience",
        "published",
        "opens_on",
        "closes_on",
        "instructing_service",
        "processing_days",
    ]
    list_filter = ["published", "audience", "instructing_service"]
    list_select_related = ["instructing_service"]
    prepopulated_fields = {"slug": ["title"]}
    actions = ["publish", "unpublish"]
    inlines = [TeleserviceDocumentInline]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        # A field added to the model later still shows, under « Autres réglages ».
        placed = {name for _title, names in FIELDSETS for name in names}
        others = [name for name in self.get_form(request, obj, fields=None).base_fields if name not in placed]
        fieldsets = [(title, {"fields": names}) for title, names in FIELDSETS]
        return fieldsets + ([(_("Autres réglages"), {"fields": others})] if others else [])

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        teleservice = self.get_object(request, object_id)
        if teleservice is not None:
            # A téléservice created before documents were editable gets its declared ones.
            ensure_current_version(teleservice)
        return super().change_view(request, object_id, *args, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Dossiers already transmitted keep the version they were filed with.
        ensure_current_version(form.instance)

    @admin.action(description=_("Publier"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Teleservice]) -> None:
        self._set_published(request, queryset, True)

    @admin.action(description=_("Dépublier"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Teleservice]) -> None:
        self._set_published(request, queryset, False)

    def _set_published(self, request: HttpRequest, queryset: QuerySet[Teleservice], published: bool) -> None:
        count = queryset.exclude(published=published).update(published=published)
        if published:
            message = ngettext("%(count)d téléservice publié.", "%(count)d téléservices publiés.", count)
        else:
            message = ngettext("%(count)d téléservice dépublié.", "%(count)d téléservices dépubliés.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """State changes go through the actions layer, never through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ["reference", "teleservice", "applicant", "status", "assignee", "transmitted_at", "deadline"]
    list_filter = ["status", "teleservice"]
    search_fields = ["reference", "applicant__email"]
    list_select_related = ["teleservice", "applicant", "assignee"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["created", "dossier", "actor", "action", "from_status", "to_status"]
    list_select_related = ["dossier", "actor"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "status", "attempts", "created", "sent_at"]
    list_filter = ["status", "kind"]


class FoyerMemberInline(admin.TabularInline):
    model = FoyerMember
    extra = 0


@admin.register(Foyer)
class FoyerAdmin(admin.ModelAdmin):
    list_display = ["responsible", "commune", "quotient_familial"]
    inlines = [FoyerMemberInline]


@admin.register(Organisme)
class OrganismeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "siret", "commune"]


# Webhook subscriptions and their delivery log.
from instruction import admin_webhooks  # noqa: E402, F401
