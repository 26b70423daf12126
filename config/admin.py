"""Django's admin for administrators only, behind the site's own login.

Only an active superuser (who is staff) gets in. Anyone else who is logged in gets a 404: the
admin's existence is not advertised to citizens and agents. The admin's own login page is not
used: it sends to the site's login (« /connexion/?next=… »), where the same throttling
(django-axes) and the same rules apply."""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse

ViewT = TypeVar("ViewT", bound=Callable[..., HttpResponseBase])


def is_administrator(user: Any) -> bool:
    return bool(user.is_active and user.is_staff and user.is_superuser)


class AdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def admin_view(self, view: ViewT, cacheable: bool = False) -> ViewT:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if not self.has_permission(request):
                raise Http404
            return inner(request, *args, **kwargs)

        return cast(ViewT, update_wrapper(guarded, inner))

    @login_not_required
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.user.is_authenticated and not self.has_permission(request):
            raise Http404
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, settings.LOGIN_URL)
