"""Citizen portal URLs. Each area owns its own module; names are in the ``citizen`` namespace,
except the account pages (login, logout, signup, password reset, FranceConnect) which are global."""

from django.urls import include, path

from citizen_portal import views

app_name = "citizen"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<slug:slug>/", views.teleservice_detail, name="teleservice"),
    path("catalogue/<slug:slug>/deposer/", views.start_dossier, name="start"),
    path("demandes/", views.dossier_list, name="dossiers"),
    path("demandes/<str:reference>/", views.dossier_detail, name="dossier"),
    path("demandes/<str:reference>/modifier/", views.dossier_edit, name="edit"),
    path("demandes/<str:reference>/transmettre/", views.dossier_transmit, name="transmit"),
    path("", include("citizen_portal.spaces.urls")),
    path("", include("citizen_portal.follow.urls")),
]
