"""The site's own error pages where Django's would be English or a bare 500: a refused CSRF check
(403), a request Django refuses while reading it (400: too many fields or files, malformed body)
and a body over the size limit (413, from config.body_limit)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _problem(request: HttpRequest, status: int, slug: str, detail: str) -> HttpResponse:
    from api.problems import PROBLEM_JSON, problem

    body = problem(status, detail, instance=request.get_full_path(), slug=slug)
    return JsonResponse(body, status=status, content_type=PROBLEM_JSON)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without this site's token (an old tab, cookies refused, or a
    post forged by another site). Nothing was done; the reason goes to Django's security log."""
    return render(request, "403_csrf.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: says which limit was hit when Django refused to read the form."""
    if isinstance(exception, TooManyFieldsSent):
        detail = _("Le formulaire envoyé contient trop de champs (plus de %(max)d) : il n'a pas été traité.") % {
            "max": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
    elif isinstance(exception, TooManyFilesSent):
        detail = _("Le formulaire envoyé contient trop de fichiers (plus de %(max)d) : il n'a pas été traité.") % {
            "max": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
    elif isinstance(exception, RequestDataTooBig):
        detail = too_big_detail()
    else:
        detail = _("La requête n'a pas pu être traitée.")
    if _is_api(request):
        return _problem(request, 400, "requete-invalide", detail)
    return render(request, "400.html", {"detail": detail}, status=400)


def refused_url(request: HttpRequest) -> HttpResponse:
    detail = _("L'adresse demandée contient un caractère interdit.")
    if _is_api(request):
        return _problem(request, 400, "requete-invalide", detail)
    return render(request, "400.html", {"detail": detail}, status=400)


def too_big_detail() -> str:
    return _(
        "L'envoi dépasse la taille maximale acceptée (%(max)s Mo en tout). Rien n'a été enregistré : "
        "envoyez vos fichiers en plusieurs fois, chacun de %(file_max)s Mo au plus."
    ) % {"max": settings.REQUEST_MAX_BODY_MB, "file_max": settings.UPLOAD_MAX_FILE_MB}


def payload_too_large(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        detail = _("Le corps de la requête dépasse %(max)s Ko.") % {"max": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024}
        return _problem(request, 413, "trop-volumineux", detail)
    # No "Connection: close" here: a hop-by-hop header is the WSGI server's to set (Django's own
    # server answers 500 to an application that sets one).
    return render(request, "413.html", {"detail": too_big_detail()}, status=413)
