"""The spaces: « Mon foyer », the organismes, invitations and the header's space switcher."""

from django.urls import URLPattern, URLResolver, path

from citizen_portal.spaces import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("espace/", views.switch_space, name="switch_space"),
    path("foyer/", views.foyer_home, name="foyer"),
    path("foyer/creer/", views.foyer_create, name="foyer_create"),
    path("foyer/modifier/", views.foyer_edit, name="foyer_edit"),
    path("foyer/membres/", views.foyer_members, name="foyer_members"),
    path("foyer/membres/ajouter/", views.foyer_member_add, name="foyer_member_add"),
    path("foyer/membres/<int:pk>/modifier/", views.foyer_member_edit, name="foyer_member_edit"),
    path("foyer/membres/<int:pk>/retirer/", views.foyer_member_remove, name="foyer_member_remove"),
    path("organismes/creer/", views.organisme_create, name="organisme_create"),
    path("organismes/<int:pk>/", views.organisme_home, name="organisme"),
    path("organismes/<int:pk>/membres/", views.organisme_members, name="organisme_members"),
    path("organismes/<int:pk>/membres/inviter/", views.organisme_invite, name="organisme_invite"),
    path("organismes/<int:pk>/membres/<int:user_id>/role/", views.organisme_member_role, name="organisme_member_role"),
    path(
        "organismes/<int:pk>/membres/<int:user_id>/retirer/",
        views.organisme_member_remove,
        name="organisme_member_remove",
    ),
    path(
        "organismes/<int:pk>/invitations/<int:invitation_id>/annuler/",
        views.organisme_invitation_cancel,
        name="organisme_invitation_cancel",
    ),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]
