from django.urls import path

from backoffice import documents, messaging, views

app_name = "backoffice"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("mes-taches/", views.my_tasks, name="my_tasks"),
    path("dossiers/<str:reference>/", views.review, name="review"),
    path("dossiers/<str:reference>/<slug:action>/", views.act, name="act"),
    path("dossiers/<str:reference>/pieces/<int:file_id>/", documents.file_download, name="file"),
    path("dossiers/<str:reference>/messages/envoyer/", messaging.send, name="send_message"),
    path("dossiers/<str:reference>/messages/pieces-jointes/<int:pk>/", messaging.attachment, name="attachment"),
]
