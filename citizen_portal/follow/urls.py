"""Following dossiers and their messages; included in the ``citizen`` namespace."""

from django.urls import URLPattern, URLResolver, path

from citizen_portal.follow import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("messages/", views.thread_list, name="messages"),
    path("messages/<str:reference>/", views.thread, name="thread"),
    path("messages/<str:reference>/pieces-jointes/<int:pk>/", views.attachment, name="attachment"),
]
