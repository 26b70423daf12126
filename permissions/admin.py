from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from permissions.models import InstructingService, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name")}),
        (_("Droits"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class InstructingServiceForm(forms.ModelForm):
    """The agents are the members of the service's group: edited here as if they were a field."""

    agents = forms.ModelMultipleChoiceField(
        label=_("Agents"),
        queryset=User.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(InstructingService._meta.get_field("supervisors"), admin.site),
        help_text=_("Les agents instruisent les dossiers des téléservices du service."),
    )

    class Meta:
        model = InstructingService
        fields = ["name", "agents", "supervisors"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["agents"] = list(self.instance.group.user_set.values_list("pk", flat=True))


@admin.register(InstructingService)
class InstructingServiceAdmin(admin.ModelAdmin):
    form = InstructingServiceForm
    list_display = ["name", "agent_count"]
    search_fields = ["name"]
    autocomplete_fields = ["supervisors"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InstructingService]:
        return super().get_queryset(request).annotate(_agent_count=Count("group__user", distinct=True))

    @admin.display(description=_("agents"), ordering="_agent_count")
    def agent_count(self, service: InstructingService) -> int:
        return getattr(service, "_agent_count", 0)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        form.instance.group.user_set.set(form.cleaned_data["agents"])
