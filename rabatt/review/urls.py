from django.urls import path

from rabatt.review import views

app_name = "review"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/export.<slug:fmt>", views.queue_export, name="queue_export"),
    path("bulk/", views.bulk_start, name="bulk_start"),
    path("bulk/<uuid:job_id>/", views.bulk_status, name="bulk"),
    path("claims/<str:reference>/", views.claim_detail, name="claim"),
    path("claims/<str:reference>/signals/", views.claim_signals, name="signals"),
    path("claims/<str:reference>/decide/<slug:action>/", views.claim_decide, name="decide"),
    path("claims/<str:reference>/notes/", views.claim_note, name="note"),
    path("claims/<str:reference>/release/", views.claim_release, name="release"),
    path("claims/<str:reference>/bank/", views.claim_bank, name="bank"),
    path("claims/<str:reference>/files/<uuid:file_id>/<int:page>/", views.receipt_page,
         name="receipt_page"),
]
