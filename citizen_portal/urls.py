from django.urls import path

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
]
