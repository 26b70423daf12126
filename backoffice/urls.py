from django.urls import include, path

from backoffice import documents, expertise, export_jobs, exports, lists, messaging, preview, supervision, views
from backoffice import teleservices as teleservice_pages

app_name = "backoffice"

urlpatterns = [
    path("", lists.queue, name="queue"),
    path("mes-taches/", lists.my_tasks, name="my_tasks"),
    path("traites/", lists.done, name="done"),
    path("a-valider/", lists.to_validate, name="to_validate"),
    path("exporter/<slug:tab>/", exports.export, name="export"),
    path("exports/", export_jobs.export_list, name="exports"),
    path("exports/<int:pk>/telecharger/", export_jobs.download, name="export_download"),
    path("equipe/", include(supervision.urlpatterns)),
    path("teleservices/", teleservice_pages.teleservice_list, name="teleservices"),
    path("teleservices/<slug:slug>/", teleservice_pages.teleservice_detail, name="teleservice"),
    path("dossiers/<str:reference>/", views.review, name="review"),
    path("dossiers/<str:reference>/experts/inviter/", expertise.invite, name="invite_expert"),
    path("dossiers/<str:reference>/experts/<int:pk>/retirer/", expertise.revoke, name="revoke_expert"),
    path("dossiers/<str:reference>/circuit/", teleservice_pages.dossier_chart, name="dossier_chart"),
    path("dossiers/<str:reference>/<slug:action>/", views.act, name="act"),
    path("dossiers/<str:reference>/pieces/<int:file_id>/", documents.file_download, name="file"),
    path("dossiers/<str:reference>/pieces/<int:file_id>/apercu/", preview.file_preview, name="preview"),
    path("dossiers/<str:reference>/lettres/<int:pk>/", preview.decision_letter, name="letter"),
    path("dossiers/<str:reference>/messages/envoyer/", messaging.send, name="send_message"),
    path("dossiers/<str:reference>/messages/pieces-jointes/<int:pk>/", messaging.attachment, name="attachment"),
    # The expert invited on one dossier (not an agent: the agents' menu is not shown).
    path("expertise/", expertise.dossier_list, name="expert_dossiers"),
    path("expertise/<str:reference>/", expertise.dossier_view, name="expert_dossier"),
    path("expertise/<str:reference>/avis/", expertise.opinion, name="expert_opinion"),
    path("expertise/<str:reference>/pieces/<int:file_id>/", expertise.file_download, name="expert_file"),
]
