"""/api/: the schema, its documentation page, the problem types, and version 1 of the API.

Authentication is by token only, so every view here opts out of the site's login redirect."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from api import docs, views

app_name = "api"

v1 = [
    path("moi/", login_not_required(views.MeView.as_view()), name="me"),
    path("teleservices/", login_not_required(views.TeleserviceList.as_view()), name="teleservice-list"),
    path("teleservices/<int:pk>/", login_not_required(views.TeleserviceDetail.as_view()), name="teleservice-detail"),
    path("dossiers/", login_not_required(views.DossierList.as_view()), name="dossier-list"),
    path("dossiers/<str:reference>/", login_not_required(views.DossierDetail.as_view()), name="dossier-detail"),
    path(
        "dossiers/<str:reference>/messages/",
        login_not_required(views.MessageList.as_view()),
        name="dossier-messages",
    ),
    path(
        "dossiers/<str:reference>/files/<int:pk>/",
        login_not_required(views.DossierFileView.as_view()),
        name="dossier-file",
    ),
    path(
        "dossiers/<str:reference>/messages/attachments/<int:pk>/",
        login_not_required(views.MessageAttachmentView.as_view()),
        name="message-attachment",
    ),
    *(
        path(
            f"dossiers/<str:reference>/{name.replace('_', '-')}/",
            login_not_required(views.action_view(name).as_view()),
            name=f"dossier-{name.replace('_', '-')}",
        )
        for name in views.ACTIONS
    ),
]

urlpatterns = [
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", login_not_required(docs.api_docs), name="docs"),
    path("problemes/", login_not_required(views.problem_types), name="problem-types"),
    path("v1/", include(v1)),
    re_path(r"^.*$", login_not_required(views.NotFoundView.as_view()), name="not-found"),
]
