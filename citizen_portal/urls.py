"""Citizen portal URLs. Each area owns its own module; names are in the ``citizen`` namespace,
except the account pages (login, logout, signup, password reset, FranceConnect) which are global."""

from django.urls import include, path

from citizen_portal import catalogue, dossiers, letters
from citizen_portal.follow import views as follow

app_name = "citizen"

urlpatterns = [
    path("", catalogue.home, name="home"),
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("catalogue/<slug:slug>/", catalogue.teleservice_detail, name="teleservice"),
    path("catalogue/<slug:slug>/deposer/", catalogue.start_dossier, name="start"),
    path("demandes/", follow.dossier_list, name="dossiers"),
    path("demandes/<str:reference>/", dossiers.dossier_detail, name="dossier"),
    path("demandes/<str:reference>/modifier/", dossiers.dossier_edit, name="edit"),
    path("demandes/<str:reference>/transmettre/", dossiers.dossier_transmit, name="transmit"),
    path("demandes/<str:reference>/pieces/<int:file_id>/", dossiers.file_download, name="file"),
    path("demandes/<str:reference>/pieces/<int:file_id>/supprimer/", dossiers.file_remove, name="remove_file"),
    path("demandes/<str:reference>/pieces/<slug:code>/remplacer/", dossiers.file_replace, name="replace_file"),
    path("demandes/<str:reference>/lettres/<int:pk>/", letters.decision_letter, name="letter"),
    path("", include("citizen_portal.spaces.urls")),
    path("", include("citizen_portal.follow.urls")),
]
