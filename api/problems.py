"""Errors as RFC 9457 problem details (``application/problem+json``), in French.

Every error of the API goes through ``exception_handler``: DRF's own (malformed JSON, 401, 403,
404, 405, 415, 429…), the actions layer's (invalid input, refused transition, conflict) and the
stale version of a dossier (412, 428). Field errors are listed in ``errors`` as in the RFC's
example: ``{"detail": "…", "pointer": "#/amount"}``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from instruction import actions
from instruction.files import FileNotReady

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: Promise
    description: Promise


PROBLEM_TYPES = {
    p.slug: p
    for p in (
        ProblemType(
            "requete-invalide",
            _("Requête invalide"),
            _("Le corps n'est pas du JSON valide, ou un champ est inconnu, manquant ou d'un mauvais type."),
        ),
        ProblemType(
            "donnees-refusees",
            _("Données refusées"),
            _("Les données sont bien formées mais l'action les refuse (voir « errors »)."),
        ),
        ProblemType("non-authentifie", _("Authentification requise"), _("Jeton absent, invalide, expiré ou révoqué.")),
        ProblemType(
            "interdit",
            _("Accès refusé"),
            _("Le compte ou la portée du jeton ne permet pas cette requête, ou le rôle ne permet pas cette action."),
        ),
        ProblemType("introuvable", _("Ressource introuvable"), _("Elle n'existe pas ou vous n'avez pas à la voir.")),
        ProblemType(
            "methode-non-autorisee", _("Méthode non autorisée"), _("Cette adresse n'accepte pas cette méthode.")
        ),
        ProblemType("non-acceptable", _("Format de réponse non disponible"), _("L'API répond en JSON.")),
        ProblemType("type-non-supporte", _("Type de contenu non supporté"), _("Envoyez application/json.")),
        ProblemType(
            "action-impossible",
            _("Action impossible"),
            _("Le statut du dossier ne permet pas cette action, ou il a changé entre-temps."),
        ),
        ProblemType(
            "version-perimee",
            _("Version périmée"),
            _("Le dossier a changé depuis sa lecture (If-Match ne correspond plus à son ETag) : relisez-le."),
        ),
        ProblemType(
            "trop-volumineux",
            _("Requête trop volumineuse"),
            _("Le corps dépasse la taille acceptée : il est refusé sans être lu."),
        ),
        ProblemType("trop-de-requetes", _("Trop de requêtes"), _("Attendez le nombre de secondes de Retry-After.")),
        ProblemType("erreur", _("Erreur"), _("Erreur inattendue.")),
    )
}
STATUS_TYPES = {
    400: "requete-invalide",
    401: "non-authentifie",
    403: "interdit",
    404: "introuvable",
    405: "methode-non-autorisee",
    406: "non-acceptable",
    409: "action-impossible",
    412: "version-perimee",
    413: "trop-volumineux",
    415: "type-non-supporte",
    429: "trop-de-requetes",
}


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("Ce dossier a été modifié depuis votre lecture : relisez-le avant d'agir.")
    default_code = "precondition_failed"


class ActionConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class QueryParameterError(exceptions.ValidationError):
    """A query string parameter is unknown or invalid: its errors name the ``parameter``."""


class ActionInvalid(exceptions.ValidationError):
    """The actions layer's InvalidInput: well-formed, refused by the business rules."""


def type_uri(slug: str) -> str:
    return f"{settings.SITE_URL}/api/problemes/#{slug}"


def problem(status_code: int, detail: str, *, instance: str, slug: str | None = None, **extra: Any) -> dict[str, Any]:
    kind = PROBLEM_TYPES[slug or STATUS_TYPES.get(status_code, "erreur")]
    return {
        "type": type_uri(kind.slug),
        "title": str(kind.title),
        "status": status_code,
        "detail": detail,
        "instance": instance,
        **extra,
    }


def _pointers(data: Any, path: str = "") -> Iterator[dict[str, str]]:
    """DRF's nested error dict/list flattened to RFC 9457 ``errors`` with JSON pointers."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("non_field_errors", "__all__"):
                yield from _pointers(value, path)
            else:
                yield from _pointers(value, f"{path}/{key}")
    elif isinstance(data, list):
        if all(isinstance(item, str) for item in data):
            for item in data:
                yield {"detail": str(item), "pointer": f"#{path}"}
        else:
            for index, item in enumerate(data):
                yield from _pointers(item, f"{path}/{index}")
    else:
        yield {"detail": str(data), "pointer": f"#{path}"}


def _translate(exc: Exception) -> Exception:
    """The actions layer's and Django's exceptions as DRF's."""
    if isinstance(exc, actions.InvalidInput):
        return ActionInvalid(detail={field: list(messages) for field, messages in exc.errors.items()})
    if isinstance(exc, actions.ActionError | FileNotReady):
        return ActionConflict(detail=exc.message)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        # permissions.access.check says no more: the caller sees the dossier but their role may not act.
        return exceptions.PermissionDenied(str(exc) or _("Votre rôle sur ce dossier ne permet pas cette action."))
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500, not hidden
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    extra: dict[str, Any] = {}
    slug = None
    if isinstance(exc, exceptions.ValidationError):
        errors = list(_pointers(exc.detail))
        if isinstance(exc, QueryParameterError):
            errors = [{"detail": e["detail"], "parameter": e["pointer"].removeprefix("#/")} for e in errors]
        extra["errors"] = errors
        slug = "donnees-refusees" if isinstance(exc, ActionInvalid) else "requete-invalide"
        detail = ngettext(
            "La requête contient %(count)d erreur : voir « errors ».",
            "La requête contient %(count)d erreurs : voir « errors ».",
            len(errors),
        ) % {"count": len(errors)}
    elif isinstance(exc, exceptions.APIException):
        detail = str(exc.detail) if not isinstance(exc.detail, dict | list) else str(exc.default_detail)
    else:
        detail = str(exc)
    response.data = problem(response.status_code, detail, instance=instance, slug=slug, **extra)
    response.content_type = PROBLEM_JSON
    return response
