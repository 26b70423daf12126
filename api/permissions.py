"""Who may use the API: agents and integration accounts (an account that instructs at least one
téléservice), with the token's scope for the method: ``read`` to read, ``instruct`` to act."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from api.models import ApiToken, Scope
from permissions import access


def required_scope(method: str) -> str:
    return Scope.READ if method in SAFE_METHODS else Scope.INSTRUCT


class AgentTokenPermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            raise exceptions.NotAuthenticated(
                _("Authentifiez-vous avec un jeton d'API : « Authorization: Bearer <clé> ».")
            )
        if not access.instructed_teleservice_ids(request.user):
            raise exceptions.PermissionDenied(
                _("L'API est réservée aux agents instructeurs et aux comptes d'intégration d'un service instructeur.")
            )
        scope = required_scope(request.method or "GET")
        if not token.has_scope(scope):
            raise exceptions.PermissionDenied(
                _("Ce jeton n'a pas la portée « %(scope)s » nécessaire à cette requête.") % {"scope": scope}
            )
        return True
