"""The API's endpoints: thin views over the domain. Lists reuse the back office's filters and
keyset pages (backoffice/lists.py), object lookups reuse its access check (404 for whoever may
not see), and every change goes through the actions layer, as the pages do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import schema
from api.problems import PROBLEM_TYPES, PreconditionFailed, QueryParameterError
from api.serializers import (
    AssignInputSerializer,
    ComplementInputSerializer,
    DecideInputSerializer,
    DossierDetailSerializer,
    DossierPageSerializer,
    DossierSummarySerializer,
    EmptyInputSerializer,
    MeSerializer,
    MessageInputSerializer,
    MessageSerializer,
    TeleserviceSerializer,
    etag_of,
)
from backoffice import lists
from backoffice.views import _agent_dossier, _instructed
from citizen_portal.follow.views import attachment_response
from config.db import read_alias
from instruction import actions
from instruction.files import private_file_response
from instruction.models import Dossier, DossierFile, DossierStatus, Teleservice
from permissions import access
from permissions.models import User

MAX_PAGE_SIZE = 100


class Pagination(PageNumberPagination):
    page_size = lists.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


def instructed(request: Request) -> Any:
    """The dossiers of the téléservices the caller instructs, never drafts (the back office's base)."""
    return _instructed(request)


def agent_dossier(request: Request, reference: str) -> Dossier:
    """The back office's lookup: 404 unless the caller is an agent of the dossier's téléservice."""
    return _agent_dossier(request, reference)


# --- Who am I ---------------------------------------------------------------------------------
class MeView(APIView):
    @extend_schema(
        summary=gettext_lazy("Le compte et le jeton utilisés"),
        operation_id="me",
        responses={200: MeSerializer, **schema.problems(*schema.READ)},
    )
    def get(self, request: Request) -> Response:
        token = request.auth
        me = {
            "user": request.user,
            "name": token.name,
            "scopes": token.scopes,
            "expires_at": token.expires_at,
            "teleservice_ids": sorted(access.instructed_teleservice_ids(request.user)),
        }
        return Response(MeSerializer(me).data)


# --- Téléservices -----------------------------------------------------------------------------
def instructed_teleservices(user: Any) -> Any:
    ids = access.instructed_teleservice_ids(user)
    return Teleservice.objects.filter(pk__in=ids).select_related("instructing_service").order_by("title", "pk")


class TeleserviceList(generics.ListAPIView):
    serializer_class = TeleserviceSerializer
    pagination_class = Pagination

    def get_queryset(self) -> Any:
        return instructed_teleservices(self.request.user)

    @extend_schema(
        summary=gettext_lazy("Les téléservices que le compte instruit"),
        operation_id="teleservice_list",
        responses={200: TeleserviceSerializer(many=True), **schema.problems(*schema.READ, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class TeleserviceDetail(generics.RetrieveAPIView):
    serializer_class = TeleserviceSerializer
    lookup_field = "pk"

    def get_queryset(self) -> Any:
        return instructed_teleservices(self.request.user)

    @extend_schema(
        summary=gettext_lazy("Un téléservice que le compte instruit"),
        operation_id="teleservice_detail",
        responses={200: TeleserviceSerializer, **schema.problems(*schema.OBJECT)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# --- Dossiers ---------------------------------------------------------------------------------
TABS = {"mine": lists.MINE, "queue": lists.QUEUE, "validate": lists.TO_VALIDATE, "done": lists.DONE}
ALL_FILTERS = lists.Tab("all", gettext_lazy("Tous"), "api:dossier-list", "tous", lists.DONE.filters)
QUERY_PARAMETERS = {"tab", "q", "teleservice", "status", "deadline", "assignee", "sort", "after", "before", "page_size"}
SORTS = [key for column in lists.SORT_COLUMNS for key in (column, f"-{column}")]

LIST_PARAMETERS = [
    OpenApiParameter(
        "tab",
        str,
        enum=list(TABS),
        description=gettext_lazy(
            "Onglet : mine (« Mes tâches »), queue (« À traiter »), validate (« À valider »), done (« Traités ») ; "
            "sans onglet, tous les dossiers des téléservices instruits."
        ),
    ),
    OpenApiParameter("q", str, description=gettext_lazy("Recherche : référence, demandeur, bénéficiaire, commune.")),
    OpenApiParameter("teleservice", int, description=gettext_lazy("Identifiant du téléservice.")),
    OpenApiParameter("status", str, enum=[s.value for s in DossierStatus if s != DossierStatus.DRAFT]),
    OpenApiParameter(
        "deadline",
        str,
        enum=[lists.LATE, lists.SOON],
        description=gettext_lazy("late : en retard ; soon : échéance sous 7 jours."),
    ),
    OpenApiParameter(
        "assignee", str, description=gettext_lazy("Identifiant de l'agent en charge, ou « none » : non attribué.")
    ),
    OpenApiParameter("sort", str, enum=SORTS, description=gettext_lazy("Tri ; « - » pour l'ordre décroissant.")),
    OpenApiParameter("after", str, description=gettext_lazy("Curseur de la page suivante (lien « next »).")),
    OpenApiParameter("before", str, description=gettext_lazy("Curseur de la page précédente (lien « previous »).")),
    OpenApiParameter("page_size", int, description=gettext_lazy("Dossiers par page, de 1 à 100 (50 par défaut).")),
]


ETAG = OpenApiParameter(
    "ETag",
    str,
    location=OpenApiParameter.HEADER,
    response=[200],
    description=gettext_lazy("Version du dossier, à renvoyer dans If-Match."),
)


def _page_link(request: Request, **changes: str) -> str:
    params = request.query_params.copy()
    for name in ("after", "before"):
        params.pop(name, None)
    params.update(changes)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def _page_size(params: QueryDict) -> int:
    raw = params.get("page_size")
    if raw is None:
        return lists.PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise QueryParameterError({"page_size": [_("Un nombre entier de 1 à %(max)d.") % {"max": MAX_PAGE_SIZE}]})
    return int(raw)


class DossierList(APIView):
    @extend_schema(
        summary=gettext_lazy("Les dossiers, filtrés comme dans les listes des agents"),
        operation_id="dossier_list",
        parameters=LIST_PARAMETERS,
        responses={200: DossierPageSerializer, **schema.problems(*schema.READ, 400)},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        errors: dict[str, list[str]] = {}
        for name in sorted(set(params) - QUERY_PARAMETERS):
            errors[name] = [_("Paramètre inconnu.")]
        tab = TABS.get(params.get("tab", ""))
        if "tab" in params and tab is None:
            errors["tab"] = [_("Onglet inconnu : %(tabs)s.") % {"tabs": ", ".join(TABS)}]
        if "sort" in params and params["sort"] not in SORTS:
            errors["sort"] = [_("Tri inconnu : %(sorts)s.") % {"sorts": ", ".join(SORTS)}]
        if errors:
            raise QueryParameterError(errors)
        size = _page_size(params)
        # The list only reads from the replica when there is one (config/db.py): it may lag by a
        # fraction of a second; a dossier's own endpoint and the actions read ``default``.
        alias = read_alias()
        base = instructed(request).using(alias)
        teleservices = list(
            Teleservice.objects.using(alias)
            .filter(pk__in=access.instructed_teleservice_ids(request.user))
            .order_by("title", "pk")
            .values_list("pk", "title", "instructing_service_id")
        )
        agents = lists.agent_choices({row[2] for row in teleservices}, alias)
        form = lists.ListFilterForm(
            params, tab=ALL_FILTERS, teleservices=[(pk, title) for pk, title, _s in teleservices], agents=agents
        )
        dossiers = base if tab is None else lists.tab_queryset(tab, request.user, base)
        dossiers = form.apply(dossiers, timezone.localdate())
        if form.errors:
            raise QueryParameterError({name: list(messages) for name, messages in form.errors.items()})
        ordering = lists.Ordering.parse(params.get("sort"))
        for name in ("after", "before"):
            if params.get(name) and ordering.read_cursor(params[name]) is None:
                raise QueryParameterError({name: [_("Curseur invalide pour ce tri.")]})
        page = lists.keyset_page(
            dossiers,
            ordering,
            params,
            size=size,
            shown=lambda rows: rows.select_related("teleservice", "applicant", "beneficiary", "assignee"),
        )
        data = {
            "results": DossierSummarySerializer(page.rows, many=True, context={"request": request}).data,
            "next": _page_link(request, after=ordering.cursor(page.rows[-1])) if page.rows and page.has_next else None,
            "previous": _page_link(request, before=ordering.cursor(page.rows[0]))
            if page.rows and page.has_previous
            else None,
        }
        return Response(data)


class DossierDetail(APIView):
    @extend_schema(
        summary=gettext_lazy("Un dossier, avec ses pièces et son historique"),
        operation_id="dossier_detail",
        parameters=[ETAG],
        responses={
            200: OpenApiResponse(
                DossierDetailSerializer,
                description=gettext_lazy("L'en-tête ETag porte la version du dossier, à renvoyer dans If-Match."),
            ),
            **schema.problems(*schema.OBJECT),
        },
    )
    def get(self, request: Request, reference: str) -> Response:
        dossier = agent_dossier(request, reference)
        return dossier_response(request, dossier)


def dossier_response(request: Request, dossier: Dossier, status_code: int = status.HTTP_200_OK) -> Response:
    response = Response(DossierDetailSerializer(dossier, context={"request": request}).data, status=status_code)
    response["ETag"] = etag_of(dossier)
    return response


# --- Actions ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ApiAction:
    function: Callable[..., Any]
    input: type[serializers.Serializer]
    summary: Any
    arguments: Callable[[dict[str, Any]], dict[str, Any]] = lambda data: data


def _assign_arguments(data: dict[str, Any]) -> dict[str, Any]:
    # An unknown agent is refused by the action itself (« Choisissez l'agent … »).
    agent = User.objects.filter(pk=data["agent"], is_active=True).first()
    return {"agent": agent, "reason": data["reason"]}


ACTIONS: dict[str, ApiAction] = {
    "take": ApiAction(actions.take, EmptyInputSerializer, gettext_lazy("« Prendre en charge »")),
    "release": ApiAction(actions.release, EmptyInputSerializer, gettext_lazy("Remettre dans la file « À traiter »")),
    "assign": ApiAction(
        actions.assign, AssignInputSerializer, gettext_lazy("« Attribuer » (superviseur)"), _assign_arguments
    ),
    "request_complement": ApiAction(
        actions.request_complement, ComplementInputSerializer, gettext_lazy("« Demander un complément »")
    ),
    "decide": ApiAction(actions.decide, DecideInputSerializer, gettext_lazy("Décider : accepter, refuser, classer")),
}


def _matches(if_match: str, etag: str) -> bool:
    candidates = [value.strip() for value in if_match.split(",")]
    return "*" in candidates or etag in candidates  # strong comparison (RFC 9110): a weak ETag never matches


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        "Facultatif, recommandé : l'ETag du dossier lu. S'il a changé depuis, l'action est refusée (412)."
    ),
)


class DossierActionView(APIView):
    action_name = ""

    def post(self, request: Request, reference: str) -> Response:
        spec = ACTIONS[self.action_name]
        dossier = agent_dossier(request, reference)
        access.check(request.user, dossier, self.action_name)  # 403 before looking at the input
        serializer = spec.input(data=request.data)
        serializer.is_valid(raise_exception=True)
        arguments = spec.arguments(dict(serializer.validated_data))
        if_match = request.headers.get("If-Match")
        with transaction.atomic():
            locked = Dossier.objects.select_for_update(of=("self",)).select_related("teleservice").get(pk=dossier.pk)
            if if_match is not None and not _matches(if_match, etag_of(locked)):
                raise PreconditionFailed
            spec.function(locked, acting_user=request.user, **arguments)
        fresh = agent_dossier(request, reference)
        return dossier_response(request, fresh)


def action_view(name: str) -> type[DossierActionView]:
    """One view class per action, each with its own documented input."""
    spec = ACTIONS[name]

    def post(self: DossierActionView, request: Request, reference: str) -> Response:
        return DossierActionView.post(self, request, reference)

    documented = extend_schema(
        summary=spec.summary,
        operation_id=f"dossier_{name}",
        parameters=[IF_MATCH, ETAG],
        request=spec.input,
        responses={
            200: OpenApiResponse(DossierDetailSerializer, description=gettext_lazy("Le dossier après l'action.")),
            **schema.problems(*schema.WRITE),
        },
    )(post)
    class_name = "".join(part.title() for part in name.split("_")) + "Action"
    return type(class_name, (DossierActionView,), {"action_name": name, "post": documented})


# --- Messages ---------------------------------------------------------------------------------
class MessageList(generics.GenericAPIView):
    serializer_class = MessageSerializer
    pagination_class = Pagination

    @extend_schema(
        summary=gettext_lazy("Le fil de messages du dossier (sans le marquer comme lu)"),
        operation_id="message_list",
        parameters=[
            OpenApiParameter("page", int, description=gettext_lazy("Numéro de page, à partir de 1.")),
            OpenApiParameter(
                "page_size", int, description=gettext_lazy("Messages par page, de 1 à 100 (50 par défaut).")
            ),
        ],
        responses={200: MessageSerializer(many=True), **schema.problems(*schema.OBJECT)},
    )
    def get(self, request: Request, reference: str) -> Response:
        dossier = agent_dossier(request, reference)
        messages = dossier.messages.select_related("author").prefetch_related("attachments").order_by("created", "pk")
        page = self.paginate_queryset(messages)
        return self.get_paginated_response(MessageSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        summary=gettext_lazy("« Envoyer » un message au demandeur"),
        operation_id="message_send",
        request=MessageInputSerializer,
        responses={201: MessageSerializer, **schema.problems(*schema.OBJECT, 400, 409, 415)},
    )
    def post(self, request: Request, reference: str) -> Response:
        dossier = agent_dossier(request, reference)
        access.check(request.user, dossier, "message")
        serializer = MessageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = actions.send_message(dossier, acting_user=request.user, body=serializer.validated_data["body"])
        return Response(MessageSerializer(message, context={"request": request}).data, status=status.HTTP_201_CREATED)


# --- Files -----------------------------------------------------------------------------------
FILE_RESPONSES = {
    (200, "*/*"): OpenApiResponse(
        OpenApiTypes.BINARY, description=gettext_lazy("Le fichier, en téléchargement, du type vérifié au dépôt.")
    ),
    302: OpenApiResponse(
        description=gettext_lazy("Stockage S3 : redirection vers une adresse signée, de courte durée.")
    ),
    **schema.problems(*schema.OBJECT),
}


class DossierFileView(APIView):
    @extend_schema(
        summary=gettext_lazy("Un fichier d'une pièce justificative"),
        operation_id="dossier_file",
        responses=FILE_RESPONSES,
    )
    def get(self, request: Request, reference: str, pk: int) -> HttpResponseBase:
        dossier = agent_dossier(request, reference)
        return private_file_response(DossierFile.objects.filter(dossier=dossier, pk=pk).first())


class MessageAttachmentView(APIView):
    @extend_schema(
        summary=gettext_lazy("Une pièce jointe d'un message"),
        operation_id="message_attachment",
        responses=FILE_RESPONSES,
    )
    def get(self, request: Request, reference: str, pk: int) -> HttpResponseBase:
        return attachment_response(agent_dossier(request, reference), pk)


# --- Pages around the API ---------------------------------------------------------------------
def problem_types(request: HttpRequest) -> HttpResponse:
    """The page the ``type`` of every problem points to (one anchor per type), in French."""
    return render(request, "api/problem_types.html", {"types": PROBLEM_TYPES.values()})


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other address under /api/: a 404 as problem details (not the site's HTML page)."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []

    def _not_found(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.NotFound()

    get = post = put = patch = delete = options = head = _not_found
