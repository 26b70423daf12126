"""OpenAPI helpers: every error answer documented as problem details."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse

from api.problems import PROBLEM_JSON
from api.serializers import ProblemSerializer

DESCRIPTIONS = {
    400: "Requête invalide (JSON mal formé, champ inconnu, manquant ou d'un mauvais type) ou données refusées.",
    401: "Jeton absent, invalide, expiré ou révoqué.",
    403: "Compte qui n'est pas agent, portée du jeton insuffisante, ou rôle qui ne permet pas l'action.",
    404: "Introuvable, ou vous n'avez pas à le voir.",
    409: "Le statut du dossier ne permet pas cette action, ou il a changé entre-temps.",
    412: "If-Match ne correspond plus à la version (ETag) du dossier.",
    415: "Type de contenu non supporté : envoyez application/json.",
    429: "Trop de requêtes pour ce jeton : voir l'en-tête Retry-After.",
}
READ = (401, 403, 429)
OBJECT = (*READ, 404)
WRITE = (*OBJECT, 400, 409, 412, 415)


def problems(*codes: int) -> dict[Any, Any]:
    return {(code, PROBLEM_JSON): OpenApiResponse(ProblemSerializer, description=DESCRIPTIONS[code]) for code in codes}
