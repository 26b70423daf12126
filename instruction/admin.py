from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from instruction.letters import check_letter_template
from instruction.models import Dossier, Event, Foyer, FoyerMember, Organisme, OutboxMessage, Teleservice


class TeleserviceAdminForm(forms.ModelForm):
    """The admin builds the form's fields from this base (``ModelAdmin.get_form``)."""

    def clean_letter_template(self) -> str:
        """A template that would not render is refused here, not when a decision is e-mailed."""
        source: str = self.cleaned_data.get("letter_template") or ""
        check_letter_template(source)
        return source


@admin.register(Teleservice)
class TeleserviceAdmin(admin.ModelAdmin):
    form = TeleserviceAdminForm
    list_display = ["title", "code", "audience", "published", "opens_on", "closes_on", "instructing_service"]
    list_filter = ["published", "audience"]
    prepopulated_fields = {"slug": ["title"]}


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
