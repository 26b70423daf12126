from django.urls import path

from backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("mes-taches/", views.my_tasks, name="my_tasks"),
    path("dossiers/<str:reference>/", views.review, name="review"),
    path("dossiers/<str:reference>/<slug:action>/", views.act, name="act"),
]
