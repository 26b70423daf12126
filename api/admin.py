"""API tokens in the administration: listed and revoked here, created by ``manage.py api_token``
(the key is shown once, by the command)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.models import ApiToken


class StateFilter(admin.SimpleListFilter):
    title = _("état")
    parameter_name = "etat"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("actif", _("Utilisable")), ("expire", _("Expiré")), ("revoque", _("Révoqué"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        if self.value() == "actif":
            return queryset.usable()  # type: ignore[attr-defined]
        if self.value() == "expire":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=timezone.now())
        if self.value() == "revoque":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "scopes", "created", "expires_at", "last_used_at", "state")
    list_filter = (StateFilter,)
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "scopes", "created", "expires_at", "last_used_at", "revoked_at")
    fields = readonly_fields
    actions = ["revoke"]

    @admin.display(description=_("état"))
    def state(self, token: ApiToken) -> str:
        if token.revoked_at is not None:
            return str(_("Révoqué"))
        return str(_("Utilisable")) if token.is_usable else str(_("Expiré"))

    @admin.action(description=_("Révoquer les jetons sélectionnés"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d jeton révoqué.", "%(count)d jetons révoqués.", count) % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the key must be shown once: manage.py api_token

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False if obj is not None else super().has_change_permission(request)
